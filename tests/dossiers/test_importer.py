import csv
import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.dossiers.importer import ImportError_, import_dossiers
from assistant.store.models import Dossier, OutboxRow, StatusEvent
from assistant.store.repos import Subscriptions

HEADER = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Hình thức nộp", "Ghi chú",
          "Số điện thoại"]
KNOWN = {"birth-registration", "marriage-status-certification"}


def _csv(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _row(seq, status="Đã tiếp nhận", received="16/11/2026 09:00", due="19/11/2026", note=""):
    return [f"000.00.10.H32-261116-{seq:04d}", "marriage-status-certification", received, due, status,
            "Trực tuyến toàn trình", note, "0912 345 678"]


def _count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_good_file(engine, tmp_path):
    path = _csv(tmp_path / "export.csv", [_row(1), _row(2, "Đang giải quyết"), _row(3, "Yêu cầu bổ sung")])
    report = import_dossiers(engine, path, known_procedures=KNOWN)
    assert (report.rows, report.created, report.status_changes) == (3, 3, 0)
    with Session(engine) as session:
        row = session.execute(select(Dossier).where(Dossier.code == "000.00.10.H32-261116-0002")).scalar_one()
    assert row.status == "in_progress" and row.channel == "online_full"
    assert row.due_date == dt.date(2026, 11, 19) and row.received_at == dt.datetime(2026, 11, 16, 9, 0)
    assert row.contact_hash and "0912" not in row.contact_hash
    assert _count(engine, StatusEvent.__table__) == 3


def test_bad_row_reports_line_and_writes_nothing(engine, tmp_path):
    rows = [_row(1), _row(2), ["000.00.10.H32-261116-0003", "no-such-procedure", "16/11/2026", "19/11/2026",
                               "Đã tiếp nhận", "Trực tiếp", "", ""], _row(4, status="lạ lắm"),
            _row(5, received="32/13/2026")]
    path = _csv(tmp_path / "export.csv", rows)
    with pytest.raises(ImportError_) as exc:
        import_dossiers(engine, path, known_procedures=KNOWN)
    problems = exc.value.problems
    assert problems == [
        f"{path}:4: unknown procedure 'no-such-procedure'",
        f"{path}:5: unknown status 'lạ lắm'",
        f"{path}:6: unreadable date '32/13/2026' (use dd/mm/yyyy or yyyy-mm-dd)",
    ]
    assert _count(engine, Dossier.__table__) == 0


def test_missing_column_and_duplicate_code(engine, tmp_path):
    with pytest.raises(ImportError_, match="missing column"):
        import_dossiers(engine, _csv(tmp_path / "a.csv", [["x"]], header=["Mã hồ sơ"]))
    with pytest.raises(ImportError_, match="appears twice"):
        import_dossiers(engine, _csv(tmp_path / "b.csv", [_row(1), _row(1)]), known_procedures=KNOWN)


def test_reimport_is_idempotent_and_notifies_each_subscriber_once(engine, tmp_path):
    import_dossiers(engine, _csv(tmp_path / "v1.csv", [_row(1), _row(2)]), known_procedures=KNOWN)
    subs = Subscriptions(engine)
    subs.add("000.00.10.H32-261116-0001", "telegram", "42")
    subs.add("000.00.10.H32-261116-0001", "zalo", "u-7")
    subs.add("000.00.10.H32-261116-0002", "telegram", "42")

    again = import_dossiers(engine, _csv(tmp_path / "v1b.csv", [_row(1), _row(2)]), known_procedures=KNOWN)
    assert (again.created, again.status_changes, again.unchanged, again.notifications) == (0, 0, 2, 0)
    assert _count(engine, OutboxRow.__table__) == 0 and _count(engine, StatusEvent.__table__) == 2

    v2 = _csv(tmp_path / "v2.csv", [_row(1, "Yêu cầu bổ sung", note="Thiếu tờ khai"), _row(2)])
    report = import_dossiers(engine, v2, known_procedures=KNOWN, procedure_name=lambda _: "Giấy độc thân")
    assert (report.status_changes, report.notifications) == (1, 2)
    with engine.connect() as conn:
        items = conn.execute(select(OutboxRow.channel, OutboxRow.chat_id, OutboxRow.text)).all()
    assert sorted((c, chat) for c, chat, _ in items) == [("telegram", "42"), ("zalo", "u-7")]
    assert all("Cần bổ sung hồ sơ" in text and "Thiếu tờ khai" in text for *_, text in items)
    import_dossiers(engine, v2, known_procedures=KNOWN)  # the same export again: nothing new
    assert _count(engine, OutboxRow.__table__) == 2 and _count(engine, StatusEvent.__table__) == 3


def test_dry_run_writes_nothing(engine, tmp_path):
    report = import_dossiers(engine, _csv(tmp_path / "v.csv", [_row(1)]), dry_run=True, known_procedures=KNOWN)
    assert report.created == 1 and report.dry_run
    assert _count(engine, Dossier.__table__) == 0


def test_xlsx_and_computed_due_date(sqlite_engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Trạng thái"])
    sheet.append(["000.00.10.h32-261116-0009", "birth-registration", dt.datetime(2026, 11, 16, 16, 0), "Đã tiếp nhận"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    report = import_dossiers(sqlite_engine, path, known_procedures=KNOWN,
                             due_for=lambda proc, received: received.date() + dt.timedelta(days=1))
    assert report.created == 1
    with sqlite_engine.connect() as conn:
        due = conn.execute(select(Dossier.due_date)).scalar()
    assert due == dt.date(2026, 11, 17)
