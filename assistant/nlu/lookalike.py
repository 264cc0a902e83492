"""How much a question looks like a look-alike of the procedure it matched best, learnt from examples.

Why: a question about something the catalogue does not cover shares words with a procedure it
does cover, and what tells them apart is a situation more than a name: another actor ("bệnh viện
cấp giấy báo tử", "công ty chuyển mục đích sử dụng đất"), a topic around the paper ("căn cước hết
hạn có bị phạt", "khám trái tuyến BHYT có được thanh toán"), a private service and its price. No
list written by hand keeps up with them (assistant.nlu.distinguish and the names in
procedures_catalog/elsewhere/ catch the differences someone thought of). So the words a question
uses that its best candidate never says, and the pairs they form, are weighed by a logistic
regression trained on thousands of look-alikes and of questions that do mean the procedure
(benchmarks/train_lookalike.py, tuning sets only). Its weights belong to words, not to procedures:
a word the catalogue's civil servants add to a procedure's aliases or keywords is "named" at once
and stops counting against it, without retraining; one added to its examples counts less surely.

When the doubt is high the core asks "is it this procedure?" instead of answering: a citizen who
meant it taps once, one who did not is not sent to the wrong office.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.catalog.schema import Procedure
from assistant.nlu.matcher import FILLER, STOPWORDS, Query

log = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).with_name("data") / "lookalike.json"


# "bây giờ" (now) folds to "bay gio", and "giờ" is a stopword: left alone, "bay" read as the
# "máy bay" of questions about flights ("thi bằng lái bây giờ do công an tổ chức à"). It says when.
_NOW = re.compile(r"\bbay gio\b")
_PLANE = re.compile(r"\bmay bay\b")
COUNTED = 4  # unsaid words counted by the "k:" features; more say little more


def features(query: Query, said: frozenset[str], said_pairs: frozenset[tuple[str, str]],
             named: frozenset[str] | None = None, read: Callable[[str], str] | None = None) -> set[str]:
    """What the question says that the candidate does not: "u:<word>" for each informative word
    its own texts never use, "b:<word>_<word>" for each pair of neighbouring words of which one
    is such a word. Filler, stopwords and numbers (a phone number, a year) never count.

    Also "k:1".."k:<n>" for the number n of unsaid words (see below).

    With `named` (the words of its names and keywords), also "w:<word>" for a word only its
    example questions, papers or result say: "bản vẽ thiết kế" among a building permit's papers
    does not make "thuê kiến trúc sư thiết kế nhà hết bao nhiêu" a question about the permit.
    Such a word is weaker evidence than an unsaid one, and the trainer regularises it more
    (benchmarks/train_lookalike.py, WEAK_SCALE).

    With `read`, a word the corrector left as typed counts as the word it most likely stands for
    (assistant.text.spelling.Speller.likeliest): "nhận nuôi trẻ qua trung guan" then says the
    "gian" that weighs against adoption, and a slip of a word the procedure says is no doubt."""
    toks = [t for t in query.content if len(t) > 1 and not t.isdigit()]  # numbers name no matter
    if read is not None:
        toks = [read(t) for t in toks]
    if "bay" in toks and _NOW.search(query.normalised) and not _PLANE.search(query.normalised):
        toks = [t for t in toks if t != "bay"]
    informative = [t for t in toks if t not in STOPWORDS and t not in FILLER]
    out = {"u:" + t for t in informative if t not in said}
    # "k:<n>" for each n up to the number of unsaid words (at most COUNTED): a word no training
    # question used has no weight of its own, yet it is still something the procedure does not
    # explain; the count gives every such word a default share of doubt that the weights of
    # known words then adjust.
    out.update(f"k:{n}" for n in range(1, min(len(out), COUNTED) + 1))
    if named is not None:
        out.update("w:" + t for t in informative if t in said and t not in named)
    for a, b in itertools.pairwise(toks):
        if (a, b) not in said_pairs and (a not in said or b not in said):
            out.add(f"b:{a}_{b}")
    return out


@dataclass(frozen=True)
class Model:
    """Weights of the features above, a bias, and the doubt above which the core asks back."""

    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    threshold: float = 1.01  # above any probability: never doubt (no model)
    meta: dict[str, object] = field(default_factory=dict)

    def probability(self, feats: Iterable[str]) -> float:
        z = self.bias + math.fsum(self.weights.get(f, 0.0) for f in feats)  # (fsum: a set's order varies by process)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, object]:
        return {"threshold": self.threshold, "bias": self.bias, "meta": self.meta,
                "weights": dict(sorted(self.weights.items()))}


def load_model(path: Path = WEIGHTS_PATH) -> Model:
    """The shipped model; without a readable one the check is off (the rest of the matching
    still guards against look-alikes), and the log says why."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        threshold = float(data["threshold"])
        if not 0.0 < threshold <= 1.0:  # a threshold of 0 would ask back about every question
            raise ValueError(f"threshold {threshold} outside (0, 1]")
        return Model(weights, float(data["bias"]), threshold, dict(data.get("meta", {})))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("look-alike model not loaded from %s (%s): the check is off", path, exc)
        return Model()


