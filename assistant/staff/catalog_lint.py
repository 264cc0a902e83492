"""`catalog check`: the checks beyond the schema, for the facts citizens act on.

The schema says a file is well-formed; this module says whether it is *true enough to serve*
on the check date: every procedure has sources, cites instruments still in force (naming the
successor when not), names no district-level body as current (the district level was
abolished on 1/7/2025), carries no free-text markers such as "(verify)", and no sentence
contradicts the numbers the bot computes with. Staff read the output, so it is Vietnamese,
points at file:line with the field's Vietnamese label, lists errors first and groups warnings
by kind with counts, so a real problem is not lost among many lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from assistant.catalog.loader import (
    ELSEWHERE_DIR,
    INSTRUMENTS_DIR,
    LOCALITIES_DIR,
    Catalog,
    check_catalog,
    load_catalog,
)
from assistant.catalog.messages import label_of, suggest
from assistant.catalog.schema import PROCEDURE_FACT_KEYS, Elsewhere, FeeSetter, Procedure, TimeUnit
from assistant.catalog.yamlsource import Problem, SourceDoc, YamlSyntaxError, read_yaml
from assistant.config import Settings
from assistant.text.normalize import normalize

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STALE_AFTER = dt.timedelta(days=365)
OLDEST_REVIEWS = 5

# Warning kinds (group headings in the output).
W_SOURCE_OLD = "Nguồn kiểm chứng đã cũ (hơn một năm)"
W_SOURCE_FUTURE = "Ngày kiểm tra nguồn sau ngày kiểm tra danh mục"
W_UNVERIFIED = "Thông tin chưa kiểm chứng"
W_NOT_REVIEWED = "Chưa được cán bộ rà soát"
W_REVIEW_OLD = "Rà soát đã hơn một năm"
W_ALIAS = "Tên gọi khác dẫn sang thủ tục khác"
W_COPIES = "Giấy tờ chưa ghi số bản"
W_LEGAL = "Căn cứ pháp lý"
W_FEE = "Phí, lệ phí"
W_LOCALITY = "Địa bàn"
W_NOTE_NUMBERS = "Ghi chú nêu con số khác với số liệu"
W_ELSEWHERE = "Danh sách ngoài danh mục"

# A district-level body named as current. "cũ"/"trước đây" mark a former name, which is allowed.
_DISTRICT = re.compile(r"\b(cấp huyện|huyện|quận|thị xã|bhxh huyện|công an huyện)\b", re.IGNORECASE)
_FORMER = re.compile(r"\b(cũ|trước đây|trước ngày 0?1/0?7/2025|trước 0?1/0?7/2025|không còn|đã bỏ|đã giải thể|"
                     r"khi (?:\w+ ){0,3}còn)\b", re.IGNORECASE)
_MARKERS = re.compile(r"\(verify\)|\bverify\b|\bTODO\b|\bFIXME\b|\bTBD\b|\(\?\)|\?\?|\(cần kiểm tra\)|\(kiểm tra lại\)",
                      re.IGNORECASE)
_MONEY = re.compile(r"(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*(?:đồng|đ\b|vnđ|VND)", re.IGNORECASE)
_DAYS = re.compile(r"(\d+(?:[.,]\d+)?)\s*ngày(?:\s+làm\s+việc)?", re.IGNORECASE)
_WORKING_DAYS = re.compile(r"(\d+(?:[.,]\d+)?)\s*ngày\s+làm\s+việc", re.IGNORECASE)


def today_vn() -> dt.date:
    return dt.datetime.now(VN_TZ).date()


def _problem(doc: SourceDoc, loc: tuple, message: str, severity: str = "error", kind: str = "") -> Problem:
    return Problem(doc.path, doc.line_of(loc), message, severity, kind)


# -- entry points -------------------------------------------------------------------------------


def check_directory(directory: Path | str, today: dt.date | None = None) -> list[Problem]:
    """Everything `catalog check` reports: schema errors, then (if it loads) truth checks."""
    directory = Path(directory)
    today = today or today_vn()
    problems = check_catalog(directory)
    if any(p.severity == "error" for p in problems):
        return problems
    catalog = load_catalog(directory)
    problems += lint_catalog(catalog, today)
    loc_dir = directory / LOCALITIES_DIR
    for path in sorted(loc_dir.glob("*.yaml")) if loc_dir.is_dir() else []:
        local = load_catalog(directory, path.stem)
        problems += lint_locality(local, today)
    return _dedupe(problems)


def lint_catalog(catalog: Catalog, today: dt.date | None = None) -> list[Problem]:
    """Truth checks, warnings and regression errors for a catalogue that already loads."""
    from assistant.core import Assistant  # the regression examples need the whole assistant

    today = today or today_vn()
    assistant = Assistant(catalog, Settings(catalog_dir=catalog.directory, locality=None))
    problems: list[Problem] = []
    for proc_id, proc in sorted(catalog.procedures.items()):
        path = catalog.sources[proc_id]
        try:
            doc = read_yaml(path)
        except YamlSyntaxError as exc:  # pragma: no cover - the loader already refused this
            problems.append(exc.problem)
            continue
        problems.extend(procedure_problems(proc, doc, catalog, today))
        problems.extend(_alias_warnings(assistant, proc, doc))
        problems.extend(_example_errors(assistant, proc, doc))
    problems.extend(_oldest_reviews(catalog))
    problems.extend(_registry_warnings(catalog))
    problems.extend(_named_by_the_bot(catalog))
    problems.extend(_elsewhere_source_age(catalog, today))
    return problems


def _elsewhere_source_age(catalog: Catalog, today: dt.date) -> Iterator[Problem]:
    """Where another body's procedure is done (`done_at`) is a fact citizens act on: sources age alike."""
    folder = catalog.directory / ELSEWHERE_DIR
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        doc = read_yaml(path)
        for index, item in enumerate(doc.data if isinstance(doc.data, list) else []):
            if isinstance(item, dict) and item.get("sources"):
                entry = Elsewhere.model_validate(item)  # (the loader already refused an invalid one)
                yield from _source_age(entry.sources, doc, today, at=(index,))


