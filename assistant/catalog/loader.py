"""Load and validate the procedure catalogue (one YAML file per procedure).

Loading is all-or-nothing: a catalogue with any error raises `CatalogError` listing every
problem as `file:line: message`, so a running bot can keep the last good catalogue.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.catalog.schema import Locality, Procedure
from assistant.catalog.yamlsource import Problem, SourceDoc, YamlSyntaxError, read_yaml
from assistant.text.normalize import normalize

FIELDS_FILE = "fields.yaml"
LOCALITIES_DIR = "localities"


class CatalogError(Exception):
    """A catalogue that must not be served. `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listing = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the catalogue:\n{listing}")


@dataclass
class Catalog:
    procedures: dict[str, Procedure]
    fields: dict[str, str]  # slug -> Vietnamese name
    locality: Locality | None
    directory: Path
    version: str
    sources: dict[str, Path] = field(default_factory=dict)  # procedure id -> file

    def get(self, procedure_id: str) -> Procedure | None:
        return self.procedures.get(procedure_id)

    def by_field(self, slug: str) -> list[Procedure]:
        return sorted((p for p in self.procedures.values() if p.field == slug), key=lambda p: p.name)

    def __len__(self) -> int:
        return len(self.procedures)


def _valid(data: dict[str, Any]) -> bool:
    try:
        Procedure.model_validate(data)
    except ValidationError:
        return False
    return True


def _format_pydantic(exc: ValidationError, doc: SourceDoc, base: tuple = ()) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = (*base, *err["loc"])
        where = ".".join(str(part) for part in err["loc"]) or "(file)"
        kind = err["type"]
        if kind == "missing":
            message = f"missing required key '{where}'"
        elif kind == "extra_forbidden":
            message = f"unknown key '{where}'"
        else:
            message = f"{where}: {err['msg']}"
        problems.append(Problem(doc.path, doc.line_of(loc), message))
    return problems


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and scalars replace (a locality lists its own places)."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def procedure_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*.y*ml")
        if p.name != FIELDS_FILE and LOCALITIES_DIR not in p.relative_to(directory).parts[:-1]
    )


def _read(path: Path, problems: list[Problem]) -> SourceDoc | None:
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(exc.problem)
        return None
    except OSError as exc:
        problems.append(Problem(path, 1, f"cannot read file: {exc.strerror}"))
        return None
    for key, line in doc.duplicate_keys:
        problems.append(Problem(path, line, f"duplicate key '{key}'"))
    return doc


def _load_fields(directory: Path, problems: list[Problem]) -> dict[str, str]:
    path = directory / FIELDS_FILE
    if not path.exists():
        problems.append(Problem(path, 1, "fields.yaml is missing (list of {slug, name})"))
        return {}
    doc = _read(path, problems)
    if doc is None:
        return {}
    fields: dict[str, str] = {}
    if not isinstance(doc.data, list):
        problems.append(Problem(path, 1, "fields.yaml must be a list of {slug, name}"))
        return {}
    for index, item in enumerate(doc.data):
        if not isinstance(item, dict) or not item.get("slug") or not item.get("name"):
            problems.append(Problem(path, doc.line_of((index,)), "each field needs 'slug' and 'name'"))
            continue
        fields[str(item["slug"])] = str(item["name"])
    return fields


def _load_locality(directory: Path, slug: str, problems: list[Problem]) -> tuple[Locality | None, SourceDoc | None]:
    path = directory / LOCALITIES_DIR / f"{slug}.yaml"
    if not path.exists():
        problems.append(Problem(path, 1, f"locality '{slug}' has no file {path.name} in {LOCALITIES_DIR}/"))
        return None, None
    doc = _read(path, problems)
    if doc is None:
        return None, None
    if not isinstance(doc.data, dict):
        problems.append(Problem(path, 1, "a locality file must be a mapping"))
        return None, doc
    try:
        return Locality.model_validate(doc.data), doc
    except ValidationError as exc:
        problems.extend(_format_pydantic(exc, doc))
        return None, doc


def _alias_key(text: str) -> str:
    return normalize(text)


def load_catalog(directory: Path | str, locality: str | None = None) -> Catalog:
    """Load, override for `locality`, validate. Raises CatalogError with every problem."""
    catalog, problems = _load(Path(directory), locality)
    errors = [p for p in problems if p.severity == "error"]
    if errors or catalog is None:
        raise CatalogError(errors or [Problem(Path(directory), 1, "catalogue could not be loaded")])
    return catalog


def check_catalog(directory: Path | str, localities: Iterable[str] | None = None) -> list[Problem]:
    """Every problem in the catalogue, checked on its own and with each locality applied."""
    directory = Path(directory)
    _, problems = _load(directory, None)
    if localities is None:
        loc_dir = directory / LOCALITIES_DIR
        localities = sorted(p.stem for p in loc_dir.glob("*.yaml")) if loc_dir.is_dir() else []
    seen = {str(p) for p in problems}
    for slug in localities:
        _, more = _load(directory, slug)
        for problem in more:
            if str(problem) not in seen:
                seen.add(str(problem))
                problems.append(problem)
    return problems


def _load(directory: Path, locality_slug: str | None) -> tuple[Catalog | None, list[Problem]]:
    problems: list[Problem] = []
    if not directory.is_dir():
        return None, [Problem(directory, 1, "catalogue directory does not exist")]
    digest = hashlib.sha256()
    fields = _load_fields(directory, problems)
    locality, locality_doc = (None, None)
    if locality_slug:
        locality, locality_doc = _load_locality(directory, locality_slug, problems)

    procedures: dict[str, Procedure] = {}
    sources: dict[str, Path] = {}
    alias_owner: dict[str, tuple[str, Path, int]] = {}
    overrides = locality.procedures if locality else {}
    files = procedure_files(directory)
    file_ids: set[str] = set()
    if not files:
        problems.append(Problem(directory, 1, "no procedure files (*.yaml) found"))

    for path in files:
        digest.update(path.read_bytes())
        doc = _read(path, problems)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(path, 1, "a procedure file must be a mapping of keys"))
            continue
        raw = doc.data
        proc_id = raw.get("id")
        file_ids.add(str(proc_id))
        if isinstance(proc_id, str) and proc_id in overrides:
            raw = deep_merge(raw, overrides[proc_id])
        try:
            proc = Procedure.model_validate(raw)
        except ValidationError as exc:
            if raw is not doc.data and locality_doc is not None and _valid(doc.data):
                # The file is fine on its own: the locality override broke it.
                problems.extend(_format_pydantic(exc, locality_doc, base=("procedures", proc_id)))
            else:
                problems.extend(_format_pydantic(exc, doc))
            continue
        if proc.id in procedures:
            problems.append(
                Problem(path, doc.line_of(("id",)), f"duplicate id '{proc.id}' (also in {sources[proc.id]})")
            )
            continue
        if fields and proc.field not in fields:
            problems.append(Problem(path, doc.line_of(("field",)), f"unknown field '{proc.field}' (not in {FIELDS_FILE})"))
        if path.parent != directory and path.parent.name != proc.field:
            problems.append(
                Problem(path, doc.line_of(("field",)), f"field '{proc.field}' does not match folder '{path.parent.name}'")
            )
        names = [("name", None, proc.name)] + [("aliases", i, a) for i, a in enumerate(proc.aliases)]
        if proc.short_name:
            names.append(("short_name", None, proc.short_name))
        for key, index, text in names:
            alias = _alias_key(text)
            line = doc.line_of((key,) if index is None else (key, index))
            owner = alias_owner.get(alias)
            if owner and owner[0] != proc.id:
                problems.append(
                    Problem(path, line, f"alias '{text}' is also used by '{owner[0]}' ({owner[1]}:{owner[2]})")
                )
            elif not owner:
                alias_owner[alias] = (proc.id, path, line)
        procedures[proc.id] = proc
        sources[proc.id] = path

    for proc_id, proc in procedures.items():
        for index, related in enumerate(proc.related):
            if related not in procedures:
                doc_path = sources[proc_id]
                problems.append(Problem(doc_path, _line_in(doc_path, ("related", index)), f"related id '{related}' does not exist"))
    if locality and locality_doc:
        for proc_id in overrides:
            if proc_id not in file_ids:
                problems.append(
                    Problem(locality_doc.path, locality_doc.line_of(("procedures", proc_id)), f"override for unknown procedure '{proc_id}'")
                )
        digest.update(locality_doc.path.read_bytes())

    if any(p.severity == "error" for p in problems):
        return None, problems
    return (
        Catalog(
            procedures=procedures,
            fields=fields,
            locality=locality,
            directory=directory,
            version=digest.hexdigest()[:12],
            sources=sources,
        ),
        problems,
    )


def _line_in(path: Path, loc: tuple) -> int:
    try:
        return read_yaml(path).line_of(loc)
    except YamlSyntaxError:
        return 1
