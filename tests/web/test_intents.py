"""Everyday intents through the web chat over real HTTP on 127.0.0.1: contact of the one-stop,
dossier look-up without a code, everyday procedure names, and the page's contact line."""

from __future__ import annotations

import dataclasses
import datetime as dt

import httpx
import pytest

from assistant.app import attach_database
from assistant.catalog.loader import load_catalog
from assistant.core import Assistant
from assistant.dialogue.intents import EXAMPLE_CODE
from assistant.dossiers.seed import demo_codes, seed_demo
from tests.factories import SMALL, write_catalog
from tests.web.conftest import Chat, start_server


def test_contact_questions_get_the_locality_contact(chat, settings):
    for text in ("hotline", "số điện thoại bộ phận một cửa", "ủy ban xã làm việc thứ 7 không"):
        reply = chat.say(text)
        assert reply["status"] == "smalltalk" and reply["data"]["intent"] == "contact", text
        assert reply["buttons"] == [] and reply["candidates"] == []
        assert "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa" in reply["reply"]
        assert "Hoàng Hoa Thám" not in reply["reply"]  # listed as unverified in khanh-hoa.yaml
        assert f"Tổng đài hỗ trợ Cổng Dịch vụ công quốc gia: {settings.hotline}" in reply["reply"]


def test_contact_follows_the_commune_kept_across_requests(chat):
    asked = chat.say("sdt một cửa")
    assert "Bạn ở xã, phường nào?" in asked["reply"]
    answered = chat.say("em ở xã Nam Khánh Vĩnh")  # the conversation is stored between requests
    assert answered["data"]["intent"] == "contact" and answered["data"]["commune"] == "nam-khanh-vinh"
    reply = chat.say("giờ làm việc của ủy ban")
    assert reply["data"]["commune"] == "nam-khanh-vinh"
    assert "Trung tâm Phục vụ hành chính công xã Nam Khánh Vĩnh" in reply["reply"]


@pytest.mark.parametrize("text", ["tra cứu hồ sơ", "hồ sơ 123456 của tôi sao rồi"])
def test_dossier_help_without_a_code(chat, text):
    reply = chat.say(text)
    assert reply["status"] == "dossier" and reply["data"]["dossier"]["need_code"] is True
    assert reply["buttons"] == [] and reply["candidates"] == []
    assert "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả" in reply["reply"]
    assert EXAMPLE_CODE in reply["reply"]


def test_dossier_help_then_the_code_looks_it_up(chat, assistant, sqlite_engine):
    seed_demo(sqlite_engine, assistant.catalog, dt.datetime.now(), assistant.brain.calendar)
    chat.say("tra cứu hồ sơ")
    code = demo_codes()[0]
    found = chat.say(code)
    assert found["status"] == "dossier" and found["data"]["dossier"]["code"] == code
    assert "need_code" not in found["data"]["dossier"]


@pytest.mark.parametrize(("text", "proc"), [
    ("giấy không tiền án tiền sự", "criminal-record-certificate"),
    ("dkkh", "marriage-registration"),
    ("giấy chứng nhận độc thân", "marriage-status-certification"),
])
def test_everyday_names_over_http(chat, text, proc):
    reply = chat.say(text)
    assert reply["status"] == "answer" and reply["procedure_id"] == proc


def test_the_page_config_carries_the_locality_contact(client, settings):
    contact = client.get("/api/config").json()["contact"]
    assert contact["office"] == "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa"
    assert contact["address"] is None and contact["phone"] is None  # unverified in the data
    assert contact["national_hotline"] == settings.hotline
    assert contact["text"].startswith("Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa")
    page = client.get("/").text
    assert 'id="contact"' in page


def test_a_verified_locality_contact_reaches_page_and_chat(tmp_path, settings, sqlite_engine):
    locality = {
        "slug": "tinh-mau", "name": "Tỉnh Mẫu", "hotline": "0258 3999 999",
        "one_stop": {"name": "Trung tâm Phục vụ hành chính công tỉnh Mẫu", "address": "1 Đường Một",
                     "phone": "0258 3111 111", "hours": "Thứ Hai đến thứ Sáu, 7 giờ 30 đến 17 giờ"},
        "communes": [{"slug": "xa-hai", "name": "Xã Hai", "aliases": ["xa hai"]}],
    }
    root = write_catalog(tmp_path / "catalog", SMALL, localities={"tinh-mau": locality})
    local = dataclasses.replace(settings, locality="tinh-mau", catalog_dir=root)
    assistant = Assistant(load_catalog(root, "tinh-mau"), local)
    attach_database(assistant, sqlite_engine)
    live = start_server(local, assistant, sqlite_engine)
    try:
        with httpx.Client(base_url=live.url, timeout=10.0) as http:
            contact = http.get("/api/config").json()["contact"]
            assert contact["phone"] == "0258 3111 111" and contact["hotline"] == "0258 3999 999"
            assert "1 Đường Một" in contact["text"] and "ĐT 0258 3111 111" in contact["text"]
            reply = Chat(http).say("giờ làm việc của một cửa")
            assert "• Giờ làm việc: Thứ Hai đến thứ Sáu, 7 giờ 30 đến 17 giờ" in reply["reply"]
            assert "chưa có giờ làm việc" not in reply["reply"]
    finally:
        live.stop()