def _named_by_the_bot(catalog: Catalog) -> Iterator[Problem]:
    """Entries of elsewhere/ that the bot names by their exact text (assistant.nlu.distinguish.
    ELSEWHERE_BY_FAMILY): renamed, the reply silently loses the name the citizen should search for."""
    from assistant.nlu.distinguish import ELSEWHERE_BY_FAMILY

    names = {entry.name for entry in catalog.elsewhere}
    for name in sorted(set(ELSEWHERE_BY_FAMILY.values()) - names) if names else []:  # (none kept: nothing renamed)
        yield Problem(catalog.directory / ELSEWHERE_DIR, 1,
                      f"không còn mục '{name}' trong thư mục ngoài danh mục: trợ lý dùng đúng tên này để nói cho người "
                      "dân việc họ cần tìm (ví dụ làm hộ chiếu khi đang ở nước ngoài); thiếu nó, trợ lý chỉ còn từ chối "
                      "chung. Hãy giữ lại mục với đúng tên này, hoặc báo nhóm phát triển khi cần đổi tên",
                      "warning", W_ELSEWHERE)


def _registry_warnings(catalog: Catalog) -> Iterator[Problem]:
    """Successors and amendments named in the registry should be registered too, so replies can name them."""
    folder = catalog.directory / INSTRUMENTS_DIR
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        doc = read_yaml(path)
        for index, item in enumerate(doc.data if isinstance(doc.data, list) else []):
            if not isinstance(item, dict):
                continue
            named = [(("replaced_by",), item.get("replaced_by"))]
            named += [(("amended_by", i), n) for i, n in enumerate(item.get("amended_by") or [])]
            for loc, number in named:
                if number and str(number) not in catalog.instruments:
                    yield _problem(doc, (index, *loc), f"văn bản {number} (ghi ở '{loc[0]}' của {item.get('number')}) "
                                                       "chưa có trong danh mục văn bản", "warning", W_LEGAL)


