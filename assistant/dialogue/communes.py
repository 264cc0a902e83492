"""Where the citizen lives: find a commune of the locality in a message.

Since 1/7/2025 a province has communes and wards directly under it; a few rules differ per
commune (e.g. the former Khánh Vĩnh district's 1-day marriage-status commitment applies to
its five successor communes). A citizen says "em ở xã Nam Khánh Vĩnh" or "tôi ở cam ranh",
with or without diacritics; the phrase is found on the folded text, longest name first, so
"Nam Khánh Vĩnh" is never read as "Khánh Vĩnh".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.catalog.schema import Commune, Locality
from assistant.text.normalize import normalize

_KIND_WORDS = ("xa", "phuong", "dac khu", "thi tran")


@dataclass(frozen=True)
class CommuneHit:
    slug: str
    span: tuple[int, int]  # in the normalised text; excluded from procedure matching


class CommuneFinder:
    """Matches commune names and aliases of one locality on normalised text."""

    def __init__(self, locality: Locality | None) -> None:
        phrases: dict[str, str] = {}
        for commune in locality.communes if locality else []:
            for phrase in _phrases(commune):
                phrases.setdefault(phrase, commune.slug)
        ordered = sorted(phrases, key=len, reverse=True)
        self._slug = phrases
        kinds = "|".join(_KIND_WORDS)
        self._pattern = (
            re.compile(rf"\b(?:(?:{kinds})\s+)?({'|'.join(re.escape(p) for p in ordered)})\b") if ordered else None
        )

    @property
    def words(self) -> set[str]:
        """Every word of every commune name (the spelling corrector must leave them alone)."""
        return {word for phrase in self._slug for word in phrase.split()}

    def find(self, normalised: str) -> CommuneHit | None:
        if self._pattern is None:
            return None
        match = self._pattern.search(normalised)
        if match is None:
            return None
        return CommuneHit(self._slug[match.group(1)], match.span())


def _phrases(commune: Commune) -> set[str]:
    names = {normalize(commune.name), *(normalize(a) for a in commune.aliases)}
    bare = set()
    for name in names:
        for kind in _KIND_WORDS:
            if name.startswith(kind + " "):
                bare.add(name[len(kind) + 1:])
    return {n for n in names | bare if n}
