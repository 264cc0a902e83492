"""What a dossier export holds, in our terms: header words, channel and delivery vocabularies,
the dossier columns an import writes, a parsed row, the report and the refusal.

Shared by reading, parsing and applying an import (see `importer.py` for the whole flow).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.text.normalize import fold

# Column header (folded, punctuation removed) -> our field.
HEADERS: dict[str, str] = {}
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("ma ho so", "so ho so", "ma so ho so", "so bien nhan", "ma bien nhan", "code", "dossier code",
             "dossier"),
    "procedure": ("ma thu tuc", "ma tthc", "ma thu tuc hanh chinh", "procedure id", "procedure code", "procedure"),
    "procedure_name": ("thu tuc", "ten thu tuc", "ten thu tuc hanh chinh", "thu tuc hanh chinh", "procedure name"),
    "received_at": ("ngay tiep nhan", "ngay nhan", "thoi gian tiep nhan", "ngay gio tiep nhan", "ngay nop",
                    "received at", "received", "received date"),
    "due_date": ("ngay hen tra", "ngay hen tra ket qua", "han xu ly", "han giai quyet", "ngay hen", "due date", "due"),
    "new_due_date": ("ngay hen tra moi", "ngay hen lai", "hen lai", "ngay hen tra lai", "new due date"),
    "status": ("trang thai", "tinh trang", "trang thai ho so", "trang thai xu ly", "status"),
    "channel": ("hinh thuc nop", "kenh nop", "hinh thuc tiep nhan", "kenh tiep nhan", "channel",
                "submission channel"),
    "resolved_at": ("ngay co ket qua", "ngay giai quyet", "ngay hoan thanh", "ngay xu ly xong", "resolved at",
                    "resolved"),
    "returned_at": ("ngay tra ket qua", "ngay tra", "returned at", "returned"),
    "result_delivery": ("hinh thuc nhan ket qua", "nhan ket qua", "hinh thuc tra ket qua", "result delivery",
                        "delivery"),
    "note": ("ghi chu", "noi dung", "noi dung yeu cau bo sung", "ly do", "note", "notes"),
    "locality": ("dia ban", "don vi", "don vi tiep nhan", "locality"),
    "contact": ("so dien thoai", "dien thoai", "sdt", "lien he", "email", "contact", "phone"),
}
for _field, _words in _HEADER_WORDS.items():
    for _word in _words:
        HEADERS[_word] = _field

CHANNELS: dict[str, str] = {}
for _value, _words in {
    "in_person": ("truc tiep", "nop truc tiep", "tai quay", "tai bo phan mot cua", "in person", "in_person", "counter"),
    "postal": ("buu chinh", "buu chinh cong ich", "qua buu chinh", "qua buu dien", "buu dien", "postal", "post"),
    "online_full": ("truc tuyen toan trinh", "toan trinh", "dvc toan trinh", "truc tuyen", "online",
                    "online full", "online_full"),
    "online_partial": ("truc tuyen mot phan", "mot phan", "dvc mot phan", "online partial", "online_partial"),
}.items():
    for _word in _words:
        CHANNELS[_word] = _value

DELIVERY: dict[str, str] = {"": "counter"}
for _value, _words in {
    "counter": ("truc tiep", "nhan truc tiep", "tai quay", "tai bo phan mot cua", "counter", "in person"),
    "post": ("buu dien", "buu chinh", "qua buu dien", "qua buu chinh", "buu chinh cong ich", "post", "postal"),
    "online": ("truc tuyen", "ban dien tu", "ket qua dien tu", "qua vneid", "online", "electronic"),
}.items():
    for _word in _words:
        DELIVERY[_word] = _value

# Dossier columns written by an import, in this order (code is the key, updated_at is stamped).
COLUMNS = ("procedure_id", "locality", "received_at", "channel", "due_date", "new_due_date", "status", "note",
           "resolved_at", "returned_at", "result_delivery", "contact_hash")
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_DUE, _NEW_DUE, _STATUS, _NOTE = _INDEX["due_date"], _INDEX["new_due_date"], _INDEX["status"], _INDEX["note"]
# File fields that feed each column: a column whose fields are absent keeps its stored value.
_SOURCES = {"procedure_id": ("procedure", "procedure_name"), "received_at": ("received_at",),
            "locality": ("locality",), "channel": ("channel",), "due_date": ("due_date",),
            "new_due_date": ("new_due_date",), "status": ("status",), "note": ("note",),
            "resolved_at": ("resolved_at",), "returned_at": ("returned_at",),
            "result_delivery": ("result_delivery",), "contact_hash": ("contact",)}
CHUNK = 500  # codes per IN (...) query: under every driver's parameter limit
_PG_IMPORT_LOCK = 7_300_522
PROCEDURE_ID_MAX = 80  # dossiers.procedure_id
_DATE_FIELDS = ("received_at", "due_date", "new_due_date", "resolved_at", "returned_at")


class DossierImportError(Exception):
    """The file was refused; `problems` lists every `FILE:LINE: reason`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


ImportError_ = DossierImportError  # the name earlier callers use


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0  # rows whose stored data changed
    unchanged: int = 0
    status_changes: int = 0
    notifications: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        """One Vietnamese line for the civil servant who ran the import."""
        head = "Chạy thử (chưa ghi gì): " if self.dry_run else ""
        return (f"{head}{self.rows} dòng: {self.created} hồ sơ mới, {self.updated} cập nhật, {self.unchanged} "
                f"không đổi; {self.status_changes} lần đổi trạng thái, {self.notifications} thông báo chờ gửi")


# One valid export row: (line, code, values in COLUMNS order as Python objects, None = not given).
ParsedRow = tuple[int, str, tuple]


@dataclass
class ParsedFile:
    path: Path
    fields: frozenset[str]  # which of our fields the file has
    rows: list[ParsedRow] = field(default_factory=list)


# -- procedures ----------------------------------------------------------------------------------


def _key(text: object) -> str:
    return " ".join(re.sub(r"[^0-9a-z.]+", " ", fold(str(text))).split())


class ProcedureIndex:
    """What exports put in the procedure column, resolved to our procedure ids: our id, the
    national procedure code (mã TTHC, e.g. 1.004873, also as Excel turned it into a number) or
    the procedure's name / short name, compared without diacritics or case."""

    def __init__(self, entries: Iterable[tuple[str, str | None, Sequence[str]]] = ()) -> None:
        self._keys: dict[str, str] = {}
        self._ids: set[str] = set()
        for procedure_id, national_code, names in entries:
            self.add(procedure_id, national_code, names)

    def add(self, procedure_id: str, national_code: str | None = None, names: Sequence[str] = ()) -> None:
        self._ids.add(procedure_id)
        self._keys.setdefault(_key(procedure_id), procedure_id)
        if national_code:
            code = national_code.strip()
            self._keys.setdefault(_key(code), procedure_id)
            if "." in code:
                self._keys.setdefault(_key(code.rstrip("0").rstrip(".")), procedure_id)
        for name in names:
            if name:
                self._keys.setdefault(_key(name), procedure_id)

    @classmethod
    def from_catalog(cls, catalog) -> ProcedureIndex:
        return cls((p.id, p.code, [p.name, p.short_name or "", *p.aliases]) for p in catalog.procedures.values())

    @classmethod
    def of_ids(cls, ids: Iterable[str]) -> ProcedureIndex:
        return cls((i, None, ()) for i in ids)

    def resolve(self, raw: str) -> str | None:
        if raw in self._ids:
            return raw
        return self._keys.get(_key(raw))
