"""Dossier statuses as provincial one-stop systems report them, in plain Vietnamese."""

from __future__ import annotations

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

# What exports call the statuses (folded), mapped to ours.
_ALIASES: dict[str, DossierStatus] = {
    "da tiep nhan": DossierStatus.received, "tiep nhan": DossierStatus.received, "moi tiep nhan": DossierStatus.received,
    "dang giai quyet": DossierStatus.in_progress, "dang xu ly": DossierStatus.in_progress,
    "dang giai quyet trong han": DossierStatus.in_progress, "dang giai quyet tre han": DossierStatus.in_progress,
    "trong han": DossierStatus.in_progress, "qua han": DossierStatus.in_progress, "tre han": DossierStatus.in_progress,
    "yeu cau bo sung": DossierStatus.supplement_requested, "bo sung ho so": DossierStatus.supplement_requested,
    "cho bo sung": DossierStatus.supplement_requested, "can bo sung": DossierStatus.supplement_requested,
    "da giai quyet truoc han": DossierStatus.resolved_early, "truoc han": DossierStatus.resolved_early,
    "da giai quyet dung han": DossierStatus.resolved_on_time, "dung han": DossierStatus.resolved_on_time,
    "da giai quyet tre han": DossierStatus.resolved_late, "da giai quyet qua han": DossierStatus.resolved_late,
    "da co ket qua": DossierStatus.resolved_on_time, "da giai quyet": DossierStatus.resolved_on_time,
    "da tra ket qua": DossierStatus.returned, "tra ket qua": DossierStatus.returned,
    "rut ho so": DossierStatus.withdrawn, "da rut": DossierStatus.withdrawn, "cong dan rut": DossierStatus.withdrawn,
    "dung giai quyet": DossierStatus.stopped, "dung xu ly": DossierStatus.stopped, "tam dung": DossierStatus.stopped,
    "huy": DossierStatus.cancelled, "da huy": DossierStatus.cancelled, "huy ho so": DossierStatus.cancelled,
}


def parse_status(raw: str) -> DossierStatus | None:
    """Our status for an exported value (English code or Vietnamese words); None if unknown."""
    text = " ".join(fold(str(raw)).replace("-", " ").replace("_", " ").split())
    if not text:
        return None
    try:
        return DossierStatus(text.replace(" ", "_"))
    except ValueError:
        return _ALIASES.get(text)
