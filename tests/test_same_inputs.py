"""Inputs that look the same behave the same: check --jsonl reads .gz as the audit does, an
empty log says that nothing was read, control characters are escaped in terminal output,
and `guard check` shows a person labels and context instead of ids and offsets."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from guard.audit.render_terminal import render_report
from guard.audit.report import Report
from guard.cli import main
from guard.termtext import escape_controls, escaped_text

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = ROOT / "samples" / "messages.jsonl"
HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}


def guard_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "guard.cli", *args], input=stdin,
                          capture_output=True, timeout=120)


# ------------------------------------------------------------------ check --jsonl on .gz


def test_check_jsonl_reads_gzip_as_the_plain_file(tmp_path: Path) -> None:
    plain = guard_cli("check", "--jsonl", str(MESSAGES))
    packed = tmp_path / "messages.jsonl.gz"
    packed.write_bytes(gzip.compress(MESSAGES.read_bytes()))
    from_file = guard_cli("check", "--jsonl", str(packed))
    from_stdin = guard_cli("check", "--jsonl", "-", stdin=packed.read_bytes())
    assert plain.returncode == 1 and plain.stdout.count(b"\n") == 60
    assert from_file.returncode == plain.returncode and from_file.stdout == plain.stdout
    assert from_stdin.returncode == plain.returncode and from_stdin.stdout == plain.stdout
    assert "拒收 0" in from_file.stderr.decode() and "UTF-8" not in from_file.stderr.decode()


def test_check_jsonl_on_a_gzip_cut_short_keeps_the_lines_before(tmp_path: Path) -> None:
    lines = [json.dumps({"id": n, "shop": "店铺A", "agent": "客服1", "conversation": f"c{n}",
                         "time": "2026-11-01T10:00:00+08:00", "role": "agent",
                         "text": f"第{n}条：好的，马上给您发货{n * 7919}"},
                        ensure_ascii=False) for n in range(1, 3001)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    done = guard_cli("check", "--jsonl", str(cut))
    assert done.returncode == 2
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out[:-1]] == list(range(1, len(out)))  # every whole line, in order
    assert 100 < len(out) < 3000
    assert out[-1]["line"] == len(out) and "压缩文件在这里中断" in out[-1]["error"]
    err = done.stderr.decode()
    assert f"{cut}:{len(out)}: 拒收：压缩文件在这里中断" in err and "拒收 1" in err
    # the audit's reader gives the broken-off line the same number and reason
    audit = guard_cli("audit", str(cut), "--json", "-", "--quiet")
    assert audit.returncode == 2
    assert json.loads(audit.stdout)["rejected"] == [
        {"file": str(cut), "line": len(out), "reason": out[-1]["error"]}]


# ------------------------------------------------------------------ an empty log


def test_an_empty_log_says_nothing_was_read_and_exits_2(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n  \n\n")
    report = tmp_path / "report.json"
    assert main(["audit", str(empty), str(blank), "--json", str(report)]) == 2
    err = capsys.readouterr().err
    assert f"{empty}：没有读到任何记录" in err and f"{blank}：没有读到任何记录" in err
    assert "没有读到任何记录，没有可审计的内容" in err
    assert json.loads(report.read_text())["totals"]["records"] == 0  # the report still written
    assert main(["audit", str(empty), "--fail-on", "never", "--quiet"]) == 2


def test_an_empty_file_beside_a_real_log_is_named_but_does_not_change_the_status(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    sample = ROOT / "samples" / "chat_log.jsonl"
    assert main(["audit", str(sample), str(empty), "--quiet"]) == 1  # blocks in the sample
    err = capsys.readouterr().err
    assert f"{empty}：没有读到任何记录" in err and "没有可审计的内容" not in err
    assert str(sample) + "：没有读到" not in err


# ------------------------------------------------------------------ control characters


def test_escape_controls() -> None:
    assert escape_controls("店铺\u202eA") == "店铺\\u202eA"
    assert escape_controls("a\tb\r\n\x1b[31m") == "a\\tb\\r\\n\\x1b[31m"
    assert escape_controls("微\u200b信\ufeff") == "微\\u200b信\\ufeff"
    assert escape_controls("第一行\n第二行", keep="\n") == "第一行\n第二行"
    plain = "亲，价格是 300.99 元　ＶＸ 𝐕𝐗 ①③⑧ 🐧"
    assert escape_controls(plain) is plain


@given(st.text())
def test_escaped_text_hides_nothing_and_keeps_spans_on_their_characters(text: str) -> None:
    shown = escape_controls(text)
    assert not any(unicodedata.category(c) in HIDDEN for c in shown)
    if text:
        start, end = len(text) // 3, max(len(text) // 3 + 1, 2 * len(text) // 3)
        styled = escaped_text(text, [(start, end, "bold")])
        assert styled.plain == shown
        (span,) = styled.spans
        assert styled.plain[span.start:span.end] == escape_controls(text[start:end])


def test_audit_terminal_tables_stay_aligned_with_an_rtl_override(tmp_path: Path) -> None:
    log = tmp_path / "rtl.jsonl"
    rows = [("店铺\u202eA坏", "客服\t1", "加我\u202e微信聊"), ("店铺B", "客服2\u200b", "你好")]
    log.write_text("".join(json.dumps({"shop": s, "agent": a, "conversation": "c",
                                       "time": "2026-11-01T10:00:00+08:00", "role": "agent",
                                       "text": t}, ensure_ascii=False) + "\n"
                           for s, a, t in rows), encoding="utf-8")
    report = tmp_path / "r.json"
    assert main(["audit", str(log), "--json", str(report), "--quiet"]) == 1
    out = io.StringIO()
    render_report(Report.from_dict(json.loads(report.read_text())),
                  Console(file=out, width=160, highlight=False, color_system=None), [str(log)])
    text = out.getvalue()
    assert not any(unicodedata.category(c) in HIDDEN for c in text.replace("\n", ""))
    assert "店铺\\u202eA坏" in text and "客服\\t1" in text and "加我\\u202e微信聊" in text
    lines = text.splitlines()
    tables: list[list[str]] = []
    for index, line in enumerate(lines):  # compact tables: a header, a rule, the rows
        if line and set(line) == {"─"}:
            rows = [row for row in lines[index + 1:] if row.strip()]
            width = cell_len(line)
            body = []
            for row in rows:  # the rows run on as long as they are as wide as the rule
                if cell_len(row) != width:
                    break
                body.append(row)
            tables.append([lines[index - 1], line, *body])
    assert len(tables) >= 3
    for table in tables:  # every line of a table is as wide as its rule
        assert len(table) >= 3 and len({cell_len(line) for line in table}) == 1, \
            "\n".join(table)
    assert any("店铺\\u202eA坏" in line for table in tables for line in table)


def test_check_shows_labels_and_context_not_ids_and_offsets() -> None:
    done = guard_cli("check", "亲，方便的话\u202e加我薇信详细说，好吗")
    assert done.returncode == 1
    out = done.stdout.decode()
    assert "站外联系方式" in out and "微信" in out  # category and rule by their labels
    assert "wechat" not in out and "contact_im" not in out
    assert "加我薇信详细说" in out.replace("│", "").replace(" ", "").replace("\n", "")
    assert "–" not in out  # no raw offsets such as 8–10
    assert "\u202e" not in out and "\\u202e" in out
    as_json = json.loads(guard_cli("check", "--json", "加我薇信").stdout)
    assert as_json["findings"][0]["rule"] == "wechat"  # JSON keeps the ids
    assert as_json["findings"][0]["category"] == "contact_im"


def test_a_gz_name_on_a_file_that_is_not_gzip_is_one_error_in_both(tmp_path: Path) -> None:
    fake = tmp_path / "plain.jsonl.gz"
    fake.write_bytes(MESSAGES.read_bytes())
    check = guard_cli("check", "--jsonl", str(fake))
    audit = guard_cli("audit", str(fake))
    for done in (check, audit):
        assert done.returncode == 2 and done.stdout == b""
        assert done.stderr.decode().splitlines() == [
            f"guard: {fake}：无法读取：Not a gzipped file (b'{{\"')"]
