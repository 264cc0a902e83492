"""The look-alike check's threshold rule, run: leave one tuning set out at a time.

Why: the threshold decides which answers become "Có phải bạn hỏi về thủ tục …?", and it must be
chosen on questions the weights never saw, or it fits the tuning sets' own words. Each tuning set
was written by another author, so each is left out in turn (and the catalogue's `examples:` one
field at a time, as new procedures arrive with their examples): the weights are fitted on the
rest, exactly as benchmarks/train_lookalike.py fits them, and the left-out rows are weighed as the
core weighs them (after a story, its last sentence: assistant.core.lookalike_doubt).

The rule (benchmarks/train_lookalike.py, THRESHOLD): the lowest two-decimal threshold at which at
most 0.3% of rightly answered original questions (dev, tune, examples) and at most 3% of rightly
answered in-scope near neighbours are asked back. The originals' limit rests on a handful of
questions, so besides the copies typed with the trainer's seeds (train_lookalike.SEEDS) their
phone-typed copies are drawn with one more seed, not among those (--extra-seed; weighed by the same
left-out weights, never trained on) and counted too. The table also shows what each
threshold leaves: look-alikes answered, clean and phone-typed.

On two CPUs (s18, 290,000 rows): labelling the rows takes 10 to 25 minutes, then the 118 fits (one
per left-out set, one process per CPU: --workers) about 21. Usage:
  python benchmarks/lookalike_logo.py [--extra-seed 1] [--workers N] [--json benchmarks/results/lookalike_logo.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.catalog.loader import load_catalog  # noqa: E402
from assistant.config import DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY, Settings  # noqa: E402
from assistant.core import Assistant  # noqa: E402
from assistant.nlu.lookalike import Model  # noqa: E402
from benchmarks.matching import Row, noisy_set  # noqa: E402
from benchmarks.train_lookalike import (  # noqa: E402
    THRESHOLD,
    Labelled,
    fitted,
    labelled,
    lexicon_of,
    training_rows,
)

ORIGINALS = ("dev", "tune", "examples")
ORIGINALS_LIMIT = 0.003
NEAR_LIMIT = 0.03
THRESHOLDS = [t / 100 for t in range(60, 100)]


def group_of(row: Labelled, field_of: dict[str, str]) -> str:
    """The set a row is left out with: its tuning set, or its procedure's field for an example."""
    base = row.name.removesuffix("-noisy")
    return f"examples/{field_of.get(row.procedure_id, '?')}" if base == "examples" else base


_SHARED: tuple | None = None  # left_out_doubts' rows, read by the forked workers


def left_out_doubts(rows: list[Labelled], groups: list[str], extra: Sequence[Labelled] = (),
                    extra_groups: Sequence[str] = (), workers: int = 1) -> tuple[list[float], list[float]]:
    """Each row's doubt under weights fitted without its group; `extra` rows (weighed only) too.

    With `workers` > 1 the fits run in that many forked processes (each fit is independent and
    takes a CPU for seconds; the rows are shared by the fork, not copied through a pipe)."""
    global _SHARED
    doubts, extra_doubts = [0.0] * len(rows), [0.0] * len(extra)
    order = sorted(set(groups))
    _SHARED = (rows, groups, extra, extra_groups)
    try:
        if workers > 1 and len(order) > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_left_out, order, chunksize=1)
        else:
            results = [_left_out(group) for group in order]
    finally:
        _SHARED = None
    for own, more in results:
        for i, d in own:
            doubts[i] = d
        for i, d in more:
            extra_doubts[i] = d
    return doubts, extra_doubts


def _left_out(group: str) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """Doubts of `group`'s rows (and extra rows) under weights fitted on every other group."""
    rows, groups, extra, extra_groups = _SHARED
    model = Model(*fitted([r for r, g in zip(rows, groups, strict=True) if g != group]))
    return ([(i, model.probability(rows[i].weighed)) for i, g in enumerate(groups) if g == group],
            [(i, model.probability(extra[i].weighed)) for i, g in enumerate(extra_groups) if g == group])


