"""`catalog import`: real spreadsheets (openpyxl, csv) into a real catalogue in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import re
import shutil
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
from assistant.staff.catalog_import import run_import
from assistant.staff.cells import (
    RowError,
    parse_channels,
    parse_document_line,
    parse_fee,
    parse_level,
    parse_steps,
    parse_time_limit,
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
    "Căn cứ pháp lý": "Luật Lý lịch tư pháp 2009\nThông tư 06/2024/TT-BTP",
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
    "Căn cứ pháp lý": "Luật Hộ tịch 2014",
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
        "Căn cứ pháp lý": "Luật Hộ tịch 2014",
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
    assert proc.fees.amount == 200_000 and not proc.fees.free
    assert proc.channels.online == "full" and proc.channels.online_url == "https://lltptructuyen.moj.gov.vn"
    assert proc.channels.postal and proc.channels.in_person
    assert proc.steps == ["Nộp hồ sơ", "Sở Tư pháp tra cứu, xác minh", "Nhận Phiếu"]
    assert proc.applicants[1].startswith("Người nước ngoài")
    birth = catalog.get("dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai")
    assert birth.time_limit.same_day and birth.fees.free and birth.level == "commune"
    assert birth.where[0].name == "Ủy ban nhân dân cấp xã"  # no address column: the agency receives it
    assert birth.reviewed == dt.date.today()


def test_csv_import_with_multiline_cells(tmp_path):
    root = _catalog(tmp_path)
    sheet = write_csv(tmp_path / "export.csv", [CRIMINAL_RECORD])
    code, out, err = run(sheet, root)
    assert code == 0, err
    path = root / "cu-tru" / "cap-phieu-ly-lich-tu-phap-cho-cong-dan-viet-nam.yaml"
    assert "Tạo mới" in out and path.exists()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    Procedure.model_validate(data)
    assert data["legal_basis"] == ["Luật Lý lịch tư pháp 2009", "Thông tư 06/2024/TT-BTP"]
    assert list(data)[:4] == ["id", "code", "name", "field"]  # canonical key order
    assert data["reviewed"] == TODAY


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
    assert _diff_lines(original, updated) == ["-  summary: 03 ngày làm việc", "-  working_days: 3",
                       "+  summary: 05 ngày làm việc", "+  working_days: 5"]
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
    text = path.read_text(encoding="utf-8").replace("  working_days: 3\n", "  working_days: 3\n  note: (verify)\n")
    path.write_text(text, encoding="utf-8")
    row = _status_row(**{
        "Thời hạn giải quyết": "Trong ngày",  # working_days must go, or same_day would contradict it
        "Thành phần hồ sơ": "Tờ khai theo mẫu (02 bản chính)\nThẻ căn cước (xuất trình)\n"
                            "Bản sao giấy tờ ly hôn (01 bản sao, nếu có)",
        "Trình tự thực hiện": "Nộp hồ sơ.\nCông chức kiểm tra.\nNhận kết quả.",
        "Cách thức thực hiện": "Trực tiếp",
    })
    code, _, err = run(write_csv(tmp_path / "u.csv", [row]), root)
    assert code == 0, err
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["time_limit"] == {"summary": "Trong ngày", "same_day": True, "note": "(verify)"}
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
    assert f"{sheet}:{unknown_line}: column 'Lĩnh vực': unknown field 'Thuế'" in result.stderr
    assert f"{sheet}:{slow_line}: column 'Thời hạn giải quyết': cannot read time limit" in result.stderr
    assert "Không ghi tệp nào" in result.stderr
    assert snapshot(root) == before


def test_bad_xlsx_row_reports_row_number(tmp_path):
    root = _catalog(tmp_path)
    before = snapshot(root)
    sheet = write_xlsx(tmp_path / "bad.xlsx", [BIRTH_ABROAD, {**CRIMINAL_RECORD, "Cấp thực hiện": "Không xác định"}])
    code, _, err = run(sheet, root)
    assert code == 1
    assert f"{sheet}:4: column 'Cấp thực hiện': cannot read level" in err  # title, header, row 3, row 4
    assert snapshot(root) == before


def test_schema_and_catalogue_errors_name_the_row(tmp_path):
    root = _catalog(tmp_path)
    before = snapshot(root)
    missing_documents = {**BIRTH_ABROAD, "Thành phần hồ sơ": ""}
    clash = {**BIRTH_ABROAD, "Tên thủ tục": "Giấy độc thân"}  # an alias of marriage-status-certification
    code, _, err = run(write_csv(tmp_path / "x.csv", [missing_documents]), root)
    assert code == 1 and "x.csv:2: dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai: missing 'documents'" in err
    code, _, err = run(write_csv(tmp_path / "y.csv", [clash]), root)
    assert code == 1 and "y.csv:2: ho-tich/" in err and "alias 'giấy độc thân' is also used by" in err
    assert snapshot(root) == before


def test_duplicate_rows_are_refused(tmp_path):
    root = _catalog(tmp_path)
    sheet = write_csv(tmp_path / "d.csv", [BIRTH_ABROAD, BIRTH_ABROAD])
    second = [i for i, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1)
              if line.startswith(",Đăng ký khai sinh")][1]
    code, _, err = run(sheet, root)
    assert code == 1 and f"d.csv:{second}: procedure 'dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai' already comes from line 2" in err


def test_unreadable_spreadsheets(tmp_path):
    root = _catalog(tmp_path)
    no_header = tmp_path / "n.csv"
    no_header.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(no_header, root)
    assert code == 1 and f"{no_header}:1: no header row found" in err
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf")
    code, _, err = run(old, root)
    assert code == 1 and "unsupported file type '.xls'" in err


# --- dry run ------------------------------------------------------------------------------------


def test_dry_run_prints_diff_and_writes_nothing(tmp_path):
    root = _catalog(tmp_path)
    before = snapshot(root)
    sheet = write_xlsx(tmp_path / "d.xlsx", [_status_row(**{"Phí, lệ phí": "Lệ phí: 8.000 đồng"}), BIRTH_ABROAD])

    result = cli(str(sheet), "--dir", str(root), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "--- a/ho-tich/marriage-status-certification.yaml\n+++ b/ho-tich/marriage-status-certification.yaml\n" \
        in result.stdout
    assert "-  summary: Miễn lệ phí\n-  free: true\n+  summary: 'Lệ phí: 8.000 đồng'\n+  amount: 8000\n" \
        in result.stdout
    assert "--- /dev/null\n+++ b/ho-tich/dang-ky-khai-sinh-co-yeu-to-nuoc-ngoai.yaml\n" in result.stdout
    assert "+name: Đăng ký khai sinh có yếu tố nước ngoài\n" in result.stdout
    assert "chưa ghi tệp nào" in result.stderr
    assert snapshot(root) == before


# --- cell parsers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("03 ngày làm việc", {"summary": "03 ngày làm việc", "working_days": 3}),
    ("Trong ngày", {"summary": "Trong ngày", "same_day": True}),
    ("Ngay trong ngày làm việc; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo",
     {"summary": "Ngay trong ngày làm việc; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo", "same_day": True}),
    ("04 giờ làm việc", {"summary": "04 giờ làm việc", "working_days": 0.5}),
    ("0,5 ngày làm việc", {"summary": "0,5 ngày làm việc", "working_days": 0.5}),
    ("30 ngày", {"summary": "30 ngày"}),  # calendar days are not working days
    ("Theo thời hạn của từng thủ tục", {"summary": "Theo thời hạn của từng thủ tục"}),
    ("5", {"summary": "05 ngày làm việc", "working_days": 5}),
    ("Trong thời hạn 05 ngày làm việc\nkể từ ngày nhận đủ hồ sơ",
     {"summary": "Trong thời hạn 05 ngày làm việc; kể từ ngày nhận đủ hồ sơ", "working_days": 5}),
])
def test_parse_time_limit(text, expected):
    assert parse_time_limit(text) == expected


@pytest.mark.parametrize("text", ["", "sớm nhất có thể", "N/A", "-"])
def test_parse_time_limit_refuses(text):
    with pytest.raises(RowError):
        parse_time_limit(text)


@pytest.mark.parametrize(("text", "free", "amount"), [
    ("Miễn lệ phí", True, None),
    ("Không", True, None),
    ("Không thu phí", True, None),
    ("Lệ phí: 15.000 đồng/lần", False, 15000),
    ("Phí : 200.000 Đồng", False, 200000),
    ("1,5 triệu đồng", False, 1_500_000),
    ("8.000 đồng/bản sao; 50.000 đồng/bản dịch", False, None),  # two amounts: summary only
    ("Miễn khi nộp trực tuyến; 8.000 đồng khi nộp trực tiếp", False, 8000),
    ("Theo mức thu do HĐND tỉnh quy định", False, None),
    ("Theo mức thu của tỉnh, thường 100.000 đồng", False, None),  # "usually" is not a definite amount
    ("50.000–75.000 đồng/giấy phép", False, None),
])
def test_parse_fee(text, free, amount):
    fee = parse_fee(text)
    assert fee.get("free", False) is free and fee.get("amount") == amount and fee["summary"] == text


@pytest.mark.parametrize(("text", "level"), [
    ("Cấp Xã", "commune"), ("cấp xã", "commune"), ("Cấp Huyện", "district"), ("Thị xã", "district"),
    ("Cấp Tỉnh", "province"), ("Thành phố trực thuộc trung ương", "province"), ("Trung ương", "central"),
    ("Cấp Bộ", "central"), ("Cấp Tỉnh, Cấp Xã", "province"), ("Cấp xã, Cấp huyện", "commune"),
])
def test_parse_level(text, level):
    assert parse_level(text) == level


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


def test_partial_sheet_updates_a_hand_written_file(tmp_path):
    """Only the columns present change; the shipped file's style (indented lists, folded summary) is kept."""
    shipped = Path(__file__).resolve().parents[2] / "procedures_catalog"
    root = tmp_path / "catalog"
    shutil.copytree(shipped, root)
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    original = path.read_text(encoding="utf-8")
    sheet = write_csv(tmp_path / "p.csv", [{"Mã TTHC": "1.004873", "Thời hạn giải quyết": "05 ngày làm việc",
                                             "Căn cứ pháp lý": "Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP, Điều 22\n"
                                                               "Thông tư 04/2020/TT-BTP\nThông tư 04/2024/TT-BTP"}],
                      headers=["Mã TTHC", "Thời hạn giải quyết", "Căn cứ pháp lý"])
    code, _, err = run(sheet, root)
    assert code == 0, err
    assert _diff_lines(original, path.read_text(encoding="utf-8")) == [
        "-  summary: 03 ngày làm việc", "-  working_days: 3",
        "+  summary: 05 ngày làm việc", "+  working_days: 5",
        "+  - Thông tư 04/2024/TT-BTP",
    ]


