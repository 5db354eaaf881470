"""argparse in Simplified Chinese: headings, the help option and argparse's own errors.

argparse writes its headings ("usage:", "options", "positional arguments"),
the help option's help and its error messages in English through the
module's gettext. Rather than change gettext for the whole process, the
parser and formatter here say them in Chinese themselves, and argparse's
error messages (already formatted in English by the time `error` is called)
are translated by a table of patterns — a message the table does not know
is shown as it is rather than lost.

Every parser of `guard` and its subcommands is a `ChineseArgumentParser`
(`add_subparsers` makes subparsers of the parent's class).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

USAGE_PREFIX = "用法："
POSITIONALS_TITLE = "位置参数"
OPTIONALS_TITLE = "选项"
HELP_HELP = "显示本帮助并退出"
ERROR_PREFIX = "错误："

# The English type names argparse puts in "invalid int value: 'x'".
_TYPE_NAMES = {"int": "整数", "float": "数字", "str": "文字"}


def _choices(text: str) -> str:
    return text.replace("'", "")


# (pattern, replacement) over argparse's messages, Python 3.11 to 3.13; the
# first that matches the whole message (after "argument X: ") wins.
_MESSAGES: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(pattern, re.DOTALL), replacement) for pattern, replacement in (
        (r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)",
         lambda m: f"无效的选择：{m['value']}（可选：{_choices(m['choices'])}）"),
        (r"invalid (?P<type>\w+) value: (?P<value>.*)",
         lambda m: f"不是有效的{_TYPE_NAMES.get(m['type'], m['type'])}：{m['value']}"),
        (r"the following arguments are required: (?P<names>.*)",
         lambda m: f"缺少必需的参数：{m['names']}"),
        (r"one of the arguments (?P<names>.*) is required",
         lambda m: f"必须给出其中一个参数：{m['names']}"),
        (r"unrecognized arguments: (?P<args>.*)", lambda m: f"无法识别的参数：{m['args']}"),
        (r"not allowed with argument (?P<other>.*)",
         lambda m: f"不能与参数 {m['other']} 同时使用"),
        (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
         lambda m: f"选项 {m['option']} 有歧义，可以是：{m['matches']}"),
        (r"expected one argument", lambda m: "需要一个值"),
        (r"expected at most one argument", lambda m: "最多一个值"),
        (r"expected at least one argument", lambda m: "至少需要一个值"),
        (r"expected (?P<n>\d+) arguments?", lambda m: f"需要 {m['n']} 个值"),
        (r"ignored explicit argument (?P<value>.*)",
         lambda m: f"此选项不接受值，忽略了：{m['value']}"),
        (r"argument (?P<name>.*?): (?P<rest>.*)",
         lambda m: f"参数 {m['name']}：{translate_error(m['rest'])}"),
    ))


def translate_error(message: str) -> str:
    """One of argparse's English error messages in Chinese (unknown ones unchanged)."""
    for pattern, replacement in _MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return str(replacement(match))
    return message


class ChineseHelpFormatter(argparse.HelpFormatter):
    """The help formatter with a Chinese "usage" heading."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any,
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)


class ChineseRawDescriptionHelpFormatter(ChineseHelpFormatter,
                                         argparse.RawDescriptionHelpFormatter):
    """Chinese headings; the description's own line breaks kept."""


def _chinese_formatter(formatter: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """`formatter`, or a subclass of it that writes the Chinese usage heading."""
    if issubclass(formatter, ChineseHelpFormatter):
        return formatter
    return type(f"Chinese{formatter.__name__}", (ChineseHelpFormatter, formatter), {})


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, help option and errors are in Simplified Chinese."""

    def __init__(self, *args: Any, formatter_class: type[argparse.HelpFormatter] = (
                 ChineseHelpFormatter), add_help: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, formatter_class=_chinese_formatter(formatter_class),
                         add_help=False, **kwargs)
        self._positionals.title = POSITIONALS_TITLE
        self._optionals.title = OPTIONALS_TITLE
        if add_help:
            prefix = "-" if "-" in self.prefix_chars else self.prefix_chars[0]
            self.add_argument(prefix + "h", prefix * 2 + "help", action="help",
                              default=argparse.SUPPRESS, help=HELP_HELP)

    def error(self, message: str) -> NoReturn:
        """Usage, then `prog: 错误：…` in Chinese, on stderr; exit status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {ERROR_PREFIX}{translate_error(message)}\n")
