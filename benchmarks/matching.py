"""Matching accuracy on question sets, clean and phone-typed, and latency up to 10,000 procedures.

Compares the assistant with two baselines run in the same process on the same questions:
  * extractOne: plain `rapidfuzz.process.extractOne` (WRatio) over folded names;
  * BM25: `bm25s` over folded name + aliases + keywords.

Usage: python benchmarks/matching.py [--extra SET.tsv ...] [--seed 17] [--sizes 0,1000,10000]
                                     [--json PATH] [-v] [--only tune,tune-noisy]
Sets: the shared dev set (../shared/eval/dev_questions.tsv), benchmarks/data/tune.tsv (tuning),
benchmarks/data/holdout.tsv (never tuned on), every other benchmarks/data/*.tsv (or the --extra
files instead; a name containing "tune" is a tuning set, every other one is held out), and a noisy
version of each (benchmarks/typos.py with --seed), so the gap between clean and noisy, and between
tune and holdout, is visible in one run; a pooled table sums tuning and held-out sets apart.

Scoring (per row; ids separated by "|" mean any of them is right):
  top-1        in-scope row answered with an expected id; for a broad row (several ids) a
               clarification offering expected ids also counts, since asking back is right;
  clarify      in-scope row where the reply asked back and offered an expected id;
  wrong        in-scope row answered with an id that is not expected;
  broad        broad rows answered within their ids or asked back among them;
  oos-rej      out-of-scope row ("-") whose reply names no procedure (for a neighbour row,
               facet "neighbour", asking back between candidates also counts);
  nbr-wrong    neighbour rows answered with a procedure (the procedure asked is not in the catalogue);
  facet        rows with a specific facet whose reply carries that facet.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from assistant.catalog.loader import Catalog, load_catalog  # noqa: E402
from assistant.catalog.schema import Procedure  # noqa: E402
from assistant.config import DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY, Settings  # noqa: E402
from assistant.core import Assistant  # noqa: E402
from assistant.dialogue.conversation import Conversation  # noqa: E402
from assistant.text.normalize import fold, normalize  # noqa: E402
from benchmarks.typos import noisy_rows  # noqa: E402

DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "dev_questions.tsv"
if not DEFAULT_DEV.exists():  # a worktree sits one level deeper than the main checkout
    DEFAULT_DEV = ROOT.parents[1] / "shared" / "eval" / "dev_questions.tsv"
DATA = ROOT / "benchmarks" / "data"
DEFAULT_TUNE = DATA / "tune.tsv"
DEFAULT_HOLDOUT = ROOT / "benchmarks" / "data" / "holdout.tsv"
UNSEEN = "held-out-unseen"  # the held-out questions no tuning set asks word for word (unseen_rows)


@dataclass(frozen=True)
class Row:
    ids: frozenset[str]
    facet: str
    question: str

    @property
    def in_scope(self) -> bool:
        return "-" not in self.ids


def read_dev(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ids, facet, question = line.split("\t", 2)
        rows.append(Row(frozenset(ids.split("|")), facet, question))
    return rows


# -- synthetic catalogues ---------------------------------------------------------------

QUALIFIERS = [
    "có yếu tố nước ngoài", "lưu động", "cho người Việt Nam định cư ở nước ngoài", "tại cơ quan đại diện",
    "trong khu kinh tế", "đối với hộ gia đình", "cho tổ chức", "liên thông", "trường hợp đặc biệt",
    "theo thủ tục rút gọn", "cấp tỉnh", "cấp huyện", "ở khu vực biên giới", "cho người khuyết tật",
    "đối với doanh nghiệp nhỏ", "cho hợp tác xã", "bổ sung", "điều chỉnh", "gia hạn", "thu hồi",
]
OBJECTS = [
    "giấy phép khai thác khoáng sản", "chứng chỉ hành nghề dược", "giấy phép lao động", "biển quảng cáo",
    "cơ sở giáo dục mầm non", "trang trại chăn nuôi", "giấy phép kinh doanh rượu", "tàu cá", "di tích lịch sử",
    "hội quần chúng", "quỹ từ thiện", "chứng chỉ quy hoạch", "đề án bảo vệ môi trường", "giấy phép xả thải",
    "nguồn nước", "cơ sở tôn giáo", "giấy phép biểu diễn", "thiết bị y tế", "phòng khám tư nhân", "nhà thuốc",
]
VERBS = ["Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Đăng ký", "Thẩm định", "Phê duyệt", "Công nhận"]


def synthetic_catalog(base: Catalog, size: int, seed: int = 7) -> Catalog:
    """The real procedures plus generated ones shaped like a national database export."""
    rng = random.Random(seed)
    real = list(base.procedures.values())
    procedures: dict[str, Procedure] = {p.id: p for p in real}
    k = 0
    while len(procedures) < size:
        k += 1
        template = rng.choice(real)
        if rng.random() < 0.5:
            name = f"{template.name} {rng.choice(QUALIFIERS)}"
        else:
            name = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"
        aliases = [f"{rng.choice(VERBS).lower()} {rng.choice(OBJECTS)} {k}", f"thủ tục số {k}"]
        proc = template.model_copy(update={"id": f"syn-{k}", "name": name, "short_name": None,
                                           "aliases": aliases, "keywords": [], "related": []})
        procedures[proc.id] = proc
    return Catalog(procedures=procedures, fields=base.fields, locality=base.locality,
                   directory=base.directory, version=f"syn{size}")


# -- baselines --------------------------------------------------------------------------

class ExtractOneBaseline:
    name = "extractOne"
    cutoff = 60.0

    def __init__(self, catalog: Catalog) -> None:
        self.ids = list(catalog.procedures)
        self.names = [normalize(p.name) for p in catalog.procedures.values()]

    def best(self, question: str) -> str | None:
        hit = process.extractOne(normalize(question), self.names, scorer=fuzz.WRatio, score_cutoff=self.cutoff)
        return self.ids[hit[2]] if hit else None


class BM25Baseline:
    name = "BM25"

    def __init__(self, catalog: Catalog) -> None:
        import bm25s

        self.ids = list(catalog.procedures)
        corpus = [normalize(" ".join([p.name, *p.aliases, *p.keywords])) for p in catalog.procedures.values()]
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False)
        self._tokenize = bm25s.tokenize

    def best(self, question: str) -> str | None:
        tokens = self._tokenize([normalize(question)], stopwords=None, show_progress=False)
        if not tokens.vocab:
            return None
        try:
            docs, scores = self.retriever.retrieve(tokens, k=1, show_progress=False)
        except Exception:  # bm25s raises when no query token is in the index
            return None
        return self.ids[int(docs[0][0])] if float(scores[0][0]) > 0 else None


# -- measurement ------------------------------------------------------------------------

def _empty_counts() -> dict:
    return dict(in_scope=0, top1=0, clarify_ok=0, wrong=0, oos=0, oos_rejected=0, facet_rows=0, facet_ok=0,
                broad=0, broad_ok=0, neighbour=0, neighbour_wrong=0)


def evaluate_assistant(assistant: Assistant, rows: list[Row], verbose: bool = False) -> dict:
    counts = _empty_counts()
    misses = []
    for row in rows:
        reply = assistant.handle(row.question, Conversation()).to_json()
        cands = {c["id"] for c in reply["candidates"]}
        answered = reply["status"] == "answer"
        if row.in_scope:
            counts["in_scope"] += 1
            broad = len(row.ids) > 1
            counts["broad"] += broad
            if answered and reply["procedure_id"] in row.ids:
                counts["top1"] += 1
                counts["broad_ok"] += broad
            elif reply["status"] == "clarify" and cands & row.ids:
                counts["clarify_ok"] += 1
                if broad:
                    counts["top1"] += 1
                    counts["broad_ok"] += 1
                else:
                    misses.append((row, reply))
            else:
                if answered:
                    counts["wrong"] += 1
                misses.append((row, reply))
            if row.facet not in ("any", "-", "neighbour"):
                counts["facet_rows"] += 1
                ok = reply["facet"] == row.facet
                counts["facet_ok"] += ok
                if not ok and answered and reply["procedure_id"] in row.ids:
                    misses.append((row, reply))
        else:
            counts["oos"] += 1
            neighbour = row.facet == "neighbour"
            counts["neighbour"] += neighbour
            # Any reply that names no procedure (not found, small talk, everyday help) rejects.
            if reply["status"] not in ("answer", "clarify") or (neighbour and reply["status"] == "clarify"):
                counts["oos_rejected"] += 1
            else:
                counts["neighbour_wrong"] += neighbour and answered
                misses.append((row, reply))
    if verbose:
        for row, reply in misses:
            print(f"  MISS {'|'.join(sorted(row.ids))} [{row.facet}] {row.question!r} -> {reply['status']} "
                  f"{reply['procedure_id']} [{reply['facet']}] {[(c['id'], c['score']) for c in reply['candidates'][:3]]}")
    return _rates(counts)


def evaluate_baseline(baseline, rows: list[Row]) -> dict:
    counts = _empty_counts()
    for row in rows:
        best = baseline.best(row.question)
        if row.in_scope:
            counts["in_scope"] += 1
            broad = len(row.ids) > 1
            counts["broad"] += broad
            if best in row.ids:
                counts["top1"] += 1
                counts["broad_ok"] += broad
            elif best is not None:
                counts["wrong"] += 1
        else:
            counts["oos"] += 1
            neighbour = row.facet == "neighbour"
            counts["neighbour"] += neighbour
            counts["oos_rejected"] += best is None
            counts["neighbour_wrong"] += neighbour and best is not None
    return _rates(counts) | {"facet": None}


def _rates(c: dict) -> dict:
    def pct(a: int, b: int) -> float | None:
        return round(100.0 * a / b, 1) if b else None

    return {
        "top1": pct(c["top1"], c["in_scope"]),
        "clarify_ok": pct(c["clarify_ok"], c["in_scope"]),
        "wrong": pct(c["wrong"], c["in_scope"]),
        "oos_rejected": pct(c["oos_rejected"], c["oos"]),
        "facet": pct(c["facet_ok"], c["facet_rows"]),
        "broad_ok": pct(c["broad_ok"], c["broad"]),
        "neighbour_wrong": pct(c["neighbour_wrong"], c["neighbour"]),
        "counts": c,
    }


def latency(fn, questions: list[str], passes: int) -> dict:
    """Wall-clock and CPU-time percentiles per question.

    CPU time (time.thread_time) is reported beside wall time because on a shared machine the
    wall-clock tail is mostly the scheduler: a 0.7 ms call preempted once waits several ms."""
    for q in questions[:5]:
        fn(q)  # warm caches the way a running bot would be
    samples, cpu = [], []
    for _ in range(passes):
        for q in questions:
            # Cold text caches: measure a question the bot has not seen, not a cache hit.
            normalize.cache_clear()
            fold.cache_clear()
            start, start_cpu = time.perf_counter(), time.thread_time()
            fn(q)
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
    samples.sort()
    cpu.sort()

    def pick(values: list[float], q: float) -> float:
        return round(values[min(len(values) - 1, int(len(values) * q))], 3)

    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": pick(samples, 0.99),
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "cpu_p99_ms": pick(cpu, 0.99),
        "n": len(samples),
    }


def pooled(accuracy: dict) -> dict:
    """The assistant's counts summed over the tuning sets (names containing "tune") and over the
    held-out ones, clean and phone-typed apart: one number per question each set was written to ask."""
    out: dict = {}
    for name, acc in accuracy.items():
        if name.startswith(("dev", "examples", UNSEEN)):
            continue
        group = ("tuning" if "tune" in name else "held-out") + (" noisy" if name.endswith("-noisy") else " clean")
        into = out.setdefault(group, _empty_counts())
        for key, value in acc["assistant"]["counts"].items():
            into[key] += value
    print(f"\npooled (assistant)   {'in scope':>8}{'top-1':>7}{'wrong':>7}{'clarify':>8}{'neighbours':>11}{'nbr-wrong':>10}")
    for group in sorted(out):
        r = _rates(out[group])
        out[group] = r
        print(f"{group:<20} {r['counts']['in_scope']:>8}{_fmt(r['top1']):>7}{_fmt(r['wrong']):>7}{_fmt(r['clarify_ok']):>8}"
              f"{r['counts']['neighbour']:>11}{_fmt(r['neighbour_wrong']):>10}")
    return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def accuracy_table(name: str, rows: list[Row], systems: dict, verbose: bool) -> dict:
    """One question set through the assistant and both baselines, printed side by side."""
    acc = {"assistant": evaluate_assistant(systems["assistant"], rows, verbose)}
    for label, system in systems.items():
        if label.startswith("assistant["):
            acc[label] = evaluate_assistant(system, rows)
        elif label != "assistant":
            acc[label] = evaluate_baseline(system, rows)
    print(f"\n{name}: {len(rows)} questions, {acc['assistant']['counts']['in_scope']} in scope, "
          f"{acc['assistant']['counts']['broad']} broad, {acc['assistant']['counts']['neighbour']} neighbours")
    print(f"{'system':<18}{'top-1':>7}{'facet':>7}{'wrong':>7}{'clarify':>8}{'broad':>7}{'oos-rej':>8}{'nbr-wrong':>10}")
    for label, r in acc.items():
        print(f"{label:<18}{_fmt(r['top1']):>7}{_fmt(r['facet']):>7}{_fmt(r['wrong']):>7}{_fmt(r['clarify_ok']):>8}"
              f"{_fmt(r['broad_ok']):>7}{_fmt(r['oos_rejected']):>8}{_fmt(r['neighbour_wrong']):>10}")
    return acc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--tune", type=Path, default=DEFAULT_TUNE)
    parser.add_argument("--holdout", type=Path, default=DEFAULT_HOLDOUT)
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="another question set in the same TSV format (repeatable; default: every other "
                             "benchmarks/data/*.tsv)")
    parser.add_argument("--seed", type=int, default=17, help="seed of the noisy versions")
    parser.add_argument("--sizes", default="0,1000,10000", help="catalogue sizes for latency (0: as shipped)")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "matching.json")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument("--scorings", default="fused,bm25",
                        help="other scoring methods of the matcher to run beside the shipped one (phrase)")
    parser.add_argument("--only", default="", help="comma-separated set names to run (e.g. tune,tune-noisy)")
    args = parser.parse_args()

    settings = Settings(catalog_dir=DEFAULT_CATALOG_DIR, locality=DEFAULT_LOCALITY)
    base = load_catalog(settings.catalog_dir, settings.locality)
    result: dict = {"catalog_version": base.version, "procedures": len(base), "seed": args.seed, "accuracy": {}}

    sets: dict[str, list[Row]] = {}
    extras = args.extra or sorted(p for p in DATA.glob("*.tsv") if p.resolve() not in
                                  {args.tune.resolve(), args.holdout.resolve()})
    for name, path in [("dev", args.dev), ("tune", args.tune), ("holdout", args.holdout),
                       *[(p.stem, p) for p in extras]]:
        if path.exists():
            sets[name] = read_dev(path)
            sets[f"{name}-noisy"] = noisy_set(sets[name], args.seed)
        else:
            print(f"question set {name} not found at {path}: skipped")
    examples = example_rows(base)
    if examples:
        # The catalogue's own `examples:` (written by its authors; the matcher never indexes them).
        sets["examples"] = examples
        sets["examples-noisy"] = noisy_set(examples, args.seed)
    unseen = unseen_rows(sets)
    if unseen:
        # Held-out questions written by one author can be word for word another's tuning question
        # ("giá hỏa táng bao nhiêu"): this set keeps only those no tuning set, dev or example asks.
        sets[UNSEEN] = unseen
        sets[f"{UNSEEN}-noisy"] = noisy_set(unseen, args.seed)
    wanted = {w for w in args.only.split(",") if w}
    systems: dict = {"assistant": Assistant(base, settings)}
    for scoring in [s for s in args.scorings.split(",") if s and s != "phrase"]:
        variant = Assistant(base, settings)
        variant.scoring = scoring
        variant.brain = variant._build(base)
        systems[f"assistant[{scoring}]"] = variant
    systems |= {"BM25": BM25Baseline(base), "extractOne": ExtractOneBaseline(base)}
    for name, rows in sets.items():
        if wanted and name not in wanted:
            continue
        result["accuracy"][name] = accuracy_table(name, rows, systems, args.verbose)
    result["pooled"] = pooled(result["accuracy"])
    print("\ntargets (unseen): top-1 >= 97 clean / 92 noisy, facet >= 97 / 93, wrong <= 1.5 / 2, "
          "oos-rejected >= 90, broad >= 90, neighbour wrong <= 2")

    questions = [r.question for rows in sets.values() for r in rows] or [
        "giay doc than mat bao lau", "lam can cuoc lan dau can gi", "dang ky tam tru online", "phi sao y ban chinh"]
    result["latency"] = {}
    if args.passes <= 0:
        return _write(result, args.json)
    print(f"\nLatency per question (ms), {len(questions)} questions x {args.passes} passes")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (wall-clock tails grow with it; CPU time does not)")
    print(f"{'size':>7}  {'assistant p50/p99':>20}  {'(CPU p50/p99)':>16}  {'extractOne p50/p99':>20}  {'BM25 p50/p99':>16}")
    for size in [int(s) for s in args.sizes.split(",") if s]:
        catalog = base if size <= len(base) else synthetic_catalog(base, size)
        assistant = Assistant(catalog, settings)
        ours = latency(lambda q, a=assistant: a.handle(q, Conversation()), questions, args.passes)
        ext = latency(ExtractOneBaseline(catalog).best, questions, max(1, args.passes // 2))
        bm = latency(BM25Baseline(catalog).best, questions, max(1, args.passes // 2))
        result["latency"][str(len(catalog))] = {"assistant": ours, "extractOne": ext, "BM25": bm}
        print(f"{len(catalog):>7}  {ours['p50_ms']:>9.3f}/{ours['p99_ms']:<10.3f}  {ours['cpu_p50_ms']:>7.3f}/{ours['cpu_p99_ms']:<8.3f}"
              f"  {ext['p50_ms']:>9.3f}/{ext['p99_ms']:<10.3f}  {bm['p50_ms']:>7.3f}/{bm['p99_ms']:<8.3f}")
    result["load_average"] = load
    print("targets: p99 <= 2 ms as shipped, <= 15 ms at 10,000")
    return _write(result, args.json)


def _write(result: dict, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def question_key(question: str) -> str:
    """A question as compared across sets: no case, marks, punctuation or spacing differences."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(question)))


