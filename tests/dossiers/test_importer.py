import csv
import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from assistant.dossiers import import_apply
from assistant.dossiers.importer import DossierImportError, ProcedureIndex, import_dossiers, parse_datetime
from assistant.store.models import Dossier, OutboxRow, StatusEvent
from assistant.store.repos import DossierStore, Outbox, Subscriptions, contact_hash, utcnow

HEADER = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Hình thức nộp", "Ghi chú",
          "Số điện thoại"]
KNOWN = {"birth-registration", "marriage-status-certification"}
NOW = dt.datetime(2026, 11, 23, 10, 0)
CODE = "000.00.10.H32-261116-{:04d}"


def _csv(path, rows, header=HEADER, delimiter=","):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _row(seq, status="Đã tiếp nhận", received="16/11/2026 09:00", due="19/11/2026", note=""):
    return [CODE.format(seq), "marriage-status-certification", received, due, status, "Trực tuyến toàn trình", note,
            "0912 345 678"]


def _count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def _snapshot(engine):
    with engine.connect() as conn:
        return [conn.execute(select(t).order_by(t.c.id)).all()
                for t in (Dossier.__table__, StatusEvent.__table__, OutboxRow.__table__)]


def test_good_file(engine, tmp_path):
    path = _csv(tmp_path / "export.csv", [_row(1), _row(2, "Đang giải quyết"), _row(3, "Yêu cầu bổ sung", note="x")])
    report = import_dossiers(engine, path, known_procedures=KNOWN, now=NOW)
    assert (report.rows, report.created, report.updated, report.status_changes) == (3, 3, 0, 0)
    record = DossierStore(engine).get(CODE.format(2))
    assert record.status == "in_progress" and record.channel == "online_full" and record.result_delivery == "counter"
    assert record.due_date == dt.date(2026, 11, 19) and record.received_at == dt.datetime(2026, 11, 16, 9, 0)
    assert record.contact_hash == contact_hash("0912345678") and "0912" not in record.contact_hash
    assert record.updated_at == NOW and record.note is None
    assert DossierStore(engine).get(CODE.format(3)).note == "x"
    assert _count(engine, StatusEvent.__table__) == 3
    with engine.connect() as conn:
        events = conn.execute(select(StatusEvent.status, StatusEvent.at).order_by(StatusEvent.id)).all()
    assert events == [("received", NOW), ("in_progress", NOW), ("supplement_requested", NOW)]


def test_bad_rows_report_every_line_and_write_nothing(engine, tmp_path):
    import_dossiers(engine, _csv(tmp_path / "before.csv", [_row(1)]), known_procedures=KNOWN)
    before = _snapshot(engine)
    rows = [_row(1, "Đang giải quyết"), _row(2),
            [CODE.format(3), "no-such-procedure", "16/11/2026", "19/11/2026", "Đã tiếp nhận", "Trực tiếp", "", ""],
            _row(4, status="lạ lắm"), _row(5, received="32/13/2026"), _row(6, due="10/11/2026"),
            ["rác", "birth-registration", "16/11/2026", "19/11/2026", "Đã tiếp nhận", "", "", ""],
            [CODE.format(8), "birth-registration", "16/11/2026", "19/11/2026", "Đã tiếp nhận", "bồ câu", "", ""],
            _row(2)]
    path = _csv(tmp_path / "export.csv", rows)
    with pytest.raises(DossierImportError) as exc:
        import_dossiers(engine, path, known_procedures=KNOWN)
    assert exc.value.problems == [
        f"{path}:4: mã thủ tục không có trong danh mục: 'no-such-procedure'",
        f"{path}:5: trạng thái không nhận ra: 'lạ lắm'",
        f"{path}:6: ngày '32/13/2026' không hợp lệ: không có tháng 13",
        f"{path}:7: ngày hẹn trả 10/11/2026 sớm hơn ngày tiếp nhận 16/11/2026",
        f"{path}:8: mã hồ sơ không hợp lệ: 'rác'",
        f"{path}:9: hình thức nộp không nhận ra: 'bồ câu'",
        f"{path}:10: hồ sơ {CODE.format(2)} xuất hiện hai lần (lần đầu ở dòng 3)",
    ]
    assert _snapshot(engine) == before  # the good rows 2 and 3 were not written either