def lint_locality(catalog: Catalog, today: dt.date) -> list[Problem]:
    """The locality file: names, markers, sources, and each commune's variant of a procedure."""
    locality = catalog.locality
    if locality is None:
        return []
    doc = read_yaml(catalog.directory / LOCALITIES_DIR / f"{locality.slug}.yaml")
    problems: list[Problem] = []
    problems += _marker_errors(doc.data, (), doc)
    for loc, text in _texts(doc.data, ()):
        if loc and loc[0] in ("name", "one_stop", "communes") and _names_district(text):
            problems.append(_problem(doc, loc, f"{label_of(loc)} ghi đơn vị cấp huyện \"{text}\" như đang tồn tại; "
                                               "cấp huyện đã bỏ từ 1/7/2025 — hãy ghi tên mới, hoặc ghi rõ \"cũ\"/\"trước đây\""))
    if not locality.sources:
        problems.append(_problem(doc, ("sources",), "địa bàn chưa có nguồn kiểm chứng (sources)", "warning", W_LOCALITY))
    problems += _source_age(locality.sources, doc, today)
    if locality.unverified:
        problems.append(_problem(doc, ("unverified",), "chưa kiểm chứng: " + ", ".join(locality.unverified),
                                 "warning", W_UNVERIFIED))
    for set_name, override_set in locality.override_sets.items():
        commune = next((c.slug for c in locality.communes if set_name in c.overrides), None)
        for proc_id in override_set.procedures:
            proc = catalog.for_commune(proc_id, commune)
            if proc is not None:
                problems += _number_contradictions(proc, _Shifted(doc, ("override_sets", set_name, "procedures", proc_id)))
    for proc_id in locality.procedures:
        proc = catalog.get(proc_id)
        if proc is not None:
            problems += _number_contradictions(proc, _Shifted(doc, ("procedures", proc_id)))
    return problems


class _Shifted(SourceDoc):
    """A view of the locality file whose locations are relative to one procedure override."""

    def __init__(self, doc: SourceDoc, base: tuple) -> None:
        super().__init__(doc.path, doc.data, doc.lines, doc.duplicate_keys)
        self.base = base

    def line_of(self, loc: tuple) -> int:
        return super().line_of((*self.base, *loc))


# -- one procedure -------------------------------------------------------------------------------


def procedure_problems(proc: Procedure, doc: SourceDoc, catalog: Catalog, today: dt.date) -> Iterator[Problem]:
    yield from _source_problems(proc, doc, today)
    yield from _instrument_problems(proc, doc, catalog, today)
    yield from _district_errors(proc, doc)
    yield from _marker_errors(doc.data, (), doc)
    yield from _number_contradictions(proc, doc)
    yield from _fee_warnings(proc, doc, today)
    yield from _field_name_errors(proc, doc)
    if proc.unverified:
        yield _problem(doc, ("unverified",), "chưa kiểm chứng: " + ", ".join(_label_list(proc.unverified)),
                       "warning", W_UNVERIFIED)
    if proc.reviewed is None:
        yield _problem(doc, ("id",), "chưa có cán bộ rà soát (dùng: python -m assistant catalog review "
                                     f"{proc.id} --by \"Họ tên\")", "warning", W_NOT_REVIEWED)
    elif today - proc.reviewed.on > STALE_AFTER:
        yield _problem(doc, ("reviewed",), f"rà soát lần cuối ngày {proc.reviewed.on:%d/%m/%Y} "
                                           f"({proc.reviewed.by}), đã hơn một năm", "warning", W_REVIEW_OLD)
    if not proc.legal_basis:
        yield _problem(doc, ("legal_basis",), "chưa ghi căn cứ pháp lý", "warning", W_LEGAL)
    for index, document in enumerate(proc.documents):
        if document.copies is None and document.handed_in:
            yield _problem(doc, ("documents", index), f"giấy tờ '{document.name}' chưa ghi số bản (copies)",
                           "warning", W_COPIES)


def _label_list(keys: Iterable[str]) -> list[str]:
    return [f"{key} ({label_of((key,)).split('(', 1)[-1].rstrip(')')})" for key in keys]


def _source_problems(proc: Procedure, doc: SourceDoc, today: dt.date) -> Iterator[Problem]:
    if not proc.sources:
        yield _problem(doc, ("id",), "thủ tục chưa có nguồn kiểm chứng (sources): mỗi thông tin công dân dựa vào "
                                     "phải ghi rõ đọc ở văn bản hoặc trang nào, ngày kiểm tra")
        return
    yield from _source_age(proc.sources, doc, today)


def _source_age(sources: list, doc: SourceDoc, today: dt.date, at: tuple = ()) -> Iterator[Problem]:
    for index, source in enumerate(sources):
        if source.checked > today:
            yield _problem(doc, (*at, "sources", index, "checked"),
                           f"ngày kiểm tra nguồn {source.checked:%d/%m/%Y} nằm sau ngày kiểm tra {today:%d/%m/%Y}",
                           "warning", W_SOURCE_FUTURE)
        elif today - source.checked > STALE_AFTER:
            yield _problem(doc, (*at, "sources", index, "checked"),
                           f"nguồn \"{source.title}\" kiểm tra lần cuối ngày {source.checked:%d/%m/%Y}, "
                           "đã hơn một năm; hãy kiểm tra lại", "warning", W_SOURCE_OLD)


