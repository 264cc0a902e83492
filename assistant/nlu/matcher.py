"""Find the procedure a citizen means.

Two stages keep it fast on large catalogues: an inverted token index with IDF weights
picks a few dozen candidates (numpy, no Python loop over the catalogue), then each
candidate's name, short name, aliases and keywords are scored phrase by phrase with
soft token matching (rapidfuzz similarity for typos). Scores are 0–100.

Above 500 lines because the index, the query's correction (abbreviations slipped on a phone
are expanded here) and the scoring variants compared by benchmarks/matching.py share the same
precomputed statistics; splitting them would pass those tables between modules for no gain.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from assistant.catalog.schema import Procedure
from assistant.nlu.distinguish import DISTINGUISHING_PAIRS, DISTINGUISHING_WORDS, read_marks
from assistant.nlu.facets import FACET_PAIRS, FACET_WORDS, facet_spans
from assistant.nlu.facets import facet_spans as _facet_spans
from assistant.text.lexicon import Lexicon
from assistant.text.marks import contradicted, kept_words, marked_words
from assistant.text.normalize import TEENCODE, collapse_repeats, fold, normalize, strip_telex_tail, tokens
from assistant.text.spelling import EVERYDAY_PAIRS, PLACE_ABBREVIATIONS, Speller, is_syllable, pairs_of

# Words that carry no information about *which* procedure (question words, pronouns,
# politeness). Removed from questions, unless the word and a neighbour form a word pair
# that occurs in a catalogue phrase ("bản sao", "mua bán": folded, "ban" is also "bạn").
STOPWORDS = frozenset(
    """
    a ad admin ah ak anh ban bao biet bi bo cac cai can chao chi cho chu co cua da day de di duoc em gi gio
    giup gium hay hoac hoi hom khi khong kia kinh la lam lau lieu luc ma me minh muon nao nay ne neu nha nhe
    nhieu nho nhung oi phai ra roi sao sau thi the thu toi tren trong u va vang vao vay ve voi xem xin
    """.split()
)
# Purely functional words dropped from catalogue phrases themselves.
PHRASE_STOPWORDS = frozenset("cho cua va hoac cac nhung voi trong theo tai ve o la thi de khi".split())

MAX_CACHED_TOKEN = 40  # letters; longer "words" are not cached (see Matcher._correct)
MAX_CACHED_TEXT = 300  # characters; longer messages are corrected without caching (see Matcher.correct)

SCORINGS = ("phrase", "bm25", "fused")
CANDIDATE_FLOOR = 0.2

# How much of a question's informative weight its best procedure may leave unexplained before
# confidence drops, and how fast it drops beyond that (calibrated on benchmarks/data/tune.tsv).
UNEXPLAINED_FREE = 0.65
UNEXPLAINED_SLOPE = 1.5
UNEXPLAINED_FROM = 15.0  # scores below this are not suggested anyway: no need to weigh them
UNKNOWN_WEIGHT = 0.6  # of the rarest word's weight, for a word no procedure's text uses
# General Vietnamese filler that says nothing about which procedure (beyond STOPWORDS).
FILLER = frozenset(
    """
    thu tuc dang ky giay to ho so xin hoi cam on vui long dum giup nguoi dan cong dan bac chu co di ong con chau
    oi a nhe nha ha ho voi duoc khong ko chua can phai lam nhu nao sao gi the nay do kia ay luon nua cung
    len xuong den toi
    """.split()
)

KIND_WEIGHT = {"name": 1.0, "short_name": 1.0, "alias": 1.0, "keyword": 0.85}


@dataclass(frozen=True, slots=True)
class Phrase:
    proc: int
    kind: str
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledPhrase:
    """A phrase with everything the scorer needs precomputed (scoring is the hot path)."""

    tokens: tuple[str, ...]
    token_set: frozenset[str]
    weights: tuple[float, ...]  # idf of each token
    total: float
    pairs: tuple[tuple[str, str], ...]
    weight: float  # kind weight: names and aliases 1.0, keywords less
    # The pairs as a set, when none repeats (almost always): counting the question's pairs
    # among them is then one C-level intersection instead of a generator per phrase.
    pair_set: frozenset[tuple[str, str]] | None


@dataclass(frozen=True, slots=True)
class Scored:
    id: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class Corrected:
    """A normalised message with every word spelled as the catalogue (or plain Vietnamese) spells it.

    `similarity` holds, for each word that was corrected, how sure the correction is (0..1);
    words typed correctly are absent (similarity 1)."""

    text: str
    similarity: dict[str, float]


@dataclass(slots=True)
class Query:
    text: str
    normalised: str
    content: list[str]  # informative tokens after facet phrases and stopwords are removed
    matched: dict[str, float] = field(default_factory=dict)  # vocabulary token -> similarity 0..1
    pairs: set[tuple[str, str]] = field(default_factory=set)  # adjacent (corrected) words, in order
    masked: str = ""  # the corrected text with facet phrases blanked out (for distinguishing words)
    # Folded words typed with diacritics that contradict every catalogue spelling of them
    # ("cười" is not "cưới"): they match nothing and count as unexplained.
    foreign: frozenset[str] = frozenset()
    informative: list[tuple[float, tuple[str, ...]]] | None = None  # cache of Matcher._informative

    @property
    def empty(self) -> bool:
        return not self.content


def content_tokens(normalised: str, pairs: frozenset[tuple[str, str]] = frozenset(),
                   spans: list[tuple[int, int]] | None = None) -> list[str]:
    """Tokens of a normalised message with facet phrases and stopwords removed.

    A stopword survives when it forms one of `pairs` (catalogue word pairs) with a neighbour."""
    spans = sorted(facet_spans(normalised) if spans is None else spans)
    if spans:
        kept, pos = [], 0
        for start, end in spans:
            if start > pos:
                kept.append(normalised[pos:start])
            pos = max(pos, end)
        kept.append(normalised[pos:])
        normalised = " ".join(kept)
    toks = tokens(normalised)
    keep = [t not in STOPWORDS for t in toks]
    if pairs:
        for i in range(len(toks) - 1):
            if (toks[i], toks[i + 1]) in pairs:
                keep[i] = keep[i + 1] = True
    return [t for t, k in zip(toks, keep, strict=True) if k]


def correct_text(speller: Speller, normalised: str, keep: frozenset[str] = frozenset()) -> Corrected:
    """Every word of a normalised message as `speller`'s vocabulary spells it (see `Corrected`)."""
    words: list[str] = []
    for token in tokens(normalised):
        words.extend(speller.split(token) or [token])
    similarity: dict[str, float] = {}
    out: list[str] = []
    for fix in speller.correct(words, keep):
        if fix.word != fix.typed and fix.word in TEENCODE:
            # An abbreviation typed with a slip ("gpxl" -> "gplx") stands for its words.
            for word in TEENCODE[fix.word].split():
                out.append(word)
                similarity[word] = min(similarity.get(word, 1.0), fix.similarity)
            continue
        out.append(fix.word)
        if fix.word != fix.typed:
            similarity[fix.word] = min(similarity.get(fix.word, 1.0), fix.similarity)
    return Corrected(" ".join(out), similarity)