def test_missing_column_and_unreadable_file(engine, tmp_path):
    with pytest.raises(DossierImportError, match=r"a.csv:1: thiếu cột “Mã thủ tục \(hoặc Tên thủ tục\)”, "
                                                 r"“Ngày tiếp nhận”, “Trạng thái”"):
        import_dossiers(engine, _csv(tmp_path / "a.csv", [["x"]], header=["Mã hồ sơ"]))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n".encode() + "Hà".encode("cp1258"))
    with pytest.raises(DossierImportError, match=r"latin\.csv:2: tệp không phải văn bản UTF-8"):
        import_dossiers(engine, latin)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DossierImportError, match=r"broken\.xlsx:1: không đọc được tệp XLSX"):
        import_dossiers(engine, broken)


def test_missing_due_date_is_fine_only_for_stored_dossiers(engine, tmp_path):
    import_dossiers(engine, _csv(tmp_path / "v1.csv", [_row(1)]), known_procedures=KNOWN)
    header = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Trạng thái"]
    rows = [[CODE.format(1), "marriage-status-certification", "16/11/2026 09:00", "Đang giải quyết"],
            [CODE.format(2), "marriage-status-certification", "16/11/2026 09:00", "Đã tiếp nhận"]]
    with pytest.raises(DossierImportError) as exc:
        import_dossiers(engine, _csv(tmp_path / "v2.csv", rows, header=header), known_procedures=KNOWN)
    assert exc.value.problems == [f"{tmp_path / 'v2.csv'}:3: thiếu ngày hẹn trả, và thủ tục không có thời hạn "
                                  "giải quyết để tính ngày hẹn"]
    report = import_dossiers(engine, _csv(tmp_path / "v3.csv", rows[:1], header=header), known_procedures=KNOWN)
    assert report.status_changes == 1
    record = DossierStore(engine).get(CODE.format(1))
    assert record.due_date == dt.date(2026, 11, 19) and record.status == "in_progress"


def test_reimport_is_idempotent_and_notifies_each_subscriber_once(engine, tmp_path):
    import_dossiers(engine, _csv(tmp_path / "v1.csv", [_row(1), _row(2)]), known_procedures=KNOWN, now=NOW)
    subs = Subscriptions(engine)
    subs.add(CODE.format(1), "telegram", "42")
    subs.add(CODE.format(1), "zalo", "u-7")
    subs.add(CODE.format(2), "telegram", "42")
    before = _snapshot(engine)

    later = NOW + dt.timedelta(hours=2)
    again = import_dossiers(engine, _csv(tmp_path / "v1b.csv", [_row(1), _row(2)]), known_procedures=KNOWN, now=later)
    assert (again.created, again.updated, again.unchanged, again.status_changes, again.notifications) == (0, 0, 2, 0, 0)
    assert _snapshot(engine) == before  # not even updated_at moved

    v2 = _csv(tmp_path / "v2.csv", [_row(1, "Yêu cầu bổ sung", note="Thiếu tờ khai"), _row(2)])
    report = import_dossiers(engine, v2, known_procedures=KNOWN, now=later,
                             procedure_name=lambda _: "Xác nhận tình trạng hôn nhân")
    assert (report.updated, report.status_changes, report.notifications) == (1, 1, 2)
    with engine.connect() as conn:
        items = conn.execute(select(OutboxRow.__table__).order_by(OutboxRow.id)).all()
        events = conn.execute(select(StatusEvent.status, StatusEvent.note).order_by(StatusEvent.id)).all()
    assert [(i.channel, i.chat_id, i.dossier_code) for i in items] == [
        ("telegram", "42", CODE.format(1)), ("zalo", "u-7", CODE.format(1))]
    assert items[0].text == (f"🔔 Hồ sơ {CODE.format(1)} (Xác nhận tình trạng hôn nhân) có cập nhật.\n"
                             "Tình trạng mới: Cần bổ sung hồ sơ.\nVui lòng bổ sung giấy tờ: Thiếu tờ khai.")
    assert abs(items[0].next_attempt_at - utcnow()) < dt.timedelta(minutes=1)  # due now, in the outbox's UTC
    assert events[-1] == ("supplement_requested", "Thiếu tờ khai") and len(events) == 3
    assert DossierStore(engine).get(CODE.format(1)).updated_at == later

    import_dossiers(engine, v2, known_procedures=KNOWN)  # the same export again: nothing new
    assert _count(engine, OutboxRow.__table__) == 2 and _count(engine, StatusEvent.__table__) == 3
    claimed = Outbox(engine).claim("w", now=utcnow() + dt.timedelta(seconds=1))
    assert len(claimed) == 2


