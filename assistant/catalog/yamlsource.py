"""Read YAML while remembering where every key and item came from.

Civil servants edit these files by hand; an error message that says
`ho-tich/khai-sinh.yaml:42: ...` saves them a search through a long file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]

# A procedure file is a few kilobytes; anything this big is a mistake or an attack, and parsing it
# would hold the process (and its memory) while citizens wait.
MAX_YAML_BYTES = 256 * 1024


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    severity: str = "error"  # "error" | "warning"
    kind: str = ""  # groups warnings in `catalog check` output ("nguồn cũ", "chưa kiểm chứng", ...)

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "cảnh báo: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass
class SourceDoc:
    """Parsed YAML plus a map from a location (keys/indexes) to its 1-based line."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known prefix of `loc` (a missing key points at its parent)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, loc: Loc, doc: SourceDoc) -> None:
    doc.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            if key in seen:
                doc.duplicate_keys.append((key, key_node.start_mark.line + 1))
            seen.add(key)
            doc.lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), doc)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[(*loc, index)] = item.start_mark.line + 1
            _walk(item, (*loc, index), doc)


# libyaml's parser when PyYAML was built with it: the pure-Python one takes about four seconds to
# read the catalogue three times over (aliases, data, line numbers), which a staff /reload waits for.
_SAFE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SAFE):  # type: ignore[misc,valid-type]
    """SafeLoader that keeps an impossible date ("2026-11-31") as text for a clear message later,
    instead of crashing with a Python ValueError."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

# YAML 1.2 booleans only: in YAML 1.1 `on`, `off`, `yes`, `no` are booleans, which would turn the
# `on:` key of `reviewed: {on: ..., by: ...}` (and a Vietnamese answer "no") into True/False.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def load_yaml(text: str) -> Any:
    """Parse catalogue YAML the way the loader does (YAML 1.2 booleans, impossible dates kept as text;
    anchors and aliases refused, see `_refuse_aliases`)."""
    _refuse_aliases(Path("<yaml>"), text)
    return yaml.load(text, Loader=_Loader)


class YamlSyntaxError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_yaml(path: Path, text: str | None = None) -> SourceDoc:
    """Parse one YAML file; raise YamlSyntaxError naming file:line for malformed YAML."""
    if text is None:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise YamlSyntaxError(_too_big(path, path.read_bytes()[:MAX_YAML_BYTES].decode("utf-8", "replace")))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise YamlSyntaxError(Problem(path, 1, f"tệp không phải văn bản UTF-8 ({exc.reason})")) from exc
    if len(text) > MAX_YAML_BYTES or len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise YamlSyntaxError(_too_big(path, text[:MAX_YAML_BYTES]))
    try:
        _refuse_aliases(path, text)
        data = yaml.load(text, Loader=_Loader)
        root = yaml.compose(text, Loader=_SAFE)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = exc.problem or str(exc)
        raise YamlSyntaxError(Problem(path, line, f"lỗi cú pháp YAML: {reason}")) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(path, 1, f"lỗi YAML: {exc}")) from exc
    except RecursionError as exc:  # absurdly deep nesting
        raise YamlSyntaxError(Problem(path, 1, "YAML lồng nhau quá sâu")) from exc
    doc = SourceDoc(path=path, data=data)
    if root is not None:
        _walk(root, (), doc)
    return doc


def _too_big(path: Path, head: str) -> Problem:
    return Problem(path, head.count("\n") + 1,
                   f"tệp lớn hơn {MAX_YAML_BYTES // 1024} KB; hãy tách hoặc rút gọn tệp")


def _refuse_aliases(path: Path, text: str) -> None:
    """Anchors and aliases (`&x`, `*x`) let a few hundred bytes expand to gigabytes (the
    "billion laughs"); a hand-edited catalogue never needs them. The event stream is read
    without building anything, so the check itself costs nothing."""
    for event in yaml.parse(text, Loader=_SAFE):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlSyntaxError(Problem(path, event.start_mark.line + 1,
                                          "không dùng neo và bí danh YAML (&tên, *tên); "
                                          "hãy viết đầy đủ giá trị"))