def is_tuning(name: str) -> bool:
    return "tune" in name or name.startswith(("dev", "examples"))


def unseen_rows(sets: dict[str, list[Row]]) -> list[Row]:
    """The held-out sets' rows (clean) whose question no tuning set, dev set or example asks."""
    seen = {question_key(r.question) for name, rows in sets.items() if is_tuning(name) for r in rows}
    out: list[Row] = []
    for name, rows in sets.items():
        if not is_tuning(name) and not name.endswith("-noisy") and name != UNSEEN:
            out += [r for r in rows if question_key(r.question) not in seen]
    return out


def example_rows(catalog: Catalog) -> list[Row]:
    """The catalogue's own `examples:`, each a question its procedure must answer."""
    return [Row(frozenset({p.id}), "any", str(ex)) for p in catalog.procedures.values() for ex in (p.examples or [])]


def noisy_set(rows: list[Row], seed: int) -> list[Row]:
    """The same rows typed as on a phone (benchmarks/typos.py), reproducible by seed."""
    noisy = noisy_rows([("|".join(sorted(r.ids)), r.facet, r.question) for r in rows], seed)
    return [Row(frozenset(ids.split("|")), facet, question) for ids, facet, question in noisy]


if __name__ == "__main__":
    raise SystemExit(main())
