"""Round-trip YAML editing that never loses hand-written work.

Existing procedure files are updated through ruamel.yaml, and only the top-level keys whose
value really changes are re-rendered; every other line (comments, aliases, examples, notes,
odd line wrapping) is kept byte for byte (`splice`).
"""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from assistant.staff.cells import (
    NESTED_ORDER,
    OWNED_SUBKEYS,
    PROCEDURE_ORDER,
    document_key,
    parse_document_line,
)

# ---------------------------------------------------------------------------------------------
# Round-trip YAML


def yaml_rt(sequence: int = 4, offset: int = 2) -> YAML:
    yaml_ = YAML()
    yaml_.preserve_quotes = True
    yaml_.width = 4096  # never re-wrap long Vietnamese lines
    yaml_.indent(mapping=2, sequence=sequence, offset=offset)
    return yaml_


def detect_indent(text: str) -> tuple[int, int]:
    """(sequence, offset) as the file already writes lists, so re-rendered keys look like their neighbours."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for current, following in itertools.pairwise(lines):
        key = re.match(r"^( *)[^\s\-#][^:]*:\s*(#.*)?$", current)
        dash = re.match(r"^( *)- ", following)
        if key and dash:
            offset = len(dash.group(1)) - len(key.group(1))
            if offset >= 0:
                return offset + 2, offset
    return 4, 2


def dump(data: Any, sequence: int = 4, offset: int = 2) -> str:
    out = io.StringIO()
    yaml_rt(sequence, offset).dump(data, out)
    return out.getvalue()


def plain(value: Any) -> Any:
    """Round-trip nodes as plain Python values, for comparisons."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def _styled(old: Any, new: Any) -> Any:
    """Keep the quoting of the value being replaced ("1.004873" stays double-quoted)."""
    if isinstance(new, str) and isinstance(old, DoubleQuotedScalarString | SingleQuotedScalarString):
        return type(old)(new)
    return new


def _insert(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Insert `key` after the last existing key that precedes it in the canonical order."""
    rank = order.index(key) if key in order else len(order)
    position = 0
    for index, existing in enumerate(mapping):
        if existing in order and order.index(existing) < rank:
            position = index + 1
    mapping.insert(position, key, value)


def _set(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    if key in mapping:
        if plain(mapping[key]) != plain(value) or type(plain(mapping[key])) is not type(plain(value)):
            mapping[key] = _styled(mapping[key], value)
    else:
        _insert(mapping, key, value, order)


def new_map(values: dict[str, Any], order: list[str]) -> CommentedMap:
    mapping = CommentedMap()
    for key in sorted(values, key=lambda k: order.index(k) if k in order else len(order)):
        value = values[key]
        if isinstance(value, list):
            value = CommentedSeq(new_map(v, NESTED_ORDER.get(key, [])) if isinstance(v, dict) else v for v in value)
        elif isinstance(value, dict):
            value = new_map(value, NESTED_ORDER.get(key, []))
        mapping[key] = value
    return mapping


def _sync_seq(seq: CommentedSeq, items: list[Any]) -> None:
    """Make `seq` hold `items` position by position, so comments on unchanged items stay put."""
    for index, item in enumerate(items):
        if index < len(seq):
            if seq[index] is not item and plain(seq[index]) != plain(item):
                seq[index] = _styled(seq[index], item)
        else:
            seq.append(item)
    while len(seq) > len(items):
        del seq[len(seq) - 1]


def _sync_keyed(seq: CommentedSeq, items: list[dict[str, Any]], order: list[str]) -> None:
    """Documents / places matched by name: a matched entry keeps its hand-written keys (note, form...)."""
    unused = [entry for entry in seq if isinstance(entry, CommentedMap)]
    result = []
    for item in items:
        wanted = document_key(item["name"])
        match = next((e for e in unused if document_key(str(e.get("name", ""))) == wanted), None)
        if match is None:
            result.append(new_map(item, order))
            continue
        unused.remove(match)
        for key, value in item.items():
            if key == "name" and parse_document_line(str(match.get("name", "")))["name"] == value:
                continue  # "Giấy tờ X (nếu có)" written by hand is the same document: keep its wording
            _set(match, key, value, order)
        result.append(match)
    _sync_seq(seq, result)


def update_procedure(doc: CommentedMap, values: dict[str, Any]) -> None:
    """Apply spreadsheet values to a round-trip mapping; keys not in `values` are left alone."""
    for key, value in values.items():
        current = doc.get(key)
        if key == "fees" and isinstance(current, CommentedMap) and _dated(current.get("windows")):
            continue  # dated fee windows are written by a person from the instruments: keep them
        if key in OWNED_SUBKEYS and isinstance(current, CommentedMap):
            order = NESTED_ORDER[key]
            for sub in OWNED_SUBKEYS[key] | set(value):
                if sub in value:
                    _set(current, sub, value[sub], order)
                elif sub in current:
                    del current[sub]
        elif key in ("documents", "where") and isinstance(current, CommentedSeq):
            _sync_keyed(current, value, NESTED_ORDER[key])
        elif isinstance(value, list) and isinstance(current, CommentedSeq):
            _sync_seq(current, list(value))
        elif isinstance(value, list | dict):
            new = new_map({key: value}, PROCEDURE_ORDER)[key]
            if key in doc:
                doc[key] = new
            else:
                _insert(doc, key, new, PROCEDURE_ORDER)
        else:
            _set(doc, key, value, PROCEDURE_ORDER)


def _dated(windows: Any) -> bool:
    return isinstance(windows, list) and any(isinstance(w, dict) and ("from" in w or "until" in w) for w in windows)


def _blocks(lines: list[str], starts: list[tuple[str, int]]) -> dict[str, tuple[list[str], list[str]]]:
    """key -> (its own lines, the comment/blank lines after it that introduce the next key)."""
    result = {}
    for index, (key, start) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else len(lines)
        end = stop
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        result[key] = (lines[start:end], lines[end:stop])
    return result


def _key_starts(data: CommentedMap) -> list[tuple[str, int]]:
    return sorted(((str(k), data.lc.key(k)[0]) for k in data), key=lambda item: item[1])


def splice(original_text: str, original: CommentedMap, snapshot: dict[str, Any], updated: CommentedMap,
           sequence: int, offset: int) -> str:
    """The original text with only the changed top-level keys replaced by their new rendering.

    Keeping untouched keys byte for byte is what makes the diff minimal even when the file was
    wrapped or quoted differently from how the YAML library would write it.
    """
    lines = original_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts = _key_starts(original)
    old_blocks = _blocks(lines, starts)
    rendered = dump(updated, sequence, offset)
    new_lines = rendered.splitlines(keepends=True)
    new_blocks = _blocks(new_lines, _key_starts(yaml_rt().load(rendered)))
    out = lines[: starts[0][1]] if starts else []
    pending: list[str] = []
    for key in updated:
        key = str(key)
        if key in old_blocks:
            out += pending
            block, pending = old_blocks[key]
            if plain(updated[key]) != snapshot.get(key):
                trailing = {line.strip() for line in pending if line.strip()}
                block = [line for line in new_blocks[key][0] if not (line.startswith("#") and line.strip() in trailing)]
            out += block
        else:
            out += new_blocks[key][0]
    out += pending
    return "".join(out)