def test_other_changes_update_without_events_or_notifications(engine, tmp_path):
    import_dossiers(engine, _csv(tmp_path / "v1.csv", [_row(1)]), known_procedures=KNOWN)
    Subscriptions(engine).add(CODE.format(1), "telegram", "42")
    report = import_dossiers(engine, _csv(tmp_path / "v2.csv", [_row(1, due="20/11/2026", note="Đã xác minh")]),
                             known_procedures=KNOWN)
    assert (report.updated, report.status_changes, report.notifications) == (1, 0, 0)
    record = DossierStore(engine).get(CODE.format(1))
    assert record.due_date == dt.date(2026, 11, 20) and record.note == "Đã xác minh"
    assert _count(engine, StatusEvent.__table__) == 1 and _count(engine, OutboxRow.__table__) == 0


def test_columns_missing_from_a_later_export_keep_their_values(engine, tmp_path):
    import_dossiers(engine, _csv(tmp_path / "v1.csv", [_row(1, "Yêu cầu bổ sung", note="Thiếu tờ khai")]),
                    known_procedures=KNOWN)
    slim = _csv(tmp_path / "v2.csv", [[CODE.format(1), "marriage-status-certification", "16/11/2026 09:00",
                                       "Yêu cầu bổ sung"]], header=["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận",
                                                                    "Trạng thái"])
    assert import_dossiers(engine, slim, known_procedures=KNOWN).unchanged == 1
    record = DossierStore(engine).get(CODE.format(1))
    assert (record.note, record.channel, record.contact_hash) == ("Thiếu tờ khai", "online_full",
                                                                  contact_hash("0912345678"))


def test_dry_run_writes_nothing(engine, tmp_path):
    import_dossiers(engine, _csv(tmp_path / "v1.csv", [_row(1)]), known_procedures=KNOWN)
    Subscriptions(engine).add(CODE.format(1), "telegram", "42")
    before = _snapshot(engine)
    report = import_dossiers(engine, _csv(tmp_path / "v2.csv", [_row(1, "Đang giải quyết"), _row(2)]),
                             dry_run=True, known_procedures=KNOWN)
    assert report.dry_run and (report.created, report.status_changes, report.notifications) == (1, 1, 1)
    assert report.summary().startswith("Chạy thử (chưa ghi gì): 2 dòng: 1 hồ sơ mới, 1 cập nhật")
    assert _snapshot(engine) == before


def test_a_failure_while_writing_rolls_everything_back(engine, tmp_path, monkeypatch):
    import_dossiers(engine, _csv(tmp_path / "v1.csv", [_row(1)]), known_procedures=KNOWN)
    Subscriptions(engine).add(CODE.format(1), "telegram", "42")
    before = _snapshot(engine)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_apply, "notification_text", explode)  # after inserts, updates and events
    with pytest.raises(RuntimeError):
        import_dossiers(engine, _csv(tmp_path / "v2.csv", [_row(1, "Đang giải quyết"), _row(2)]),
                        known_procedures=KNOWN)
    assert _snapshot(engine) == before


