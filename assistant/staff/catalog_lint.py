"""Checks beyond the schema: things that are valid YAML but will mislead citizens.

Warnings (aliases that point at another procedure, stale reviews, missing legal basis,
documents without a copy count, facts still marked "(verify)") do not fail the check;
a regression `examples:` question that no longer reaches its procedure does, so an alias
change cannot silently break another procedure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from assistant.catalog.loader import Catalog
from assistant.catalog.schema import DocumentKind, Procedure
from assistant.catalog.yamlsource import Problem, SourceDoc, YamlSyntaxError, read_yaml
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation
from assistant.dialogue.reply import Status
from assistant.staff.resolution import vn_today

STALE_AFTER = dt.timedelta(days=365)


def lint_catalog(catalog: Catalog, today: dt.date | None = None) -> list[Problem]:
    """Warnings and regression errors for a catalogue that already loads."""
    today = today or vn_today()  # the date staff see on their calendar, not the server's UTC day
    assistant = Assistant(catalog, Settings(catalog_dir=catalog.directory, locality=None))
    problems: list[Problem] = []
    for proc_id, proc in sorted(catalog.procedures.items()):
        path = catalog.sources[proc_id]
        try:
            doc = read_yaml(path)
        except YamlSyntaxError as exc:  # pragma: no cover - the loader already refused this
            problems.append(exc.problem)
            continue
        problems.extend(_procedure_warnings(proc, doc, today))
        problems.extend(_alias_warnings(assistant, proc, doc))
        problems.extend(_example_errors(assistant, proc, doc))
    return problems


def _warn(doc: SourceDoc, loc: tuple, message: str) -> Problem:
    return Problem(doc.path, doc.line_of(loc), message, severity="warning")


def _procedure_warnings(proc: Procedure, doc: SourceDoc, today: dt.date) -> Iterator[Problem]:
    if today - proc.reviewed > STALE_AFTER:
        yield _warn(doc, ("reviewed",), f"not reviewed for more than a year (last {proc.reviewed.isoformat()})")
    if not proc.legal_basis:
        yield _warn(doc, ("legal_basis",), "no legal basis listed")
    for index, document in enumerate(proc.documents):
        if document.copies is None and document.kind != DocumentKind.present:
            yield _warn(doc, ("documents", index), f"document '{document.name}' has no copy count")
    for key, sub in (("fees", proc.fees), ("time_limit", proc.time_limit)):
        if sub.note and "(verify)" in sub.note:
            yield _warn(doc, (key, "note"), f"{key} note is still marked (verify)")


def _alias_warnings(assistant: Assistant, proc: Procedure, doc: SourceDoc) -> Iterator[Problem]:
    matcher = assistant.brain.matcher
    for index, alias in enumerate(proc.aliases):
        own, ranked = matcher.score_without_phrase(proc.id, alias)
        better = [s for s in ranked if s.id != proc.id and s.score > own + 0.5]
        if better:
            yield _warn(doc, ("aliases", index),
                        f"alias '{alias}' matches '{better[0].id}' better than its own procedure "
                        f"({better[0].score:.0f} vs {own:.0f} without this alias)")


def _example_errors(assistant: Assistant, proc: Procedure, doc: SourceDoc) -> Iterator[Problem]:
    for index, example in enumerate(proc.examples):
        reply = assistant.handle(example, Conversation())
        if reply.status != Status.answer or reply.procedure_id != proc.id:
            got = reply.procedure_id or reply.status.value
            if reply.status == Status.clarify:
                got = "clarify: " + ", ".join(c.id for c in reply.candidates)
            yield Problem(doc.path, doc.line_of(("examples", index)),
                          f"example question '{example}' no longer matches '{proc.id}' (got {got})")
