"""QR codes: the link they carry, and a PNG whose modules really encode that link."""

from __future__ import annotations

import dataclasses
import struct
import zlib
from pathlib import Path

import pytest
import segno

from assistant.cli import main
from assistant.config import Settings
from assistant.qr import make_qr, procedure_url

PROC = "marriage-status-certification"


def read_png_modules(path: Path, scale: int, border: int) -> list[list[bool]]:
    """Decode a greyscale/1-bit PNG (as segno writes it) and sample one pixel per module.
    Returns dark=True per module. Written here so the test needs no imaging library."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + chunk) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert color in (0, 3) and interlace == 0, "greyscale or palette, not interlaced"
    raw = zlib.decompress(idat)
    stride = (width * depth + 7) // 8
    rows, prev, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):  # undo the PNG row filter (bpp is 1 byte for depth <= 8)
            left = line[i - 1] if i else 0
            up = prev[i]
            upleft = prev[i - 1] if i else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - upleft
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else upleft)) & 255
        rows.append(bytes(line))
        prev = line

    def pixel(x: int, y: int) -> int:
        bit_pos = x * depth
        byte = rows[y][bit_pos // 8]
        return (byte >> (8 - depth - bit_pos % 8)) & ((1 << depth) - 1)

    size = width // scale - 2 * border
    # Palette images from segno put dark first (index 0); greyscale uses 0 for black too.
    return [[pixel((border + c) * scale + scale // 2, (border + r) * scale + scale // 2) == 0
             for c in range(size)] for r in range(size)]


def expected_modules(url: str) -> list[list[bool]]:
    return [[bool(v) for v in row] for row in make_qr(url).matrix]


def test_links_prefer_telegram_then_public_url_then_bind_address():
    base = dataclasses.replace(Settings(), web_host="127.0.0.1", web_port=8080)
    assert procedure_url(base, PROC) == f"http://127.0.0.1:8080/?p={PROC}"
    public = dataclasses.replace(base, public_url="https://tthc.khanhvinh.gov.vn/")
    assert procedure_url(public, PROC) == f"https://tthc.khanhvinh.gov.vn/?p={PROC}"
    telegram = dataclasses.replace(public, telegram_bot_username="@tthc_khanhvinh_bot")
    assert procedure_url(telegram, PROC) == f"https://t.me/tthc_khanhvinh_bot?start=proc_{PROC}"
    long_id = "x" * 70  # too long for Telegram's start parameter: fall back to the web chat
    assert procedure_url(telegram, long_id).startswith("https://tthc.khanhvinh.gov.vn/?p=")


@pytest.mark.parametrize("bot", [None, "tthc_khanhvinh_bot"])
def test_cli_writes_a_png_encoding_the_link(tmp_path, monkeypatch, capsys, bot):
    monkeypatch.setenv("ASSISTANT_PUBLIC_URL", "https://tthc.example.gov.vn")
    if bot:
        monkeypatch.setenv("TELEGRAM_BOT_USERNAME", bot)
    else:
        monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    out = tmp_path / "posters" / "qr.png"
    assert main(["qr", PROC, "-o", str(out), "--scale", "6"]) == 0
    expected = (f"https://t.me/{bot}?start=proc_{PROC}" if bot else f"https://tthc.example.gov.vn/?p={PROC}")
    printed = capsys.readouterr().out
    assert expected in printed and "Xác nhận tình trạng hôn nhân" in printed
    assert read_png_modules(out, scale=6, border=4) == expected_modules(expected)
    # and it is not merely *a* QR code: another link gives different modules
    assert read_png_modules(out, scale=6, border=4) != expected_modules(expected + "x")


@pytest.mark.parametrize("typed", ["giấy độc thân", "giay doc than", "Xác nhận tình trạng hôn nhân", PROC])
def test_cli_takes_a_name_or_an_alias(tmp_path, capsys, typed):
    out = tmp_path / "qr.png"
    assert main(["qr", typed, "-o", str(out)]) == 0
    assert f"?p={PROC}" in capsys.readouterr().out
    assert out.exists()


def test_cli_ambiguous_name_suggests_the_closest_ids(tmp_path, capsys):
    out = tmp_path / "qr.png"
    assert main(["qr", "giấy", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "có thể là nhiều thủ tục" in err
    suggested = [line.split(" — ")[0].strip() for line in err.splitlines() if " — " in line]
    assert 2 <= len(suggested) <= 5 and "birth-registration" in suggested
    assert not out.exists()


def test_cli_unknown_procedure_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "qr.png"
    assert main(["qr", "xyzzy-qwerty", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Không tìm thấy thủ tục 'xyzzy-qwerty'" in err
    assert not out.exists()


def test_cli_warns_when_the_link_only_works_on_this_machine(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ASSISTANT_PUBLIC_URL", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    assert main(["qr", PROC, "-o", str(tmp_path / "q.png")]) == 0
    assert "ASSISTANT_PUBLIC_URL" in capsys.readouterr().err


def test_segno_payload_round_trip():
    url = f"https://tthc.example.gov.vn/?p={PROC}"
    qr = make_qr(url)
    assert qr.designator.endswith(("-M", "-Q", "-H"))  # at least medium error correction
    assert segno.make(url, error=qr.error, version=qr.version, mask=qr.mask).matrix == qr.matrix


def test_a_qr_for_a_procedure_no_longer_in_the_catalogue_opens_the_menu(chat):
    reply = chat.post(procedure_id="retired-procedure").json()
    assert reply["status"] == "smalltalk"
    assert reply["data"]["menu"] == "fields"
    assert reply["reply"].startswith("Mã QR này dẫn tới một thủ tục không còn trong danh mục.")
    assert "Nút bấm này đã cũ" not in reply["reply"]
    assert any(b["action"].startswith("field:") for b in reply["buttons"])
