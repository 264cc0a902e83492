"""Demo dossiers for demonstrations: every status, some late, stable codes to try."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from assistant.catalog.loader import Catalog
from assistant.dossiers.importer import ImportReport, import_dossiers
from assistant.workdays import WorkCalendar

AGENCY = "000.00.10.H32"
# (sequence, procedure, working days ago received, status, channel, delivery, note, new due in working days)
DEMO = [
    (1, "marriage-status-certification", 0, "Đang giải quyết", "Trực tiếp", "", "", None),
    (2, "birth-registration", 0, "Đã tiếp nhận", "Trực tuyến toàn trình", "", "", None),
    (3, "temporary-residence-registration", 1, "Yêu cầu bổ sung", "Trực tuyến toàn trình", "",
     "Thiếu hợp đồng thuê nhà có chữ ký của chủ nhà", None),
    (4, "land-use-certificate-first", 30, "Đang giải quyết", "Trực tiếp", "", "", 5),
    (5, "id-card-renewal", 9, "Đã giải quyết đúng hạn", "Trực tiếp", "", "", None),
    (6, "passport-issuance", 10, "Đã giải quyết trước hạn", "Trực tuyến toàn trình", "Bưu điện", "", None),
    (7, "criminal-record-certificate", 20, "Đã giải quyết trễ hạn", "Trực tuyến toàn trình", "", "", None),
    (8, "certified-copy", 3, "Đã trả kết quả", "Trực tiếp", "", "", None),
    (9, "household-business-registration", 4, "Rút hồ sơ", "Trực tiếp", "", "Công dân rút hồ sơ để bổ sung ngành nghề", None),
    (10, "construction-permit-house", 25, "Đang giải quyết", "Bưu chính", "", "", None),
    (11, "permanent-residence-registration", 2, "Đang giải quyết", "Trực tuyến một phần", "", "", None),
    (12, "unemployment-benefit", 6, "Dừng giải quyết", "Trực tiếp", "", "Người lao động đã có việc làm mới", None),
]
DEMO_CODE_DATE = "261120"


def demo_codes() -> list[str]:
    return [f"{AGENCY}-{DEMO_CODE_DATE}-{seq:04d}" for seq, *_ in DEMO]


def _back(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date:
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def seed_demo(engine: Engine, catalog: Catalog, now: dt.datetime, calendar: WorkCalendar | None = None) -> ImportReport:
    """Write (or refresh) the demo dossiers, dated relative to `now` so late ones stay late."""
    calendar = calendar or WorkCalendar()
    today = now.date()
    header = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hẹn trả mới", "Trạng thái",
              "Hình thức nộp", "Hình thức nhận kết quả", "Ngày có kết quả", "Ngày trả kết quả", "Ghi chú", "Địa bàn"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for (seq, proc_id, ago, status, channel, delivery, note, new_due), code in zip(DEMO, demo_codes(),
                                                                                         strict=True):
                proc = catalog.get(proc_id)
                if proc is None:  # a catalogue without this procedure: leave its demo dossier out
                    continue
                received_day = _back(calendar, today, ago) if ago else today
                received = dt.datetime.combine(received_day, dt.time(8, 30 + seq))
                due = calendar.due_date(received, proc.time_limit) or calendar.add_working_days(received_day, 10)
                resolved = returned = ""
                if "giải quyết" in status.lower() and status != "Đang giải quyết":
                    resolved_day = min(today, due) if "trễ" not in status else calendar.add_working_days(due, 2)
                    if "trước" in status:
                        resolved_day = _back(calendar, due, 1)
                    resolved = resolved_day.strftime("%d/%m/%Y")
                if status == "Đã trả kết quả":
                    returned = today.strftime("%d/%m/%Y")
                new_due_text = calendar.add_working_days(today, new_due).strftime("%d/%m/%Y") if new_due else ""
                writer.writerow([code, proc_id, received.strftime("%d/%m/%Y %H:%M"), due.strftime("%d/%m/%Y"),
                                 new_due_text, status, channel, delivery, resolved, returned, note,
                                 catalog.locality.slug if catalog.locality else ""])
        return import_dossiers(engine, path, known_procedures=set(catalog.procedures), now=now)
