"""What a citizen may read of a staff note imported with a dossier.

The one-stop system's note column is written for colleagues: it may name the officer or the
applicant, give a phone number, an e-mail address, an ID number or an internal link. Whoever
has a receipt code sees the status card, so before a note is stored (and again before one is
shown, for rows stored earlier) these are masked. Links are masked too, so no page or chat app
ever turns a note into something clickable.

Names cannot be recognised in general; this masks the common shapes (a form of address such as
"bà" or "anh" followed by capitalised words, or a capitalised word run starting with one of the
common family names). SECURITY.md says so.
"""

from __future__ import annotations

import re

from assistant.dossiers.codes import _CODE

NUMBER_MASK = "[số đã ẩn]"
EMAIL_MASK = "[email đã ẩn]"
LINK_MASK = "[liên kết đã ẩn]"
NAME_MASK = "[tên đã ẩn]"

_UPPER = "A-ZÀ-ỸĐ"
_WORD = rf"[{_UPPER}][^\W\d_]*"
_FAMILY = ("Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Lương|Trương|Đinh|"
           "Trịnh|Đoàn|Tạ|Châu|Kiều|Đào|Quách|Lưu|Tăng|Triệu")
_PLACES = frozenset({"Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Lê Lợi", "Trần Phú", "Nguyễn Huệ"})
_LINK = re.compile(r"(?i)\b(?:https?://|ftp://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|gov|"
                   r"edu|info|io|me|ly|link|xyz|site|online)(?:/\S*)?\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine or more digits, possibly grouped by spaces, dots or dashes, with an optional +84:
# phone numbers (10–11), CMND (9) and CCCD (12). Amounts such as 1.500.000 have fewer.
_NUMBER = re.compile(r"(?<![\w])(?:\+\s?)?\d(?:[\s.\-]?\d){8,}(?![\w])")
_TITLED = re.compile(rf"(?i:\b(ông|bà|anh|chị|cô|chú|bác|em|cháu|cán bộ|công dân)\s+)({_WORD}(?:\s+{_WORD}){{0,3}})")
_FAMILY_NAME = re.compile(rf"\b(?:{_FAMILY})(?:\s+{_WORD}){{1,3}}")


def _mask_plain(text: str) -> str:
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _LINK.sub(LINK_MASK, text)
    text = _NUMBER.sub(NUMBER_MASK, text)
    text = _TITLED.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + NAME_MASK, text)
    return _FAMILY_NAME.sub(lambda m: m.group(0) if m.group(0) in _PLACES else NAME_MASK, text)


def citizen_note(text: str | None) -> str | None:
    """`text` with phone numbers, e-mail addresses, ID numbers, links and recognisable names
    masked; dossier codes are left as they are. None stays None."""
    if not text:
        return text
    pieces: list[str] = []
    last = 0
    for match in _CODE.finditer(text):
        pieces.append(_mask_plain(text[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_mask_plain(text[last:]))
    return "".join(pieces)


__all__ = ["citizen_note"]
