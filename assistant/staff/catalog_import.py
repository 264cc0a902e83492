"""`catalog import`: build or update procedure files from a national-database spreadsheet.

Civil servants receive procedure lists as exports of the Cơ sở dữ liệu quốc gia về thủ tục
hành chính (one row per procedure, Vietnamese column headers, multi-line cells). Retyping
them into YAML is slow and error-prone, so this command maps each row onto our schema.

Two promises shape the design:

* Hand-written work is never lost. Existing files are updated through a round-trip YAML
  library, and only the top-level keys whose value really changes are re-rendered; every
  other line (comments, aliases, examples, notes, odd line wrapping) is kept byte for byte.
* All or nothing. Every resulting file is validated against the schema, and the whole
  catalogue is re-checked in a scratch copy; one bad row means nothing is written, and the
  row is reported as `SPREADSHEET:LINE: reason` so it can be fixed in the spreadsheet.

Layout: `cells` parses cell text (shared with `catalog new`), `sheet` reads the spreadsheet,
`yaml_edit` edits files without losing hand-written lines; this module plans the import
(which files change, all validated first) and runs it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from assistant.catalog.loader import (
    FIELDS_FILE,
    INSTRUMENTS_DIR,
    LOCALITIES_DIR,
    check_catalog,
    procedure_files,
)
from assistant.catalog.messages import explain
from assistant.catalog.schema import PROCEDURE_FACT_KEYS, Procedure
from assistant.catalog.yamlsource import YamlSyntaxError, load_yaml, read_yaml
from assistant.staff.cells import (
    NATIONAL_PORTAL,
    PROCEDURE_ORDER,
    RowError,
    cell_text,
    load_fields,
    one_line,
    parse_channels,
    parse_document_line,
    parse_fee,
    parse_legal_line,
    parse_level,
    parse_steps,
    parse_time_limit,
    resolve_field,
    slugify,
    split_lines,
)
from assistant.staff.resolution import vn_today
from assistant.staff.sheet import COLUMN_TITLES, Row, Sheet, SheetError, read_sheet
from assistant.staff.yaml_edit import detect_indent, dump, new_map, plain, splice, update_procedure, yaml_rt
from assistant.text.normalize import fold

# ---------------------------------------------------------------------------------------------
# Planning an import


@dataclass
class Change:
    row: Row
    proc_id: str
    path: Path  # where the file will be
    old_path: Path | None  # the existing file (differs from `path` when the field changed)
    old_text: str | None
    new_text: str

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text or self.old_path != self.path


@dataclass
class Existing:
    by_id: dict[str, Path]
    by_code: dict[str, Path]


def index_catalog(directory: Path) -> Existing:
    by_id: dict[str, Path] = {}
    by_code: dict[str, Path] = {}
    for path in procedure_files(directory) if directory.is_dir() else []:
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        if data.get("id"):
            by_id.setdefault(str(data["id"]), path)
        if data.get("code"):
            by_code.setdefault(str(data["code"]).strip(), path)
    return Existing(by_id, by_code)


def _code_text(value: object) -> str:
    # A national code typed into Excel as a number ("1.004873") comes back as a float.
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.6f}"
    return cell_text(value)


def row_values(row: Row, fields: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    """Our keys from one row; empty cells are left out (they never erase what a file says)."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    parsers: dict[str, Callable[[str], Any]] = {
        "id": lambda t: t.strip(),
        "name": one_line,
        "field": lambda t: resolve_field(t, fields),
        "level": parse_level,
        "agency": one_line,
        "applicants": split_lines,
        "documents": lambda t: [parse_document_line(line) for line in split_lines(t)
                                if not fold(line).startswith(("so luong ho so", "thanh phan ho so"))],
        "time_limit": parse_time_limit,
        "fees": parse_fee,
        "where": lambda t: [{"name": line} for line in split_lines(t)],
        "channels": parse_channels,
        "steps": parse_steps,
        "result": one_line,
        "legal_basis": lambda t: [parse_legal_line(line) for line in split_lines(t)],
    }
    for key, raw in row.cells.items():
        text = _code_text(raw) if key == "code" else cell_text(raw)
        if not text:
            continue
        try:
            values[key] = text if key == "code" else parsers[key](text)
        except RowError as exc:
            errors.append(exc)
    if "legal_basis" in values:
        pairs = values.pop("legal_basis")
        values["legal_basis"] = [ref for ref, _ in pairs]
        values[INSTRUMENTS_KEY] = [entry for _, entry in pairs]
    return values, errors


