"""`catalog import`: real spreadsheets (openpyxl, csv) into a real catalogue in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from assistant.catalog.loader import load_catalog
from assistant.catalog.schema import Procedure
from assistant.catalog.yamlsource import load_yaml
from assistant.staff.catalog_import import (
    RowError,
    parse_channels,
    parse_document_line,
    parse_fee,
    parse_level,
    parse_steps,
    parse_time_limit,
    run_import,
    slugify,
)
from tests.factories import SMALL, procedure, write_catalog

TODAY = dt.date(2026, 11, 23)

HEADERS = ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Cơ quan thực hiện", "Đối tượng thực hiện",
           "Thành phần hồ sơ", "Thời hạn giải quyết", "Phí, lệ phí", "Địa chỉ tiếp nhận", "Cách thức thực hiện",
           "Trình tự thực hiện", "Kết quả thực hiện", "Căn cứ pháp lý", "Yêu cầu, điều kiện"]

CRIMINAL_RECORD = {
    "Mã thủ tục": "2.001417",
    "Tên thủ tục": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "Lĩnh vực": "Cư trú",
    "Cấp thực hiện": "Cấp Tỉnh",
    "Cơ quan thực hiện": "Sở Tư pháp",
    "Đối tượng thực hiện": "Công dân Việt Nam\nNgười nước ngoài đã hoặc đang cư trú tại Việt Nam",
    "Thành phần hồ sơ": "- Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (01 bản chính)\n"
                        "- Bản chụp giấy tờ tùy thân (01 bản)\n"
                        "- Giấy tờ chứng minh nơi cư trú (01 bản sao, nếu có)",
    "Thời hạn giải quyết": "10 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
    "Phí, lệ phí": "Phí: 200.000 đồng/lần/người",
    "Địa chỉ tiếp nhận": "Sở Tư pháp tỉnh",
    "Cách thức thực hiện": "Trực tiếp\nDịch vụ bưu chính\nTrực tuyến toàn trình: https://lltptructuyen.moj.gov.vn",
    "Trình tự thực hiện": "Bước 1: Nộp hồ sơ\nBước 2: Sở Tư pháp tra cứu, xác minh\nBước 3: Nhận Phiếu",
    "Kết quả thực hiện": "Phiếu lý lịch tư pháp",
    "Căn cứ pháp lý": "Luật Lý lịch tư pháp số 28/2009/QH12, Điều 45\nThông tư 06/2024/TT-BTP",
    "Yêu cầu, điều kiện": "Không",
}
BIRTH_ABROAD = {
    "Tên thủ tục": "Đăng ký khai sinh có yếu tố nước ngoài",
    "Lĩnh vực": "Hộ tịch",
    "Cấp thực hiện": "Cấp Xã",
    "Cơ quan thực hiện": "Ủy ban nhân dân cấp xã",
    "Đối tượng thực hiện": "Cha, mẹ của trẻ",
    "Thành phần hồ sơ": "Tờ khai đăng ký khai sinh (01 bản chính)\nGiấy chứng sinh (01 bản chính)",
    "Thời hạn giải quyết": "Trong ngày",
    "Phí, lệ phí": "Miễn lệ phí",
    "Cách thức thực hiện": "Trực tiếp",
    "Trình tự thực hiện": "Nộp hồ sơ\nNhận Giấy khai sinh",
    "Kết quả thực hiện": "Giấy khai sinh",
    "Căn cứ pháp lý": "Luật Hộ tịch số 60/2014/QH13",
}


def _status_row(**changes: str) -> dict[str, str]:
    """The spreadsheet row for marriage-status-certification as the catalogue already has it."""
    row = {
        "Mã thủ tục": "1.004873",
        "Tên thủ tục": "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Lĩnh vực": "Hộ tịch",
        "Cấp thực hiện": "Cấp Xã",
        "Cơ quan thực hiện": "Ủy ban nhân dân cấp xã",
        "Đối tượng thực hiện": "Công dân Việt Nam",
        "Thành phần hồ sơ": "Tờ khai theo mẫu (01 bản chính)\nThẻ căn cước (xuất trình)",
        "Thời hạn giải quyết": "03 ngày làm việc",
        "Phí, lệ phí": "Miễn lệ phí",
        "Địa chỉ tiếp nhận": "Bộ phận một cửa UBND cấp xã",
        "Cách thức thực hiện": "Trực tiếp\nDịch vụ bưu chính\nTrực tuyến toàn trình",
        "Trình tự thực hiện": "Nộp hồ sơ.\nNhận kết quả.",
        "Kết quả thực hiện": "Giấy xác nhận",
        "Căn cứ pháp lý": "Luật Hộ tịch số 60/2014/QH13",
    }
    row.update(changes)
    return row


def _catalog(tmp_path: Path) -> Path:
    procedures = [
        procedure(p["id"], p["name"], **{k: v for k, v in p.items() if k not in ("id", "name")})
        for p in SMALL
    ]
    for proc in procedures:
        if proc["id"] == "marriage-status-certification":
            proc["code"] = "1.004873"
            proc["documents"][0]["note"] = "Lấy tờ khai tại Bộ phận một cửa."
    return write_catalog(tmp_path / "catalog", procedures)


def write_xlsx(path: Path, rows: list[dict[str, str]], headers: list[str] = HEADERS, title: bool = True) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:  # exports start with a title line above the header
        sheet.append(["DANH SÁCH THỦ TỤC HÀNH CHÍNH"])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[dict[str, str]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "assistant", "catalog", "import", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def run(sheet: Path, root: Path, dry_run: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_import(sheet, root, dry_run=dry_run, out=out, err=err, today=TODAY)
    return code, out.getvalue(), err.getvalue()


# --- creating ---------------------------------------------------------------------------------


def test_xlsx_import_creates_files_that_validate(tmp_path):
    root = _catalog(tmp_path)
    criminal = {**CRIMINAL_RECORD, "Lĩnh vực": "cu-tru", "id": "criminal-record-certificate"}  # slug or name
    sheet = write_xlsx(tmp_path / "export.xlsx", [criminal, BIRTH_ABROAD], headers=["id", *HEADERS])

    result = cli(str(sheet), "--dir", str(root))

    assert result.returncode == 0, result.stderr
    assert "Yêu cầu, điều kiện" in result.stderr  # unused columns are named, not silently dropped
    created = root / "cu-tru" / "criminal-record-certificate.yaml"
    derived = root / "ho-tich" / "dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai.yaml"  # id from the name
    assert created.exists() and derived.exists()
    catalog = load_catalog(root, locality=None)
    proc = catalog.get("criminal-record-certificate")
    assert proc.code == "2.001417" and proc.level == "province" and proc.field == "cu-tru"
    assert [(d.name, d.copies, d.kind.value, d.required) for d in proc.documents] == [
        ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", 1, "original", True),
        ("Bản chụp giấy tờ tùy thân", 1, "copy", True),
        ("Giấy tờ chứng minh nơi cư trú", 1, "copy", False),
    ]
    assert proc.time_limit.working_days == 10 and not proc.time_limit.same_day
    assert [(w.in_person, w.online) for w in proc.fees.windows] == [(200_000, None)] and not proc.fees.free
    assert proc.channels.online == "full" and proc.channels.online_url == "https://lltptructuyen.moj.gov.vn"
    assert proc.channels.postal and proc.channels.in_person
    assert proc.steps == ["Nộp hồ sơ", "Sở Tư pháp tra cứu, xác minh", "Nhận Phiếu"]
    assert proc.applicants[1].startswith("Người nước ngoài")
    birth = catalog.get("dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai")
    assert birth.time_limit.same_day and birth.fees.free and birth.level == "commune"
    assert birth.where[0].name == "Ủy ban nhân dân cấp xã"  # no address column: the agency receives it
    assert birth.reviewed is None and proc.reviewed is None  # only `catalog review` records a check
    assert [s.title for s in birth.sources] == ["Cơ sở dữ liệu quốc gia về thủ tục hành chính (tệp xuất export.xlsx)"]
    # Instruments the sheet cites but the registry lacks are registered for staff to complete.
    assert {"28/2009/QH12", "06/2024/TT-BTP"} <= set(catalog.instruments)
    assert "in_force" in result.stdout


def test_csv_import_with_multiline_cells(tmp_path):
    root = _catalog(tmp_path)
    sheet = write_csv(tmp_path / "export.csv", [CRIMINAL_RECORD])
    code, out, err = run(sheet, root)
    assert code == 0, err
    path = root / "cu-tru" / "cap-phieu-ly-lich-tu-phap-cho-cong-dan-viet-nam.yaml"
    assert "Tạo mới" in out and path.exists()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    Procedure.model_validate(data)
    assert data["legal_basis"] == [{"instrument": "28/2009/QH12", "articles": "Điều 45"},
                                   {"instrument": "06/2024/TT-BTP"}]
    assert list(data)[:4] == ["id", "code", "name", "field"]  # canonical key order
    assert "reviewed" not in data
    assert data["sources"][0]["checked"] == TODAY
    registry = yaml.safe_load((root / "instruments" / "imported.yaml").read_text(encoding="utf-8"))
    assert registry == [{"number": "28/2009/QH12", "title": "Luật Lý lịch tư pháp số 28/2009/QH12"},
                        {"number": "06/2024/TT-BTP", "title": "Thông tư 06/2024/TT-BTP"}]


# --- updating ---------------------------------------------------------------------------------


def test_reimport_changes_only_spreadsheet_keys_and_keeps_comments(tmp_path):
    root = _catalog(tmp_path)
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    original = path.read_text(encoding="utf-8")
    original = "# Rà soát lần cuối với Sở Tư pháp\n" + original.replace(
        "field: ho-tich\n", "field: ho-tich  # do not move\n").replace(
        "legal_basis:\n", "# Căn cứ đã đối chiếu với văn bản gốc\nlegal_basis:\n")
    path.write_text(original, encoding="utf-8")
    keys_before = list(yaml.safe_load(original))
    # No id column: the national code finds the file.
    sheet = write_xlsx(tmp_path / "update.xlsx", [_status_row(**{"Thời hạn giải quyết": "05 ngày làm việc"})])

    result = cli(str(sheet), "--dir", str(root))

    assert result.returncode == 0, result.stderr
    updated = path.read_text(encoding="utf-8")
    assert "# Rà soát lần cuối với Sở Tư pháp\n" in updated
    assert "# Căn cứ đã đối chiếu với văn bản gốc\nlegal_basis:\n" in updated
    assert "field: ho-tich  # do not move\n" in updated
    data = yaml.safe_load(updated)
    assert list(data) == keys_before
    assert data["aliases"] == ["giấy độc thân", "xác nhận độc thân"]
    assert data["keywords"] == ["độc thân"]
    assert data["documents"][0]["note"] == "Lấy tờ khai tại Bộ phận một cửa."  # matched document keeps its note
    assert _diff_lines(original, updated) == ["-  value: 3", "+  value: 5"]
    assert load_catalog(root, locality=None).get("marriage-status-certification").time_limit.working_days == 5

    # The same spreadsheet again changes nothing at all.
    code, _, err = run(sheet, root)
    assert code == 0 and "0 tệp cập nhật, 1 thủ tục không đổi" in err
    assert path.read_text(encoding="utf-8") == updated


def _diff_lines(old: str, new: str) -> list[str]:
    return [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_update_of_lists_and_owned_subkeys(tmp_path):
    root = _catalog(tmp_path)
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    text = path.read_text(encoding="utf-8").replace("  unit: working_days\n",
                                                    "  unit: working_days\n  note: Ghi chú của cán bộ\n")
    path.write_text(text, encoding="utf-8")
    row = _status_row(**{
        "Thời hạn giải quyết": "Trong ngày",  # value must go, or same_day would contradict it
        "Thành phần hồ sơ": "Tờ khai theo mẫu (02 bản chính)\nThẻ căn cước (xuất trình)\n"
                            "Bản sao giấy tờ ly hôn (01 bản sao, nếu có)",
        "Trình tự thực hiện": "Nộp hồ sơ.\nCông chức kiểm tra.\nNhận kết quả.",
        "Cách thức thực hiện": "Trực tiếp",
    })
    code, _, err = run(write_csv(tmp_path / "u.csv", [row]), root)
    assert code == 0, err
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["time_limit"] == {"unit": "same_day", "note": "Ghi chú của cán bộ"}
    assert [d.get("copies") for d in data["documents"]] == [2, None, 1]
    assert data["documents"][0]["note"] == "Lấy tờ khai tại Bộ phận một cửa."
    assert data["documents"][2]["required"] is False
    assert data["steps"] == ["Nộp hồ sơ.", "Công chức kiểm tra.", "Nhận kết quả."]
    assert data["channels"] == {"in_person": True, "postal": False, "online": "none",
                                "online_url": "https://dichvucong.gov.vn"}
    load_catalog(root, locality=None)


def test_id_column_matches_and_field_change_moves_file(tmp_path):
    root = _catalog(tmp_path)
    row = _status_row(**{"Lĩnh vực": "Cư trú", "Mã thủ tục": ""})
    row["id"] = "marriage-status-certification"
    code, out, err = run(write_csv(tmp_path / "m.csv", [row], headers=["id", *HEADERS]), root)
    assert code == 0, err
    assert "Chuyển: cu-tru/marriage-status-certification.yaml" in out
    assert not (root / "ho-tich" / "marriage-status-certification.yaml").exists()
    assert load_catalog(root, locality=None).get("marriage-status-certification").field == "cu-tru"


# --- errors: all or nothing --------------------------------------------------------------------


def test_bad_rows_report_file_line_and_write_nothing(tmp_path):
    root = _catalog(tmp_path)
    before = snapshot(root)
    rows = [
        _status_row(**{"Thời hạn giải quyết": "05 ngày làm việc"}),  # good on its own
        CRIMINAL_RECORD,  # multi-line cells: physical lines 3-9
        {**BIRTH_ABROAD, "Lĩnh vực": "Thuế"},  # unknown field
        {**BIRTH_ABROAD, "Tên thủ tục": "Khai sinh lần hai", "Thời hạn giải quyết": "càng sớm càng tốt"},
    ]
    sheet = write_csv(tmp_path / "bad.csv", rows)
    lines = sheet.read_text(encoding="utf-8").splitlines()
    unknown_line = next(i for i, line in enumerate(lines, 1) if "Thuế" in line)
    slow_line = next(i for i, line in enumerate(lines, 1) if line.startswith(",Khai sinh lần hai"))
    assert unknown_line > 4  # the line in the file, not the record number

    result = cli(str(sheet), "--dir", str(root))

    assert result.returncode == 1
    assert f"{sheet}:{unknown_line}: cột 'Lĩnh vực': lĩnh vực 'Thuế' không có trong fields.yaml" in result.stderr
    assert f"{sheet}:{slow_line}: cột 'Thời hạn giải quyết': không đọc được thời hạn" in result.stderr
    assert "Không ghi tệp nào" in result.stderr
    assert snapshot(root) == before


def test_bad_xlsx_row_reports_row_number(tmp_path):
    root = _catalog(tmp_path)
    before = snapshot(root)
    sheet = write_xlsx(tmp_path / "bad.xlsx", [BIRTH_ABROAD, {**CRIMINAL_RECORD, "Cấp thực hiện": "Không xác định"}])
    code, _, err = run(sheet, root)
    assert code == 1
    assert f"{sheet}:4: cột 'Cấp thực hiện': không đọc được cấp thực hiện" in err  # title, header, row 3, row 4
    assert snapshot(root) == before


def test_schema_and_catalogue_errors_name_the_row(tmp_path):
    root = _catalog(tmp_path)
    before = snapshot(root)
    missing_documents = {**BIRTH_ABROAD, "Kết quả thực hiện": ""}
    clash = {**BIRTH_ABROAD, "Tên thủ tục": "Giấy độc thân"}  # an alias of marriage-status-certification
    code, _, err = run(write_csv(tmp_path / "x.csv", [missing_documents]), root)
    assert code == 1 and "x.csv:2: dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai: thiếu khóa bắt buộc 'result' (kết quả)" in err
    code, _, err = run(write_csv(tmp_path / "y.csv", [clash]), root)
    assert code == 1 and "y.csv:2: ho-tich/" in err and "tên gọi 'giấy độc thân' đã dùng cho thủ tục" in err
    assert snapshot(root) == before


def test_duplicate_rows_are_refused(tmp_path):
    root = _catalog(tmp_path)
    sheet = write_csv(tmp_path / "d.csv", [BIRTH_ABROAD, BIRTH_ABROAD])
    second = [i for i, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1)
              if line.startswith(",Đăng ký khai sinh")][1]
    code, _, err = run(sheet, root)
    assert code == 1 and f"d.csv:{second}: thủ tục 'dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai' đã có ở dòng 2" in err


def test_unreadable_spreadsheets(tmp_path):
    root = _catalog(tmp_path)
    no_header = tmp_path / "n.csv"
    no_header.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(no_header, root)
    assert code == 1 and f"{no_header}:1: không tìm thấy dòng tiêu đề" in err
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf")
    code, _, err = run(old, root)
    assert code == 1 and "không hỗ trợ loại tệp '.xls'" in err


# --- dry run ------------------------------------------------------------------------------------


def test_dry_run_prints_diff_and_writes_nothing(tmp_path):
    root = _catalog(tmp_path)
    before = snapshot(root)
    sheet = write_xlsx(tmp_path / "d.xlsx", [_status_row(**{"Phí, lệ phí": "Lệ phí: 8.000 đồng"}), BIRTH_ABROAD])

    result = cli(str(sheet), "--dir", str(root), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "--- a/ho-tich/marriage-status-certification.yaml\n+++ b/ho-tich/marriage-status-certification.yaml\n" \
        in result.stdout
    assert "-  set_by: none\n+  set_by: national\n+  windows:\n+  - in_person: 8000\n" in result.stdout
    assert "--- /dev/null\n+++ b/ho-tich/dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai.yaml\n" in result.stdout
    assert "+name: Đăng ký khai sinh có yếu tố nước ngoài\n" in result.stdout
    assert "chưa ghi tệp nào" in result.stderr
    assert snapshot(root) == before


# --- cell parsers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("03 ngày làm việc", {"value": 3, "unit": "working_days"}),
    ("Trong ngày", {"unit": "same_day"}),
    ("Ngay trong ngày làm việc; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo", {"unit": "same_day"}),
    ("04 giờ làm việc", {"value": 4, "unit": "hours"}),
    ("0,5 ngày làm việc", {"value": 0.5, "unit": "working_days"}),
    ("30 ngày", {"value": 30, "unit": "calendar_days"}),  # calendar days are not working days
    ("5", {"value": 5, "unit": "working_days"}),
    ("Trong thời hạn 05 ngày làm việc\nkể từ ngày nhận đủ hồ sơ", {"value": 5, "unit": "working_days"}),
    ("03 ngày làm việc; trường hợp cần xác minh thì không quá 05 ngày làm việc",
     {"value": 3, "unit": "working_days",
      "extension": {"value": 5, "unit": "working_days", "when": "nếu cần xác minh"}}),
])
def test_parse_time_limit(text, expected):
    assert parse_time_limit(text) == expected


@pytest.mark.parametrize("text", ["", "sớm nhất có thể", "N/A", "-", "Theo thời hạn của từng thủ tục", "02 tháng"])
def test_parse_time_limit_refuses(text):
    with pytest.raises(RowError):
        parse_time_limit(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Miễn lệ phí", {"set_by": "none"}),
    ("Không", {"set_by": "none"}),
    ("Không thu phí", {"set_by": "none"}),
    ("Lệ phí: 15.000 đồng/lần", {"set_by": "national", "windows": [{"in_person": 15000}]}),
    ("Phí : 200.000 Đồng", {"set_by": "national", "windows": [{"in_person": 200000}]}),
    ("1,5 triệu đồng", {"set_by": "national", "windows": [{"in_person": 1_500_000}]}),
    ("20.000 đồng (nộp trực tuyến 10.000 đồng)",
     {"set_by": "national", "windows": [{"in_person": 20000, "online": 10000}]}),
    ("8.000 đồng/bản sao; 50.000 đồng/bản dịch",  # two amounts for two things: kept as a note
     {"set_by": "national", "note": "8.000 đồng/bản sao; 50.000 đồng/bản dịch"}),
    ("Theo mức thu do HĐND tỉnh quy định", {"set_by": "province", "note": "Theo mức thu do HĐND tỉnh quy định"}),
    ("Theo mức thu của tỉnh, thường 50.000–75.000 đồng/giấy phép",
     {"set_by": "province", "province_range": {"min": 50000, "max": 75000}}),
])
def test_parse_fee(text, expected):
    assert parse_fee(text) == expected


@pytest.mark.parametrize(("text", "level"), [
    ("Cấp Xã", "commune"), ("cấp xã", "commune"), ("Đặc khu", "commune"),
    ("Cấp Tỉnh", "province"), ("Thành phố trực thuộc trung ương", "province"), ("Trung ương", "central"),
    ("Cấp Bộ", "central"), ("Cấp Tỉnh, Cấp Xã", "province"), ("Cấp xã, Cấp huyện", "commune"),
])
def test_parse_level(text, level):
    assert parse_level(text) == level


@pytest.mark.parametrize("text", ["Cấp Huyện", "Thị xã", "Cấp huyện, Cấp xã"])
def test_district_level_is_refused_with_the_reason(text):
    with pytest.raises(RowError, match="đã bỏ từ ngày 1/7/2025"):
        parse_level(text)


@pytest.mark.parametrize(("line", "expected"), [
    ("Tờ khai (01 bản chính)", {"name": "Tờ khai", "copies": 1, "kind": "original"}),
    ("Bản sao có chứng thực Giấy khai sinh", {"name": "Bản sao có chứng thực Giấy khai sinh",
                                               "kind": "certified_copy"}),
    ("Hộ chiếu (xuất trình)", {"name": "Hộ chiếu", "kind": "present"}),
    ("Giấy tờ ly hôn (01 bản sao, nếu có)", {"name": "Giấy tờ ly hôn", "copies": 1, "kind": "copy",
                                             "required": False}),
    ("Đơn đề nghị: 02 bản chính", {"name": "Đơn đề nghị", "copies": 2, "kind": "original"}),
    ("Giấy chứng nhận (theo mẫu số 3)", {"name": "Giấy chứng nhận (theo mẫu số 3)"}),
    # the hint wins over words of the name
    ("Tờ khai cấp bản sao trích lục (01 bản, bản chính)", {"name": "Tờ khai cấp bản sao trích lục", "copies": 1,
                                                          "kind": "original"}),
])
def test_parse_document_line(line, expected):
    assert parse_document_line(line) == expected


def test_parse_channels_and_steps():
    assert parse_channels("Trực tuyến một phần") == {"in_person": False, "postal": False, "online": "partial"}
    with pytest.raises(RowError):
        parse_channels("Theo quy định")
    assert parse_steps("Bước 1: Nộp hồ sơ gồm:\n+ tờ khai\nBước 2. Nhận kết quả") == [
        "Nộp hồ sơ gồm: tờ khai", "Nhận kết quả"]


@given(st.text(max_size=120))
def test_slugify_always_gives_a_valid_id_or_nothing(text):
    slug = slugify(text)
    assert slug == "" or (re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) and len(slug) <= 60)


HAND_WRITTEN = """\
# Xác nhận tình trạng hôn nhân (viết tay)
id: marriage-status-certification
code: "1.004873"
name: Cấp Giấy xác nhận tình trạng hôn nhân
aliases:
  - giấy độc thân