def _instrument_problems(proc: Procedure, doc: SourceDoc, catalog: Catalog, today: dt.date) -> Iterator[Problem]:
    cited = [(("legal_basis", i, "instrument"), ref.instrument) for i, ref in enumerate(proc.legal_basis)]
    if proc.fees.basis:
        cited.append((("fees", "basis"), proc.fees.basis))
    current = 0
    for loc, number in cited:
        inst = catalog.instruments.get(number)
        if inst is None:  # the loader already reported it
            continue
        if inst.replaced_by and (inst.expires is None or today > inst.expires):
            successor = catalog.instruments.get(inst.replaced_by)
            name = f"{inst.replaced_by} ({successor.label})" if successor else inst.replaced_by
            yield _problem(doc, loc, f"văn bản {number} ({inst.label}) đã được thay thế bởi {name}; "
                                     "hãy trích dẫn văn bản thay thế")
        elif inst.expires and today > inst.expires:
            yield _problem(doc, loc, f"văn bản {number} ({inst.label}) đã hết hiệu lực từ ngày "
                                     f"{inst.expires + dt.timedelta(days=1):%d/%m/%Y}; căn cứ pháp lý chỉ ghi văn "
                                     "bản đang có hiệu lực (văn bản cũ dùng để ghi lịch sử mức phí thì để ở sources)")
        elif inst.in_force and today < inst.in_force:
            yield _problem(doc, loc, f"văn bản {number} ({inst.label}) đến ngày {inst.in_force:%d/%m/%Y} mới có hiệu lực",
                           "warning", W_LEGAL)
        else:
            current += 1
    if cited and current == 0:
        yield _problem(doc, ("legal_basis",), "không còn văn bản nào đang có hiệu lực trong căn cứ pháp lý",
                       "warning", W_LEGAL)


def _names_district(text: str) -> bool:
    return bool(_DISTRICT.search(text)) and not _FORMER.search(text)


def _district_errors(proc: Procedure, doc: SourceDoc) -> Iterator[Problem]:
    data = doc.data
    roots: list[tuple[tuple, Any]] = [(("agency",), data.get("agency")), (("where",), data.get("where")),
                                      (("steps",), data.get("steps")), (("result",), data.get("result"))]
    for base, value in roots:
        for loc, text in _texts(value, base):
            if _names_district(text):
                yield _problem(doc, loc, f"{label_of(loc)} nêu cơ quan cấp huyện: \"{_short(text)}\". Cấp huyện "
                                         "đã bỏ từ ngày 1/7/2025 (công an cấp huyện từ 1/3/2025); hãy ghi cơ quan "
                                         "hiện nay (UBND cấp xã, Công an tỉnh, ...), hoặc ghi rõ \"trước đây\"/\"cũ\" "
                                         "nếu chỉ nhắc tên cũ")


_URL_KEYS = frozenset({"url", "online_url", "template_url", "source"})


def _marker_errors(data: Any, base: tuple, doc: SourceDoc) -> Iterator[Problem]:
    for loc, text in _texts(data, base):
        if loc and loc[-1] in _URL_KEYS:
            continue  # an address may contain "verify"; it is not a note to citizens
        match = _MARKERS.search(text)
        if match:
            yield _problem(doc, loc, f"{label_of(loc)} còn dấu ghi chú nội bộ \"{match.group(0)}\"; công dân sẽ đọc "
                                     "thấy. Hãy bỏ dấu này và ghi tên khóa vào 'unverified' nếu chưa kiểm chứng được")


def _amounts(text: str) -> set[int]:
    return {int(re.sub(r"[.,\s]", "", m.group(1))) for m in _MONEY.finditer(text)}


# A benefit's fee note also tells citizens what they receive, after "Về tiền trợ cấp:" (the fee answer
# is where "được bao nhiêu tiền" lands): those amounts are money paid out, not a fee to check.
_RECEIVED = re.compile(r"\bVề (?:tiền|mức) (?:trợ cấp|hỗ trợ)\b.*", re.DOTALL)


def _fee_amounts(text: str) -> set[int]:
    return _amounts(_RECEIVED.sub("", text))


def _numbers(pattern: re.Pattern[str], text: str) -> set[float]:
    return {float(m.group(1).replace(",", ".")) for m in pattern.finditer(text)}