INSTRUMENTS_KEY = "_instruments"  # registry entries found in a row (not a procedure key)
IMPORTED_INSTRUMENTS = "imported.yaml"


def _column(sheet: Sheet, key: str) -> str:
    return sheet.columns.get(key) or COLUMN_TITLES.get(key, key)


def _validation_messages(sheet: Sheet, exc: ValidationError) -> list[str]:
    messages = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        column = _column(sheet, str(loc[0])) if loc else "?"
        text = explain(err, Procedure, loc)
        if err["type"] == "missing":
            messages.append(f"{text} (cột '{column}' không có hoặc để trống)")
        else:
            messages.append(f"cột '{column}': {text}")
    return messages


@dataclass
class Plan:
    changes: list[Change]
    errors: list[str]  # "SHEET:LINE: reason"
    unchanged: int = 0
    registry: Change | None = None  # instruments the rows cite that the registry lacks


def plan_import(sheet: Sheet, directory: Path, today: dt.date | None = None) -> Plan:
    """Everything the import would write, or the reasons it must not write anything."""
    today = today or vn_today()  # the date staff see on their calendar, not the server's UTC day
    fields = load_fields(directory)
    existing = index_catalog(directory)
    errors: list[str] = []
    changes: list[Change] = []
    seen: dict[str, int] = {}

    def fail(row: Row, message: str) -> None:
        errors.append(f"{sheet.path}:{row.line}: {message}")

    known_instruments = registered_instruments(directory)
    new_instruments: dict[str, tuple[Row, dict[str, Any]]] = {}
    for row in sheet.rows:
        values, row_errors = row_values(row, fields)
        for exc in row_errors:
            fail(row, f"cột '{_column(sheet, exc.column)}': {exc.message}")
        if row_errors:
            continue
        for entry in values.pop(INSTRUMENTS_KEY, []):
            if entry["number"] not in known_instruments:
                new_instruments.setdefault(entry["number"], (row, entry))
        code = values.get("code")
        proc_id = values.get("id")
        old_path: Path | None = None
        if proc_id:
            old_path = existing.by_id.get(proc_id)
            owner = existing.by_code.get(code) if code else None
            if owner is not None and owner != old_path:
                fail(row, f"mã thủ tục '{code}' đã thuộc về tệp {owner.relative_to(directory)}; "
                          "hãy dùng id của tệp đó hoặc để trống ô id")
                continue
        elif code and code in existing.by_code:
            old_path = existing.by_code[code]
        elif values.get("name"):
            proc_id = slugify(values["name"])
            old_path = existing.by_id.get(proc_id)
        else:
            fail(row, "dòng này không có id, mã thủ tục hay tên thủ tục để nhận ra thủ tục")
            continue
        change = _plan_row(sheet, row, values, proc_id, old_path, directory, today, fail)
        if change is None:
            continue
        if change.proc_id in seen:
            fail(row, f"thủ tục '{change.proc_id}' đã có ở dòng {seen[change.proc_id]}")
            continue
        seen[change.proc_id] = row.line
        changes.append(change)

    registry = registry_change(directory, new_instruments) if new_instruments else None
    if not errors:
        extra = [registry] if registry else []
        errors.extend(_catalogue_errors(sheet, directory, [c for c in changes if c.changed] + extra))
    plan = Plan([c for c in changes if c.changed], errors, registry=registry)
    plan.unchanged = len(changes) - len(plan.changes)
    return plan


def registered_instruments(directory: Path) -> set[str]:
    numbers: set[str] = set()
    for path in sorted((directory / INSTRUMENTS_DIR).glob("*.y*ml")) if (directory / INSTRUMENTS_DIR).is_dir() else []:
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        numbers |= {str(i["number"]) for i in data or [] if isinstance(i, dict) and i.get("number")}
    return numbers


def registry_change(directory: Path, new: dict[str, tuple[Row, dict[str, Any]]]) -> Change:
    """Instruments cited by the sheet but not registered are added to instruments/imported.yaml,
    with the title as the sheet writes it; staff complete the dates (in_force, replaced_by)."""
    path = directory / INSTRUMENTS_DIR / IMPORTED_INSTRUMENTS
    old_text = path.read_text(encoding="utf-8") if path.exists() else None
    seq = yaml_rt(4, 2).load(old_text) if old_text else None
    if not isinstance(seq, CommentedSeq):
        seq = CommentedSeq()
    for _, entry in sorted(new.values(), key=lambda item: item[0].line):
        seq.append(new_map(entry, ["number", "title", "short", "in_force", "amended_by", "replaced_by", "expires"]))
    text = dump(seq, 2, 0)
    if old_text is None:
        text = ("# Văn bản do `catalog import` thêm từ bảng tính; cán bộ bổ sung ngày hiệu lực, văn bản thay thế.\n"
                + text)
    row = min((r for r, _ in new.values()), key=lambda r: r.line)
    return Change(row, "instruments", path, path if old_text is not None else None, old_text, text)


