"""What each threshold of the look-alike check trades: wrong answers against questions asked back.

The assistant answers every held-out question with the check off; the shipped model's doubt about
each answered procedure (as the core weighs it: assistant.core.lookalike_doubt) then says, for any
threshold, which answers the check would have turned into "Có phải bạn hỏi về thủ tục …?".
Sets: `held-out-unseen` (benchmarks/matching.py: held-out questions no tuning set, dev set or
catalogue example asks) and the original held-out sets (holdout, heldout-phone,
heldout-coordinator), clean and phone-typed. For deployers choosing ASSISTANT_LOOKALIKE_THRESHOLD
(docs/deploy.md); the shipped threshold is chosen on tuning sets only (benchmarks/train_lookalike.py),
never from this curve.

Usage: python benchmarks/lookalike_curve.py [--json benchmarks/results/lookalike_curve.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.catalog.loader import load_catalog  # noqa: E402
from assistant.config import DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY, Settings  # noqa: E402
from assistant.core import Assistant, lookalike_doubt  # noqa: E402
from assistant.dialogue.conversation import Conversation  # noqa: E402
from assistant.nlu.lookalike import Model, load_model  # noqa: E402
from benchmarks.matching import (  # noqa: E402
    DATA,
    DEFAULT_DEV,
    UNSEEN,
    Row,
    example_rows,
    noisy_set,
    read_dev,
    unseen_rows,
)

THRESHOLDS = (0.9, 0.8, 0.7, 0.5, 0.3, 0.2)
ORIGINAL = ("holdout", "heldout-phone", "heldout-coordinator")


def doubts(assistant: Assistant, model: Model, rows: list[Row]) -> dict:
    """Per row kind, the doubt about each answer (look-alikes answered, in-scope answered right)."""
    brain = assistant.brain
    out: dict = {"lookalikes": 0, "in_scope": 0, "lookalike_answered": [], "right_answered": []}
    for row in rows:
        out["in_scope" if row.in_scope else "lookalikes"] += 1
        reply = assistant.handle(row.question, Conversation())
        if reply.status.value != "answer" or reply.procedure_id is None:
            continue
        doubt = lookalike_doubt(brain, brain.matcher.parse(row.question), reply.procedure_id,
                                lambda q, pid: model.probability(brain.lookalike.features(q, pid)))
        if not row.in_scope:
            out["lookalike_answered"].append(doubt)
        elif reply.procedure_id in row.ids:
            out["right_answered"].append(doubt)
    return out


def curve(d: dict, thresholds: list[float]) -> list[dict]:
    def pct(n: int, total: int) -> float | None:
        return round(100 * n / total, 1) if total else None
    return [{"threshold": th,
             "lookalikes_answered": pct(sum(x < th for x in d["lookalike_answered"]), d["lookalikes"]),
             "in_scope_asked_back": pct(sum(x >= th for x in d["right_answered"]), d["in_scope"])}
            for th in (1.01, *thresholds)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "lookalike_curve.json")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    settings = Settings(catalog_dir=DEFAULT_CATALOG_DIR, locality=DEFAULT_LOCALITY)
    catalog = load_catalog(settings.catalog_dir, settings.locality)
    model = load_model()
    assistant = Assistant(catalog, settings, lookalike=Model())  # answers as without the check
    sets = {p.stem: read_dev(p) for p in sorted(DATA.glob("*.tsv"))}
    if DEFAULT_DEV.exists():
        sets["dev"] = read_dev(DEFAULT_DEV)
    sets["examples"] = example_rows(catalog)
    groups = {UNSEEN: unseen_rows(sets),
              "original held-out": [r for name in ORIGINAL if name in sets for r in sets[name]]}
    result: dict = {"shipped_threshold": model.threshold, "groups": {}}
    print(f"look-alike check, shipped threshold {model.threshold}: look-alikes answered / in-scope questions asked back (%)")
    for name, rows in groups.items():
        for variant, rs in (("clean", rows), ("noisy", noisy_set(rows, args.seed))):
            d = doubts(assistant, model, rs)
            points = curve(d, sorted({*THRESHOLDS, model.threshold}, reverse=True))
            result["groups"][f"{name} {variant}"] = {"lookalikes": d["lookalikes"], "in_scope": d["in_scope"],
                                                     "curve": points}
            print(f"{name} {variant} ({d['lookalikes']} look-alikes, {d['in_scope']} in scope)")
            for p in points:
                label = "no check" if p["threshold"] > 1 else f"{p['threshold']:.2f}"
                print(f"  {label:>8}  {p['lookalikes_answered'] if p['lookalikes_answered'] is not None else '-':>6}"
                      f"  {p['in_scope_asked_back'] if p['in_scope_asked_back'] is not None else '-':>6}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