def test_xlsx_with_spreadsheet_types_and_computed_due_date(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Mã hồ sơ (*)", "Mã TTHC", "Họ tên người nộp", "Ngày tiếp nhận", "Trạng thái",
                  "Số điện thoại", "Hình thức nhận kết quả"])
    sheet.append([1, "000.00.10.h32-261116-0009", 1.004873, "Nguyễn Văn A", dt.datetime(2026, 11, 16, 16, 0),
                  "Đã tiếp nhận", 912345678, "Bưu điện"])
    sheet.append([None, None, None, None, None, None, None, None])  # blank rows are skipped
    sheet.append([2, "000.00.10.H32-261116-0010", "Đăng ký khai sinh", "Trần Thị B", 46342.4, "Đã tiếp nhận", None,
                  None])
    path = tmp_path / "export.xlsx"
    book.save(path)
    procedures = ProcedureIndex([("marriage-status-certification", "1.004873", ["Xác nhận tình trạng hôn nhân"]),
                                 ("birth-registration", "1.001193", ["Đăng ký khai sinh"])])
    report = import_dossiers(engine, path, procedures=procedures,
                             due_for=lambda proc, received: received.date() + dt.timedelta(days=1))
    assert report.created == 2
    first = DossierStore(engine).get("000.00.10.H32-261116-0009")
    assert first.procedure_id == "marriage-status-certification" and first.due_date == dt.date(2026, 11, 17)
    assert first.result_delivery == "post" and first.contact_hash == contact_hash("0912345678")
    second = DossierStore(engine).get("000.00.10.H32-261116-0010")
    assert second.procedure_id == "birth-registration" and second.received_at.date() == dt.date(2026, 11, 16)
    with engine.connect() as conn:  # names in the export are never stored
        assert "Nguyễn" not in str(conn.execute(select(Dossier.__table__)).all())


def test_headers_delimiters_and_procedure_names(engine, tmp_path):
    header = ["\ufeffDossier code", "Procedure name", "Received at", "Due date", "Status", "Channel"]
    rows = [[CODE.format(1), "XAC NHAN TINH TRANG HON NHAN", "2026-11-16 09:00", "2026-11-19", "in_progress",
             "online_partial"]]
    path = _csv(tmp_path / "en.csv", rows, header=header, delimiter=";")
    procedures = ProcedureIndex([("marriage-status-certification", "1.004873", ["Xác nhận tình trạng hôn nhân"])])
    assert import_dossiers(engine, path, procedures=procedures).created == 1
    assert DossierStore(engine).get(CODE.format(1)).channel == "online_partial"


@pytest.mark.parametrize(
    ("resolved", "expected"),
    [("18/11/2026", "resolved_early"), ("19/11/2026", "resolved_on_time"), ("20/11/2026", "resolved_late"),
     ("", "resolved_on_time")],
)
def test_plain_resolved_is_classified_by_dates(engine, tmp_path, resolved, expected):
    header = [*HEADER, "Ngày có kết quả"]
    path = _csv(tmp_path / "r.csv", [[*_row(1, "Đã giải quyết"), resolved]], header=header)
    import_dossiers(engine, path, known_procedures=KNOWN)
    assert DossierStore(engine).get(CODE.format(1)).status == expected


def test_progress_is_reported(sqlite_engine, tmp_path):
    calls: list[tuple[str, int]] = []
    rows = [_row(i) for i in range(1, 12_001)]
    import_dossiers(sqlite_engine, _csv(tmp_path / "big.csv", rows), known_procedures=KNOWN,
                    progress=lambda phase, n: calls.append((phase, n)))
    assert sum(n for phase, n in calls if phase == "check") == 12_000
    assert sum(n for phase, n in calls if phase == "write") == 12_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [("16/11/2026", dt.datetime(2026, 11, 16)), ("6/1/2026 8:05", dt.datetime(2026, 1, 6, 8, 5)),
     ("2026-11-16T09:30:15", dt.datetime(2026, 11, 16, 9, 30, 15)), ("16-11-2026 9h30", dt.datetime(2026, 11, 16, 9, 30)),
     ("08:30 16/11/2026", dt.datetime(2026, 11, 16, 8, 30)), ("", None), (None, None),
     (dt.date(2026, 11, 16), dt.datetime(2026, 11, 16))],
)
def test_date_formats(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["16/11/26", "31/02/2026", "hôm qua", "2026/11/16", 12.5])
def test_unreadable_dates(text):
    with pytest.raises(ValueError):
        parse_datetime(text)
