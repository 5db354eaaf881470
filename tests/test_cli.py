"""The command line, as other tools drive it (SPEC: guard check contract)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from guard.cli import main


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "guard.cli", *args], input=stdin,
                          capture_output=True, timeout=120)


def test_one_message_blocked_exits_1(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", "亲，加我微信聊"]) == 1
    out = capsys.readouterr().out
    assert "拦截" in out and "保证金" in out and "微信" in out


def test_one_clean_message_exits_0(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", "您好，已经给您发货了"]) == 0
    assert "通过" in capsys.readouterr().out


def test_one_message_as_json(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", "--json", "去京东买"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "block"
    assert result["findings"][0]["text"] == "京东"


def test_jsonl_copies_fields_keeps_order_and_rejects_bad_lines(tmp_path: Path) -> None:
    huge = "好" * 340_000  # ~1.0 MB of UTF-8: under the limit (MAX_LINE_BYTES, 1 MiB)
    lines = [
        json.dumps({"id": 1, "text": "加我 ｖｘ 哦"}, ensure_ascii=False).encode(),
        b"",
        json.dumps({"id": 2, "text": "", "shop": "A"}).encode(),
        b"this is not json",
        b'{"id": 4}',
        b'{"id": 5, "text": "\xff\xfe"}',
        json.dumps({"id": 6, "text": huge}, ensure_ascii=False).encode(),
        b'{"id": 7, "text": 12}',
        b"[1, 2]",
        json.dumps({"text": "微信付款的订单1-3分钟到账", "id": 10}, ensure_ascii=False).encode(),
        json.dumps({"id": 11, "text": "好" * 400_000}, ensure_ascii=False).encode(),  # over
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = run("check", "--jsonl", str(path))
    assert done.returncode == 2, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 10  # every non-blank line answered, in order
    assert out[0]["id"] == 1 and out[0]["verdict"] == "block"
    assert out[0]["findings"][0]["text"] == "ｖｘ"
    assert "text" not in out[0]
    assert out[1] == {"id": 2, "shop": "A", "verdict": "pass", "findings": [], "masked": "",
                      "warning": None}
    assert out[2]["line"] == 4 and "不是有效的 JSON" in out[2]["error"]
    assert out[3]["line"] == 5 and out[3]["error"] == "缺少字段：text"
    assert out[4]["line"] == 6 and "UTF-8" in out[4]["error"]
    assert out[5]["id"] == 6 and out[5]["verdict"] == "pass"
    assert out[6]["line"] == 8 and out[6]["error"] == "不是字符串：text（实为 number）"
    assert out[7]["line"] == 9 and "JSON 对象" in out[7]["error"]
    assert list(out[8]) == ["id", "verdict", "findings", "masked", "warning"]
    assert out[9]["line"] == 11 and out[9]["error"].startswith("行太长（1,200,0")
    err = done.stderr.decode()
    assert f"{path}:4: 拒收" in err
    assert "记录 10：通过 3，提醒 0，拦截 1，拒收 6" in err
    assert "Traceback" not in err


def test_jsonl_from_stdin_exit_status() -> None:
    clean = run("check", "--jsonl", "-", stdin='{"text": "您好"}\n'.encode())
    assert clean.returncode == 0
    blocked = run("check", "--jsonl", stdin='{"text": "加我微信"}\n'.encode())
    assert blocked.returncode == 1


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    missing = run("check", "--jsonl", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and b"nope.jsonl" in missing.stderr
    both = run("check", "--jsonl", "x", "text")
    assert both.returncode == 2
    (tmp_path / "lex").mkdir()
    (tmp_path / "lex" / "bad.toml").write_text("[[group]]\nid = 1\n", encoding="utf-8")
    broken = run("check", "--lexicons", str(tmp_path / "lex"), "hello")
    assert broken.returncode == 2
    assert f"{tmp_path / 'lex' / 'bad.toml'}:2:" in broken.stderr.decode()
    for done in (missing, both, broken):
        assert b"Traceback" not in done.stderr
