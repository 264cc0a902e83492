"""Finding 4: a broken .xlsx is FILE:1, reports without a database are one sentence, and a
dossier code in the middle of a very long message is still found.

Before the fix: a BadZipFile traceback (from the progress bar's row estimate), a 134-line
traceback from `report`, and a code trimmed away with the middle of the message."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.app import attach_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dossiers.seed import demo_codes, seed_demo
from assistant.text.normalize import MAX_INPUT_CHARS

ROOT = Path(__file__).resolve().parents[2]


def _cli(tmp_path, *argv: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "ASSISTANT_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "assistant", *argv], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)


@pytest.mark.parametrize("content", [b"not a zip at all\n", b"PK\x03\x04" + bytes(range(256)) * 4])
def test_broken_xlsx_is_file_line_1(tmp_path, content):
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    done = _cli(tmp_path, "dossier", "import", str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [f"{path}:1: không đọc được tệp XLSX (BadZipFile)",
                                        "Không nhập tệp: có 1 lỗi ở trên; chưa ghi gì vào cơ sở dữ liệu. "
                                        "Sửa các dòng đó rồi nhập lại."]


@pytest.mark.parametrize("report", [["report", "service"], ["report", "unanswered"]])
def test_reports_with_database_down_say_one_sentence(tmp_path, report):
    done = _cli(tmp_path, *report, database_url="postgresql+psycopg://tthc:secret@127.0.0.1:1/tthc")
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("Không lập được báo cáo: không kết nối được cơ sở dữ liệu") and "secret" not in line


def test_code_in_the_middle_of_a_long_message_is_found(shipped_catalog, tmp_path, sqlite_engine):
    assistant = Assistant(shipped_catalog, Settings(locality="khanh-vinh", data_dir=tmp_path))
    attach_database(assistant, sqlite_engine)
    seed_demo(sqlite_engine, assistant.catalog, dt.datetime.now(), assistant.brain.calendar)
    code = demo_codes()[0]
    story = "Chào cán bộ, tôi kể hoàn cảnh gia đình tôi. " * 60
    message = f"{story}Mã hồ sơ của tôi là {code}, nhờ xem giúp. {story}"
    assert len(message) > MAX_INPUT_CHARS + 1000
    reply = assistant.handle(message)
    assert reply.status.value == "dossier" and reply.data["dossier"]["code"] == code
