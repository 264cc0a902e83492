"""Answers that independent judges read: how many the assistant still gives, and how many of those mislead.

Why: a look-alike question answered with a catalogue procedure is counted as wrong by matching.py, yet
about four in ten such answers are the procedure's own rules ("con đi du học có bị xóa thường trú
không"), which judges call relevant. benchmarks/labels/judged-answers.tsv holds their verdicts on
answers given at one commit; replaying the questions tells how many of the judged answers the assistant
still gives, and how many of those the judges call misleading. An answer with another procedure has
no verdict and is counted apart.

Usage: python benchmarks/judged.py [--labels PATH] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.catalog.loader import load_catalog  # noqa: E402
from assistant.config import DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY, Settings  # noqa: E402
from assistant.core import Assistant  # noqa: E402
from assistant.dialogue.conversation import Conversation  # noqa: E402

LABELS = ROOT / "benchmarks" / "labels" / "judged-answers.tsv"
VERDICTS = ("right", "partial", "wrong")


@dataclass(frozen=True)
class Judged:
    split: str
    label: str  # the set's own label: "-" for a look-alike, else the expected ids
    procedure_id: str  # the answer the judges read
    verdicts: tuple[str, ...]
    question: str

    @property
    def lookalike(self) -> bool:
        return self.label == "-"


def read_labels(path: Path) -> list[Judged]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        split, label, proc, verdicts, question = line.split("\t")
        judged = tuple(v.strip() for v in verdicts.split(","))
        if not set(judged) <= set(VERDICTS):
            raise SystemExit(f"{path}:{number}: unknown verdict in {verdicts!r}")
        rows.append(Judged(split, label, proc, judged, question))
    return rows


def outcome(row: Judged, status: str, procedure_id: str | None) -> str:
    """"misleading" (every judge: wrong), "disputed" (some judge: wrong), "helpful", "other answer" or
    "not answered"."""
    if status != "answer":
        return "not answered"
    if procedure_id != row.procedure_id:
        return "other answer"
    if all(v == "wrong" for v in row.verdicts):
        return "misleading"
    return "disputed" if "wrong" in row.verdicts else "helpful"


def replay(assistant: Assistant, rows: list[Judged]) -> dict[str, dict[str, Counter[str]]]:
    """split -> kind ("look-alike" / "in scope") -> outcome counts."""
    table: dict[str, dict[str, Counter[str]]] = {}
    for row in rows:
        reply = assistant.handle(row.question, Conversation())
        kind = "look-alike" if row.lookalike else "in scope"
        table.setdefault(row.split, {}).setdefault(kind, Counter())[
            outcome(row, reply.status.value, reply.procedure_id)] += 1
    return table


OUTCOMES = ("misleading", "disputed", "helpful", "other answer", "not answered")


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, int]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    settings = Settings(catalog_dir=DEFAULT_CATALOG_DIR, locality=DEFAULT_LOCALITY)
    assistant = Assistant(load_catalog(settings.catalog_dir, settings.locality), settings)
    table = replay(assistant, read_labels(args.labels))
    print(f"{'split':10s} {'kind':11s} {'rows':>5s} " + " ".join(f"{o:>13s}" for o in OUTCOMES))
    for split, kinds in sorted(table.items()):
        for kind, counts in sorted(kinds.items()):
            total = sum(counts.values())
            print(f"{split:10s} {kind:11s} {total:5d} " + " ".join(f"{counts[o]:13d}" for o in OUTCOMES))
    result = {split: {kind: dict(counts) for kind, counts in kinds.items()} for split, kinds in table.items()}
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
