"""Load and validate the procedure catalogue (one YAML file per procedure).

Loading is all-or-nothing: a catalogue with any error raises `CatalogError` listing every
problem as `file:line: message`, so a running bot can keep the last good catalogue.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.catalog.messages import explain
from assistant.catalog.schema import Elsewhere, Instrument, Locality, Procedure
from assistant.catalog.yamlsource import Problem, SourceDoc, YamlSyntaxError, read_yaml
from assistant.text.normalize import normalize

FIELDS_FILE = "fields.yaml"
LOCALITIES_DIR = "localities"
INSTRUMENTS_DIR = "instruments"
ELSEWHERE_DIR = "elsewhere"  # what the catalogue does not cover (see assistant.nlu.elsewhere)
NON_PROCEDURE_DIRS = (LOCALITIES_DIR, INSTRUMENTS_DIR, ELSEWHERE_DIR)
M = TypeVar("M", bound=BaseModel)


class CatalogError(Exception):
    """A catalogue that must not be served. `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listing = "\n".join(str(p) for p in problems)
        super().__init__(f"Danh mục có {len(problems)} lỗi:\n{listing}")


@dataclass
class Catalog:
    procedures: dict[str, Procedure]
    fields: dict[str, str]  # slug -> Vietnamese name
    locality: Locality | None
    directory: Path
    version: str
    sources: dict[str, Path] = field(default_factory=dict)  # procedure id -> file
    instruments: dict[str, Instrument] = field(default_factory=dict)  # number -> instrument
    # commune slug -> procedure id -> the procedure with that commune's overrides applied
    commune_procedures: dict[str, dict[str, Procedure]] = field(default_factory=dict)
    elsewhere: list[Elsewhere] = field(default_factory=list)  # procedures and matters not covered

    def get(self, procedure_id: str) -> Procedure | None:
        return self.procedures.get(procedure_id)

    def for_commune(self, procedure_id: str, commune: str | None) -> Procedure | None:
        """The procedure as it applies in `commune` (the province-wide one when no override)."""
        if commune:
            variant = self.commune_procedures.get(commune, {}).get(procedure_id)
            if variant is not None:
                return variant
        return self.procedures.get(procedure_id)

    def communes_differing(self, procedure_id: str) -> list[str]:
        """Slugs of the communes where this procedure differs from the province-wide rule."""
        return sorted(slug for slug, procs in self.commune_procedures.items() if procedure_id in procs)

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


def _format_pydantic(exc: ValidationError, doc: SourceDoc, base: tuple = (),
                     model: type[BaseModel] = Procedure) -> list[Problem]:
    """Vietnamese `file:line: message` problems; `base` locates the validated mapping in `doc`."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        problems.append(Problem(doc.path, doc.line_of((*base, *loc)), explain(err, model, loc)))
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
        if p.name != FIELDS_FILE
        and not any(d in p.relative_to(directory).parts[:-1] for d in NON_PROCEDURE_DIRS)
    )


def _read(path: Path, problems: list[Problem]) -> SourceDoc | None:
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(exc.problem)
        return None
    except OSError as exc:
        problems.append(Problem(path, 1, f"không đọc được tệp: {exc.strerror}"))
        return None
    for key, line in doc.duplicate_keys:
        problems.append(Problem(path, line, f"khóa '{key}' bị ghi hai lần trong cùng một nhóm"))
    return doc


def _load_fields(directory: Path, problems: list[Problem]) -> dict[str, str]:
    path = directory / FIELDS_FILE
    if not path.exists():
        problems.append(Problem(path, 1, "thiếu tệp fields.yaml (danh sách lĩnh vực gồm slug và name)"))
        return {}
    doc = _read(path, problems)
    if doc is None:
        return {}
    fields: dict[str, str] = {}
    if not isinstance(doc.data, list):
        problems.append(Problem(path, 1, "fields.yaml phải là danh sách lĩnh vực, mỗi mục gồm slug và name"))
        return {}
    for index, item in enumerate(doc.data):
        if not isinstance(item, dict) or not item.get("slug") or not item.get("name"):
            problems.append(Problem(path, doc.line_of((index,)), "mỗi lĩnh vực cần có 'slug' và 'name'"))
            continue
        fields[str(item["slug"])] = str(item["name"])
    return fields


def _load_locality(directory: Path, slug: str, problems: list[Problem]) -> tuple[Locality | None, SourceDoc | None]:
    path = directory / LOCALITIES_DIR / f"{slug}.yaml"
    if not path.exists():
        problems.append(Problem(path, 1, f"không có tệp {path.name} trong {LOCALITIES_DIR}/ cho địa bàn '{slug}'"))
        return None, None
    doc = _read(path, problems)
    if doc is None:
        return None, None
    if not isinstance(doc.data, dict):
        problems.append(Problem(path, 1, "tệp địa bàn phải là một nhóm khóa (slug, name, ...)"))
        return None, doc
    try:
        return Locality.model_validate(doc.data), doc
    except ValidationError as exc:
        problems.extend(_format_pydantic(exc, doc, model=Locality))
        return None, doc


def _list_items(folder: Path, problems: list[Problem], digest: Any, model: type[M], not_list: str,
                not_mapping: str) -> Iterator[tuple[SourceDoc, int, M]]:
    """Each valid item of every folder/*.yaml that must be a YAML list of `model` mappings, with its
    file and index; every invalid file or item is reported at its line and skipped."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.y*ml")):
        digest.update(path.read_bytes())
        doc = _read(path, problems)
        if doc is None or doc.data is None:
            continue
        if not isinstance(doc.data, list):
            problems.append(Problem(path, 1, not_list))
            continue
        for index, item in enumerate(doc.data):
            if not isinstance(item, dict):
                problems.append(Problem(path, doc.line_of((index,)), not_mapping))
                continue
            try:
                yield doc, index, model.model_validate(item)
            except ValidationError as exc:
                problems.extend(_format_pydantic(exc, doc, base=(index,), model=model))


def _load_instruments(directory: Path, problems: list[Problem], digest: Any) -> dict[str, Instrument]:
    """The legal-instrument registry: every instruments/*.yaml is a list; the same number twice must agree."""
    registry: dict[str, Instrument] = {}
    where: dict[str, tuple[Path, int]] = {}
    for doc, index, inst in _list_items(directory / INSTRUMENTS_DIR, problems, digest, Instrument,
                                        "tệp văn bản pháp luật phải là danh sách, mỗi mục bắt đầu bằng '- number:'",
                                        "mỗi văn bản phải là một nhóm khóa (number, title, ...)"):
        line = doc.line_of((index,))
        if inst.number in registry and registry[inst.number] != inst:
            first = where[inst.number]
            problems.append(Problem(doc.path, line, f"văn bản {inst.number} đã khai báo khác ở {first[0]}:{first[1]}; "
                                                    "hai nơi phải ghi giống nhau"))
            continue
        registry[inst.number] = inst
        where.setdefault(inst.number, (doc.path, line))
    return registry


def _load_elsewhere(directory: Path, problems: list[Problem], digest: Any,
                    alias_owner: dict[str, tuple[str, Path, int]]) -> list[Elsewhere]:
    """What the catalogue does not cover: every elsewhere/*.yaml is a list of names. A name that is
    also one of the catalogue's own names is an error: the bot would refuse its own procedure."""
    entries: list[Elsewhere] = []
    seen: dict[str, tuple[Path, int]] = {}
    for doc, index, entry in _list_items(directory / ELSEWHERE_DIR, problems, digest, Elsewhere,
                                         "tệp ngoài danh mục phải là danh sách, mỗi mục bắt đầu bằng '- name:'",
                                         "mỗi mục phải là một nhóm khóa (name, aliases)"):
        for key, i, text in [("name", None, entry.name), *(("aliases", j, a) for j, a in enumerate(entry.aliases))]:
            where = doc.line_of((index, key) if i is None else (index, key, i))
            owner = alias_owner.get(_alias_key(text))
            if owner:
                problems.append(Problem(doc.path, where, f"'{text}' là tên gọi của thủ tục '{owner[0]}' có trong danh mục "
                                                         f"({owner[1]}:{owner[2]}); bỏ khỏi danh sách ngoài danh mục"))
            elif i is None and _alias_key(text) in seen:
                first = seen[_alias_key(text)]
                problems.append(Problem(doc.path, where, f"'{text}' đã có ở {first[0]}:{first[1]}", severity="warning"))
            seen.setdefault(_alias_key(text), (doc.path, where))
        entries.append(entry)
    return entries


def _alias_key(text: str) -> str:
    return normalize(text)


def load_catalog(directory: Path | str, locality: str | None = None) -> Catalog:
    """Load, override for `locality`, validate. Raises CatalogError with every problem."""
    catalog, problems = _load(Path(directory), locality)
    errors = [p for p in problems if p.severity == "error"]
    if errors or catalog is None:
        raise CatalogError(errors or [Problem(Path(directory), 1, "không nạp được danh mục")])
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
        return None, [Problem(directory, 1, "thư mục danh mục không tồn tại")]
    digest = hashlib.sha256()
    fields = _load_fields(directory, problems)
    instruments = _load_instruments(directory, problems, digest)
    locality, locality_doc = (None, None)
    if locality_slug:
        locality, locality_doc = _load_locality(directory, locality_slug, problems)

    procedures: dict[str, Procedure] = {}
    sources: dict[str, Path] = {}
    alias_owner: dict[str, tuple[str, Path, int]] = {}
    overrides = locality.procedures if locality else {}
    files = procedure_files(directory)
    file_ids: set[str] = set()
    raws: dict[str, dict[str, Any]] = {}
    if not files:
        problems.append(Problem(directory, 1, "không tìm thấy tệp thủ tục nào (*.yaml)"))

    for path in files:
        digest.update(path.read_bytes())
        doc = _read(path, problems)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(path, 1, "tệp thủ tục phải là một nhóm khóa (id, name, ...)"))
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
                problems.extend(_prefixed(p, f"điều chỉnh cho thủ tục '{proc_id}': ")
                                for p in _format_pydantic(exc, locality_doc, base=("procedures", proc_id)))
            else:
                problems.extend(_format_pydantic(exc, doc))
            continue
        if proc.id in procedures:
            problems.append(
                Problem(path, doc.line_of(("id",)), f"mã định danh '{proc.id}' trùng với tệp {sources[proc.id]}")
            )
            continue
        if fields and proc.field not in fields:
            problems.append(Problem(path, doc.line_of(("field",)),
                                    f"lĩnh vực '{proc.field}' không có trong {FIELDS_FILE}"))
        if path.parent != directory and path.parent.name != proc.field:
            problems.append(
                Problem(path, doc.line_of(("field",)),
                        f"lĩnh vực '{proc.field}' không khớp với thư mục '{path.parent.name}' chứa tệp")
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
                    Problem(path, line, f"tên gọi '{text}' đã dùng cho thủ tục '{owner[0]}' ({owner[1]}:{owner[2]})")
                )
            elif not owner:
                alias_owner[alias] = (proc.id, path, line)
        problems.extend(_unknown_instruments(proc, doc, instruments))
        procedures[proc.id] = proc
        sources[proc.id] = path
        raws[proc.id] = doc.data

    for proc_id, proc in procedures.items():
        for index, related in enumerate(proc.related):
            if related not in procedures:
                doc_path = sources[proc_id]
                problems.append(Problem(doc_path, _line_in(doc_path, ("related", index)),
                                        f"thủ tục liên quan '{related}' không có trong danh mục"))
    if locality and locality_doc:
        for proc_id in overrides:
            if proc_id not in file_ids:
                problems.append(
                    Problem(locality_doc.path, locality_doc.line_of(("procedures", proc_id)),
                            f"điều chỉnh cho thủ tục '{proc_id}' không có trong danh mục")
                )
        digest.update(locality_doc.path.read_bytes())
    elsewhere = _load_elsewhere(directory, problems, digest, alias_owner)
    commune_procedures: dict[str, dict[str, Procedure]] = {}
    if locality and locality_doc:
        commune_procedures = _commune_variants(locality, locality_doc, raws, overrides, problems)

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
            instruments=instruments,
            commune_procedures=commune_procedures,
            elsewhere=elsewhere,
        ),
        problems,
    )


def _line_in(path: Path, loc: tuple) -> int:
    try:
        return read_yaml(path).line_of(loc)
    except YamlSyntaxError:
        return 1


def _prefixed(problem: Problem, prefix: str) -> Problem:
    return Problem(problem.path, problem.line, prefix + problem.message, problem.severity)


def _unknown_instruments(proc: Procedure, doc: SourceDoc, instruments: dict[str, Instrument]) -> list[Problem]:
    """Cited numbers must be registered, so the bot can name them and the checker can date them."""
    problems = []
    cited = [(("legal_basis", i, "instrument"), ref.instrument) for i, ref in enumerate(proc.legal_basis)]
    if proc.fees.basis:
        cited.append((("fees", "basis"), proc.fees.basis))
    for loc, number in cited:
        if number not in instruments:
            problems.append(Problem(doc.path, doc.line_of(loc),
                                    f"văn bản '{number}' chưa có trong danh mục văn bản pháp luật "
                                    f"({INSTRUMENTS_DIR}/*.yaml); hãy thêm vào đó hoặc sửa số hiệu"))
    return problems


def _commune_variants(locality: Locality, locality_doc: SourceDoc, raws: dict[str, dict[str, Any]],
                      province_overrides: dict[str, dict], problems: list[Problem]) -> dict[str, dict[str, Procedure]]:
    """Each commune's procedures that differ from the province-wide rule (override sets applied)."""
    for set_name, override_set in locality.override_sets.items():
        for proc_id in override_set.procedures:
            if proc_id not in raws:
                problems.append(Problem(locality_doc.path,
                                        locality_doc.line_of(("override_sets", set_name, "procedures", proc_id)),
                                        f"bộ điều chỉnh '{set_name}' nói tới thủ tục '{proc_id}' không có trong danh mục"))
    built: dict[tuple[str, str], Procedure | None] = {}
    variants: dict[str, dict[str, Procedure]] = {}
    for commune in locality.communes:
        for set_name in commune.overrides:
            for proc_id, override in locality.override_sets[set_name].procedures.items():
                if proc_id not in raws:
                    continue
                key = (set_name, proc_id)
                if key not in built:
                    raw = deep_merge(raws[proc_id], province_overrides.get(proc_id, {}))
                    try:
                        built[key] = Procedure.model_validate(deep_merge(raw, override))
                    except ValidationError as exc:
                        built[key] = None
                        base = ("override_sets", set_name, "procedures", proc_id)
                        for problem in _format_pydantic(exc, locality_doc, base=base):
                            problems.append(_prefixed(problem, f"bộ điều chỉnh '{set_name}', thủ tục '{proc_id}': "))
                if built[key] is not None:
                    variants.setdefault(commune.slug, {})[proc_id] = built[key]
    return variants