def test_locality_override_broken_by_an_import_names_the_row(tmp_path):
    procedures = [procedure(p["id"], p["name"], **{k: v for k, v in p.items() if k not in ("id", "name")})
                  for p in SMALL]
    next(p for p in procedures if p["id"] == "marriage-status-certification")["code"] = "1.004873"
    locality = {"slug": "demo", "name": "Huyện Demo", "procedures": {
        "marriage-status-certification": {"time_limit": {"summary": "01 ngày làm việc", "working_days": 1}}}}
    root = write_catalog(tmp_path / "catalog", procedures, localities={"demo": locality})
    before = snapshot(root)
    sheet = write_csv(tmp_path / "l.csv", [BIRTH_ABROAD, _status_row(**{"Thời hạn giải quyết": "Trong ngày"})])
    status_line = next(i for i, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1)
                       if line.startswith("1.004873"))
    code, _, err = run(sheet, root)
    assert code == 1
    assert f"l.csv:{status_line}: localities/demo.yaml:" in err and "same_day and working_days" in err
    assert "related id" not in err
    assert snapshot(root) == before


def test_unchanged_time_limit_and_fee_text_keep_hand_set_values(tmp_path):
    """A person may have set working_days or amount for a text the parser reads differently."""
    root = _catalog(tmp_path)
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("summary: 03 ngày làm việc\n  working_days: 3", "summary: 15 ngày\n  working_days: 11")
    text = text.replace("summary: Miễn lệ phí\n  free: true", "summary: 'Từ 5.000 đồng'\n  amount: 5000")
    path.write_text(text, encoding="utf-8")
    row = _status_row(**{"Thời hạn giải quyết": "15 ngày", "Phí, lệ phí": "Từ 5.000 đồng",
                         "Thành phần hồ sơ": "Tờ khai theo mẫu (01 bản chính)\nThẻ căn cước (xuất trình)"})
    code, _, err = run(write_csv(tmp_path / "k.csv", [row]), root)
    assert code == 0 and "1 thủ tục không đổi" in err
    assert path.read_text(encoding="utf-8") == text


def test_id_and_code_that_disagree_are_refused(tmp_path):
    root = _catalog(tmp_path)
    row = {**BIRTH_ABROAD, "id": "foreign-birth-registration", "Mã thủ tục": "1.004873"}  # code of another file
    code, _, err = run(write_csv(tmp_path / "c.csv", [row], headers=["id", *HEADERS]), root)
    assert code == 1 and "code '1.004873' already belongs to ho-tich/marriage-status-certification.yaml" in err


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
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["time_limit"]["working_days"] == 2
