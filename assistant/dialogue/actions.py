"""Button actions: short strings that fit Telegram's 64-byte callback_data.

    f:<facet>:<procedure-id>   answer another facet of a procedure
    p:<facet>:<procedure-id>   pick a procedure offered in a clarification
    k:<index>:<procedure-id>   toggle document <index> of the checklist (-1 opens it)
    sub:<CODE> / unsub:<CODE>  follow or stop following a dossier
    fb:<+1|-1>:<procedure-id>  was this answer helpful
    field:<slug>               list the procedures of a field
    ho:open / ho:back          ask for a civil servant / hand the chat back to the bot
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.nlu.facets import Facet

FACET_CODES = {
    Facet.overview: "o", Facet.documents: "d", Facet.time: "t", Facet.fee: "p", Facet.where: "w",
    Facet.online: "n", Facet.steps: "s", Facet.eta: "e", Facet.legal: "l",
    Facet.validity: "v",
}
CODE_FACETS = {code: facet for facet, code in FACET_CODES.items()}


def facet_action(procedure_id: str, facet: Facet) -> str:
    return f"f:{FACET_CODES[facet]}:{procedure_id}"


def candidate_action(procedure_id: str, facet: Facet) -> str:
    return f"p:{FACET_CODES[facet]}:{procedure_id}"


def checklist_action(procedure_id: str, index: int) -> str:
    return f"k:{index}:{procedure_id}"


def feedback_action(procedure_id: str, rating: int) -> str:
    return f"fb:{'+1' if rating > 0 else '-1'}:{procedure_id}"


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # "facet" | "pick" | "check" | "sub" | "unsub" | "feedback" | "field"
    procedure_id: str | None = None
    facet: Facet | None = None
    index: int | None = None
    code: str | None = None
    rating: int | None = None
    field: str | None = None


def parse_action(raw: str) -> Action | None:
    """Parse a button payload; None for anything malformed (payloads come from clients)."""
    if not isinstance(raw, str) or len(raw) > 128:
        return None
    head, _, rest = raw.partition(":")
    try:
        if head in ("f", "p"):
            code, _, proc = rest.partition(":")
            if code in CODE_FACETS and proc:
                return Action("facet" if head == "f" else "pick", procedure_id=proc, facet=CODE_FACETS[code])
        elif head == "k":
            index, _, proc = rest.partition(":")
            if proc:
                return Action("check", procedure_id=proc, index=int(index))
        elif head in ("sub", "unsub") and rest:
            return Action(head, code=rest)
        elif head == "fb":
            rating, _, proc = rest.partition(":")
            if rating in ("+1", "-1"):
                return Action("feedback", procedure_id=proc or None, rating=int(rating))
        elif head == "field" and rest:
            return Action("field", field=rest)
        elif head == "ho" and rest in ("open", "back"):
            return Action("handoff", field=rest)
    except ValueError:
        return None
    return None