def _number_contradictions(proc: Procedure, doc: SourceDoc) -> Iterator[Problem]:
    """A sentence that states a fee or a time limit must agree with the numbers."""
    fees = proc.fees
    known = {0} if fees.set_by == FeeSetter.none else set()
    for window in [*fees.windows, *fees.cases]:
        known |= {a for a in (window.in_person, window.online) if a is not None}
    if fees.province_range:
        known |= {fees.province_range.min, fees.province_range.max}
    # The summary is a sentence citizens read: a contradiction there is an error. A note may
    # legitimately name other figures (a history, another fee), so there it is a warning.
    for loc, text, read, severity in ((("summary",), proc.summary, _amounts, "error"),
                                      (("fees", "note"), fees.note, _fee_amounts, "warning")):
        said = read(text or "")
        kind = "" if severity == "error" else W_NOTE_NUMBERS
        if said and known and not (said & known):
            shown = ", ".join(f"{a:,}".replace(",", ".") for a in sorted(said))
            truth = ", ".join(f"{a:,}".replace(",", ".") for a in sorted(known))
            yield _problem(doc, loc, f"{label_of(loc)} ghi {shown} đồng nhưng số liệu lệ phí (fees.windows) là "
                                     f"{truth} đồng; hãy sửa cho khớp (câu trả lời được tạo từ số liệu)",
                           severity, kind)
        elif said and fees.set_by == FeeSetter.none:
            yield _problem(doc, loc, f"{label_of(loc)} ghi mức tiền nhưng fees.set_by là 'none' (không có phí)",
                           severity, kind)
    tl = proc.time_limit
    allowed = {0.0} if tl.unit == TimeUnit.same_day else {float(tl.value or 0)}
    if tl.extension:
        allowed.add(float(tl.extension.value))
        allowed.add(float(tl.value or 0) + float(tl.extension.value))
    for loc, text, pattern, severity in ((("summary",), proc.summary, _WORKING_DAYS, "error"),
                                         (("time_limit", "note"), tl.note, _DAYS, "warning")):
        said = _numbers(pattern, text or "")
        if said and not (said & allowed):
            shown = ", ".join(f"{n:g}" for n in sorted(said))
            hint = "" if severity == "error" else " (nếu là thời hạn kéo dài khi cần xác minh, ghi vào time_limit.extension)"
            yield _problem(doc, loc, f"{label_of(loc)} ghi {shown} ngày nhưng thời hạn (time_limit) là "
                                     f"{_time_words(proc)}; hãy sửa cho khớp{hint}", severity,
                           "" if severity == "error" else W_NOTE_NUMBERS)


def _time_words(proc: Procedure) -> str:
    tl = proc.time_limit
    if tl.unit == TimeUnit.same_day:
        return "trong ngày"
    unit = {"working_days": "ngày làm việc", "calendar_days": "ngày", "hours": "giờ"}[tl.unit.value]
    return f"{tl.value:g} {unit}"


def _fee_warnings(proc: Procedure, doc: SourceDoc, today: dt.date) -> Iterator[Problem]:
    fees = proc.fees
    if fees.windows and fees.window_on(today) is None:
        yield _problem(doc, ("fees", "windows"), f"không có mức thu nào áp dụng ngày {today:%d/%m/%Y}; bot sẽ không "
                                                 "nêu được mức phí", "warning", W_FEE)
    if fees.set_by == FeeSetter.national and not fees.windows:
        yield _problem(doc, ("fees",), "phí do trung ương quy định nhưng chưa ghi mức thu (windows)", "warning", W_FEE)


def _field_name_errors(proc: Procedure, doc: SourceDoc) -> Iterator[Problem]:
    options = sorted(PROCEDURE_FACT_KEYS)
    named = [(("unverified", i), key) for i, key in enumerate(proc.unverified)]
    for s, source in enumerate(proc.sources):
        named += [(("sources", s, "supports", i), key) for i, key in enumerate(source.supports)]
    for loc, key in named:
        if key.split(".")[0] not in PROCEDURE_FACT_KEYS:
            hint = suggest(key, options)
            message = f"{label_of(loc)}: '{key}' không phải tên khóa của thủ tục"
            yield _problem(doc, loc, message + (f" — có phải ý bạn là '{hint}'?" if hint else
                                                f" (dùng: {', '.join(options)})"))


