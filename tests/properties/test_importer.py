"""The dossier importer either imports a file or refuses it with `FILE:LINE: reason` problems,
writes nothing when it refuses, and never fails any other way: whatever the bytes, encoding,
delimiter, headers, cell types or values, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import assume, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl import Workbook
from sqlalchemy import select

from assistant.dossiers.importer import DossierImportError, ProcedureIndex, import_dossiers
from assistant.store.models import Dossier, OutboxRow, StatusEvent
from tests.properties.strategies import INJECTION, PROPS, hostile_text

KNOWN = ("birth-registration", "marriage-status-certification")
INDEX = ProcedureIndex([("birth-registration", "1.001193", ["Đăng ký khai sinh"]),
                        ("marriage-status-certification", "1.004873", ["Cấp Giấy xác nhận tình trạng hôn nhân"])])
COLUMNS = {
    "code": ["Mã hồ sơ", "Số hồ sơ", "dossier code"],
    "procedure": ["Mã thủ tục", "Tên thủ tục", "procedure"],
    "received": ["Ngày tiếp nhận", "received at"],
    "status": ["Trạng thái", "Tình trạng"],
    "due": ["Ngày hẹn trả", "due date"],
    "new_due": ["Ngày hẹn trả mới"],
    "channel": ["Hình thức nộp"],
    "resolved": ["Ngày có kết quả"],
    "returned": ["Ngày trả kết quả"],
    "delivery": ["Hình thức nhận kết quả"],
    "note": ["Ghi chú"],
    "locality": ["Địa bàn"],
    "contact": ["Số điện thoại"],
    "ignored": ["Họ tên người nộp", "Địa chỉ", "", "Cột lạ (*)"],
}
_files = itertools.count()


@functools.cache
def codes() -> st.SearchStrategy[str]:
    good = st.builds(lambda seq: f"000.00.10.H32-261116-{seq:04d}", st.integers(1, 40))
    return st.one_of(good, good, st.just(" 000 00 10 h32 261116 0007 "), st.sampled_from(INJECTION),
                     hostile_text(allow_surrogates=False, long=False))


@functools.cache
def dates() -> st.SearchStrategy[str]:
    day = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    return st.one_of(
        day.map(lambda d: d.strftime("%d/%m/%Y")), day.map(lambda d: d.strftime("%d/%m/%Y %H:%M")),
        day.map(lambda d: d.isoformat()), st.just(""),
        st.sampled_from(["32/13/2026", "00/00/0000", "01/01/0001", "31/12/9999", "29/02/2027", "45000", "1e308",
                         "9999-99-99", "16/11/2026 25:61", "٠١/٠٢/٢٠٢٦", "16/11/2026\x00", "nan", "-1"]),
        hostile_text(allow_surrogates=False, long=False),
    )


@functools.cache
def cells(kind: str) -> st.SearchStrategy[str]:
    """Any value, mostly plausible, sometimes hostile."""
    hostile = hostile_text(allow_surrogates=False, long=False)
    choices = {
        "code": codes(),
        "procedure": st.one_of(st.sampled_from([*KNOWN, "1.004873", "Đăng ký khai sinh", "no-such-procedure",
                                                "x" * 200]), hostile),
        "status": st.one_of(st.sampled_from(["Đã tiếp nhận", "Đang giải quyết", "Yêu cầu bổ sung", "Đã giải quyết",
                                             "Đã trả kết quả", "received", "lạ lắm", ""]), hostile),
        "channel": st.one_of(st.sampled_from(["Trực tiếp", "Trực tuyến toàn trình", "Bưu chính", "", "bồ câu"]),
                             hostile),
        "delivery": st.one_of(st.sampled_from(["Trực tiếp", "Bưu điện", "Trực tuyến", "", "??"]), hostile),
        "note": st.one_of(st.just(""), hostile, hostile_text(allow_surrogates=False)),
        "locality": st.one_of(st.just("Khánh Vĩnh"), hostile),
        "contact": st.one_of(st.just("0912 345 678"), hostile),
        "ignored": hostile,
    }
    return choices.get(kind, dates())


PLAIN = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=30)


@functools.cache
def valid_cells(kind: str) -> st.SearchStrategy[str]:
    """A value the importer accepts (received dates fall before every later date)."""
    early = st.dates(dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    late = st.dates(dt.date(2026, 11, 11), dt.date(2026, 12, 31))
    choices = {
        "code": st.builds(lambda seq: f"000.00.10.H32-261116-{seq:04d}", st.integers(1, 40)),
        "procedure": st.sampled_from([*KNOWN, "1.004873", "Đăng ký khai sinh"]),
        "received": st.one_of(early.map(lambda d: d.strftime("%d/%m/%Y 08:30")), early.map(dt.date.isoformat)),
        "status": st.sampled_from(["Đã tiếp nhận", "Đang giải quyết", "Yêu cầu bổ sung", "Đã giải quyết",
                                   "Đã trả kết quả", "in_progress"]),
        "channel": st.sampled_from(["Trực tiếp", "Trực tuyến toàn trình", "Bưu chính", ""]),
        "delivery": st.sampled_from(["Trực tiếp", "Bưu điện", "Trực tuyến", ""]),
        "note": PLAIN, "locality": PLAIN, "contact": PLAIN, "ignored": PLAIN,
    }
    return choices.get(kind, st.one_of(st.just(""), late.map(lambda d: d.strftime("%d/%m/%Y"))))


@st.composite
def exports(draw) -> tuple[list[str], list[list[str]]]:
    """A header (required columns usually present, in any order, with extra ones) and rows,
    about half of them wholly valid, the others with any values; rows may be short or long."""
    kinds = ["code", "procedure", "received", "status"]
    kinds = [k for k in kinds if draw(st.integers(0, 15))]  # now and then a required column is missing
    kinds += draw(st.lists(st.sampled_from(sorted(set(COLUMNS) - {"code", "procedure", "received", "status"})),
                           unique=True, max_size=6))
    kinds = draw(st.permutations(kinds))
    header = [draw(st.sampled_from(COLUMNS[k])) for k in kinds]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        valid = draw(st.integers(0, 9)) < 7
        row = [draw(valid_cells(k) if valid or draw(st.integers(0, 3)) else cells(k)) for k in kinds]
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else [*row, draw(cells("note"))]
        rows.append(row)
    return header, rows


def quote(cell: str, delimiter: str) -> str:
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def csv_bytes(draw) -> bytes:
    header, rows = draw(exports())
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(delimiter.join(quote(c, delimiter) for c in row) for row in [header, *rows]) + newline
    encoding = draw(st.sampled_from(["utf-8"] * 10 + ["utf-8-sig", "utf-16", "cp1258", "latin-1"]))
    raw = text.encode(encoding, errors="replace")
    mangle = draw(st.integers(0, 9))
    if mangle == 0 and raw:  # bytes spliced in somewhere
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif mangle == 1 and raw:  # a cut-off download
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


def snapshot(engine) -> list:
    with engine.connect() as conn:
        return [conn.execute(select(t).order_by(t.c.id)).all()
                for t in (Dossier.__table__, StatusEvent.__table__, OutboxRow.__table__)]


def run_import(engine, path: Path, procedures: str) -> None:
    """Import; on refusal check the documented error and that nothing changed."""
    options: dict = {"procedures": INDEX} if procedures == "index" else (
        {"known_procedures": KNOWN} if procedures == "ids" else {})
    before = snapshot(engine)
    lines = max(1, path.read_bytes().count(b"\n") + 1) if path.suffix.lower() == ".csv" else 10**6
    try:
        report = import_dossiers(engine, path, due_for=lambda _pid, received: received.date() + dt.timedelta(days=3),
                                 now=dt.datetime(2026, 11, 23, 10, 0), **options)
    except DossierImportError as exc:
        assert exc.problems, "a refusal names at least one problem"
        for problem in exc.problems:
            match = re.match(rf"{re.escape(str(path))}:(\d+): \S", problem)
            assert match, problem
            assert 1 <= int(match.group(1)) <= lines, problem
        assert snapshot(engine) == before, "a refused file must not change anything"
        note(f"refused: {re.sub(r'[0-9]+', 'N', exc.problems[0].split(': ', 1)[1][:30])}")
        return
    assert report.rows == report.created + report.updated + report.unchanged
    note("imported" if report.rows else "imported (no rows)")


def note(outcome: str) -> None:
    """What happened, for `--hypothesis-show-statistics` (how many examples import at all)."""
    if currently_in_test_context():
        event(outcome)


@settings(PROPS, max_examples=120)
@given(raw=csv_bytes(), procedures=st.sampled_from(["index", "ids", "none"]))
@example(raw=b"\xff\xfe\x00", procedures="ids")  # UTF-16 BOM, then half a character
@example(raw=b"\xfe\xff\xd8\x00\x00a", procedures="ids")  # UTF-16 with a lone surrogate
@example(raw="Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n\"".encode() + b"x" * 140_000, procedures="ids")
@example(raw="Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái,Ghi chú\n"
             "000.00.10.H32-261116-0001,birth-registration,16/11/2026,Đã tiếp nhận,a\x00b\n".encode(), procedures="ids")
@example(raw="Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n"
             f"000.00.10.H32-261116-0002,{'x' * 200},16/11/2026,Đã tiếp nhận\n".encode(), procedures="none")
@example(raw="Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n"
             "000.00.10.H32-261116-0003,birth-registration,31/12/9999,Đã tiếp nhận\n".encode(), procedures="ids")
@example(raw="Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n"
             "000.00.10.H32-261116-0004,'; DROP TABLE dossiers;--,16/11/2026,Đã tiếp nhận\n".encode(), procedures="none")
@example(raw=b"\x00" * 64, procedures="ids")
def test_csv_import_all_or_nothing(engine, tmp_path, raw, procedures):
    path = tmp_path / f"export-{next(_files)}.csv"
    path.write_bytes(raw)
    run_import(engine, path, procedures)


def xlsx_safe(value):
    """openpyxl refuses control characters in strings (Excel cannot store them)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value) if isinstance(value, str) else value


