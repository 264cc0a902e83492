"""Whether a word typed WITH diacritics can be a given catalogue word.

Why: matching runs on folded text, where "cười" (laugh) and "cưới" (marry), "chuyện" (story)
and "chuyển" (transfer) are the same letters. A citizen who typed the marks told us which word
they meant; a mark that contradicts the catalogue's spelling means another word, and that word
must not match. A mark left out is no contradiction ("cuoi", "cươi" may still be "cưới").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from assistant.text.normalize import clean, fold, to_catalogue_tone_style

MAX_CACHED_TEXT = 300  # characters; longer messages are read uncached
_TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")
_WORD = re.compile(r"[^\W\d_]+")


def signature(word: str) -> tuple[tuple[str, ...], str]:
    """(shape mark per letter, tone mark) of a lower-case word: "cưới" -> (("", "\u031b", "", ""), "\u0301").

    "đ" counts as "d" with a shape mark; where the tone sits is ignored ("hoà" = "hòa")."""
    shapes: list[str] = []
    tone = ""
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            tone = ch
        elif unicodedata.combining(ch):
            if shapes:
                shapes[-1] += ch
        elif ch in "đð":
            shapes.append("đ")
        else:
            shapes.append("")
    return tuple(shapes), tone


def marked(word: str) -> bool:
    """The word carries at least one diacritic (it was typed with an input method on)."""
    return fold(word) != word.lower()


def compatible(typed: str, known: str) -> bool:
    """`typed` may be `known` with some marks left out, but none typed differently."""
    (t_shapes, t_tone), (k_shapes, k_tone) = signature(typed), signature(known)
    if len(t_shapes) != len(k_shapes) or (t_tone and t_tone != k_tone):
        return False
    return all(not t or t == k for t, k in zip(t_shapes, k_shapes, strict=True))


def spelled(text: str) -> list[tuple[str, str]]:
    """(folded, as written in lower case) for each word of `text`: where the marks a citizen
    typed tell apart words that fold alike ("đòi" and "đổi", "công" and "cổng")."""
    return [(fold(w), w) for w in _WORD.findall(clean(text).lower())]


def marked_words(text: str) -> list[str]:
    """The lower-case words of a message that carry diacritics, in catalogue tone style.
    Cached for question-sized messages (each message is parsed several times)."""
    if len(text) > MAX_CACHED_TEXT:
        return list(_marked_words(text))
    return list(_marked_words_cached(text))


def _marked_words(text: str) -> tuple[str, ...]:
    if text.isascii():
        return ()
    words = _WORD.findall(to_catalogue_tone_style(clean(text).lower()))
    return tuple(w for w in words if marked(w))


_marked_words_cached = lru_cache(maxsize=20_000)(_marked_words)


def contradicted(text: str, forms: dict[str, frozenset[str]]) -> frozenset[str]:
    if text.isascii():
        return frozenset()
    return _contradicted(text, forms)


def _contradicted(text: str, forms: dict[str, frozenset[str]]) -> frozenset[str]:
    """Folded words of `text` typed with marks that fit none of `forms[folded]` (the catalogue's
    spellings) and never typed compatibly elsewhere in the message."""
    bad: set[str] = set()
    good: set[str] = set()
    for word in marked_words(text):
        key = fold(word)
        known = forms.get(key)
        if not known:
            continue
        (good if any(compatible(word, k) for k in known) else bad).add(key)
    return frozenset(bad - good)


_FRONT = "ieêy"
_ODD_SPELLING = re.compile(rf"^(k[^h{_FRONT}]|c[{_FRONT}]|g[eêy]|gh[^{_FRONT}]|ngh[^{_FRONT}]|ng[{_FRONT}]|q[^u])")


def plausible(word: str) -> bool:
    """Whether a marked word follows Vietnamese spelling: no letter typed twice in a row
    ("phíí"), and the onset spelled as its vowel requires ("kẩu", "ngiệp", "cế" are slips)."""
    bare = unicodedata.normalize("NFC", word.lower())
    base = "".join(ch for ch in unicodedata.normalize("NFD", bare) if ch not in _TONE_MARKS)
    base = unicodedata.normalize("NFC", base)
    if any(a == b for a, b in itertools.pairwise(bare)):
        return False
    return not _ODD_SPELLING.match(base)


def kept_words(text: str) -> frozenset[str]:
    """Folded words of `text` typed with diacritics and spelled as Vietnamese is spelled: the
    citizen chose them, so spelling correction must leave them as typed."""
    if text.isascii():
        return frozenset()
    return frozenset(fold(w) for w in marked_words(text) if _plausible(w))


_plausible = lru_cache(maxsize=20_000)(plausible)
