"""Per-word spelling correction for Vietnamese typed on a phone, on folded text.

Why a Vietnamese-specific corrector: folded Vietnamese is a language of short syllables
where one wrong letter often makes another real word, so a plain edit distance both
over- and under-corrects. This one knows

* syllable structure: a token that cannot be a Vietnamese syllable ("khsi", "cob") is
  certainly a slip and may be corrected freely; a token that is a real syllable ("tom")
  is only corrected when the correction forms a known word pair with a neighbour;
* Telex/VNI leftovers when the input method was off ("ddaang" -> "dang", "d9a8ng" ->
  "dang", "sinhf" -> "sinh"): decoded before any distance is computed;
* tone marks cost nothing: matching runs on folded text, so "đắng" and "đăng" are equal;
* doubled letters ("tamm") cost half an edit; a key next to the right one, two letters
  swapped or one left out cost a little less than any other letter.

Candidates come from a deletion index (the SymSpell idea), so a look-up costs a few dict
probes whatever the vocabulary size; results are cached per token.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from assistant.text.normalize import collapse_repeats

# Onset + vowel nucleus + coda of a folded syllable (tone and vowel marks already removed).
_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
                       r"(uye|uya|uyu|oai|oay|oao|oeo|uay|uoi|uou|ieu|yeu"
                       r"|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|[aeiouy])"
                       r"(ng|nh|ch|[cmnpt])?$")
# Two letters swapped or one left out: the slips a thumb makes most, after a neighbouring key.
# Costing them a little under another letter lets them win a tie ("smi" is "sim", not "sai";
# "nuc" is "nước", not "núc"), which otherwise went to the first word in alphabetical order.
SWAP_OR_DROP = 0.9
MAX_WORD = 14  # letters: longer than any Vietnamese syllable, Telex leftovers included
_TELEX_PAIRS = (("dd", "d"), ("aa", "a"), ("aw", "a"), ("ee", "e"), ("oo", "o"), ("ow", "o"), ("uw", "u"))
_TONE_KEYS = "fsrxj"
_VNI_DIGITS = re.compile(r"[1-9]")


# Particles that sit next to almost any word: a pair with one of them says little.
PARTICLES = frozenset("khong co la cho va cua thi duoc ma de voi roi da se cac nhung mot hay hoac nay a oi nhe".split())
# Question words end a question ("sửa sao", "ở đâu", "mấy ngày"): typed as themselves far more
# often than as a slip for a word of a phrase nearby, so they are never taken for another word.
QUESTION_WORDS = frozenset("sao nao gi dau chua bao may nhieu lau gio ai".split())
# Places citizens abbreviate ("đang ở HN", "tạm trú TP.HCM", "mới vào SG"): words as typed. Left
# to the corrector, "hn" became "hàn" (Korea, a foreign element: "đăng ký tạm trú ở HN" was turned
# away as not ours) and "hcm" became "hâm". A slip in "kết hôn" typed "ket hn" is still "hôn": a
# known word forming no pair with its neighbours is read as the word that forms one; the others are
# never read as another word ("ở tp hcm" is no "ở ô tô").
PLACE_ABBREVIATIONS = frozenset("hn hcm tphcm tp sg".split())
_AS_TYPED = PLACE_ABBREVIATIONS - {"hn"}
# An hour of the day ("4h", "9g", "14h30") is no VNI keystroke: "4h chiều" is four in the afternoon.
_CLOCK = re.compile(r"\d{1,2}(?:h|g|gio)(?:\d{2})?")
# "thứ 2".."thứ 7", "thứ hai"..: a weekday, never "nộp thuế 2" ("nộp thứ 2 thì bao giờ lấy").
_WEEKDAY_AFTER_THU = frozenset({"2", "3", "4", "5", "6", "7", "hai", "ba", "tu", "nam", "sau", "bay", "may"})
# Everyday time phrases ("từ hồi nhỏ", "hồi trước", "lúc nhỏ"): pairs a citizen's story uses far
# more often than the catalogue phrases one slip away from them ("từ hồi" is not "thu hồi").
# Known to the corrector, they keep their words from being taken for a slip.
EVERYDAY_PAIRS: frozenset[tuple[str, str]] = frozenset(
    tuple(phrase.split()) for phrase in (
        "tu hoi", "tu khi", "tu luc", "tu nho", "tu be", "tu truoc", "tu lau",
        "hoi nho", "hoi truoc", "luc nho", "luc truoc",
        # People and thanks ("bán cho người ta", "cho em gái, cảm ơn"): not "người Tây", "em gia cầm".
        "nguoi ta", "cam on", "em gai", "con gai", "chi gai", "em trai", "con trai", "anh trai",
        # "đánh máy sai tên" (typed wrong): not "đánh mất".
        "danh may",
    ))  # never "... đó": "đỏ" must stay the word "bìa"/"sổ" vouch for ("ba do" -> "bìa đỏ")
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOUR_KEYS: dict[str, str] = {
    ch: row[max(0, i - 1):i] + row[i + 1:i + 2] for row in _KEY_ROWS for i, ch in enumerate(row)}


def is_syllable(token: str) -> bool:
    """Whether a folded token can be one Vietnamese syllable ("khai" yes, "khsi" no)."""
    return bool(_SYLLABLE.match(token))


def decode_keystrokes(token: str) -> list[str]:
    """Folded words a token may be when typed with Telex/VNI and the input method off.

    "ddaang" -> ["dang"], "d9a8ng" -> ["dang"], "sinhf" -> ["sinh"], "tw" -> ["tu"]."""
    out: list[str] = []
    if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        out.append(_VNI_DIGITS.sub("", token))
    word = token
    for pair, single in _TELEX_PAIRS:
        word = word.replace(pair, single)
    word = word.replace("w", "u")
    if word != token:
        out.append(word)
    for base in (token, word):
        # "owr" is "ở": after the vowel keys ("ow" -> "o") one letter may be left before the tone key.
        shortest = 2 if base == token else 1
        if len(base) > shortest and base[-1] in _TONE_KEYS and is_syllable(base[:-1]):
            out.append(base[:-1])
    return [w for w in dict.fromkeys(out) if w and w != token]


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w)) if len(w) > 1}
        found |= frontier
    return found


@lru_cache(maxsize=100_000)
def distance(typed: str, word: str) -> float:
    """Edit distance with a doubled letter costing half and a swap costing one."""
    plain = float(OSA.distance(typed, word))
    if plain == 1.0 and len(typed) == len(word):
        diff = [(a, b) for a, b in zip(typed, word, strict=True) if a != b]
        if len(diff) == 1 and diff[0][1] in NEIGHBOUR_KEYS.get(diff[0][0], ""):
            plain = 0.8  # the finger slipped onto the key next to it ("ham" for "han")
        elif len(diff) == 2:
            plain = SWAP_OR_DROP  # two letters swapped ("smi" for "sim")
    elif plain == 1.0 and len(word) == len(typed) + 1 and len(typed) >= 3:
        plain = SWAP_OR_DROP  # a letter left out ("nuc" for "nuoc"); "vn", "hn" are abbreviations
    if any(a == b for a, b in itertools.pairwise(typed)):
        collapsed = collapse_repeats(typed)
        extra = (len(typed) - len(collapsed)) * 0.5
        return min(plain, OSA.distance(collapsed, word) + extra)
    return float(plain)


@dataclass(frozen=True, slots=True)
class Correction:
    """One typed token and what it was taken for."""

    typed: str
    word: str
    similarity: float  # 1.0 for a known word, less the further the correction went


class Speller:
    """Corrects folded tokens against a vocabulary, using neighbouring words as context."""

    def __init__(self, vocabulary: Iterable[str], pairs: Iterable[tuple[str, str]] = (),
                 weak_pairs: Iterable[tuple[str, str]] = ()) -> None:
        """`weak_pairs` (everyday language: assistant.text.lexicon) help choose what a slip that is
        no word stands for, but never keep a real word from being read as a slip or make one: "khi
        sinh con" is everyday, yet "lam giay khi sinh" is still "làm giấy khai sinh"."""
        self.vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        self.pairs = frozenset(pairs)
        # All of them, the catalogue's included: what citizens say, to break a tie between two
        # slips ("ha quoc": "hàn quốc" is everyday, "hai quốc tịch" only the catalogue's).
        self._everyday_pairs = frozenset(weak_pairs)
        self.weak_pairs = self._everyday_pairs - self.pairs
        self._known_pairs = self.pairs | self.weak_pairs
        self._index: dict[str, set[str]] = {}
        for word in self.vocabulary:
            for key in _deletes(word, 2 if len(word) >= 4 else 1):
                self._index.setdefault(key, set()).add(word)
        self._options_cached = lru_cache(maxsize=50_000)(self._options)
        self._real_word_cached = lru_cache(maxsize=50_000)(self._vouched)
        self._particle_cached = lru_cache(maxsize=50_000)(self._particle)
        # The words that follow / precede each word in a known pair, by their first letter.
        self._after: dict[tuple[str, str], list[str]] = {}
        self._before: dict[tuple[str, str], list[str]] = {}
        self._fanout_after: dict[str, int] = {}
        self._fanout_before: dict[str, int] = {}
        for left, right in sorted(self.pairs):
            self._after.setdefault((left, right[0]), []).append(right)
            self._before.setdefault((right, left[0]), []).append(left)
            self._fanout_after[left] = self._fanout_after.get(left, 0) + 1
            self._fanout_before[right] = self._fanout_before.get(right, 0) + 1

    def options(self, token: str) -> tuple[tuple[str, float], ...]:
        """Cached for word-sized tokens only (a long run of letters is answered uncached)."""
        if len(token) > MAX_WORD:
            return self._options(token)
        return self._options_cached(token)

    def _options(self, token: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary words `token` may stand for, best first, with the edit cost."""
        if token in self.vocabulary or (not token.isalpha() and not token.isalnum()) or _CLOCK.fullmatch(token):
            return ((token, 0.0),)
        decoded = [w for w in decode_keystrokes(token) if w in self.vocabulary]
        # Only "w", a leading "dd" or a VNI digit are sure signs of keystrokes. A doubled vowel or
        # a last letter that is a tone key may also be a slip ("doo": "đô" or "đổi" with i hit as
        # o; "dar": "đả" or "đất"; "bằnf": "bằn" + f or "bằng" with g hit as f): both readings
        # stay, and a neighbour decides between them.
        if decoded and ("w" in token or token.startswith("dd") or not token.isalpha()):
            return tuple((w, 0.25) for w in decoded)
        slip_like = (len(token) > 1 and token[-1] in _TONE_KEYS and token[-1] in NEIGHBOUR_KEYS.get(token[-2], "")) \
            or (token[-1] in "rx" and len(token) <= 4)
        decoded_cost = 0.5 if slip_like else 0.25
        if token.isdigit() or len(token) < 2 or len(token) > MAX_WORD:
            return tuple((w, decoded_cost) for w in decoded)
        single = collapse_repeats(token)
        # "tamm" is "tam" with a doubled letter ("cứu", "hưu" keep their "uu"), but "hoo" may
        # also be "hop" with p hit as o: both readings stay and a neighbour decides.
        doubled = [single] if single in self.vocabulary and not is_syllable(token) else []
        # A token that already reads as a word (doubled letter, keystrokes) competes only with
        # words one slip away: two slips are less likely than the reading found.
        depth = 2 if len(token) >= 5 and not (doubled or decoded) else 1
        found: set[str] = set()
        for key in _deletes(token, depth):
            found |= self._index.get(key, set())
        limit = 1.0 if depth == 1 else 2.0
        scored = sorted((distance(token, w), w) for w in found)
        # People rarely miss the first letter of a word: a candidate with another first
        # letter pays a little more, which also breaks ties ("vam tai" -> "van", not "lam").
        costed = sorted((d + (0.0 if w[0] == token[0] else 0.3), w) for d, w in scored if d <= limit)
        costed = sorted({w: d for d, w in [*costed, *((decoded_cost, w) for w in decoded),
                                            *((0.5, w) for w in doubled)]}.items(), key=lambda o: (o[1], o[0]))
        return tuple(costed)[:30]

    def likeliest(self, token: str) -> str:
        """The vocabulary word a token left as typed most likely stands for, at most one slip
        away; the token itself when it is a known word or nothing is that close.

        The corrector keeps an unknown syllable ("guan", "nuc") unless a neighbour vouches for a
        word, since a citizen's words are changed only on evidence; a check that weighs how far a
        question strays from a procedure may still read it as the word it most likely was (see
        assistant.nlu.lookalike)."""
        if token in self.vocabulary or not token.isalpha():
            return token
        opts = self.options(token)
        return opts[0][0] if opts and opts[0][1] <= 1.0 else token

    @staticmethod
    def thumb_slip(typed: str, word: str) -> float | None:
        """The cost of reading known word `typed` as `word` when one thumb slip turns one into the
        other, else None: a letter hit next to the right one or doubled (cost < 1), a letter left
        out, two letters swapped, never the first letter. Another letter anywhere ("cuu" for
        "chu") is more often the word that was meant."""
        if typed == word or typed[0] != word[0] or abs(len(typed) - len(word)) > 1:
            return None
        cost = distance(typed, word)
        if cost < 1.0 or (cost == 1.0 and (len(word) == len(typed) + 1 or sorted(word) == sorted(typed))):
            return cost
        return None

    def correct(self, tokens: list[str], keep: frozenset[str] = frozenset()) -> list[Correction]:
        """The most likely word for every token, choosing between equally close words by
        whether they form a known pair with a neighbour ("khsi sinh" -> "khai sinh").

        Tokens in `keep` (real syllables the citizen typed with their diacritics) are never
        changed: the marks say which word was meant, even one our vocabulary does not know.

        Two passes: slips that cannot be Vietnamese are settled first, so a real syllable next
        to one ("ham quco") sees its corrected neighbour ("quoc") when it looks for a pair."""
        options = [self.options(t) for t in tokens]
        known = self._known_pairs
        best = [opts[0][0] if opts and opts[0][1] == 0.0 else None for opts in options]
        out: list[Correction | None] = [None] * len(tokens)
        order = [i for i, t in enumerate(tokens) if not is_syllable(t)] + \
                [i for i, t in enumerate(tokens) if is_syllable(t)]
        again = [i for i in order if options[i] and options[i][0][1] > 0.0]
        for i in order + again + (again if len(again) > 1 else []):
            # (a second look at every corrected word, now that both neighbours are settled, and a
            # third when two slips sit side by side: "gis hna" settles "hna" -> "hạn" only after
            # "gis" was looked at, and "gis" then becomes "gia")
            token, opts = tokens[i], options[i]
            if not opts:
                out[i] = Correction(token, token, 0.0)
                continue
            if opts[0][1] == 0.0:
                out[i] = self._real_word(i, tokens, best, keep)
                best[i] = out[i].word
                continue
            prev = best[i - 1] if i > 0 else None
            nxt = best[i + 1] if i + 1 < len(tokens) else None

            def context(word: str, prev: str | None = prev, nxt: str | None = nxt) -> bool:
                return (prev, word) in known or (word, nxt) in known

            def support(word: str, prev: str | None = prev, nxt: str | None = nxt) -> float:
                # A pair with a particle ("... không", "có ...") is weak evidence: half weight; an
                # everyday pair (`weak_pairs`) half again, so the catalogue's phrases win a tie.
                return sum((0.6 if other not in PARTICLES else 0.3) * (1.0 if pair in self.pairs else 0.5)
                           for pair, other in (((prev, word), prev), ((word, nxt), nxt)) if pair in known)

            ranked = sorted(opts, key=lambda o: (o[1] - support(o[0]), o[0]))
            word, cost = ranked[0]
            if token in keep and is_syllable(token):
                out[i] = Correction(token, token, 0.0)  # typed with its marks: the word meant
                continue
            if is_syllable(token) and cost >= 0.75 and (not context(word) or word[0] != token[0]):
                # A real word that is not in our vocabulary ("tom", "quen", "bại"): leave it alone
                # unless a neighbour vouches for a word with the same first letter.
                out[i] = Correction(token, token, 0.0)
                continue
            similarity = max(0.5, 0.97 - 0.14 * cost + (0.05 if context(word) else 0.0))
            best[i] = word
            out[i] = Correction(token, word, min(similarity, 0.95))
        return [c for c in out if c is not None]

    def _real_word(self, i: int, tokens: list[str], best: list[str | None], keep: frozenset[str]) -> Correction:
        """A known word that is most likely a slip for another one: one letter dropped, added,
        swapped or hit next to it made a real word ("bo lau" for "bao lâu", "xa dung" for "xây
        dựng", "hon nay" for "hôm nay"). Changed only when it forms no known pair with either
        neighbour while the other word forms one with a neighbour that is not a particle."""
        token = tokens[i]
        prev = best[i - 1] if i > 0 else None
        nxt = best[i + 1] if i + 1 < len(tokens) else None
        if token in keep or token in _AS_TYPED or (token == "thu" and i + 1 < len(tokens) and tokens[i + 1] in _WEEKDAY_AFTER_THU):
            return Correction(token, token, 1.0)
        if token in PARTICLES or token in QUESTION_WORDS:
            return self._particle_cached(prev, token, nxt)
        return self._real_word_cached(prev, token, nxt)

    def _particle(self, prev: str | None, token: str, nxt: str | None) -> Correction:
        """A particle or question word that is most likely a slip for a word of ours: "cấp lại"
        typed "cap la", "đăng ký lại" typed "dky lau". Particles go with almost any word, so one
        stays as typed when it forms any known pair (everyday ones included) with a neighbour;
        only a catalogue pair with a neighbour that is itself no particle or question word reads
        it as the other word. A question word that ends the message asks ("sửa sao": how to
        fix, not "sửa sai"). Cached per (previous word, word, next word)."""
        if (prev, token) in self._known_pairs or (token, nxt) in self._known_pairs \
                or (nxt is None and token in QUESTION_WORDS):
            return Correction(token, token, 1.0)
        found: tuple[float, int, str] | None = None
        for side, other in ((self._after, prev), (self._before, nxt)):
            if other is None or other in PARTICLES or other in QUESTION_WORDS:
                continue
            for word in side.get((other, token[0]), ()):
                cost = self.thumb_slip(token, word)
                if cost is None:
                    continue
                key = (cost, -self._everyday(prev, word, nxt), word)
                if found is None or key < found:
                    found = key
        if found is None:
            return Correction(token, token, 1.0)
        return Correction(token, found[2], max(0.5, 0.9 - 0.14 * found[0]))

    def _everyday(self, prev: str | None, word: str, nxt: str | None) -> int:
        """How many of the word's neighbours it forms an everyday pair with (see `__init__`)."""
        return ((prev, word) in self._everyday_pairs) + ((word, nxt) in self._everyday_pairs)

    def _vouched(self, prev: str | None, token: str, nxt: str | None) -> Correction:
        """See `_real_word`; cached per (previous word, word, next word).

        A word that forms a known pair with a neighbour is kept, unless the other neighbour
        only ever follows (or precedes) one word and the slip is one from it: "cước" only
        comes after "căn", so "làm ca cước" is "làm căn cước" though "làm cà (vẹt)" is known."""
        paired = (prev, token) in self.pairs or (token, nxt) in self.pairs
        # The words a neighbour vouches for are few: look only at those (no index probe).
        # Between equally close words, the one citizens say beside its neighbours wins ("do ha
        # quoc": "hàn quốc", not the catalogue's "hai quốc tịch"); then the one vouched for by the
        # more particular neighbour ("lại ba lâu": "lâu" pairs with few words, "lại" with many,
        # so "bao", not "bản").
        found: tuple[float, int, int, str] | None = None
        size, first = len(token), token[0]
        for side, other, fanout in ((self._after, prev, self._fanout_after), (self._before, nxt, self._fanout_before)):
            if other is None or other in PARTICLES or (paired and fanout.get(other, 0) != 1):
                continue
            for word in side.get((other, first), ()):
                if abs(len(word) - size) > 1:
                    continue
                cost = self.thumb_slip(token, word)
                if cost is None:
                    continue
                key = (cost, -self._everyday(prev, word, nxt), fanout.get(other, 1), word)
                if found is None or key < found:
                    found = key
        if found is None:
            return Correction(token, token, 1.0)
        # A word in everyday pairs only stays as typed when it stands in as many as the slip would
        # form: "em đi học lại" is not "em du học lại", though "du học" is ours and "đi học" only
        # everyday; "làm giấy khi sinh" still reads "khai sinh" (two pairs to one).
        if not paired and self._pair_count(prev, token, nxt) >= self._pair_count(prev, found[3], nxt):
            return Correction(token, token, 1.0)
        return Correction(token, found[3], max(0.5, 0.9 - 0.14 * found[0]))

    def _pair_count(self, prev: str | None, word: str, nxt: str | None) -> int:
        return ((prev, word) in self._known_pairs) + ((word, nxt) in self._known_pairs)

    def split(self, token: str) -> list[str] | None:
        """A run of two known words typed without the space ("khaisinh")."""
        if len(token) < 5 or len(token) > 2 * MAX_WORD or token in self.vocabulary:
            return None
        for cut in range(2, len(token) - 1):
            left, right = token[:cut], token[cut:]
            if left in self.vocabulary and right in self.vocabulary and (left, right) in self.pairs:
                return [left, right]
        return None


def pattern_words(*objects: object) -> set[str]:
    """The plain words inside regular expressions (compiled, or in lists/tuples/dicts of them),
    so the corrector knows the words other rules look for ("hotline", "tra cứu")."""
    words: set[str] = set()
    stack = list(objects)
    while stack:
        obj = stack.pop()
        if isinstance(obj, re.Pattern):
            plain = re.sub(r"\\[bBsSwWdD]|\(\?<?[!=:]|[(){}?|*+.\\^$\[\],0-9]", " ", obj.pattern)
            words.update(w for w in plain.split() if w.isalpha() and w.isascii() and len(w) > 1)
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
    return words


def pairs_of(phrases: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    """Adjacent word pairs of phrases (context for choosing between corrections)."""
    return {pair for phrase in phrases for pair in itertools.pairwise(list(phrase))}
