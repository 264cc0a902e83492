"""Dossier statuses as provincial one-stop systems report them, and their plain Vietnamese.

The status set follows what one-stop information systems (Hệ thống thông tin giải quyết
TTHC) report and what service reports count: received, in progress, supplement requested,
resolved early / on time / late, result returned, withdrawn, stopped, cancelled. Whether an
open dossier is "trong hạn" or "trễ hạn" is not stored: it is derived from the appointment
date on the day the citizen asks.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from assistant.text.normalize import fold


class DossierStatus(StrEnum):
    received = "received"
    in_progress = "in_progress"
    supplement_requested = "supplement_requested"
    resolved_early = "resolved_early"
    resolved_on_time = "resolved_on_time"
    resolved_late = "resolved_late"
    returned = "returned"
    withdrawn = "withdrawn"
    stopped = "stopped"
    cancelled = "cancelled"


LABELS: dict[DossierStatus, str] = {
    DossierStatus.received: "Đã tiếp nhận",
    DossierStatus.in_progress: "Đang giải quyết",
    DossierStatus.supplement_requested: "Cần bổ sung hồ sơ",
    DossierStatus.resolved_early: "Đã có kết quả (trước hạn)",
    DossierStatus.resolved_on_time: "Đã có kết quả (đúng hạn)",
    DossierStatus.resolved_late: "Đã có kết quả (trễ hạn)",
    DossierStatus.returned: "Đã trả kết quả",
    DossierStatus.withdrawn: "Đã rút hồ sơ",
    DossierStatus.stopped: "Đã dừng giải quyết",
    DossierStatus.cancelled: "Đã hủy",
}

OPEN = frozenset({DossierStatus.received, DossierStatus.in_progress, DossierStatus.supplement_requested})
RESOLVED = frozenset({DossierStatus.resolved_early, DossierStatus.resolved_on_time, DossierStatus.resolved_late})
CLOSED = frozenset({DossierStatus.returned, DossierStatus.withdrawn, DossierStatus.stopped, DossierStatus.cancelled})

# An export that says only "đã giải quyết" / "hoàn thành": early, on time or late is decided
# from the resolution date and the appointment date (see `classify_resolution`).
RESOLVED_UNSPECIFIED = "resolved"

# What exports call the statuses (folded: no diacritics, lower case), mapped to ours.
_ALIASES: dict[str, str] = {
    # received
    "da tiep nhan": "received", "tiep nhan": "received", "moi tiep nhan": "received", "cho tiep nhan": "received",
    "da nhan ho so": "received", "cho xu ly": "received", "cho giai quyet": "received",
    # in progress (late or not is computed, never trusted from the export)
    "dang giai quyet": "in_progress", "dang xu ly": "in_progress", "dang thu ly": "in_progress",
    "dang giai quyet trong han": "in_progress", "dang giai quyet tre han": "in_progress",
    "dang giai quyet qua han": "in_progress", "trong han": "in_progress", "qua han": "in_progress",
    "tre han": "in_progress", "dang tham dinh": "in_progress", "cho phe duyet": "in_progress",
    "dang chuyen xu ly": "in_progress",
    # supplement
    "yeu cau bo sung": "supplement_requested", "bo sung ho so": "supplement_requested",
    "cho bo sung": "supplement_requested", "can bo sung": "supplement_requested",
    "yeu cau bo sung ho so": "supplement_requested", "cho cong dan bo sung": "supplement_requested",
    "tam dung de bo sung": "supplement_requested",
    # resolved
    "da giai quyet truoc han": "resolved_early", "truoc han": "resolved_early",
    "hoan thanh truoc han": "resolved_early", "da xu ly truoc han": "resolved_early",
    "da giai quyet dung han": "resolved_on_time", "dung han": "resolved_on_time",
    "hoan thanh dung han": "resolved_on_time", "da xu ly dung han": "resolved_on_time",
    "da giai quyet tre han": "resolved_late", "da giai quyet qua han": "resolved_late",
    "hoan thanh tre han": "resolved_late", "hoan thanh qua han": "resolved_late", "da xu ly tre han": "resolved_late",
    "da giai quyet": RESOLVED_UNSPECIFIED, "da co ket qua": RESOLVED_UNSPECIFIED, "co ket qua": RESOLVED_UNSPECIFIED,
    "hoan thanh": RESOLVED_UNSPECIFIED, "da hoan thanh": RESOLVED_UNSPECIFIED, "da xu ly": RESOLVED_UNSPECIFIED,
    "cho tra ket qua": RESOLVED_UNSPECIFIED, "resolved": RESOLVED_UNSPECIFIED,
    # closed
    "da tra ket qua": "returned", "tra ket qua": "returned", "da tra": "returned", "cong dan da nhan": "returned",
    "rut ho so": "withdrawn", "da rut": "withdrawn", "da rut ho so": "withdrawn", "cong dan rut": "withdrawn",
    "cong dan rut ho so": "withdrawn",
    "dung giai quyet": "stopped", "dung xu ly": "stopped", "da dung giai quyet": "stopped",
    "tu choi": "stopped", "tu choi giai quyet": "stopped", "khong giai quyet": "stopped", "tra lai ho so": "stopped",
    "huy": "cancelled", "da huy": "cancelled", "huy ho so": "cancelled", "ho so bi huy": "cancelled",
}


def _key(raw: object) -> str:
    return " ".join(fold(str(raw)).replace("-", " ").replace("_", " ").split())


def parse_export_status(raw: object) -> str | None:
    """Our status value for an exported status (English code or Vietnamese words), the marker
    RESOLVED_UNSPECIFIED, or None when unknown."""
    text = _key(raw)
    if not text:
        return None
    code = text.replace(" ", "_")
    if code in DossierStatus.__members__:
        return code
    return _ALIASES.get(text)


def parse_status(raw: object) -> DossierStatus | None:
    """Our status for a value typed by staff (e.g. `dossier list --status "Yêu cầu bổ sung"`)."""
    value = parse_export_status(raw)
    if value == RESOLVED_UNSPECIFIED:
        return DossierStatus.resolved_on_time
    return DossierStatus(value) if value else None


def classify_resolution(resolved_on: dt.date | None, due: dt.date) -> DossierStatus:
    """Early, on time or late, from the day the result was ready and the appointment date.
    Without a resolution date the export's silence is read as on time."""
    if resolved_on is None or resolved_on == due:
        return DossierStatus.resolved_on_time
    return DossierStatus.resolved_early if resolved_on < due else DossierStatus.resolved_late