field: ho-tich
level: commune
agency: Ủy ban nhân dân cấp xã nơi thường trú
applicants:
  - Công dân Việt Nam
summary: >-
  Giấy xác nhận bạn đang độc thân, đã ly hôn
  hay đang có vợ/chồng.
documents:
  - name: Tờ khai theo mẫu
    copies: 1
time_limit:
  value: 3
  unit: working_days
fees:
  set_by: province
where:
  - name: Bộ phận một cửa UBND cấp xã
channels:
  in_person: true
steps:
  - Nộp hồ sơ.
result: Giấy xác nhận
legal_basis:
  - instrument: 60/2014/QH13
sources:
  - supports: [agency]
    title: Luật Hộ tịch 2014
    checked: 2026-11-20
"""


def test_partial_sheet_updates_a_hand_written_file(tmp_path):
    """Only the columns present change; the file's style (indented lists, folded summary) is kept."""
    root = write_catalog(tmp_path / "catalog", [])
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    sheet = write_csv(tmp_path / "p.csv", [{"Mã TTHC": "1.004873", "Thời hạn giải quyết": "05 ngày làm việc",
                                             "Căn cứ pháp lý": "Luật Hộ tịch số 60/2014/QH13\n"
                                                               "Thông tư 04/2024/TT-BTP"}],
                      headers=["Mã TTHC", "Thời hạn giải quyết", "Căn cứ pháp lý"])
    code, _, err = run(sheet, root)
    assert code == 0, err
    assert _diff_lines(HAND_WRITTEN, path.read_text(encoding="utf-8")) == [
        "-  value: 3", "+  value: 5",
        "+  - instrument: 04/2024/TT-BTP",
    ]