def table(rows: list[Labelled], doubts: list[float], extra: Sequence[Labelled] = (),
          extra_doubts: Sequence[float] = ()) -> tuple[list[dict], float | None]:
    lookalikes = [i for i, r in enumerate(rows) if r.label]
    clean = [i for i in lookalikes if not rows[i].name.endswith("-noisy")]
    noisy = [i for i in lookalikes if rows[i].name.endswith("-noisy")]
    original_doubts = [d for r, d in zip([*rows, *extra], [*doubts, *extra_doubts], strict=True)
                       if r.right and r.name.removesuffix("-noisy") in ORIGINALS]
    near = [i for i, r in enumerate(rows) if r.right and r.name.removesuffix("-noisy") not in ORIGINALS]

    def answered(ids: list[int], th: float) -> float:
        return round(100 * sum(rows[i].answered and doubts[i] < th for i in ids) / max(1, len(ids)), 2)

    out, pick = [], None
    for th in THRESHOLDS:
        asked = sum(d >= th for d in original_doubts)
        near_asked = round(100 * sum(doubts[i] >= th for i in near) / max(1, len(near)), 2)
        meets = asked <= ORIGINALS_LIMIT * len(original_doubts) and near_asked <= 100 * NEAR_LIMIT
        if meets and pick is None:
            pick = th
        out.append({"threshold": th, "lookalikes_answered": answered(lookalikes, th),
                    "clean": answered(clean, th), "phone_typed": answered(noisy, th),
                    "originals_asked_back": asked, "originals": len(original_doubts),
                    "near_asked_back": near_asked, "meets_rule": meets})
    return out, pick


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # the same rows as the trainer (see its main)
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra-seed", type=int, default=1,
                        help="one more typo seed for the originals' phone-typed copies, not one of the "
                             "trainer's SEEDS (0: none)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "lookalike_logo.json")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="fits run at once, one process each (default: one per CPU)")
    args = parser.parse_args()
    settings = Settings(catalog_dir=DEFAULT_CATALOG_DIR, locality=DEFAULT_LOCALITY)
    catalog = load_catalog(settings.catalog_dir, settings.locality)
    field_of = {p.id: p.field for p in catalog.procedures.values()}
    rows = training_rows(catalog)
    assistant = Assistant(catalog, settings, lookalike=Model(), lexicon=lexicon_of(rows))
    done = labelled(assistant, rows)
    groups = [group_of(r, field_of) for r in done]
    again: list[tuple[str, Row]] = []
    if args.extra_seed:
        for name in ORIGINALS:
            clean = [r for n, r in rows if n == name and r.in_scope]
            again += [(name + "-noisy", r) for r in noisy_set(clean, args.extra_seed)]
    extra = labelled(assistant, again)
    doubts, extra_doubts = left_out_doubts(done, groups, extra, [group_of(r, field_of) for r in extra],
                                           workers=args.workers)
    result, pick = table(done, doubts, extra, extra_doubts)
    print(f"{len(done)} rows in {len(set(groups))} sets left out one at a time; originals also typed with seed "
          f"{args.extra_seed}: {len(extra)} rows")
    print(f"{'threshold':>9}  {'look-alikes answered':>20}  {'clean':>6}  {'phone':>6}  {'originals asked':>15}  {'near asked':>10}")
    for line in result:
        if line["threshold"] in (0.7, 0.75, 0.8, 0.85, 0.9, 0.95) or line["threshold"] in (pick, THRESHOLD):
            mark = " <- rule" if line["threshold"] == pick else ""
            mark += " (shipped)" if line["threshold"] == THRESHOLD else ""
            print(f"{line['threshold']:>9.2f}  {line['lookalikes_answered']:>19.2f}%  {line['clean']:>5.2f}%  "
                  f"{line['phone_typed']:>5.2f}%  {line['originals_asked_back']:>6} of {line['originals']:<5}  "
                  f"{line['near_asked_back']:>9.2f}%{mark}")
    print(f"the rule picks {pick}; shipped {THRESHOLD}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"pick": pick, "shipped": THRESHOLD, "rows": len(done), "table": result},
                                    indent=1), encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
