"""Finding 5: a staff note imported with a dossier reaches citizens only as the supplement
request, with phone numbers, e-mail addresses, ID numbers, links and names masked, and is
stored masked (SECURITY.md promises no names or phone numbers in clear).

Before the fix the note was stored and shown verbatim on every status and in notifications,
and the web page turned its URL into a link."""

from __future__ import annotations

import csv
import re

import pytest
from sqlalchemy import select

from assistant.app import attach_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Requester
from assistant.dossiers.importer import import_dossiers
from assistant.store.models import Dossier, OutboxRow
from assistant.store.repos import Subscriptions

CODE = "000.00.10.H32-261116-0042"
NOTE = ("Gọi bà Trần Thị Bích, SĐT 0987 654 321 hoặc bich.tt@khanhhoa.gov.vn; CCCD 056123456789; "
        "xem https://motcua.example/ho-so?id=42. Bổ sung bản sao Giấy khai sinh")
SECRETS = ("Trần Thị Bích", "0987", "654 321", "bich.tt", "@", "056123456789", "https://", "motcua.example")
HEADER = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Ghi chú"]


def _import(engine, tmp_path, status: str) -> None:
    path = tmp_path / f"{status}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow([CODE, "marriage-status-certification", "16/11/2026 09:00", "25/11/2026", status, NOTE])
    import_dossiers(engine, path, known_procedures={"marriage-status-certification"})


@pytest.fixture
def assistant(shipped_catalog, tmp_path, sqlite_engine) -> Assistant:
    assistant = Assistant(shipped_catalog, Settings(locality="khanh-vinh", data_dir=tmp_path))
    attach_database(assistant, sqlite_engine)
    return assistant


def test_supplement_request_shown_masked_stored_masked_notified_masked(assistant, sqlite_engine, tmp_path):
    _import(sqlite_engine, tmp_path, "Đang giải quyết")
    Subscriptions(sqlite_engine).add(CODE, "web", "citizen-session")
    _import(sqlite_engine, tmp_path, "Yêu cầu bổ sung")
    with sqlite_engine.connect() as conn:
        stored = conn.execute(select(Dossier.note)).scalar_one()
        (notification,) = conn.execute(select(OutboxRow.text)).scalars().all()
    card = assistant.handle(CODE, requester=Requester("web", "someone-else")).text
    for text in (stored, notification, card):
        assert not [s for s in SECRETS if s in text], text
        assert "Bổ sung bản sao Giấy khai sinh" in text
        assert "[số đã ẩn]" in text and "[email đã ẩn]" in text and "[liên kết đã ẩn]" in text
        assert "bà [tên đã ẩn]" in text
        assert not re.search(r"https?://|www\.", text)  # nothing the page or a chat app would make clickable


@pytest.mark.parametrize("status", ["Đã dừng giải quyết", "Đã rút hồ sơ", "Đang giải quyết"])
def test_notes_on_other_statuses_are_not_shown(assistant, sqlite_engine, tmp_path, status):
    _import(sqlite_engine, tmp_path, status)
    card = assistant.handle(CODE, requester=Requester("web", "someone-else")).text
    assert "Giấy khai sinh" not in card and "[số đã ẩn]" not in card


def test_a_note_stored_before_masking_is_masked_when_shown(assistant, sqlite_engine, tmp_path):
    _import(sqlite_engine, tmp_path, "Yêu cầu bổ sung")
    with sqlite_engine.begin() as conn:
        conn.execute(Dossier.__table__.update().values(note=NOTE))
    card = assistant.handle(CODE).text
    assert not [s for s in SECRETS if s in card] and "Bổ sung bản sao Giấy khai sinh" in card
