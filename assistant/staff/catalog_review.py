"""`catalog review ID --by NAME`: a person records that they checked a procedure's facts.

`reviewed` used to be stamped by the tools with today's date, which claimed a check nobody
made. Now only this command writes it, naming who checked and when; the rest of the file
(comments, wrapping, quoting) is kept byte for byte by splicing only the `reviewed` block,
as `catalog import` does.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import yaml
from ruamel.yaml.comments import CommentedMap

from assistant.catalog.loader import check_catalog, procedure_files
from assistant.catalog.schema import Review
from assistant.catalog.yamlsource import load_yaml
from assistant.staff.catalog_import import detect_indent, plain, splice, yaml_rt

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def find_procedure(directory: Path, proc_id: str) -> Path | None:
    for path in procedure_files(directory) if directory.is_dir() else []:
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and str(data.get("id")) == proc_id:
            return path
    return None


def stamp(text: str, by: str, on: dt.date) -> str:
    """The file text with `reviewed: {on, by}` set (added at the end, or replaced in place)."""
    doc = yaml_rt().load(text)
    if not isinstance(doc, CommentedMap):
        raise ValueError("tệp thủ tục phải là một nhóm khóa (id, name, ...)")
    snapshot = plain(doc)
    original = yaml_rt().load(text)
    review = CommentedMap()
    review["on"] = on
    review["by"] = by
    if "reviewed" in doc:
        doc["reviewed"] = review
    else:
        doc.insert(len(doc), "reviewed", review)
    sequence, offset = detect_indent(text)
    return splice(text, original, snapshot, doc, sequence, offset)


def run_review(directory: Path, proc_id: str, by: str, on: dt.date | None = None,
               out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    by = " ".join(by.split())
    on = on or dt.datetime.now(VN_TZ).date()
    try:
        Review(on=on, by=by)
    except Exception:  # pydantic's message is for developers; the staff member gets this one
        print("Cần ghi tên người rà soát sau --by, ví dụ: --by \"Nguyễn Văn A\".", file=err)
        return 2
    path = find_procedure(directory, proc_id)
    if path is None:
        print(f"{directory}: không có thủ tục có id '{proc_id}'.", file=err)
        return 1
    errors = [p for p in check_catalog(directory) if p.severity == "error" and p.path == path]
    if errors:
        for problem in errors:
            print(problem, file=err)
        print(f"Chưa ghi xác nhận rà soát: {path} còn {len(errors)} lỗi; hãy sửa rồi rà soát lại.", file=err)
        return 1
    text = path.read_text(encoding="utf-8")
    new_text = stamp(text, by, on)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(new_text, encoding="utf-8")
    os.replace(temporary, path)
    print(f"Đã ghi: {path} được {by} rà soát ngày {on:%d/%m/%Y}.", file=out)
    return 0


__all__ = ["find_procedure", "run_review", "stamp"]