def _oldest_reviews(catalog: Catalog) -> list[Problem]:
    reviewed = sorted((p.reviewed.on, pid) for pid, p in catalog.procedures.items() if p.reviewed)
    problems = []
    for on, pid in reviewed[:OLDEST_REVIEWS]:
        proc = catalog.procedures[pid]
        path = catalog.sources[pid]
        doc = read_yaml(path)
        problems.append(_problem(doc, ("reviewed",), f"rà soát ngày {on:%d/%m/%Y} bởi {proc.reviewed.by}",
                                 "warning", "Các lần rà soát cũ nhất"))
    return problems


# -- helpers -------------------------------------------------------------------------------------


def _texts(value: Any, loc: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*loc, index))


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for problem in problems:
        key = f"{problem.severity}|{problem}"
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def _alias_warnings(assistant: Any, proc: Procedure, doc: SourceDoc) -> Iterator[Problem]:
    """Scores are weighed the way the core weighs them: a look-alike that does not explain the
    alias's distinguishing words ("mất", "thi", "cấp đổi") pays the core's penalty per gap, so
    "mất bằng lái" is not reported as leading to the driving test, which the core never answers."""
    from assistant.core import DISTINGUISH_PENALTY

    matcher = assistant.brain.matcher
    distinguisher = assistant.brain.distinguisher
    for index, alias in enumerate(proc.aliases):
        own, ranked = matcher.score_without_phrase(proc.id, alias)
        present = distinguisher.present(matcher.parse(alias).masked) | distinguisher.present(normalize(alias))
        own -= DISTINGUISH_PENALTY * distinguisher.gaps(proc.id, present)
        ranked = [type(s)(s.id, s.name, s.score - DISTINGUISH_PENALTY * distinguisher.gaps(s.id, present))
                  for s in ranked]
        better = sorted((s for s in ranked if s.id != proc.id and s.score > own + 0.5), key=lambda s: -s.score)
        if better:
            yield _problem(doc, ("aliases", index),
                           f"tên gọi '{alias}' khớp với thủ tục '{better[0].id}' hơn chính thủ tục này "
                           f"({better[0].score:.0f} so với {own:.0f} nếu bỏ tên gọi này)", "warning", W_ALIAS)


def _example_errors(assistant: Any, proc: Procedure, doc: SourceDoc) -> Iterator[Problem]:
    from assistant.dialogue.conversation import Conversation
    from assistant.dialogue.reply import Status

    for index, example in enumerate(proc.examples):
        reply = assistant.handle(example, Conversation())
        if reply.status != Status.answer or reply.procedure_id != proc.id:
            got = reply.procedure_id or reply.status.value
            if reply.status == Status.clarify:
                got = "hỏi lại giữa: " + ", ".join(c.id for c in reply.candidates)
            yield _problem(doc, ("examples", index),
                           f"câu hỏi mẫu '{example}' không còn dẫn tới '{proc.id}' (kết quả: {got})")


# -- report --------------------------------------------------------------------------------------


def format_report(problems: list[Problem], directory: Path | str) -> tuple[str, int]:
    """Errors first, then warnings grouped by kind with counts. Returns (text, exit code)."""
    errors = sorted((p for p in problems if p.severity == "error"), key=lambda p: (str(p.path), p.line))
    warnings = [p for p in problems if p.severity != "error"]
    lines: list[str] = []
    if errors:
        lines.append(f"LỖI ({len(errors)}) — phải sửa trước khi dùng:")
        lines += [f"  {p}" for p in errors]
    groups: dict[str, list[Problem]] = defaultdict(list)
    for problem in warnings:
        groups[problem.kind or "Khác"].append(problem)
    if groups:
        if lines:
            lines.append("")
        lines.append(f"CẢNH BÁO ({len(warnings)}):")
        for kind, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            lines.append(f"  {kind} ({len(items)}):")
            lines += [f"    {p.path}:{p.line}: {p.message}" for p in sorted(items, key=lambda p: (str(p.path), p.line))]
    if errors:
        lines.append(f"\nKết quả: {len(errors)} lỗi, {len(warnings)} cảnh báo trong {directory}.")
        return "\n".join(lines), 1
    lines.append(f"{'' if not lines else chr(10)}Đạt: danh mục {directory} hợp lệ ({len(warnings)} cảnh báo).")
    return "\n".join(lines), 0


__all__ = ["check_directory", "format_report", "lint_catalog", "lint_locality", "procedure_problems", "today_vn"]
