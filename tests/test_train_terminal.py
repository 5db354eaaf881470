"""The real interactive `guard train` in a pseudo-terminal (pexpect), read off the screen."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


def spawn(*args: str) -> pexpect.spawn:
    env = dict(os.environ, COLUMNS="100", LINES="40", TERM="xterm-256color")
    return pexpect.spawn(sys.executable, ["-m", "guard.cli", "train", *args], env=env,
                         encoding="utf-8", timeout=60, dimensions=(40, 100))


def test_a_session_in_a_terminal(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    child = spawn("--rounds", "4", "--seed", "7", "--report", str(report))
    try:
        child.expect("第 1/4 轮")
        child.expect("请输入你的回复")
        # an empty answer is asked again
        child.send("\r")
        child.expect("回复不能为空")
        child.expect("请输入你的回复")
        # a round answered over two lines, ended by an empty line
        child.send("亲，这个问题\r我们马上帮您处理\r\r")
        child.expect("合规 · 通过 PASS")
        child.expect("参考回复")
        child.expect(r"本轮得分：\d+/100")
        child.expect("第 2/4 轮")
        child.expect("请输入你的回复")
        # a 100 KB paste (bracketed, as terminals send pastes), blank lines inside it
        pasted = ("亲，您好。\n\n这是很长的一段说明，" * 4000).encode()[:102400].decode(
            errors="ignore")
        assert len(pasted.encode()) >= 100 * 1024 - 3
        started = time.monotonic()
        child.send(PASTE_START + pasted + PASTE_END)
        child.expect("已粘贴")
        child.send("\r\r")
        child.expect(r"本轮得分：\d+/100", timeout=30)
        assert time.monotonic() - started < 20
        child.expect("第 3/4 轮")
        child.expect("请输入你的回复")
        # Ctrl-C ends the session with the summary so far
        child.sendintr()
        child.expect("已中断")
        child.expect("培训总结")
        child.expect("合计")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130
    saved = json.loads(report.read_text("utf-8"))
    assert saved["total"]["rounds"] == 2 and saved["total"]["interrupted"] is True
    first, second = saved["rounds"]
    assert first["answer"] == "亲，这个问题\n我们马上帮您处理"
    assert second["answer"] == pasted.rstrip("\n")  # the paste whole, its blank lines kept
    assert second["seconds"] is not None
