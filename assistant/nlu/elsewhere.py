"""Procedures and matters the catalogue does not cover, matched beside the ones it does.

Why: a question about a procedure we do not have shares most of its words with one we do
("đăng ký khai tử có yếu tố nước ngoài" and "đăng ký khai tử", "cấp giấy phép xây dựng có thời
hạn" and the ordinary permit), and word overlap then answers the look-alike with confidence. A
list of words that tell look-alikes apart (assistant.nlu.distinguish) only knows the differences
someone thought of; the national catalogue's own names know them all. So questions are matched
against the names of what we do not cover (procedures_catalog/elsewhere/) too, and when one of
those names is in the question, its words standing together as in the name, and no procedure of
ours that fits says all of them, the honest reply is that this procedure is not in the catalogue.

Vietnamese words are syllables written apart ("thuê" and "thuế" both fold to "thue"), so
nothing is matched syllable by syllable alone: a name's syllables count when they stand beside
their neighbours in the name, and general syllables ("đăng ký", "cấp", "giấy") never lead to a
name on their own. Words weigh by their rarity over our procedures and these names together.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.catalog.schema import Elsewhere, Procedure
from assistant.nlu.matcher import PHRASE_STOPWORDS, Matcher, Query, Scored, correct_text
from assistant.text.marks import compatible, kept_words, spelled
from assistant.text.normalize import normalize, tokens
from assistant.text.spelling import Speller, pairs_of

# A name counts as named in the question when the question carries this share of its words'
# weight (calibrated on benchmarks/data/tune.tsv and neighbours-s6-tune.tsv, never the held-out sets).
RECALL_MIN = 0.8
# Our candidates considered: those the core could still offer.
OWN_MIN = 30.0
OWN_CONSIDERED = 5
# A name sharing no word with our best candidate's names (not a sibling of it) must speak to at
# least this share of what those names explain: less is a word in passing ("học điều dưỡng" in a
# question about military service).
COVER_MIN = 0.8
# Syllables that say little about which procedure on their own: a name is never reached through
# them alone, and one of them may stand between two words of a name in a question.
GENERAL = frozenset("dang ky thu tuc giay to xin cap lam viec nguoi dan moi lan dau doi truong hop thuc hien".split())


def _words(text: str) -> tuple[str, ...]:
    return tuple(t for t in tokens(normalize(text)) if t not in PHRASE_STOPWORDS and len(t) > 1)


def _near(words: Sequence[str]) -> set[tuple[str, str]]:
    """Ordered pairs of neighbouring words, and of words with one general word between them
    ("ghi chú việc kết hôn"; never "cổng dịch vụ" for "công vụ")."""
    pairs = set(itertools.pairwise(words))
    pairs.update((a, c) for a, b, c in zip(words, words[1:], words[2:], strict=False) if b in GENERAL)
    return pairs


@dataclass(frozen=True, slots=True)
class Claim:
    """An uncovered procedure the question names, and who handles it when it is no procedure."""

    name: str
    handled_by: str | None  # who handles it, when it is no administrative procedure
    done_at: str | None = None  # where it is done, when it is another body's procedure


@dataclass(frozen=True, slots=True)
class _Reading:
    """A question as the names are matched against it (cached per message text)."""

    typed: tuple[str, ...]  # corrected words, little words left out
    near: set[tuple[str, str]]  # see _near
    at: dict[str, list[int]]  # word -> its positions in `typed`
    written: list[tuple[str, str]]  # (folded, as typed) when typed with marks


@dataclass(frozen=True, slots=True)
class _Phrase:
    entry: int
    tokens: tuple[str, ...]
    pairs: frozenset[tuple[str, str]]  # neighbouring words of the name
    weights: tuple[tuple[str, float], ...]  # each distinct word and its weight
    total: float
    general: float  # the weight of its general words
    # folded word -> as the name writes it ("cong" -> "công"); one name may write a folded word
    # two ways ("hợp đồng ... lao động")
    spelling: dict[str, frozenset[str]]


class ElsewhereIndex:
    """The names of what the catalogue does not cover, weighed against the catalogue's words."""

    def __init__(self, entries: Iterable[Elsewhere], matcher: Matcher) -> None:
        self.entries: list[Elsewhere] = list(entries)
        self.matcher = matcher
        # What each procedure of ours says it covers: its names, keywords, example questions and the
        # papers it asks for ("đổi bằng lái cần giấy khám sức khỏe không" asks about the renewal);
        # not its summary, which also says what it does not cover ("không áp dụng cho ...").
        self.said: list[frozenset[str]] = []
        self.said_pairs: list[frozenset[tuple[str, str]]] = []
        # Of those, the words of its names and keywords alone: what it is, not what it touches
        # (assistant.nlu.lookalike weighs a word only an example or a paper says less surely).
        self.named: list[frozenset[str]] = []
        for proc in matcher.procedures:
            runs = [_words(text) for text in _own_texts(proc)]
            self.said.append(frozenset(t for run in runs for t in run))
            self.said_pairs.append(frozenset(pair for run in runs for pair in _near(run)))
            self.named.append(frozenset(t for text in _name_texts(proc) for t in _words(text)))
        raw = [(index, _words(text), text) for index, entry in enumerate(self.entries)
               for text in (entry.name, *entry.aliases)]
        entry_words: list[set[str]] = [set() for _ in self.entries]
        for index, run, _ in raw:
            entry_words[index].update(run)
        docs = [*self.said, *entry_words]
        df: dict[str, int] = {}
        for words in docs:
            for w in words:
                df[w] = df.get(w, 0) + 1
        n = len(docs)
        self.unknown_weight = math.log(1 + (n + 1) / 0.5)
        # Questions are read for these names with a corrector that knows their words too: the
        # catalogue's own corrector would turn a slip in "lưu động" into "lao động". (It is not
        # given to the matcher: there the extra words moved slips in questions about our own
        # procedures, measured on benchmarks/data/tune.tsv.)
        names = [tokens(normalize(text)) for _, _, text in raw]
        self.speller = Speller(matcher.speller.vocabulary | {t for run in names for t in run},
                               matcher.speller.pairs | pairs_of(names), matcher.speller.weak_pairs)
        self.weight: dict[str, float] = {
            w: math.log(1 + (n + 1) / (f + 0.5)) for w, f in df.items()}
        self._read_cached = lru_cache(maxsize=20_000)(self._read_uncached)
        self.phrases: list[_Phrase] = []
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, toks, text in raw:
            if len(set(toks)) < 2:
                continue  # one word ("visa") is a referral's business, not a name's
            pairs = frozenset(itertools.pairwise(toks))
            spelling: dict[str, frozenset[str]] = {}
            for folded, written in spelled(text):
                if folded in toks:
                    spelling[folded] = spelling.get(folded, frozenset()) | {written}
            weights = tuple((t, self._weight(t)) for t in dict.fromkeys(toks))
            self.phrases.append(_Phrase(index, toks, pairs, weights, sum(w for _, w in weights),
                                        sum(w for t, w in weights if t in GENERAL), spelling))
            # Where each word occurs, with its weight there; general words are left out of this
            # index, and each name instead carries their weight as if typed (see `claim`).
            for word, weight in weights:
                if word not in GENERAL:
                    postings.setdefault(word, []).append((len(self.phrases) - 1, weight))
        self._postings = {w: (np.array([p for p, _ in ps], dtype=np.int32), np.array([x for _, x in ps]))
                          for w, ps in postings.items()}  # a word occurs once per name: no repeated index
        # Start at (general weight - RECALL_MIN * total): a name is worth reading once this reaches 0.
        self._floor = np.array([p.general - RECALL_MIN * p.total for p in self.phrases])

    def _stretch(self, phrase: _Phrase, reading: _Reading) -> tuple[float, frozenset[str]]:
        """The heaviest run of the name's words typed one after another in the question, and its weight."""
        best: tuple[float, frozenset[str]] = (0.0, frozenset())
        typed = reading.typed
        # ends[i]: the run ending at question position i with the name's previous word.
        ends: dict[int, list[str]] = {}
        for k, word in enumerate(phrase.tokens):
            following: dict[int, list[str]] = {}
            for i in reading.at.get(word, ()):
                run = [word]
                if k:
                    previous = phrase.tokens[k - 1]
                    for j in (i - 1, i - 2):
                        if j in ends and (j == i - 1 or typed[i - 1] in GENERAL) \
                                and not _typed_otherwise(reading.written, previous, word, phrase.spelling):
                            run = [*ends[j], word]
                            break
                following[i] = run
                if len(run) > 1:
                    weight = math.fsum(self._weight(t) for t in set(run))
                    if weight > best[0]:
                        best = (weight, frozenset(run))
            ends = following
        return best

    def _read(self, text: str, corrected: str) -> _Reading:
        if len(text) > 300:
            return self._read_uncached(text, corrected)
        return self._read_cached(text, corrected)

    def _read_uncached(self, text: str, corrected: str) -> _Reading:
        typed = _words(correct_text(self.speller, corrected, kept_words(text)).text)
        at: dict[str, list[int]] = {}
        for i, word in enumerate(typed):
            at.setdefault(word, []).append(i)
        return _Reading(typed, _near(typed), at, spelled(text) if not text.isascii() else [])

    def _weight(self, word: str) -> float:
        return self.weight.get(word, self.unknown_weight)

    def claim(self, query: Query, ranked: Sequence[Scored]) -> Claim | None:
        """The uncovered procedure the question names, when no candidate of ours says every word
        of that name the question uses (in the same order); None otherwise."""
        if not self.phrases:
            return None
        reading = self._read(query.text, query.normalised)
        typed_weight = self._floor.copy()  # general words counted as typed; the rest added below
        for word in reading.at:
            posting = self._postings.get(word)
            if posting is not None:
                typed_weight[posting[0]] += posting[1]
        # A name counts by its longest stretch typed as in the name, each word right after the one
        # before it (a general word may stand between): scattered words make no name. Only a name
        # whose words, typed anywhere, could reach RECALL_MIN is read in order.
        hits: list[tuple[float, _Phrase, frozenset[str]]] = []
        for position in np.flatnonzero(typed_weight >= 0):
            phrase = self.phrases[position]
            weight, found = self._stretch(phrase, reading)
            if weight >= RECALL_MIN * phrase.total:
                hits.append((weight / phrase.total, phrase, found))
        if not hits:
            return None
        own = [self.matcher.index_of[s.id] for s in ranked[:OWN_CONSIDERED]
               if s.score >= OWN_MIN and s.id in self.matcher.index_of]
        # The question's words our best candidate's own names explain (see COVER_MIN).
        top_names = self.matcher.explained_words(ranked[0].id, query) if own and ranked[0].score >= OWN_MIN else set()
        ours = math.fsum(self._weight(t) for t in top_names if t in reading.at)  # (fsum: order-free)
        for _, phrase, words in sorted(hits, key=lambda hit: -hit[0]):
            together = {pair for pair in phrase.pairs if pair in reading.near and pair[0] in words and pair[1] in words}
            if any(words <= self.said[i] and together <= self.said_pairs[i] for i in own):
                continue  # one of ours says all of it, in the same order ("ghi chú" + "kết hôn" is not "ghi chú kết hôn")
            if not (words & top_names) - GENERAL and math.fsum(self._weight(t) for t in words) < ours * COVER_MIN:
                continue  # not a sibling of our best candidate, and a smaller part of the question
            entry = self.entries[phrase.entry]
            return Claim(entry.name, entry.handled_by, entry.done_at)
        return None


_compatible = lru_cache(maxsize=50_000)(compatible)


def _typed_otherwise(written: list[tuple[str, str]], a: str, b: str, spelling: dict[str, frozenset[str]]) -> bool:
    """The citizen typed these two words with marks, and never as the name spells them
    ("cổng dịch vụ" is not "công vụ"); a slip the corrector fixed is no evidence either way."""
    seen = False
    for i, (fa, wa) in enumerate(written):
        if fa != a:
            continue
        for fb, wb in written[i + 1:i + 3]:
            if fb == b:
                seen = True
                if any(_compatible(wa, s) for s in spelling.get(a, (a,))) \
                        and any(_compatible(wb, s) for s in spelling.get(b, (b,))):
                    return False
    return seen


def _name_texts(proc: Procedure) -> tuple[str, ...]:
    return (proc.name, proc.short_name or "", *proc.aliases, *proc.keywords)


def _own_texts(proc: Procedure) -> tuple[str, ...]:
    return (*_name_texts(proc), *(str(e) for e in proc.examples),
            *(t for d in proc.documents for t in (d.name, d.note or "", d.condition or "")), proc.result)
