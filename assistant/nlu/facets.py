"""Which part of a procedure the citizen asked about.

Rules over the folded text: a handful of phrases per facet is both more accurate and more
explainable than a classifier trained on a few dozen questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Facet(StrEnum):
    overview = "overview"
    documents = "documents"
    time = "time"
    fee = "fee"
    where = "where"
    online = "online"
    steps = "steps"
    eta = "eta"
    legal = "legal"


# Vietnamese labels for buttons and headings.
FACET_LABELS: dict[Facet, str] = {
    Facet.overview: "Tổng quan",
    Facet.documents: "Giấy tờ",
    Facet.time: "Thời hạn",
    Facet.fee: "Lệ phí",
    Facet.where: "Nơi nộp",
    Facet.online: "Trực tuyến",
    Facet.steps: "Các bước",
    Facet.eta: "Ngày có kết quả",
    Facet.legal: "Căn cứ pháp lý",
}

# Phrases on the folded, teencode-expanded text. Order in FACET_ORDER decides ties.
_PATTERNS: dict[Facet, list[str]] = {
    Facet.eta: [
        r"\b(hom nay|ngay mai|mai|bay gio|sang nay|chieu nay|thu (hai|ba|tu|nam|sau|bay)|tuan nay|tuan sau)\b.*\b(khi nao|bao gio|ngay nao|hom nao|luc nao|may gio)\b",
        r"\b(khi nao|bao gio|ngay nao|hom nao|luc nao)\b.*\b(hom nay|ngay mai|bay gio)\b",
        r"\bneu nop\b.*\b(khi nao|bao gio|ngay nao)\b",
        r"\b(khi nao|bao gio|ngay nao|hom nao|luc nao)\s+(thi\s+)?(co|lay|nhan|tra)\b",
        r"\bngay hen( tra)?\b",
        r"\bhen tra\b",
    ],
    Facet.fee: [
        r"\ble phi\b", r"\b(mat |ton |het )?phi\b", r"\bmat (tien|bao nhieu|nhieu)\b", r"\bbao nhieu tien\b", r"\bton tien\b", r"\bmat tien\b", r"\bton phi\b",
        r"\btien\b(?! (?:an|su|gia)\b)", r"\bchi phi\b", r"\bmien phi\b", r"\bgia bao nhieu\b", r"\bhet bao nhieu\b",
        r"\bnop bao nhieu\b", r"\bdong bao nhieu\b", r"\bthu phi\b",
    ],
    Facet.documents: [
        r"\bgiay to\b", r"\bho so (gom|can|co|phai)\b", r"\b(can|mang|chuan bi|nop|dem)( theo)?( nhung)? (gi|cai gi|nhung gi|giay gi)\b",
        r"\b(can|mang|chuan bi)\b.*\b(ho so|giay) gi\b", r"\bthanh phan ho so\b", r"\bgom (nhung )?(gi|giay)\b",
        r"\bcan nhung\b", r"\bmang theo\b", r"\bchuan bi (gi|nhung)\b", r"\bho so gi\b", r"\bcan co gi\b",
        r"\bmau to khai\b", r"\bto khai\b",
    ],
    Facet.time: [
        r"\bbao lau\b", r"\bmay ngay\b", r"\bbao nhieu ngay\b", r"\bthoi gian\b", r"\bthoi han\b", r"\blau khong\b",
        r"\bmay hom\b", r"\bmay tuan\b", r"\bmat bao\b", r"\b(mat|het|ton) (may|bao nhieu) (ngay|hom|tuan|thang)\b", r"\bnhanh khong\b", r"\bbao nhieu lau\b",
        r"\b(khi nao|bao gio) (thi )?(xong|co ket qua)\b", r"\bmay thang\b",
    ],
    Facet.where: [
        r"\bo dau\b", r"\bcho nao\b", r"\bnoi nop\b", r"\bnop o\b", r"\blam o\b", r"\b(phuong|xa|huyen|quan) nao\b",
        r"\bco quan nao\b", r"\bdia chi\b", r"\bden dau\b", r"\bnoi nao\b", r"\bdon vi nao\b", r"\bchỗ nào\b",
        r"\bnop tai\b", r"\bdau nop\b", r"\bdi dau\b",
    ],
    Facet.online: [
        r"\btruc tuyen\b", r"\bonline\b", r"\bqua mang\b", r"\btren mang\b", r"\bdich vu cong\b", r"\bqua (app|ung dung)\b",
        r"\btren (vneid|app|ung dung|dien thoai|may tinh)\b", r"\bqua vneid\b", r"\bkhong can den\b", r"\bo nha\b",
        r"\bqua buu dien\b", r"\bbuu chinh\b",
    ],
    Facet.steps: [
        r"\bcac buoc\b", r"\bquy trinh\b", r"\btrinh tu\b", r"\bcach lam\b", r"\blam (nhu )?the nao\b", r"\blam sao\b",
        r"\bnhu the nao\b", r"\bthu tuc (ra )?sao\b", r"\bhuong dan\b", r"\bcach thuc\b",
    ],
    Facet.legal: [
        r"\bcan cu\b", r"\bphap ly\b", r"\bnghi dinh\b", r"\bthong tu\b", r"\bvan ban\b", r"\bquy dinh (nao|o dau)\b",
        r"\bluat nao\b", r"\btheo luat\b",
    ],
}

FACET_ORDER = [Facet.eta, Facet.fee, Facet.documents, Facet.time, Facet.where, Facet.online, Facet.steps, Facet.legal]

_COMPILED = {facet: [re.compile(p) for p in patterns] for facet, patterns in _PATTERNS.items()}


@dataclass(frozen=True, slots=True)
class FacetHit:
    facet: Facet
    spans: tuple[tuple[int, int], ...]  # character spans in the normalised text that signalled it

    @property
    def explicit(self) -> bool:
        return bool(self.spans)


def scan_facets(normalised: str) -> tuple[FacetHit, list[tuple[int, int]]]:
    """One pass over the facet phrases: the asked facet (first by priority, overview when none)
    and every facet phrase's span, so matching can ignore them.

    For patterns with groups only the groups count as spans: "hôm nay ... khi nào" must not
    swallow the procedure name written between the two phrases."""
    hit: FacetHit | None = None
    spans: list[tuple[int, int]] = []
    for facet in FACET_ORDER:
        found = []
        for pattern in _COMPILED[facet]:
            for match in pattern.finditer(normalised):
                found.append(match.span())
                if pattern.groups:
                    spans += [match.span(i) for i in range(1, pattern.groups + 1) if match.start(i) >= 0]
                else:
                    spans.append(match.span())
        if found and hit is None:
            hit = FacetHit(facet, tuple(found))
    return hit or FacetHit(Facet.overview, ()), spans


def detect_facet(normalised: str) -> FacetHit:
    """First facet (by priority) whose phrase occurs; overview when none does."""
    return scan_facets(normalised)[0]


def facet_spans(normalised: str) -> list[tuple[int, int]]:
    """Every facet phrase in the text (any facet), so matching can ignore them."""
    return scan_facets(normalised)[1]


def parse_facet(value: str | None) -> Facet | None:
    try:
        return Facet(value) if value else None
    except ValueError:
        return None
