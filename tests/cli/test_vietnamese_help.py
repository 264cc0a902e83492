"""argparse's own words reach civil servants in Vietnamese (help, missing and unknown arguments)."""

import subprocess
import sys

import pytest

from assistant.cli import build_parser


def test_help_lists_sections_in_vietnamese(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["qr", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("cách dùng: ")
    assert "tùy chọn:" in out and "hiện hướng dẫn này rồi thoát" in out
    assert "usage:" not in out and "show this help" not in out


def test_a_missing_subcommand_is_explained_in_vietnamese() -> None:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "dossier"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "lỗi: còn thiếu: dossier_command" in done.stderr


def test_an_unknown_option_is_explained_in_vietnamese(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["catalog", "check", "--bogus"])
    assert "không hiểu các tham số: --bogus" in capsys.readouterr().err
