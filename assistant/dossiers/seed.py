"""Demo dossiers for demonstrations: one per catalogue procedure, every status, some late.

The codes are fixed (docs/dossiers.md and the README list some to try) and the dates are
relative to the day of seeding, so a dossier meant to be late is still late next month.
Seeding goes through the real importer (a generated export), so a demo exercises the same
path as a staff import, and running it again is idempotent.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from assistant.catalog.loader import Catalog
from assistant.dossiers.importer import ImportReport, ProcedureIndex, import_dossiers
from assistant.workdays import WorkCalendar

AGENCY = "000.00.10.H32"
DEMO_CODE_DATE = "261120"
FALLBACK_WORKING_DAYS = 10  # for procedures whose time limit has no day count


@dataclass(frozen=True)
class Demo:
    seq: int
    procedure_id: str
    received_ago: int  # working days before the seeding day
    status: str  # as an export says it
    channel: str = "Trực tiếp"
    delivery: str = ""
    note: str = ""
    new_due_in: int | None = None  # working days after the seeding day (late dossiers with a new date)

    @property
    def code(self) -> str:
        return f"{AGENCY}-{DEMO_CODE_DATE}-{self.seq:04d}"


DEMOS: tuple[Demo, ...] = (
    Demo(1, "marriage-status-certification", 0, "Đang giải quyết"),
    Demo(2, "birth-registration", 0, "Đã tiếp nhận", "Trực tuyến toàn trình"),
    Demo(3, "temporary-residence-registration", 1, "Yêu cầu bổ sung", "Trực tuyến toàn trình",
         note="Thiếu hợp đồng thuê nhà có chữ ký của chủ nhà"),
    Demo(4, "land-use-certificate-first", 30, "Đang giải quyết", new_due_in=5),
    Demo(5, "id-card-renewal", 9, "Đã giải quyết đúng hạn"),
    Demo(6, "passport-issuance", 10, "Đã giải quyết trước hạn", "Trực tuyến toàn trình", "Bưu điện"),
    Demo(7, "criminal-record-certificate", 20, "Đã giải quyết trễ hạn", "Trực tuyến toàn trình"),
    Demo(8, "certified-copy", 3, "Đã trả kết quả"),
    Demo(9, "household-business-registration", 4, "Rút hồ sơ", note="Công dân rút hồ sơ để bổ sung ngành nghề"),
    Demo(10, "construction-permit-house", 25, "Đang giải quyết", "Bưu chính"),
    Demo(11, "permanent-residence-registration", 2, "Đang giải quyết", "Trực tuyến một phần"),
    Demo(12, "unemployment-benefit", 6, "Dừng giải quyết", note="Người lao động đã có việc làm mới"),
    Demo(13, "birth-re-registration", 3, "Đang giải quyết"),
    Demo(14, "marriage-registration", 2, "Đã trả kết quả"),
    Demo(15, "death-registration", 1, "Đã giải quyết đúng hạn", "Trực tuyến toàn trình"),
    Demo(16, "civil-status-change-correction", 6, "Yêu cầu bổ sung",
         note="Thiếu bản sao giấy tờ chứng minh thông tin cần cải chính (học bạ hoặc bằng tốt nghiệp)"),
    Demo(17, "civil-status-extract-copy", 0, "Đã tiếp nhận", "Trực tuyến toàn trình", "Bưu điện"),
    Demo(18, "parentage-recognition", 8, "Đang giải quyết", new_due_in=2),
    Demo(19, "guardianship-registration", 2, "Đang giải quyết"),
    Demo(20, "signature-authentication", 1, "Đã trả kết quả"),
    Demo(21, "contract-authentication", 1, "Đã tiếp nhận"),
    Demo(22, "temporary-absence-declaration", 2, "Đã giải quyết trước hạn", "Trực tuyến toàn trình", "Trực tuyến"),
    Demo(23, "residence-information-confirmation", 4, "Đã giải quyết đúng hạn", "Trực tuyến toàn trình",
         "Trực tuyến"),
    Demo(24, "household-separation", 4, "Yêu cầu bổ sung", "Trực tuyến một phần",
         note="Thiếu văn bản đồng ý cho tách hộ của chủ hộ"),
    Demo(25, "id-card-issuance", 5, "Đang giải quyết", delivery="Bưu điện"),
    Demo(26, "id-card-reissue", 12, "Đã giải quyết trễ hạn"),
    Demo(27, "electronic-identification", 6, "Đang giải quyết"),
    Demo(28, "driving-license-renewal", 7, "Đã trả kết quả", "Trực tuyến toàn trình", "Bưu điện"),
    Demo(29, "vehicle-registration", 1, "Đang giải quyết"),
    Demo(30, "enterprise-registration", 2, "Yêu cầu bổ sung", "Trực tuyến toàn trình",
         note="Điều lệ công ty chưa có đủ chữ ký của các thành viên góp vốn"),
    Demo(31, "land-transfer-registration", 14, "Đang giải quyết"),
    Demo(32, "social-allowance-monthly", 9, "Đang giải quyết"),
    Demo(33, "health-insurance-child", 5, "Đã giải quyết đúng hạn", delivery="Bưu điện"),
    Demo(34, "birth-residence-insurance-bundle", 2, "Đang giải quyết", "Trực tuyến toàn trình"),
    Demo(35, "disability-certification", 15, "Hủy", note="Hồ sơ nộp trùng, hủy theo đề nghị của người nộp"),
    Demo(36, "social-insurance-lump-sum", 6, "Đã giải quyết trước hạn", "Trực tuyến toàn trình", "Bưu điện"),
    Demo(37, "poor-household-recognition", 4, "Đang giải quyết"),
)
HEADER = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hẹn trả mới", "Trạng thái",
          "Hình thức nộp", "Hình thức nhận kết quả", "Ngày có kết quả", "Ngày trả kết quả", "Ghi chú", "Địa bàn"]


def demo_codes() -> list[str]:
    """The fixed demo codes, in sequence order (0001 first)."""
    return [demo.code for demo in DEMOS]


def _row(demo: Demo, catalog: Catalog, calendar: WorkCalendar, now: dt.datetime) -> list[str] | None:
    proc = catalog.get(demo.procedure_id)
    if proc is None:  # a catalogue without this procedure: leave its demo dossier out
        return None
    today = now.date()
    received_day = calendar.subtract_working_days(today, demo.received_ago) if demo.received_ago else today
    received = dt.datetime.combine(received_day, dt.time(8, 0)) + dt.timedelta(minutes=7 * demo.seq)
    if received > now:  # seeded early in the morning: received "just now"
        received = now - dt.timedelta(minutes=5)
    due = calendar.due_date(received, proc.time_limit) or calendar.add_working_days(received.date(),
                                                                                      FALLBACK_WORKING_DAYS)
    status = demo.status.lower()
    resolved = returned = ""
    if status.startswith("đã giải quyết") or status == "đã trả kết quả":
        if "trước hạn" in status:
            day = max(received.date(), min(today, calendar.previous_working_day(due)))
        elif "trễ hạn" in status:
            day = min(today, calendar.add_working_days(due, 2))
        else:
            day = max(received.date(), min(today, due))
        resolved = f"{day:%d/%m/%Y}"
    if "trả kết quả" in status:
        returned = f"{today:%d/%m/%Y}"
    new_due = f"{calendar.add_working_days(today, demo.new_due_in):%d/%m/%Y}" if demo.new_due_in else ""
    locality = catalog.locality.slug if catalog.locality else ""
    return [demo.code, demo.procedure_id, f"{received:%d/%m/%Y %H:%M}", f"{due:%d/%m/%Y}", new_due, demo.status,
            demo.channel, demo.delivery, resolved, returned, demo.note, locality]


def seed_demo(engine: Engine, catalog: Catalog, now: dt.datetime, calendar: WorkCalendar | None = None) -> ImportReport:
    """Write (or refresh) the demo dossiers, dated relative to `now` (Vietnam local time)."""
    if calendar is None:
        calendar = WorkCalendar(catalog.locality.extra_days_off if catalog.locality else ())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for demo in DEMOS:
                row = _row(demo, catalog, calendar, now)
                if row is not None:
                    writer.writerow(row)
        return import_dossiers(engine, path, procedures=ProcedureIndex.from_catalog(catalog), now=now,
                               procedure_name=lambda pid: p.display_name if (p := catalog.get(pid)) else None)