def test_locality_override_broken_by_an_import_names_the_row(tmp_path):
    procedures = [procedure(p["id"], p["name"], **{k: v for k, v in p.items() if k not in ("id", "name")})
                  for p in SMALL]
    next(p for p in procedures if p["id"] == "marriage-status-certification")["code"] = "1.004873"
    locality = {"slug": "demo", "name": "Tỉnh Demo", "procedures": {
        "marriage-status-certification": {"time_limit": {"value": 1}}}}
    root = write_catalog(tmp_path / "catalog", procedures, localities={"demo": locality})
    before = snapshot(root)
    sheet = write_csv(tmp_path / "l.csv", [BIRTH_ABROAD, _status_row(**{"Thời hạn giải quyết": "Trong ngày"})])
    status_line = next(i for i, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1)
                       if line.startswith("1.004873"))
    code, _, err = run(sheet, root)
    assert code == 1
    assert f"l.csv:{status_line}: localities/demo.yaml:" in err and "không đi kèm số ngày" in err
    assert "thủ tục liên quan" not in err
    assert snapshot(root) == before


def test_dated_fee_windows_written_by_hand_are_kept(tmp_path):
    """Dated windows come from the instruments (e.g. a fee cut that ends); a sheet's single amount never erases them."""
    root = _catalog(tmp_path)
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "fees:\n  set_by: none\n",
        "fees:\n  set_by: national\n  windows:\n  - from: 2025-07-01\n    until: 2025-12-31\n    in_person: 4000\n"
        "  - from: 2026-01-01\n    in_person: 8000\n")
    path.write_text(text, encoding="utf-8")
    row = _status_row(**{"Phí, lệ phí": "Lệ phí: 8.000 đồng"})
    code, _, err = run(write_csv(tmp_path / "k.csv", [row]), root)
    assert code == 0 and "1 thủ tục không đổi" in err, err
    assert path.read_text(encoding="utf-8") == text


