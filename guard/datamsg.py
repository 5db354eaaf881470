"""A data file's error (`file:line: what is wrong`) in Chinese, for the person who edits it.

The loaders (lexicon, reply templates, routing cues, the training files) and
Python's TOML parser compose their errors in English, and tests and the API
read them so; the command line shows them to a merchant or a trainer, so it
puts them into Chinese here, phrase by phrase. A phrase the table does not
know stays as it is: the file and line and the names quoted still say where
and what.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_Replacement = str | Callable[[re.Match[str]], str]

_PHRASES: tuple[tuple[re.Pattern[str], _Replacement], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        # Python's TOML parser (tomllib)
        (r" ?\(at line (\d+), column (\d+)\)", r"（第 \1 行第 \2 列）"),
        (r" ?\(at end of document\)", "（在文件末尾）"),
        (r"Unclosed array", "数组没有闭合"),
        (r"Unclosed inline table", "内联表没有闭合"),
        (r"Unterminated string", "字符串没有闭合"),
        (r"Cannot overwrite a value", "不能重复给一个键赋值"),
        (r"Cannot declare (\S+) twice", r"不能重复声明 \1"),
        (r"Invalid value", "无效的值"),
        (r"Invalid statement", "无效的语句"),
        (r"Illegal character '?([^' ]*)'?", r"非法字符 \1"),
        (r"Invalid initial character for a key part", "键的第一个字符无效"),
        (r"Expected '=' after a key in a key/value pair", "键后面应是 '='"),
        (r"Expected newline or end of document after a statement", "一条语句之后应换行"),
        (r"; an array, inline table or string opened on this line is never closed",
         "；这一行开始的数组、内联表或字符串没有闭合"),
        # guard's loaders
        (r"no \.toml lexicon files in this folder \(a lexicon is a \.toml file; "
         r"see lexicons/ for examples\)",
         "这个目录里没有 .toml 词库文件（词库是 .toml 文件，可参考内置的 lexicons/ 目录）"),
        (r"not valid UTF-8", "不是有效的 UTF-8"),
        (r"cannot read: ", "无法读取："),
        (r"unknown (key|section|setting|category|scenario|fact|period|placeholder|situation)"
         r" ",
         lambda m: "未知的" + {"key": "键", "section": "段", "setting": "设置",
                             "category": "类别", "scenario": "场景", "fact": "事实",
                             "period": "期限", "placeholder": "占位符",
                             "situation": "情形"}[m[1]] + " "),
        (r" \(known: ([^)]*)\)", r"（可用：\1）"),
        (r" ?\(give at least one of ([^)]*)\)", r"（至少给出其中之一：\1）"),
        (r"group '([^']*)' has no terms", r"词组 '\1' 没有词"),
        (r"no template for scenario '([^']*)'", r"没有场景 '\1' 的模板"),
        (r"no cues for scenario '([^']*)'", r"没有场景 '\1' 的提示词"),
        (r"'([^']+)' must be a non-empty string", r"「\1」必须是非空的字符串"),
        (r"'([^']+)' must be a list of non-empty strings", r"「\1」必须是非空字符串的列表"),
        (r"'([^']+)' must be a list of strings", r"「\1」必须是字符串的列表"),
        (r"'([^']+)' holds an empty string", r"「\1」里有空字符串"),
        (r"'([^']+)' must be true or false", r"「\1」必须是 true 或 false"),
        (r"'([^']+)' must be (\d+)\.\.(\d+)", r"「\1」必须在 \2 到 \3 之间"),
        (r"'([^']+)' must be one of ", r"「\1」必须是其中之一："),
        (r"'([^']+)' must be written as (\S+) tables", r"「\1」必须写成 \2 表"),
        (r"(?:a|each) (\S+) must be a table", r"每个 \1 必须是表"),
        (r"'([^']+)' must be a table", r"「\1」必须是表"),
        (r"^lexicons: no \[(\w+)\] section in any file", r"词库：没有一个文件含有 [\1] 段"),
    ))


def data_error_in_chinese(message: str) -> str:
    """`file:line: what` with the known phrases of `what` in Chinese."""
    for pattern, replacement in _PHRASES:
        message = pattern.sub(replacement, message)
    return message
