"""argparse's own words in Vietnamese ("cách dùng:", "tùy chọn", error lines), so that a civil
servant who types `--help` or forgets an argument reads the same language as every other
message of the command line.

argparse looks up each of its phrases through its module-level `_` (gettext) when it needs it;
the command line is a process of its own, so replacing that one function is enough, and any
phrase missing here stays in English rather than failing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

PHRASES: dict[str, str] = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số bắt buộc",
    "options": "tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "còn thiếu: %s",
    "unrecognized arguments: %s": "không hiểu các tham số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có lựa chọn %(value)r (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ (cần kiểu %(type)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần đúng một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected at most one argument": "chỉ được một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s chưa rõ: có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
}


def translate(phrase: str) -> str:
    return PHRASES.get(phrase, phrase)


def install() -> Callable[[str], str]:
    """Make argparse speak Vietnamese in this process; returns the function it used before."""
    previous = argparse._
    argparse._ = translate
    return previous


__all__ = ["PHRASES", "install", "translate"]
