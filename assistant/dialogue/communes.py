"""Where the citizen lives: find a commune of the locality in a message.

Since 1/7/2025 a province has communes and wards directly under it; a few rules differ per
commune (e.g. the former Khánh Vĩnh district's 1-day marriage-status commitment applies to
its five successor communes). A citizen says "em ở xã Nam Khánh Vĩnh" or "tôi ở cam ranh",
with or without diacritics; the phrase is found on the folded text, longest name first, so
"Nam Khánh Vĩnh" is never read as "Khánh Vĩnh". A citizen who has not said where they live is
asked (`commune_question`) only when some commune's rule changes the answer they got.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.catalog.loader import Catalog
from assistant.catalog.schema import Commune, Locality, Procedure
from assistant.dialogue.facts import time_limit_text
from assistant.dialogue.reply import Reply, Status
from assistant.nlu.facets import Facet
from assistant.text.normalize import normalize

_KIND_WORDS = ("xa", "phuong", "dac khu", "thi tran")
_DISTRICT_BEFORE = re.compile(r"\bhuyen\s+$")


@dataclass(frozen=True)
class CommuneHit:
    slug: str
    span: tuple[int, int]  # in the normalised text; excluded from procedure matching
    # "em ở huyện Khánh Vĩnh": a former district (abolished 1/7/2025), not the commune that kept
    # its name. `slug` is then empty and these are the communes that succeeded it.
    successors: tuple[str, ...] = ()
    district: str = ""


class CommuneFinder:
    """Matches commune names and aliases of one locality on normalised text."""

    def __init__(self, locality: Locality | None) -> None:
        phrases: dict[str, str] = {}
        for commune in locality.communes if locality else []:
            for phrase in _phrases(commune):
                phrases.setdefault(phrase, commune.slug)
        ordered = sorted(phrases, key=len, reverse=True)
        self._slug = phrases
        self._communes = list(locality.communes) if locality else []
        kinds = "|".join(_KIND_WORDS)
        self._pattern = (
            re.compile(rf"\b(?:(?:{kinds})\s+)?({'|'.join(re.escape(p) for p in ordered)})\b") if ordered else None
        )

    @property
    def phrases(self) -> set[str]:
        """Every commune name as written in messages, for the spelling corrector: it leaves their
        words alone, and their standing together says "Trung Khánh Vĩnh" is a name, not a slip
        for "trường" beside "xã"."""
        return set(self._slug)

    def find(self, normalised: str) -> CommuneHit | None:
        if self._pattern is None:
            return None
        match = self._pattern.search(normalised)
        if match is None:
            return None
        if district := _DISTRICT_BEFORE.search(normalised[:match.start()]):
            successors = self.successors(match.group(1))
            if len(successors) >= 2:
                return CommuneHit("", (district.start(), match.end()), successors, match.group(1))
        return CommuneHit(self._slug[match.group(1)], match.span())

    def successors(self, district: str) -> tuple[str, ...]:
        """Communes formed from the former district of that name (their `formed_from` says so)."""
        wanted = f"huyen {district}"
        return tuple(c.slug for c in self._communes if c.formed_from and wanted in normalize(c.formed_from))


def _phrases(commune: Commune) -> set[str]:
    names = {normalize(commune.name), *(normalize(a) for a in commune.aliases)}
    bare = set()
    for name in names:
        for kind in _KIND_WORDS:
            if name.startswith(kind + " "):
                bare.add(name[len(kind) + 1:])
    return {n for n in names | bare if n}


def former_district_reply(district: str, communes: list[Commune]) -> Reply:
    """The citizen named a district abolished on 1/7/2025: name its successor communes and ask."""
    names = ", ".join(c.name for c in communes)
    return Reply(status=Status.smalltalk,
                 text=f"Từ ngày 01/7/2025 không còn cấp huyện. Địa bàn huyện {district} cũ nay thuộc "
                      f"{len(communes)} xã: {names}. Bạn ở xã nào trong số này?",
                 data={"former_district": district, "successors": [c.slug for c in communes]})


# Which procedure keys each facet shows: a commune override of one of them changes the answer.
FACET_KEYS: dict[Facet, tuple[str, ...]] = {
    Facet.overview: ("agency", "time_limit", "fees", "documents"),
    Facet.documents: ("documents", "nothing_to_submit"),
    Facet.time: ("time_limit",),
    Facet.eta: ("time_limit",),
    Facet.fee: ("fees",),
    Facet.where: ("where", "agency"),
    Facet.online: ("channels",),
    Facet.steps: ("steps",),
    Facet.legal: ("legal_basis",),
    Facet.validity: ("validity", "result"),
}


def commune_question(catalog: Catalog, proc: Procedure, facet: Facet) -> str | None:
    """Ask where the citizen lives, but only when some commune's rule changes this answer."""
    locality: Locality | None = catalog.locality
    if locality is None:
        return None
    keys = FACET_KEYS.get(facet, ())
    differing = []
    for slug in catalog.communes_differing(proc.id):
        variant = catalog.commune_procedures[slug][proc.id]
        if any(getattr(variant, key) != getattr(proc, key) for key in keys):
            differing.append(slug)
    if not differing:
        return None
    names = [c.name for c in locality.communes if c.slug in differing]
    shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
    example = catalog.commune_procedures[differing[0]][proc.id]
    detail = ""
    if "time_limit" in keys and example.time_limit != proc.time_limit:
        detail = f" (ở {shown}: {time_limit_text(example.time_limit)})"
    else:
        detail = f" (ví dụ ở {shown})"
    return (f"Câu trả lời trên là quy định chung của {locality.name}; một số xã, phường có quy định riêng{detail}. "
            f"Bạn ở xã, phường nào? Nhắn ví dụ: \"em ở {names[-1][:1].lower() + names[-1][1:]}\".")
