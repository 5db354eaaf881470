"""`guard reply` on the command line, as other tools drive it (SPEC: the reply contract)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import guard.replies.templates as templates_module
from guard.cli import main

SCENARIOS = ("group-refund", "refund-unshipped", "refund-shipped", "return", "work-order",
             "off-platform-request", "return-freight")


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "guard.cli", *args], input=stdin,
                          capture_output=True, timeout=120)


def no_traceback(stderr: str | bytes) -> None:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text, text


# ------------------------------------------------------------------- scenarios


def test_reply_prints_the_reply_and_the_note(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "refund-unshipped", "--payment", "debit",
                 "--approved-at", "2026-09-28T23:59", "--at", "2026-09-29T10:00"]) == 0
    out = capsys.readouterr().out
    assert "回复买家" in out and "商家备注" in out
    assert "2–6" in out and "国庆节" in out and "【退款/售后】" in out


def test_reply_json_contract(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "return", "--quality", "--received-at", "2026-11-21T10:30",
                 "--at", "2026-11-22T09:00", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["scenario", "reply", "merchant_note", "params"]
    assert data["scenario"] == "return"
    assert isinstance(data["reply"], str) and isinstance(data["merchant_note"], str)
    assert "来回运费都由我们商家承担" in data["reply"]
    assert data["params"]["quality"] is True and data["params"]["wrong_item"] is False
    assert data["params"]["received_at"] == "2026-11-21T10:30:00+08:00"
    assert data["params"]["at"] == "2026-11-22T09:00:00+08:00"
    assert data["params"]["computed"]["return_open"] is True


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_as_json(scenario: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", scenario, "--payment", "wechat", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] == scenario and data["reply"] and data["merchant_note"]


def test_missing_parameter_names_it_and_its_values(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "refund-unshipped"]) == 2
    err = capsys.readouterr().err
    assert "--payment" in err and "wechat|alipay|debit|credit" in err
    assert err.count("\n") == 1


def test_unknown_scenario_lists_the_known_ones(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "refund"]) == 2
    err = capsys.readouterr().err
    assert "未知场景 'refund'" in err
    assert all(s in err for s in SCENARIOS)


def test_no_scenario_lists_the_known_ones(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply"]) == 2
    err = capsys.readouterr().err
    assert all(s in err for s in SCENARIOS)


@pytest.mark.parametrize(("args", "message"), [
    (["return", "--received-at", "2026-11-21"], "还要给出几点几分"),
    (["return", "--received-at", "yesterday"], "不是时间"),
    (["return", "--received-at", "2026/11/21"], "还要给出几点几分"),
    (["return", "--quality", "--no-reason"], "互相矛盾"),
    (["return", "--received-at", "2026-11-21T10:30", "--at", "2026-11-20T10:30"],
     "晚于 --at"),
    (["refund-unshipped", "--payment", "wechat", "--shipped"], "请改用 refund-shipped"),
    (["refund-shipped", "--not-shipped"], "请改用 refund-unshipped"),
    (["return", "--jsonl"], "要和 --suggest 一起用"),
    (["refund-unshipped", "--payment", "wechat", "--approved-at", "9999-12-31T23:00"],
     "日期超出范围"),
])
def test_user_mistakes_exit_2_in_one_line(args: list[str], message: str,
                                          capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("guard: ")
    no_traceback(err)


def test_unused_option_is_noted_not_fatal(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "work-order", "--payment", "debit", "--json"]) == 0
    captured = capsys.readouterr()
    assert "用不到 --payment" in captured.err
    assert json.loads(captured.out)["scenario"] == "work-order"


def test_bad_payment_and_conflicting_flags_are_argparse_errors() -> None:
    bad = run("reply", "refund-unshipped", "--payment", "paypal")
    assert bad.returncode == 2 and b"wechat" in bad.stderr
    both = run("reply", "refund-shipped", "--shipped", "--not-shipped")
    assert both.returncode == 2
    no_traceback(bad.stderr + both.stderr)


def test_broken_template_file_is_a_lexicon_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "templates.toml"
    path.write_text('[return]\ntitle = "退货"\npolicy = "第3条"\nrequires = 1\n', "utf-8")
    monkeypatch.setattr(templates_module, "templates_path", lambda: path)
    templates_module.default_templates.cache_clear()
    try:
        assert main(["reply", "return"]) == 2
    finally:
        templates_module.default_templates.cache_clear()  # the broken file is not kept
    err = capsys.readouterr().err
    assert err.startswith("guard: 词库错误：") and f"{path}:" in err
    no_traceback(err)


# -------------------------------------------------------------------- suggest


def test_suggest_one_message(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "--suggest", "拼团一直没拼成，钱能退吗"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["scenario", "reply", "confidence"]
    assert data["scenario"] == "group-refund"
    assert "24小时" in data["reply"]
    assert 0 <= data["confidence"] <= 1


def test_suggest_nothing_fits_is_null(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "--suggest", "在吗"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] is None and data["reply"] is None
    assert isinstance(data["confidence"], float)


def test_suggest_uses_the_options_given(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "--suggest", "还没发货，我不想要了，退款多久到账",
                 "--payment", "credit"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] == "refund-unshipped" and "3–7天" in data["reply"]


def test_suggest_reads_stdin() -> None:
    done = run("reply", "--suggest", stdin="能加个微信吗\n".encode())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scenario"] == "off-platform-request"


def test_suggest_jsonl_copies_fields_keeps_order_and_rejects_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 1, "text": "东西在路上了，我不想要了"}, ensure_ascii=False).encode(),
        b"",
        b"not json",
        json.dumps({"id": 3, "text": "你好"}, ensure_ascii=False).encode(),
        b'{"id": 4}',
        b'{"id": 5, "text": "\xff"}',
        json.dumps({"id": 6, "text": "退货运费谁出", "shop": "A"}, ensure_ascii=False).encode(),
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = run("reply", "--suggest", "--jsonl", str(path))
    assert done.returncode == 2
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 6
    assert out[0] == {"id": 1, "scenario": "refund-shipped", "reply": out[0]["reply"],
                      "confidence": out[0]["confidence"]}
    assert out[1] == {"line": 3, "error": out[1]["error"]}
    assert out[2]["id"] == 3 and out[2]["scenario"] is None
    assert out[3]["line"] == 5 and "text" in out[3]["error"]
    assert out[4]["line"] == 6 and "UTF-8" in out[4]["error"]
    assert out[5]["id"] == 6 and out[5]["shop"] == "A" and out[5]["scenario"] == "return-freight"
    err = done.stderr.decode()
    assert f"{path}:3: 拒收" in err and f"{path}:5: 拒收" in err
    assert "记录 6" in err and "拒收 3" in err
    no_traceback(err)


def test_suggest_jsonl_from_stdin_all_good_exits_0() -> None:
    lines = "\n".join(json.dumps({"text": t}, ensure_ascii=False)
                      for t in ("加个vx呗", "包裹能拦截吗")) + "\n"
    done = run("reply", "--suggest", "--jsonl", "-", "--quiet", stdin=lines.encode())
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    out = [json.loads(line)["scenario"] for line in done.stdout.splitlines()]
    assert out == ["off-platform-request", "refund-shipped"]


def test_suggest_jsonl_missing_file(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    assert main(["reply", "--suggest", "--jsonl", str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl" in capsys.readouterr().err


def test_suggest_checks_the_options_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "收到的杯子碎了"}\n', "utf-8")
    done = run("reply", "--suggest", "--jsonl", str(path), "--received-at", "2026-11-21T10:30",
               "--at", "2026-11-20T10:30")
    assert done.returncode == 2 and done.stdout == b""
    assert b"--received-at" in done.stderr
    no_traceback(done.stderr)


def test_suggest_text_and_jsonl_together_is_a_mistake(capsys: pytest.CaptureFixture) -> None:
    assert main(["reply", "--suggest", "退款", "--jsonl", "x.jsonl"]) == 2
    assert "只能给一个" in capsys.readouterr().err


@pytest.mark.parametrize("scenario", ["return", "return-freight"])
def test_freight_payer_is_left_open_unless_the_cause_is_given(
        scenario: str, capsys: pytest.CaptureFixture) -> None:
    """Point 3: the merchant pays for a quality problem or a wrong item, the buyer otherwise;
    with neither said, the reply must not pick one."""
    payers = {}
    for flags in ([], ["--no-reason"], ["--quality"], ["--wrong-item"]):
        assert main(["reply", scenario, *flags, "--json"]) == 0
        payers[tuple(flags)] = json.loads(capsys.readouterr().out)["params"]["computed"][
            "freight_payer"]
    assert payers == {(): None, ("--no-reason",): "buyer", ("--quality",): "merchant",
                      ("--wrong-item",): "merchant"}
