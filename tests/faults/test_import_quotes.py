"""Finding 1: a CSV whose quoting went wrong must be refused with FILE:LINE, nothing written.

Before the fix, a note opening a quote that never closes swallowed every later row into one
cell and the file imported as "1 rows: 1 new" (also on --dry-run)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from assistant.dossiers.importer import DossierImportError, import_dossiers
from assistant.store.models import Dossier
from tests.cli.test_dossier import run  # noqa: F401  (fixture)

HEADER = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Ghi chú"]
KNOWN = {"marriage-status-certification", "birth-registration"}
CODE = "000.00.10.H32-261116-{:04d}"


def _line(seq: int, note: str = "") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        [CODE.format(seq), "marriage-status-certification", "16/11/2026 09:00", "19/11/2026", "Đã tiếp nhận", note])
    return buffer.getvalue()


def _export(path, lines: list[str]):
    path.write_text(",".join(HEADER) + "\n" + "".join(lines), encoding="utf-8")
    return path


def _stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Dossier)).scalar()


def _unclosed(path, rows: int = 900):
    broken = (f'{CODE.format(1)},marriage-status-certification,16/11/2026 09:00,19/11/2026,Đã tiếp nhận,'
              '"Gọi lại cho chị B\n')
    return _export(path, [broken] + [_line(i) for i in range(2, rows + 1)])


@pytest.mark.parametrize("dry_run", [False, True])
def test_unclosed_quote_refused(sqlite_engine, tmp_path, dry_run):
    path = _unclosed(tmp_path / "export.csv")
    with pytest.raises(DossierImportError) as caught:
        import_dossiers(sqlite_engine, path, known_procedures=KNOWN, dry_run=dry_run)
    assert caught.value.problems[0].startswith(f"{path}:2: ")
    assert "không bao giờ được đóng" in caught.value.problems[0]
    assert _stored(sqlite_engine) == 0


def test_quote_closing_rows_later_refused(sqlite_engine, tmp_path):
    """A stray quote that a later note closes swallows the rows in between, with the right cell count."""
    lines = [_line(1)]
    lines.append(f'{CODE.format(2)},marriage-status-certification,16/11/2026,19/11/2026,Đã tiếp nhận,"thiếu\n')
    lines += [_line(i) for i in range(3, 8)]
    lines.append(f'{CODE.format(8)},marriage-status-certification,16/11/2026,19/11/2026,Đã tiếp nhận,hết"\n')
    path = _export(tmp_path / "export.csv", lines)
    with pytest.raises(DossierImportError) as caught:
        import_dossiers(sqlite_engine, path, known_procedures=KNOWN)
    assert caught.value.problems[0].startswith(f"{path}:3: ")
    assert _stored(sqlite_engine) == 0


@pytest.mark.parametrize("cells", [5, 7])
def test_cell_count_must_match_header(sqlite_engine, tmp_path, cells):
    row = [CODE.format(2), "marriage-status-certification", "16/11/2026", "19/11/2026", "Đã tiếp nhận", "x", "y"]
    path = _export(tmp_path / "export.csv", [_line(1), ",".join(row[:cells]) + "\n", _line(3)])
    with pytest.raises(DossierImportError) as caught:
        import_dossiers(sqlite_engine, path, known_procedures=KNOWN)
    assert caught.value.problems == [f"{path}:3: dòng có {cells} ô nhưng dòng tiêu đề có 6 cột; "
                                     "kiểm tra dấu phân cách và dấu ngoặc kép trên dòng này"]
    assert _stored(sqlite_engine) == 0


def test_legitimate_multiline_note_and_trailing_empty_cells_still_import(sqlite_engine, tmp_path):
    path = _export(tmp_path / "export.csv", [_line(1, "dòng một\ndòng hai"), _line(2).rstrip("\n") + ",,\n", _line(3)])
    report = import_dossiers(sqlite_engine, path, known_procedures=KNOWN)
    assert (report.rows, report.created) == (3, 3)


def test_cli_refuses_unclosed_quote_dry_run_too(run, tmp_path):  # noqa: F811
    path = _unclosed(tmp_path / "export.csv", rows=50)
    for argv in (("dossier", "import", "--dry-run", str(path)), ("dossier", "import", str(path))):
        code, out, err = run(*argv)
        assert code == 1 and out == "" and err.startswith(f"{path}:2: ")
    code, out, _ = run("dossier", "list")
    assert out == ""
