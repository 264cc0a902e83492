"""`qr --poster`: a one-page A4 poster (PDF or PNG) with the name, papers, time, fee and the QR
code, whose every letter the shipped font can draw (Vietnamese included)."""

from __future__ import annotations

import re
import struct

import pytest
from fontTools.ttLib import TTFont

from assistant.cli import main
from assistant.poster import fonts, poster_for
from assistant.qr import procedure_url

PROC = "marriage-status-certification"


@pytest.fixture
def public(monkeypatch):
    monkeypatch.setenv("ASSISTANT_PUBLIC_URL", "https://tthc.example.gov.vn")
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)


def test_pdf_poster_is_one_a4_page_with_roboto_embedded(tmp_path, capsys, public):
    out = tmp_path / "poster.pdf"
    assert main(["qr", "giấy độc thân", "--poster", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    assert re.search(rb"/MediaBox\s*\[0 0 595\.2\d* 841\.8\d*\]", data)
    assert b"Roboto" in data and b"/FontFile2" in data  # embedded, not a viewer's substitute
    assert str(out) in capsys.readouterr().out


def test_png_poster_is_a4_at_150_dpi(tmp_path, public):
    out = tmp_path / "poster.png"
    assert main(["qr", PROC, "--poster", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1240, 1754)


def test_the_font_has_every_letter_of_every_poster(shipped_catalog):
    from assistant.config import Settings

    settings = Settings()
    regular, bold = fonts()
    covered = set(TTFont(regular).getBestCmap()) & set(TTFont(bold).getBestCmap())
    missing: dict[str, set[str]] = {}
    for proc in shipped_catalog.procedures.values():
        poster = poster_for(proc, procedure_url(settings, proc.id), "Xã Khánh Vĩnh, tỉnh Khánh Hòa")
        text = " ".join([poster.locality, poster.title, poster.caption, *(f"{a} {b}" for a, b in poster.facts)])
        lacking = {ch for ch in text if ord(ch) not in covered and not ch.isspace()}
        if lacking:
            missing[proc.id] = lacking
    assert missing == {}
    assert {ord(ch) for ch in "ẦẰỮỘđƯơ"} <= covered
