"""The words and word pairs citizens use, beyond the catalogue's own, for the spelling corrector.

Why: a corrector that knows only the catalogue's words pulls every slip towards our procedures.
"huy hop dong dat coc bi pht bn tien" became "... bị phí bao nhiêu tiền" (a fee, which we
explain) rather than "bị phạt" (a fine, which we do not): a phone-typed question about something
else then reads like one of ours and gets a confident answer. Words that several authors of our
tuning questions used independently (ordinary Vietnamese: "phạt", "tiêm", "ngân hàng",
"homestay", "vssid") are words the corrector may restore, and their pairs help choose what a slip
stands for. The pairs are weaker than the catalogue's (assistant.text.spelling, `weak_pairs`):
they never keep a slip from the catalogue's phrase ("lam giay khi sinh" is still "khai sinh",
though "khi sinh con" is everyday) nor turn one real word into another.

Built by benchmarks/train_lookalike.py from the tuning sets only (never the held-out sets), so
the benchmarks' held-out questions stay unseen; shipped as assistant/nlu/data/lexicon.json.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.text.normalize import normalize, tokens
from assistant.text.spelling import is_syllable

log = logging.getLogger(__name__)

LEXICON_PATH = Path(__file__).resolve().parents[1] / "nlu" / "data" / "lexicon.json"
# A word or pair counts when this many question sets (each written by another author) use it:
# one author's slip or pet phrase is not the language. Fewer (3) also took in words that are
# slips for ours more often than themselves, and lost phone-typed questions about our procedures
# (measured with the look-alike check off, on the tuning sets, when the pairs were not yet weak).
MIN_SETS = 6
# A short run of letters that cannot be a syllable is more often a slip than a word: "mst" is
# "mất" typed in a hurry before it is "mã số thuế". Longer ones ("vssid", "homestay") are words.
MIN_ODD_LETTERS = 5


@dataclass(frozen=True)
class Lexicon:
    words: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()
    meta: dict[str, object] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, object]:
        return {"meta": self.meta, "words": sorted(self.words), "pairs": sorted(" ".join(p) for p in self.pairs)}


def words_of(question: str) -> list[str]:
    """The alphabetic words of a question as the corrector sees them (folded, teencode expanded)."""
    return [w for w in tokens(normalize(question)) if w.isalpha()]


def build_lexicon(question_sets: Iterable[Iterable[str]], min_sets: int = MIN_SETS) -> Lexicon:
    """Words and neighbouring pairs found in at least `min_sets` of the sets (a word that cannot
    be a syllable only when it is long enough not to be a slip)."""
    word_sets: Counter[str] = Counter()
    pair_sets: Counter[tuple[str, str]] = Counter()
    count = 0
    for questions in question_sets:
        count += 1
        words: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for question in questions:
            found = words_of(question)
            words.update(found)
            pairs.update(itertools.pairwise(found))
        word_sets.update(words)
        pair_sets.update(pairs)
    kept = frozenset(w for w, n in word_sets.items()
                     if n >= min_sets and (is_syllable(w) or len(w) >= MIN_ODD_LETTERS))
    return Lexicon(kept, frozenset(p for p, n in pair_sets.items() if n >= min_sets),
                   {"sets": count, "min_sets": min_sets})


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The shipped lexicon; without a readable one the corrector knows the catalogue's words only."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        words = frozenset(str(w) for w in data["words"])
        pairs = frozenset(tuple(str(p).split(" ", 1)) for p in data["pairs"])
        if any(len(p) != 2 for p in pairs):
            raise ValueError("a pair is not two words")
        return Lexicon(words, frozenset((a, b) for a, b in pairs), dict(data.get("meta", {})))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("lexicon not loaded from %s (%s): the corrector knows the catalogue's words only", path, exc)
        return Lexicon()