def _plan_row(sheet: Sheet, row: Row, values: dict[str, Any], proc_id: str | None, old_path: Path | None,
              directory: Path, today: dt.date, fail: Callable[[Row, str], None]) -> Change | None:
    if old_path is not None:
        old_text = old_path.read_text(encoding="utf-8")
        try:
            doc = yaml_rt().load(old_text)
        except Exception as exc:  # ruamel raises several error types for broken YAML
            fail(row, f"không cập nhật được {old_path.relative_to(directory)}: {exc}")
            return None
        if not isinstance(doc, CommentedMap):
            fail(row, f"không cập nhật được {old_path.relative_to(directory)}: tệp không phải một nhóm khóa")
            return None
        values.pop("id", None)  # the file keeps its id; a matching code found it
        channels = values.get("channels")
        current = doc.get("channels")
        if (channels and channels["online"] != "none" and "online_url" not in channels
                and not (isinstance(current, dict) and current.get("online_url"))):
            channels["online_url"] = NATIONAL_PORTAL
        snapshot = plain(doc)
        original = yaml_rt().load(old_text)
        if not doc.get("sources"):
            values["sources"] = [_sheet_source(sheet, values, today)]
        update_procedure(doc, values)
        sequence, offset = detect_indent(old_text)
        new_text = old_text
        if plain(doc) != snapshot:
            new_text = splice(old_text, original, snapshot, doc, sequence, offset)
            if load_yaml(new_text) != plain(doc):  # pragma: no cover - a safety net, never seen
                new_text = dump(doc, sequence, offset)  # whole-file rendering still keeps comments
        proc_id = str(doc.get("id", proc_id))
        field_slug = str(doc.get("field", ""))
        path = old_path if old_path.parent.name == field_slug or not field_slug else directory / field_slug / old_path.name
    else:
        old_text = None
        values = {"id": proc_id, **values}
        if "where" not in values and values.get("agency"):
            values["where"] = [{"name": values["agency"]}]  # citizens hand in papers at the agency itself
        channels = values.get("channels")
        if channels and channels["online"] != "none" and "online_url" not in channels:
            channels["online_url"] = NATIONAL_PORTAL
        values["sources"] = [_sheet_source(sheet, values, today)]  # never `reviewed`: a person signs that
        if not values.get("field"):
            fail(row, f"thiếu lĩnh vực (cần cột '{_column(sheet, 'field')}' để tạo thủ tục '{proc_id}')")
            return None
        new_text = dump(new_map(values, PROCEDURE_ORDER))
        path = directory / values["field"] / f"{proc_id}.yaml"
    try:
        Procedure.model_validate(load_yaml(new_text))
    except ValidationError as exc:
        for message in _validation_messages(sheet, exc):
            fail(row, f"{proc_id}: {message}")
        return None
    if old_path is None and path.exists():
        fail(row, f"tệp {path.relative_to(directory)} đã có với id khác")
        return None
    return Change(row, str(proc_id), path, old_path, old_text, new_text)