def _mask(normalised: str, spans: list[tuple[int, int]]) -> str:
    """The text with facet phrases replaced by a bar, so the words either side of a removed
    phrase never look adjacent ("thì [bao lâu] lấy" is not "thi lấy")."""
    chars = list(normalised)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = "|"
    return " ".join(re.sub(r"\|+", " | ", "".join(chars)).split())


def phrase_tokens(text: str) -> tuple[str, ...]:
    toks = [t for t in tokens(normalize(text)) if t not in PHRASE_STOPWORDS]
    return tuple(dict.fromkeys(toks))


class Matcher:
    """Scores procedures for a message. Build once per catalogue; thread-safe to query."""

    def __init__(self, procedures: Iterable[Procedure], candidate_pool: int = 40,
                 extra_words: Iterable[str] = (), scoring: str = "phrase", lexicon: Lexicon | None = None) -> None:
        """`extra_words`: words or phrases that are not in the catalogue but must never be
        "corrected" into catalogue words (the locality's commune names); a phrase's words are
        known to stand together. `lexicon`: the words and pairs citizens use beyond the
        catalogue's (assistant.text.lexicon), for the corrector only.

        `scoring` chooses how candidates are scored (benchmarks/matching.py compares them):
        "phrase" (best phrase recall + query precision, shipped), "bm25" (Okapi BM25 over
        each procedure's words) or "fused" (the two averaged)."""
        if scoring not in SCORINGS:
            raise ValueError(f"unknown scoring {scoring!r}; one of {', '.join(SCORINGS)}")
        self.scoring = scoring
        self.procedures: list[Procedure] = list(procedures)
        self.candidate_pool = candidate_pool
        self.phrases: list[Phrase] = []
        self.by_proc: list[list[Phrase]] = [[] for _ in self.procedures]
        self.index_of: dict[str, int] = {p.id: i for i, p in enumerate(self.procedures)}
        vocab_procs: dict[str, set[int]] = {}
        pairs: set[tuple[str, str]] = set()
        for index, proc in enumerate(self.procedures):
            entries = [("name", proc.name)]
            if proc.short_name:
                entries.append(("short_name", proc.short_name))
            entries += [("alias", a) for a in proc.aliases] + [("keyword", k) for k in proc.keywords]
            seen: set[tuple[str, ...]] = set()
            for kind, text in entries:
                toks = phrase_tokens(text)
                if not toks or toks in seen:
                    continue
                seen.add(toks)
                phrase = Phrase(index, kind, toks)
                self.phrases.append(phrase)
                self.by_proc[index].append(phrase)
                for token in toks:
                    vocab_procs.setdefault(token, set()).add(index)
                pairs.update(itertools.pairwise(toks))
        self.phrase_sharing: dict[tuple[str, ...], int] = {}
        for phrase in self.phrases:
            self.phrase_sharing[phrase.tokens] = self.phrase_sharing.get(phrase.tokens, 0) + 1
        n = max(len(self.procedures), 1)
        self.idf: dict[str, float] = {t: math.log(1 + (n + 1) / (len(p) + 0.5)) for t, p in vocab_procs.items()}
        self.default_idf = math.log(1 + (n + 1) / 0.5)  # a word the catalogue never uses
        self.postings: dict[str, np.ndarray] = {
            t: np.fromiter(sorted(p), dtype=np.int32, count=len(p)) for t, p in vocab_procs.items()
        }
        self.vocabulary = frozenset(vocab_procs)
        forms: dict[str, set[str]] = {}
        for proc in self.procedures:
            for text in (proc.name, proc.short_name or "", *proc.aliases, *proc.keywords):
                for word in marked_words(text):
                    forms.setdefault(fold(word), set()).add(word)
        # The catalogue's own spellings of each marked word, to tell "cười" from "cưới".
        self.forms: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in forms.items()}
        self.pairs = frozenset(pairs)
        self._vocab_list = sorted(self.vocabulary)
        # The speller (assistant.text.spelling) corrects every word before scoring; a linear
        # rapidfuzz scan of the vocabulary for what it left adds nothing measurable on the
        # benchmarks and costs ~30 ms per unknown word at 10,000 procedures, so it is off.
        self.fuzzy_fallback = False
        self._correct_cached = lru_cache(maxsize=50_000)(self._correct_uncached)
        # Everything a procedure's own text explains (names, keywords, examples, summary), and how
        # informative each word is over those texts: a question word none of it mentions
        # ("quán bar" beside "giấy phép kinh doanh") is something the procedure does not cover.
        self.explains: list[frozenset[str]] = []
        doc_freq: dict[str, int] = {}
        for proc in self.procedures:
            texts = (proc.name, proc.short_name or "", *proc.aliases, *proc.keywords,
                     *(str(e) for e in proc.examples or ()), proc.summary or "")
            words = frozenset(t for text in texts for t in tokens(normalize(text)))
            self.explains.append(words)
            for w in words:
                doc_freq[w] = doc_freq.get(w, 0) + 1
        self.explain_idf: dict[str, float] = {w: math.log(1 + (n + 1) / (f + 0.5)) for w, f in doc_freq.items()}
        raw_phrases = [tokens(normalize(text)) for proc in self.procedures
                       for text in (proc.name, proc.short_name or "", *proc.aliases, *proc.keywords)]
        # Abbreviations of four letters or more ("gplx", "bhxh"), or of three that cannot be a
        # syllable ("ntn", "dky"), are words too: typed with a slip ("gpxl", "ntm") they are
        # corrected, then expanded (see _correct_text).
        general = set(STOPWORDS) | set(PHRASE_STOPWORDS) | FACET_WORDS | {
            w for expansion in TEENCODE.values() for w in expansion.split()} | {
            k for k in TEENCODE if len(k) >= 4 or (len(k) == 3 and not is_syllable(k))}
        general |= {w for pair in EVERYDAY_PAIRS for w in pair}  # their words are spelled right as typed
        general |= PLACE_ABBREVIATIONS
        lexicon = lexicon or Lexicon()
        extra = [tokens(normalize(e)) for e in extra_words]
        self.speller = Speller(self.vocabulary | general | DISTINGUISHING_WORDS | {t for p in raw_phrases for t in p} |
                               {w for e in extra for w in e} | lexicon.words,
                               pairs_of(raw_phrases) | pairs_of(extra) | FACET_PAIRS | DISTINGUISHING_PAIRS |
                               EVERYDAY_PAIRS, weak_pairs=lexicon.pairs)
        self._correct_text_cached = lru_cache(maxsize=20_000)(self._correct_text)
        # Okapi BM25 statistics over each procedure's bag of phrase words.
        self._tf: list[dict[str, int]] = []
        for phrases in self.by_proc:
            tf: dict[str, int] = {}
            for phrase in phrases:
                for token in phrase.tokens:
                    tf[token] = tf.get(token, 0) + 1
            self._tf.append(tf)
        lengths = [sum(tf.values()) for tf in self._tf]
        self._avgdl = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._dl = lengths
        self.compiled: list[list[CompiledPhrase]] = [
            [self._compile(phrase) for phrase in phrases] for phrases in self.by_proc
        ]
        # Per procedure, each word's phrases (by position) with the word's weight in each (its
        # idf, times the times it occurs there): scoring then walks only the question's words.
        self.phrases_of_word: list[dict[str, tuple[tuple[int, float], ...]]] = []
        for phrases in self.compiled:
            where: dict[str, dict[int, float]] = {}
            for position, phrase in enumerate(phrases):
                for token, weight in zip(phrase.tokens, phrase.weights, strict=True):
                    found = where.setdefault(token, {})
                    found[position] = found.get(position, 0.0) + weight
            self.phrases_of_word.append({token: tuple(found.items()) for token, found in where.items()})

    def _compile(self, phrase: Phrase) -> CompiledPhrase:
        weights = tuple(self.idf[t] for t in phrase.tokens)
        pairs = tuple(zip(phrase.tokens, phrase.tokens[1:], strict=False))
        return CompiledPhrase(
            tokens=phrase.tokens,
            token_set=frozenset(phrase.tokens),
            weights=weights,
            total=sum(weights),
            pairs=pairs,
            weight=self._weight(phrase),
            pair_set=frozenset(pairs) if len(set(pairs)) == len(pairs) else None,
        )

    # -- query side -------------------------------------------------------------------

    def _correct(self, token: str) -> tuple[tuple[str, float], ...]:
        """Cached for word-sized tokens only: 50,000 entries of a few bytes each stay small, but a
        run of thousands of letters without a space would make each entry kilobytes."""
        if len(token) > MAX_CACHED_TOKEN:
            return self._correct_uncached(token)
        return self._correct_cached(token)

    def _correct_uncached(self, token: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary words a typed token may stand for, with a similarity 0..1."""
        if token in self.vocabulary:
            return ((token, 1.0),)
        stem = strip_telex_tail(token, self.vocabulary)
        if stem != token:
            return ((stem, 0.95),)
        single = collapse_repeats(token)  # "tamm truu" -> "tam tru"; Vietnamese rarely doubles letters
        if single != token and single in self.vocabulary:
            return ((single, 0.95),)
        if len(token) < 4 or token.isdigit():
            return ()
        if not self.fuzzy_fallback:
            return ()
        # One wrong letter in a short word is often another word ("troi" is not "tro").
        cutoff = 88 if len(token) < 6 else 84
        hits = process.extract(token, self._vocab_list, scorer=fuzz.ratio, limit=2, score_cutoff=cutoff)
        return tuple((word, score / 100 * 0.95) for word, score, _ in hits)

    def correct(self, normalised: str, original: str | None = None) -> Corrected:
        """The message with every word corrected (see `Corrected`). Cached for question-sized
        messages only, so a flood of long stories cannot fill memory.

        With the `original` text, real syllables typed with their diacritics are kept as typed."""
        keep = kept_words(original) if original else frozenset()
        if len(normalised) > MAX_CACHED_TEXT:
            return self._correct_text(normalised, keep)
        return self._correct_text_cached(normalised, keep)

    def _correct_text(self, normalised: str, keep: frozenset[str] = frozenset()) -> Corrected:
        return correct_text(self.speller, normalised, keep)

    def parse(self, text: str, facet_spans: list[tuple[int, int]] | None = None,
              corrected: Corrected | None = None) -> Query:
        """`facet_spans` from `scan_facets` saves scanning the facet phrases a second time;
        they refer to `corrected.text` when `corrected` is given (see `correct`)."""
        corrected = corrected or self.correct(normalize(text), text)
        normalised = corrected.text
        query = Query(text=text, normalised=normalised,
                      content=content_tokens(normalised, self.pairs, facet_spans))
        query.masked = read_marks(text, _mask(normalised, facet_spans if facet_spans is not None
                                             else _facet_spans(normalised)))
        query.foreign = contradicted(text, self.forms)
        best_words = []
        for token in query.content:
            options = () if token in query.foreign else self._correct(token)
            factor = corrected.similarity.get(token, 1.0)
            for word, sim in options:
                if sim * factor > query.matched.get(word, 0.0):
                    query.matched[word] = sim * factor
            best_words.append(options[0][0] if options else token)
        query.pairs = set(itertools.pairwise(best_words))
        return query

    # -- scoring ----------------------------------------------------------------------

    def _candidates(self, query: Query) -> list[int]:
        if not query.matched or not self.procedures:
            return []
        acc = np.zeros(len(self.procedures), dtype=np.float32)
        for word, sim in query.matched.items():
            acc[self.postings[word]] += self.idf[word] * sim
        pool = min(self.candidate_pool, len(self.procedures))
        top = np.argpartition(-acc, pool - 1)[:pool] if pool < len(acc) else np.arange(len(acc))
        # A procedure sharing less than a fifth of the best one's word weight cannot end near
        # the top once phrases are scored; skipping it halves the scoring work.
        floor = max(float(acc.max()) * CANDIDATE_FLOOR, 1e-9)
        return [int(i) for i in top if acc[i] >= floor]

    def _query_weight(self, query: Query) -> float:
        total = 0.0
        for token in query.content:
            options = () if token in query.foreign else self._correct(token)
            total += max((self.idf[w] for w, _ in options), default=self.default_idf * 0.6)
        return total

    def _informative(self, query: Query) -> list[tuple[float, tuple[str, ...]]]:
        """The question's informative words, each as (weight, the words it may stand for);
        computed once per question (see `unexplained_share`). Filler does not count; a word no
        procedure's text uses weighs like a rare one, unless it cannot be Vietnamese (a slip)."""
        if query.informative is not None:
            return query.informative
        out: list[tuple[float, tuple[str, ...]]] = []
        for token in dict.fromkeys(query.content):
            if token in FILLER or token in STOPWORDS or len(token) < 2:
                continue
            if token in query.foreign:
                out.append((self.default_idf, ()))
                continue
            words = (token, *(w for w, _ in self._correct(token)))
            weight = max(self.explain_idf.get(w, 0.0) for w in words)
            if not weight:
                weight = self.default_idf * (UNKNOWN_WEIGHT if is_syllable(token) else UNKNOWN_WEIGHT / 4)
            out.append((weight, words))
        query.informative = out
        return out

    def unexplained_share(self, index: int, query: Query) -> float:
        """The part (0..1) of the question's informative weight that procedure `index`'s own text
        (names, keywords, examples, summary) does not mention."""
        own = self.explains[index]
        total = missing = 0.0
        for weight, words in self._informative(query):
            total += weight
            if not any(w in own for w in words):
                missing += weight
        return missing / total if total else 0.0

    def score_procedure(self, index: int, query: Query, query_weight: float,
                        skip: tuple[str, ...] | None = None) -> float:
        """Score one procedure; `skip` leaves out one phrase (to ask "without this alias...").

        This runs for every candidate of every message, so it walks the question's few words
        into the procedure's word-to-phrase index instead of every word of every phrase."""
        matched = query.matched
        where = self.phrases_of_word[index]
        phrases = self.compiled[index]
        skipped = {p for p, phrase in enumerate(phrases) if phrase.tokens == skip} if skip is not None else None
        hits: dict[int, float] = {}
        covered: dict[str, float] = {}
        for token, sim in matched.items():
            found = where.get(token)
            if skipped and found:
                found = tuple(f for f in found if f[0] not in skipped)
            if found and sim:
                covered[token] = sim
                for position, weight in found:
                    hits[position] = hits.get(position, 0.0) + weight * sim
        best = 0.0
        pairs = query.pairs
        for position, hit in hits.items():
            phrase = phrases[position]
            recall = hit / phrase.total
            if recall * phrase.weight <= best:
                continue  # word order only lowers a phrase's recall: this one cannot be the best
            if phrase.pairs:
                # Words of the phrase typed next to each other, in order, count fully;
                # the same words scattered through a sentence count a little less.
                if phrase.pair_set is not None:
                    in_order = len(phrase.pair_set & pairs) / len(phrase.pairs)
                else:
                    in_order = sum(pair in pairs for pair in phrase.pairs) / len(phrase.pairs)
                recall *= 0.85 + 0.15 * in_order
            recall *= phrase.weight
            if recall > best:
                best = recall
        if not covered or query_weight <= 0:
            return 0.0
        precision = min(1.0, math.fsum(self.idf[t] * s for t, s in covered.items()) / query_weight)
        return 100.0 * (0.7 * best + 0.3 * precision) * (0.6 + 0.4 * best)

    def explained_words(self, procedure_id: str, query: Query) -> set[str]:
        """The question's (corrected) words that occur in the procedure's names and keywords."""
        index = self.index_of.get(procedure_id)
        if index is None:
            return set()
        own = {t for p in self.compiled[index] for t in p.tokens}
        return {w for w in query.matched if w in own} - STOPWORDS

    def covering(self, query: Query, ranked: list[Scored], max_words: int = 4) -> list[Scored]:
        """For a short question made only of words several procedures share ("đăng ký cư trú",
        "bằng lái xe"), the ranked procedures whose names contain all of them; empty when
        the question is long, or one procedure has a name or alias that is exactly the question.

        Word overlap alone cannot tell these apart, so the honest reply asks back."""
        words = [t for t in dict.fromkeys(query.content) if t in self.vocabulary]
        core = frozenset(words) - STOPWORDS
        if len(core) < 2 or len(words) > max_words or len(words) < len(query.content):
            return []  # one word ("giá") is too little to ask back about
        wanted = frozenset(words)
        out = []
        for s in ranked:
            phrases = self.compiled[self.index_of[s.id]]
            if any(p.token_set - STOPWORDS == core for p in phrases if p.weight >= 1.0):
                return []
            if wanted <= frozenset(t for p in phrases for t in p.tokens):
                out.append(s)
        return out if len(out) >= 2 else []

    def bm25(self, index: int, query: Query, k1: float = 1.2, b: float = 0.75) -> float:
        tf = self._tf[index]
        norm = k1 * (1 - b + b * self._dl[index] / self._avgdl)
        return sum(self.idf[w] * sim * tf[w] * (k1 + 1) / (tf[w] + norm) for w, sim in query.matched.items() if w in tf)

    def _bm25_ceiling(self, query: Query, k1: float = 1.2) -> float:
        """What a procedure naming every query word a few times would score: scales BM25 to 0..100
        so the same answer/clarify thresholds apply."""
        return sum(self.idf[w] * sim * (k1 + 1) * 0.75 for w, sim in query.matched.items())

    def _weight(self, phrase: Phrase) -> float:
        """Names and aliases count fully; a keyword less, and less again when procedures share it."""
        if phrase.kind != "keyword":
            return 1.0
        return max(0.7, KIND_WEIGHT["keyword"] - 0.04 * (self.phrase_sharing.get(phrase.tokens, 1) - 1))

    def score_without_phrase(self, procedure_id: str, text: str) -> tuple[float, list[Scored]]:
        """How well `text` matches its procedure without the phrase `text` itself, and the ranking.

        Used by the catalogue lint: an alias that another procedure matches better than
        the rest of its own procedure's names is probably misplaced."""
        query = self.parse(text)
        index = self.index_of[procedure_id]
        own = self.score_procedure(index, query, self._query_weight(query), skip=phrase_tokens(text))
        return own, self.rank(query, limit=3)

    def rank(self, text: str | Query, limit: int = 5, among: list[str] | None = None) -> list[Scored]:
        """Best procedures first. `among` scores only those procedures (ids): to re-read part
        of a message when the whole already named the candidates."""
        query = text if isinstance(text, Query) else self.parse(text)
        if among is not None:
            candidates = [self.index_of[i] for i in among if i in self.index_of] if query.matched else []
        else:
            candidates = self._candidates(query)
        if not candidates:
            return []
        qw = self._query_weight(query)
        if self.scoring == "phrase":
            scored = [(self.score_procedure(i, query, qw), i) for i in candidates]
            scored = [(s * (1.0 - UNEXPLAINED_SLOPE * max(0.0, self.unexplained_share(i, query) - UNEXPLAINED_FREE)), i)
                      if s >= UNEXPLAINED_FROM else (s, i) for s, i in scored]
        else:
            bm = {i: self.bm25(i, query) for i in candidates}
            top = max(bm.values(), default=0.0) or 1.0
            ceiling = max(top, self._bm25_ceiling(query))
            if self.scoring == "bm25":
                scored = [(100.0 * bm[i] / ceiling, i) for i in candidates]
            else:
                scored = [(0.5 * self.score_procedure(i, query, qw) + 50.0 * bm[i] / ceiling, i) for i in candidates]
        scored.sort(key=lambda pair: (-pair[0], self.procedures[pair[1]].id))
        return [
            Scored(self.procedures[i].id, self.procedures[i].display_name, round(s, 2))
            for s, i in scored[:limit]
            if s > 0
        ]

