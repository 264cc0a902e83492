"""What the core hands to a channel.

A `Reply` is channel-free: plain Vietnamese text plus structured buttons. Each channel
decides how to render it (Telegram HTML + inline keyboard, Zalo buttons, web bubbles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    answer = "answer"
    clarify = "clarify"
    not_found = "not_found"
    smalltalk = "smalltalk"
    dossier = "dossier"
    handoff = "handoff"  # the message went to (or opened a request for) a civil servant


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class Button:
    """A suggested next step. `action` is a short opaque string the core understands
    (see `assistant.dialogue.actions`); channels pass it back unchanged (it fits in
    Telegram's 64-byte callback_data)."""

    label: str
    action: str


@dataclass(slots=True)
class Reply:
    status: Status
    text: str
    procedure_id: str | None = None
    facet: str | None = None
    score: float = 0.0
    candidates: list[Candidate] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    title: str | None = None  # a short heading channels may render in bold
    data: dict[str, Any] = field(default_factory=dict)  # extra structured data (e.g. dossier card)

    def to_json(self) -> dict[str, Any]:
        """The CLI/API contract: status, procedure_id, facet, score, candidates, reply."""
        return {
            "status": self.status.value,
            "procedure_id": self.procedure_id if self.status == Status.answer else None,
            "facet": self.facet,
            "score": round(float(self.score), 1),
            # Built by hand: `dataclasses.asdict` deep-copies recursively and cost a fifth of a
            # web chat request's CPU time (benchmarks/web.py).
            "candidates": [{"id": c.id, "name": c.name, "score": round(c.score, 1)} for c in self.candidates],
            "reply": self.text,
            "title": self.title,
            "buttons": [{"label": b.label, "action": b.action} for b in self.buttons],
            **({"data": self.data} if self.data else {}),
        }