def _sheet_source(sheet: Sheet, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Where the imported facts come from: the national-database export, read today."""
    supports = [key for key in PROCEDURE_ORDER if key in values and key in PROCEDURE_FACT_KEYS]
    return {"supports": supports or ["name"],
            "title": f"Cơ sở dữ liệu quốc gia về thủ tục hành chính (tệp xuất {sheet.path.name})",
            "checked": today}


def _catalogue_errors(sheet: Sheet, directory: Path, changes: list[Change]) -> list[str]:
    """Errors the changes would add to the catalogue (duplicate aliases, broken locality overrides...)."""
    if not changes or not directory.is_dir():
        return []
    before = {(relative_path(p.path, directory), without_root(p.message, directory, directory))
              for p in check_catalog(directory) if p.severity == "error"}
    with tempfile.TemporaryDirectory(prefix="catalog-import-") as scratch:
        copy = Path(scratch) / "catalog"
        shutil.copytree(directory, copy)
        for change in changes:
            if change.old_path is not None and change.old_path != change.path:
                (copy / change.old_path.relative_to(directory)).unlink()
            target = copy / change.path.relative_to(directory)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change.new_text, encoding="utf-8")
        after = [p for p in check_catalog(copy) if p.severity == "error"]
        present = set(index_catalog(copy).by_id)
        by_file = {change.path.relative_to(directory): change for change in changes}
        by_id = {change.proc_id: change for change in changes}
        messages = []
        for problem in after:
            rel = relative_path(problem.path, copy)
            text = without_root(problem.message, copy, directory)
            if (rel, text) in before:
                continue
            missing = re.match(r"thủ tục liên quan '([^']+)' không có trong danh mục", text)
            if missing and missing.group(1) in present:
                continue  # the file exists but failed for a reason reported on its own line
            change = (by_file.get(rel) or by_id.get(_override_owner(problem.path, problem.line) or "")
                      or next((c for c in changes if f"'{c.proc_id}'" in text), None))
            line = change.row.line if change else 1
            messages.append(f"{sheet.path}:{line}: {rel}:{problem.line}: {text}")
        return messages


def _override_owner(path: Path, line: int) -> str | None:
    """The procedure whose locality override sits at `line`, so the error names the right row."""
    if LOCALITIES_DIR not in path.parts:
        return None
    try:
        doc = read_yaml(path)
    except YamlSyntaxError:
        return None
    owners = [(start, loc[1]) for loc, start in doc.lines.items()
              if len(loc) == 2 and loc[0] == "procedures" and start <= line]
    return str(max(owners)[1]) if owners else None


def relative_path(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def without_root(message: str, root: Path, real: Path) -> str:
    return message.replace(f"{root}{os.sep}", "").replace(f"{real}{os.sep}", "")


# ---------------------------------------------------------------------------------------------
# Running


def diff(change: Change, directory: Path) -> str:
    old_name = f"a/{change.old_path.relative_to(directory)}" if change.old_path else "/dev/null"
    new_name = f"b/{change.path.relative_to(directory)}"
    old_lines = (change.old_text or "").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old_lines, change.new_text.splitlines(keepends=True), old_name, new_name))


def write_changes(changes: list[Change]) -> None:
    """Each file is replaced atomically, so a reader never sees half a file."""
    for change in changes:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = change.path.with_name(f".{change.path.name}.tmp")
        temporary.write_text(change.new_text, encoding="utf-8")
        os.replace(temporary, change.path)
        if change.old_path is not None and change.old_path != change.path:
            change.old_path.unlink()


def run_import(file: Path, directory: Path, dry_run: bool = False, out: TextIO | None = None,
               err: TextIO | None = None, today: dt.date | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if not (directory / FIELDS_FILE).is_file():
        print(f"{directory / FIELDS_FILE}:1: danh mục không có {FIELDS_FILE}; hãy kiểm tra --dir", file=err)
        return 1
    try:
        sheet = read_sheet(file)
    except SheetError as exc:
        print(exc, file=err)
        print("Không ghi tệp nào.", file=err)
        return 1
    except OSError as exc:
        print(f"{file}:1: không đọc được tệp: {exc.strerror}", file=err)
        return 1
    if sheet.ignored:
        print("Bỏ qua các cột không dùng: " + ", ".join(sheet.ignored), file=err)
    plan = plan_import(sheet, directory, today)
    if plan.errors:
        for message in plan.errors:
            print(message, file=err)
        print(f"Không ghi tệp nào vì có {len(plan.errors)} lỗi; hãy sửa bảng tính rồi chạy lại.", file=err)
        return 1
    everything = plan.changes + ([plan.registry] if plan.registry else [])
    if dry_run:
        for change in everything:
            out.write(diff(change, directory))
        print(f"Chạy thử: {_summary(plan)}; chưa ghi tệp nào.", file=err)
        return 0
    write_changes(everything)
    if plan.registry:
        print(f"Thêm văn bản vào {plan.registry.path.relative_to(directory)}: hãy bổ sung ngày hiệu lực "
              "(in_force) và văn bản thay thế (replaced_by) nếu có.", file=out)
    for change in plan.changes:
        verb = "Tạo mới" if change.old_path is None else ("Chuyển" if change.old_path != change.path else "Cập nhật")
        print(f"{verb}: {change.path.relative_to(directory)} (dòng {change.row.line})", file=out)
    print(f"Xong: {_summary(plan)}. Nên chạy thêm: python -m assistant catalog check", file=err)
    return 0


def _summary(plan: Plan) -> str:
    created = sum(1 for c in plan.changes if c.old_path is None)
    return f"{created} tệp mới, {len(plan.changes) - created} tệp cập nhật, {plan.unchanged} thủ tục không đổi"