class LookalikeCheck:
    """The model applied to a catalogue: each procedure's own words decide what is unexplained."""

    def __init__(self, procedures: Sequence[Procedure],
                 own: Sequence[tuple[frozenset[str], frozenset[tuple[str, str]], frozenset[str]]], model: Model,
                 read: Callable[[str], str] | None = None) -> None:
        """`read`: the word a word left as typed most likely stands for (see `features`)."""
        self.model = model
        self.read = read
        self._own = {proc.id: words for proc, words in zip(procedures, own, strict=True)}

    @property
    def enabled(self) -> bool:
        return bool(self.model.weights) and self.model.threshold <= 1.0

    def features(self, query: Query, procedure_id: str) -> set[str]:
        said, pairs, named = self._own.get(procedure_id, (frozenset(), frozenset(), frozenset()))
        return features(query, said, pairs, named, self.read)

    def doubt(self, query: Query, procedure_id: str) -> float:
        """The probability (0..1) that the question is about something else than this procedure."""
        if not self.enabled or procedure_id not in self._own:
            return 0.0
        return self.model.probability(self.features(query, procedure_id))


def fit(feats: Sequence[set[str]], labels: np.ndarray, sample_weight: np.ndarray, l2: float = 1.0,
        iterations: int = 600, scale: dict[str, float] | None = None) -> tuple[dict[str, float], float]:
    """Weights and bias of an L2-regularised logistic regression (label 1: a look-alike) over
    sparse binary features, fitted by AdaGrad with numpy alone: the model is a few thousand
    word weights, so no learning library is worth a dependency. Deterministic for given rows.

    `scale` gives a feature kind (the prefix before ":") a value below 1 while fitting, which
    regularises its weights more; the weights returned are multiplied back, so the model
    still adds one weight per feature present."""
    scale = scale or {}
    # Rows with the same features and label are one row weighing their sum: the loss is the
    # same, and the phone-typed copies whose slips were all corrected read like their clean row,
    # so the fit (run once per left-out set by benchmarks/lookalike_logo.py) has far fewer rows.
    merged: dict[tuple[frozenset[str], float], float] = {}
    for fs, y0, w0 in zip(feats, np.asarray(labels, dtype=float), np.asarray(sample_weight, dtype=float), strict=True):
        key = (frozenset(fs), float(y0))
        merged[key] = merged.get(key, 0.0) + float(w0)
    unique = [sorted(fs) for fs, _ in merged]
    y = np.array([label for _, label in merged])
    sw = np.array(list(merged.values()))
    vocab = {f: j for j, f in enumerate(sorted({f for fs in unique for f in fs}))}
    bias_col = len(vocab)
    rows = np.array([r for r, fs in enumerate(unique) for _ in range(len(fs) + 1)], dtype=np.int64)
    cols = np.array([c for fs in unique for c in (*(vocab[f] for f in fs), bias_col)], dtype=np.int64)
    value = np.array([scale.get(f.split(":", 1)[0], 1.0) for f in vocab] + [1.0])
    vals = value[cols]
    w = np.zeros(len(vocab) + 1)
    mask = np.r_[np.ones(len(vocab)), 0.0]  # the bias is not regularised
    total = sw.sum()
    g2 = np.zeros_like(w)
    for _ in range(iterations):
        z = np.bincount(rows, weights=w[cols] * vals, minlength=len(unique))
        r = (1.0 / (1.0 + np.exp(-z)) - y) * sw
        g = np.bincount(cols, weights=r[rows] * vals, minlength=len(w)) / total + l2 * w * mask / total
        g2 += g * g
        w -= 0.5 * g / (np.sqrt(g2) + 1e-8)
    w = w * value
    weights = {f: round(float(w[j]), 4) for f, j in vocab.items() if abs(w[j]) >= 1e-3}
    return weights, round(float(w[-1]), 4)
