"""Real exports: a title and a date line above the header (found in the first 20 rows, as the
catalogue import does), missing columns named as staff see them, and days that do not exist."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from assistant.dossiers.importer import DossierImportError, import_dossiers, parse_datetime
from assistant.store.models import Dossier

HEADER = ["STT", "Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái"]
TITLE = [["DANH SÁCH HỒ SƠ TIẾP NHẬN THÁNG 11/2026", "", "", "", "", ""],
         ["Đơn vị: UBND xã Khánh Vĩnh", "", "", "", "", ""], ["", "", "", "", "", ""]]
ROW = ["1", "000.00.10.H32-261116-0001", "marriage-status-certification", "16/11/2026 09:00", "19/11/2026",
       "Đã tiếp nhận"]
KNOWN = {"marriage-status-certification"}


def codes(engine) -> list[str]:
    with engine.connect() as conn:
        return [c for (c,) in conn.execute(select(Dossier.code))]


def test_csv_with_a_title_block_above_the_header(engine, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*TITLE, HEADER, ROW])
    import_dossiers(engine, path, known_procedures=KNOWN)
    assert codes(engine) == [ROW[1]]


def test_xlsx_with_a_title_block_reports_lines_as_the_sheet_shows_them(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    for row in [*TITLE, HEADER, ROW, [*ROW[:1], "000.00.10.H32-261116-0002", ROW[2], "31/11/2026", "", ROW[5]]]:
        sheet.append(row)
    path = tmp_path / "export.xlsx"
    book.save(path)
    with pytest.raises(DossierImportError) as exc:
        import_dossiers(engine, path, known_procedures=KNOWN)
    assert exc.value.problems == [f"{path}:6: ngày không tồn tại: '31/11/2026' (tháng 11/2026 có 30 ngày)"]


def test_missing_columns_are_named_by_the_headers_staff_see(engine, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*TITLE, ["STT", "Mã hồ sơ", "Mã thủ tục", "Ngày nhận hồ sơ (giờ)"], ROW[:4]])
    with pytest.raises(DossierImportError) as exc:
        import_dossiers(engine, path, known_procedures=KNOWN)
    (message,) = exc.value.problems
    assert message.startswith(f"{path}:4: thiếu cột “Ngày tiếp nhận”, “Trạng thái”")
    assert "received_at" not in message and "status" not in message


def test_a_header_below_row_20_is_not_searched_for(engine, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["ghi chú", "", "", "", "", ""]] * 20 + [HEADER, ROW])
    with pytest.raises(DossierImportError, match="thiếu cột “Mã hồ sơ”"):
        import_dossiers(engine, path, known_procedures=KNOWN)


@pytest.mark.parametrize(("text", "message"), [
    ("31/11/2026", "ngày không tồn tại: '31/11/2026' (tháng 11/2026 có 30 ngày)"),
    ("29/02/2026", "ngày không tồn tại: '29/02/2026' (tháng 2/2026 có 28 ngày)"),
    ("12/13/2026", "ngày '12/13/2026' không hợp lệ: không có tháng 13"),
    ("hôm qua", "không đọc được ngày 'hôm qua' (viết theo dd/mm/yyyy hoặc yyyy-mm-dd)"),
])
def test_dates_say_what_is_wrong(text, message):
    with pytest.raises(ValueError) as exc:
        parse_datetime(text)
    assert str(exc.value) == message
    assert parse_datetime("29/02/2028").day == 29
