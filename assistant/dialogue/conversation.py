"""Conversation state: a plain, JSON-serialisable object so any channel can store it anywhere."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass
class Conversation:
    last_procedure: str | None = None
    last_facet: str | None = None
    pending_candidates: list[str] = field(default_factory=list)  # ids offered in a clarification
    checklist: dict[str, list[int]] = field(default_factory=dict)  # procedure id -> ticked document indexes
    turns: int = 0
    commune: str | None = None  # slug of the commune the citizen said they live in
    commune_asked: bool = False  # asked once for the commune; never nag again
    # Handoff to a civil servant (assistant/handoff): the chat's open request, unhelpful turns in
    # a row, whether a person was already offered, and the last exchanges for the transcript.
    handoff_id: int | None = None
    unhelpful: int = 0
    handoff_offered: bool = False
    recent: list[list[str]] = field(default_factory=list)
    last_intent: str | None = None  # an everyday intent answered last turn ("contact"), see dialogue.intents
    # Procedures whose answer this conversation received and has not rated yet (newest last, a
    # few at most): a 👍/👎 counts only for one of these, once.
    rateable: list[str] = field(default_factory=list)
    # What the web page showed (user lines and reply payloads), newest last, so a reload can draw
    # the conversation again; bounded by assistant.web.history.MAX_ENTRIES. Other channels keep
    # their own message history and leave it empty.
    history: list[dict[str, Any]] = field(default_factory=list)

    RATEABLE_MAX: ClassVar[int] = 5

    def answered(self, procedure_id: str) -> None:
        if procedure_id in self.rateable:
            self.rateable.remove(procedure_id)
        self.rateable = [*self.rateable, procedure_id][-self.RATEABLE_MAX:]

    def take_rating(self, procedure_id: str | None) -> bool:
        """Whether a rating of this procedure's answer may count (and from now on it may not)."""
        if not procedure_id or procedure_id not in self.rateable:
            return False
        self.rateable = [p for p in self.rateable if p != procedure_id]
        return True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Conversation:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except TypeError:
            return cls()


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking, as the channel knows them. Used for throttling and subscriptions,
    never shown back and never stored in clear by the dossier side."""

    channel: str  # "telegram" | "zalo" | "web" | "cli"
    chat_id: str
    # Where the request came from when the channel cannot vouch for `chat_id`: the web page
    # chooses its own session id, so the unknown-code throttle also counts per client address.
    origin: str | None = None
