"""`guard audit` as a user and a nightly job run it: outputs, exit codes, the HTML."""

from __future__ import annotations

import csv
import json
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from guard.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_JSONL = ROOT / "samples" / "chat_log.jsonl"
SAMPLE_CSV = ROOT / "samples" / "chat_log.csv"


def write_log(path: Path, texts: list[str], extra: bytes = b"") -> Path:
    with path.open("wb") as out:
        for index, text in enumerate(texts):
            out.write(json.dumps({"shop": "店铺A", "agent": "客服1", "conversation": f"C{index}",
                                  "time": "2026-11-01T10:00:00+08:00", "role": "agent",
                                  "text": text}, ensure_ascii=False).encode() + b"\n")
        out.write(extra)
    return path


@pytest.mark.parametrize(("texts", "extra", "expected"), [
    (["好的亲，有问题再联系"], b"", {"block": 0, "warn": 0, "never": 0}),
    (["好的亲", "京东的价格我们管不了哦"], b"", {"block": 0, "warn": 1, "never": 0}),
    (["好的亲", "加我微信 abc12345 聊"], b"", {"block": 1, "warn": 1, "never": 0}),
    (["好的亲"], b"{broken\n", {"block": 2, "warn": 2, "never": 2}),
    (["加我微信 abc12345 聊"], b"{broken\n", {"block": 2, "warn": 2, "never": 2}),
])
def test_fail_on_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            texts: list[str], extra: bytes, expected: dict[str, int]) -> None:
    log = write_log(tmp_path / "log.jsonl", texts, extra)
    for level, status in expected.items():
        assert main(["audit", str(log), "--fail-on", level, "--quiet"]) == status, level
    capsys.readouterr()


def test_the_samples_as_a_user_runs_them(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = {kind: tmp_path / f"report.{kind}" for kind in ("json", "csv", "html")}
    status = main(["audit", str(SAMPLE_JSONL), "--json", str(out["json"]),
                   "--csv", str(out["csv"]), "--html", str(out["html"])])
    assert status == 1
    terminal = capsys.readouterr().out
    for heading in ("guard 审计汇总", "各店铺", "各客服", "命中最多的规则", "常见说法",
                    "最严重的消息", "报告已写出："):
        assert heading in terminal
    report = json.loads(out["json"].read_text(encoding="utf-8"))
    totals = report["totals"]
    assert totals["records"] == 320
    assert totals["records"] == totals["scanned"] + totals["skipped"] + totals["rejected"]
    assert totals["split_findings"] >= 3 and totals["warn"] >= 1
    raw = out["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese right
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert rows[0][:3] == ["文件", "行号", "涉及行"]
    assert len(rows) - 1 == totals["findings"] == len(report["findings"])

    assert main(["audit", str(SAMPLE_CSV), "--quiet", "--json", str(out["json"])]) == 1
    assert json.loads(out["json"].read_text(encoding="utf-8"))["totals"]["records"] == 300


def test_json_to_stdout_keeps_the_summary_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(SAMPLE_CSV), "--json", "-"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["totals"]["records"] == 300
    assert "guard 审计汇总" in captured.err


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["audit", str(SAMPLE_CSV), "--workers", "0"]) == 2
    assert main(["audit", str(SAMPLE_CSV), "--lexicons", str(tmp_path / "none")]) == 2
    assert main(["audit", str(SAMPLE_CSV), "--json", "-", "--csv", "-"]) == 2
    assert main(["audit", str(SAMPLE_CSV), "--html", str(tmp_path / "no" / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "missing.jsonl：没有这个文件" in err


def test_two_workers_write_the_same_json(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    common = ["audit", str(SAMPLE_JSONL), str(SAMPLE_CSV), "--quiet", "--chunk-bytes", "3000"]
    assert main([*common, "--workers", "1", "--json", str(one)]) == 1
    assert main([*common, "--workers", "2", "--json", str(two)]) == 1
    assert one.read_bytes() == two.read_bytes()
    capsys.readouterr()


# ---------------------------------------------------------------- the HTML report


@pytest.fixture(scope="module")
def html_report() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="guard-html-"))
    path = folder / "report.html"
    status = main(["audit", str(SAMPLE_JSONL), "--quiet", "--html", str(path)])
    assert status == 1
    return path


def test_html_is_one_self_contained_file(html_report: Path) -> None:
    page = html_report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "<link" not in page and "@import" not in page
    # one inline script (review and sorting), no script from elsewhere
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert page.count("<script>") == 1 and "fetch(" not in page and "XMLHttpRequest" not in page
    assert "url(" not in page
    # per agent, per category, per day; response times per agent
    assert page.count("<svg") == 4
    assert "<mark class=\"block\">" in page
    assert "第" in page and "行</span>" in page  # a split evasion names its lines


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the raw (filtered) scanlines of a PNG: enough to see it is not blank."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, width, height = 8, b"", 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="chromium is not installed")
def test_html_renders_in_a_headless_browser(html_report: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1280,2000", html_report.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (1280, 2000)
    assert len(set(pixels)) > 50  # text, bars and colours, not a blank page


def test_a_folder_is_not_a_log_and_a_log_named_twice_is_read_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"guard: {tmp_path}: 是目录，不是文件")
    assert main(["audit", str(SAMPLE_JSONL), "--quiet", "--json", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"guard: --json {tmp_path}: 是目录，不是文件\n"
    link = tmp_path / "same.jsonl"
    link.symlink_to(SAMPLE_JSONL)
    report = tmp_path / "r.json"
    assert main(["audit", str(SAMPLE_JSONL), str(link), str(SAMPLE_JSONL), "--quiet",
                 "--json", str(report)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"guard: {link} 与 {SAMPLE_JSONL} 是同一个文件，只审计一次",
                   f"guard: {SAMPLE_JSONL} 与 {SAMPLE_JSONL} 是同一个文件，只审计一次"]
    totals = json.loads(report.read_text(encoding="utf-8"))["totals"]
    assert totals["records"] == 320  # counted once