XLSX_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)), st.dates(dt.date(1900, 3, 1)),
    st.times(), st.sampled_from([*KNOWN, "Đã tiếp nhận", "Trực tiếp", "16/11/2026", "000.00.10.H32-261116-0009"]),
    hostile_text(allow_surrogates=False, long=False),
)


@PROPS
@given(export=exports(), values=st.lists(st.one_of(st.just([]), st.lists(XLSX_VALUES, max_size=12)), max_size=6))
def test_xlsx_import_with_any_cell_types(engine, tmp_path, export, values):
    """Spreadsheet cells of every type (numbers, booleans, dates, times, text) in every column."""
    header, rows = export
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row, typed in itertools.zip_longest(rows, values, fillvalue=[]):
        cells = [typed[i] if i < len(typed) and typed[i] is not None else (row[i] if i < len(row) else None)
                 for i in range(max(len(row), len(typed)))]
        sheet.append([xlsx_safe(c) for c in cells])
    path = tmp_path / f"export-{next(_files)}.xlsx"
    try:
        book.save(path)
    except ValueError:  # openpyxl refuses some strings (e.g. over 32,767 characters)
        assume(False)
    run_import(engine, path, "index")


@PROPS
@given(raw=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".CSV", ".xlsm", ".txt"]))
def test_arbitrary_bytes(engine, tmp_path, raw, suffix):
    path = tmp_path / f"export-{next(_files)}{suffix}"
    path.write_bytes(raw)
    run_import(engine, path, "ids")


@pytest.mark.parametrize("damage", ["truncate-sheet", "garbage-sheet", "drop-sheet"])
def test_damaged_xlsx_is_refused_with_a_line(engine, tmp_path, damage):
    """A workbook whose zip opens but whose sheet is broken fails while rows are read, not at open."""
    book = Workbook()
    book.active.append(["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Trạng thái"])
    for seq in range(1, 200):
        book.active.append([f"000.00.10.H32-261116-{seq:04d}", "birth-registration", "16/11/2026", "Đã tiếp nhận"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    path = tmp_path / f"{damage}.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if damage == "drop-sheet":
                    continue
                data = data[: len(data) // 2] if damage == "truncate-sheet" else data[:200] + b"<<<\x00>>>" + data[200:]
            target.writestr(item, data)
    run_import(engine, path, "ids")
