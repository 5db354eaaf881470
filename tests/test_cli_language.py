"""One language: every help screen and every error the command line prints is Simplified Chinese."""

from __future__ import annotations

import re

import pytest

from guard.cli import _parser, main
from guard.cliparse import translate_error

# argparse's own English, as Python 3.11–3.13 print it.
ENGLISH_HEADINGS = ("usage:", "options:", "optional arguments", "positional arguments",
                    "show this help message", "error:", "invalid choice", "choose from",
                    "the following arguments are required", "unrecognized arguments",
                    "expected one argument", "not allowed with", "ambiguous option")


def subcommands() -> list[str]:
    parser = _parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_every_subcommand_is_listed() -> None:
    # the loop below must not pass vacuously
    assert {"check", "audit", "reply", "serve", "train"} <= set(subcommands())


@pytest.mark.parametrize("argv", [["--help"]] + [[name, "--help"] for name in
                                                  ["check", "audit", "reply", "serve", "train"]])
def test_help_has_no_english_heading(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：guard")
    assert "选项" in out and "显示本帮助并退出" in out
    for english in ENGLISH_HEADINGS:
        assert english not in out.lower(), (argv, english)


def test_help_of_every_registered_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    for name in subcommands():
        with pytest.raises(SystemExit):
            main([name, "--help"])
        out = capsys.readouterr().out
        assert out.startswith(f"用法：guard {name}"), name
        assert not any(english in out.lower() for english in ENGLISH_HEADINGS), name


@pytest.mark.parametrize(("argv", "expected"), [
    (["nope"], "guard: 错误：参数 COMMAND：无效的选择：'nope'（可选：check"),
    (["audit", "--workers", "x", "a.jsonl"],
     "guard audit: 错误：参数 --workers：不是有效的整数：'x'"),
    (["reply", "return", "--payment", "paypal"],
     "guard reply: 错误：参数 --payment：无效的选择：'paypal'"
     "（可选：wechat, alipay, debit, credit）"),
    (["check", "--js", "x"], "guard check: 错误：选项 --js 有歧义"),
    (["check", "x", "--frobnicate"], "guard: 错误：无法识别的参数：--frobnicate"),
    (["reply", "return", "--shipped", "--not-shipped"],
     "guard reply: 错误：参数 --not-shipped：不能与参数 --shipped 同时使用"),
    (["check", "--lexicons"], "guard check: 错误：参数 --lexicons：需要一个值"),
])
def test_argparse_errors_are_chinese(argv: list[str], expected: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：guard")
    assert expected in err, err
    assert not any(english in err.lower() for english in ENGLISH_HEADINGS), err


@pytest.mark.parametrize(("argv", "expected"), [
    (["reply", "refund-unshipped"],
     "guard: refund-unshipped 需要 --payment（wechat|alipay|debit|credit）：缺少支付方式"),
    (["reply", "refund"], "guard: 未知场景 'refund'；可选场景：group-refund"),
    (["reply", "return", "--received-at", "yesterday"], "不是时间"),
    (["reply", "return", "--jsonl"], "--jsonl 读取的是买家消息，要和 --suggest 一起用"),
    (["check", "x", "--jsonl", "y.jsonl"], "guard: TEXT 和 --jsonl 只能给一个"),
    (["check", "--lexicons", "/no/such/folder", "x"], "--lexicons /no/such/folder：没有这个目录"),
    (["audit", "/no/such/log.jsonl"], "guard: /no/such/log.jsonl：没有这个文件"),
    (["audit", "--workers", "0", "x.jsonl"], "guard: --workers 至少为 1"),
    (["train", "--rounds", "0"], "guard: --rounds 必须在 1 到 1000 之间"),
])
def test_usage_errors_are_one_chinese_line(argv: list[str], expected: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err
    # apart from the command line's own words (options, ids, paths), no English sentence
    prose = re.sub(r"--?[\w-]+|[\w./-]*\.(jsonl|toml)|'[^']*'|\w+-\w+[\w-]*|[A-Z]{2,}", "", err)
    assert not re.search(r"[a-z]{3,} [a-z]{3,}", prose), err


@pytest.mark.parametrize(("english", "chinese"), [
    ("argument --role: invalid choice: 'x' (choose from 'agent', 'all')",
     "参数 --role：无效的选择：'x'（可选：agent, all）"),
    ("argument --rounds: invalid int value: '1.5'", "参数 --rounds：不是有效的整数：'1.5'"),
    ("the following arguments are required: LOG", "缺少必需的参数：LOG"),
    ("argument --at: expected one argument", "参数 --at：需要一个值"),
    ("something argparse may say one day", "something argparse may say one day"),
])
def test_translate_error(english: str, chinese: str) -> None:
    assert translate_error(english) == chinese


GROUP = '[[group]]\nid = "mine"\ncategory = "contact_im"\nlabel = "我的"\n'


@pytest.mark.parametrize(("toml", "expected"), [
    ("x = [1, 2\n",
     "my.toml:1: 数组没有闭合（在文件末尾）；这一行开始的数组、内联表或字符串没有闭合"),
    ("a = 1\na = 2\n", "my.toml:2: 不能重复给一个键赋值（第 2 行第 6 列）"),
    (GROUP + 'colour = "x"\nblock = ["abc"]\n', "my.toml:5: 未知的键 'colour'"),
    (GROUP, "my.toml:1: 词组 'mine' 没有词（至少给出其中之一：block"),
    ("[bogus]\nx = 1\n", "my.toml:1: 未知的段 'bogus'（可用：allow"),
    (GROUP.replace('"我的"', "3") + 'block = ["abc"]\n', "my.toml:4: 「label」必须是非空的字符串"),
])
def test_a_broken_lexicon_is_said_in_chinese(toml: str, expected: str, tmp_path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "my.toml").write_text(toml, encoding="utf-8")
    assert main(["check", "--lexicons", str(tmp_path), "加我微信"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("guard: 词库错误：") and err.count("\n") == 1, err
    assert expected in err, err
    prose = re.sub(r"'[^']*'|[\w/.-]+\.toml|[a-z_]+(, [a-z_]+)+", "", err)
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", prose), err


def test_an_empty_lexicon_folder_is_said_in_chinese(tmp_path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--lexicons", str(tmp_path), "加我微信"]) == 2
    err = capsys.readouterr().err
    assert err == (f"guard: 词库错误：{tmp_path}: 这个目录里没有 .toml 词库文件"
                   "（词库是 .toml 文件，可参考内置的 lexicons/ 目录）\n")