def test_id_and_code_that_disagree_are_refused(tmp_path):
    root = _catalog(tmp_path)
    row = {**BIRTH_ABROAD, "id": "foreign-birth-registration", "Mã thủ tục": "1.004873"}  # code of another file
    code, _, err = run(write_csv(tmp_path / "c.csv", [row], headers=["id", *HEADERS]), root)
    assert code == 1 and "mã thủ tục '1.004873' đã thuộc về tệp ho-tich/marriage-status-certification.yaml" in err


def test_numeric_code_cell_from_excel_finds_the_file(tmp_path):
    root = _catalog(tmp_path)
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Mã thủ tục", "Thời hạn giải quyết"])
    workbook.active.append([1.004873, "02 ngày làm việc"])  # typed as a number in Excel
    workbook.save(tmp_path / "n.xlsx")
    code, out, err = run(tmp_path / "n.xlsx", root)
    assert code == 0, err
    assert "Cập nhật: ho-tich/marriage-status-certification.yaml (dòng 2)" in out
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["time_limit"] == {"value": 2, "unit": "working_days"}


def test_import_never_stamps_reviewed(tmp_path):
    """Only a person records a review: an import neither adds `reviewed` nor rewrites one."""
    root = _catalog(tmp_path)
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "reviewed:\n  on: 2026-10-01\n  by: Nguyễn Thị Lan\n",
                    encoding="utf-8")
    rows = [_status_row(**{"Thời hạn giải quyết": "05 ngày làm việc"}), {**BIRTH_ABROAD, "Ngày rà soát": "30/11/2026"}]
    code, _, err = run(write_csv(tmp_path / "r.csv", rows, headers=[*HEADERS, "Ngày rà soát"]), root)
    assert code == 0, err
    assert "Ngày rà soát" in err  # the column is named as unused, not silently applied
    updated = load_yaml(path.read_text(encoding="utf-8"))  # YAML 1.2: `on` is a key, not True
    assert updated["reviewed"] == {"on": dt.date(2026, 10, 1), "by": "Nguyễn Thị Lan"}
    created = yaml.safe_load((root / "ho-tich" / "dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai.yaml").read_text(encoding="utf-8"))
    assert "reviewed" not in created
