"""The handoff as the core sees it: a hook around each conversation turn.

`Assistant.handle` asks `before_turn` first: while a chat has an open request its messages go
to the civil servant (status "handoff", a short acknowledgement), "quay lại trợ lý" hands the
chat back to the bot, and asking for a person opens a request. Otherwise the bot answers and
`after_turn` keeps the last exchanges (the transcript staff will read) and, after two unhelpful
turns in a row, offers a person once.

The chat's open request is remembered in its `Conversation` (`handoff_id`), so a chat without
one costs no database query; whether it is still open is read from the database, because a
civil servant may have closed it from another worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from assistant.config import Settings
from assistant.dialogue.conversation import Conversation, Requester
from assistant.dialogue.reply import Button, Reply, Status
from assistant.handoff import texts
from assistant.handoff.hours import OfficeHours
from assistant.handoff.intents import asks_for_person, asks_queue_position, wants_bot_back
from assistant.handoff.store import HandoffStore
from assistant.store.repos import utcnow

log = logging.getLogger(__name__)
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REPLYABLE_CHANNELS = frozenset({"web", "telegram", "zalo"})  # channels an answer can reach later
RECENT_EXCHANGES = 3  # question/answer pairs kept for the transcript
RECENT_CHARS = 600
UNHELPFUL_BEFORE_OFFER = 2
OPEN_ACTION = "ho:open"
BACK_ACTION = "ho:back"


def to_local(moment: dt.datetime) -> dt.datetime:
    """Naive UTC (the tables) to naive Vietnam local time (office hours)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(VN_TZ).replace(tzinfo=None)


class HandoffDesk:
    def __init__(self, engine: Engine, settings: Settings, hours: Callable[[], OfficeHours],
                 place: Callable[[], tuple[str | None, str | None]], clock: Callable[[], dt.datetime] = utcnow) -> None:
        """`hours`: the office hours now (they follow catalogue reloads); `place`: the locality's
        (slug, name)."""
        self.settings = settings
        group = settings.handoff_chat_id if settings.telegram_token else None
        self.store = HandoffStore(engine, group=group, clock=clock)
        self.hours = hours
        self.place = place
        self.clock = clock

    # -- the hook --------------------------------------------------------------------------------

    def before_turn(self, text: str, normalised: str, conv: Conversation, requester: Requester | None) -> Reply | None:
        """A reply when the handoff owns this message, None to let the bot answer."""
        if conv.handoff_id is not None:
            try:
                reply = self._while_open(text, normalised, conv)
            except SQLAlchemyError as exc:
                log.warning("handoff store unavailable (%s)", exc.__class__.__name__)
                return self._unavailable()
            if reply is not None:
                return reply
        if asks_for_person(normalised):
            return self.open(conv, requester, text)
        return None

    def after_turn(self, text: str, reply: Reply, conv: Conversation) -> Reply:
        """Remember the exchange for a future transcript and offer a person after two unhelpful turns."""
        if reply.status != Status.handoff:
            conv.recent = [*conv.recent, [text[:RECENT_CHARS], reply.text[:RECENT_CHARS]]][-RECENT_EXCHANGES:]
        if reply.status == Status.not_found and not _says_who_handles_it(reply):
            conv.unhelpful += 1
        elif reply.status != Status.handoff:
            conv.unhelpful = 0
        return self._maybe_offer(reply, conv)

    def after_feedback(self, rating: int, reply: Reply, conv: Conversation) -> Reply:
        """A 👎 counts as an unhelpful turn."""
        conv.unhelpful = conv.unhelpful + 1 if rating < 0 else 0
        return self._maybe_offer(reply, conv)

    def action(self, name: str, conv: Conversation, requester: Requester | None) -> Reply:
        """The "Gặp cán bộ" / "Quay lại trợ lý" buttons and the /canbo command."""
        try:
            if name == "open":
                if conv.handoff_id is not None:
                    current = self.store.get(conv.handoff_id)
                    if current is not None and current.is_open:
                        return self._reply(texts.already_open(self.store.position(current.id)), current.id, "open")
                return self.open(conv, requester, None)
            if name == "back" and conv.handoff_id is not None:
                return self._back(conv)
        except SQLAlchemyError as exc:
            log.warning("handoff store unavailable (%s)", exc.__class__.__name__)
            return self._unavailable()
        return Reply(status=Status.smalltalk, text="Trợ lý vẫn đang trả lời bạn; cứ nhắn câu hỏi nhé.")

    # -- internals -------------------------------------------------------------------------------

    def open(self, conv: Conversation, requester: Requester | None, text: str | None) -> Reply:
        if requester is None or requester.channel not in REPLYABLE_CHANNELS:
            return Reply(status=Status.handoff, text=texts.no_person_here(self.settings.hotline),
                         data={"handoff": {"opened": False}})
        slug, name = self.place()
        transcript: list[tuple[str, str]] = []
        for question, answer in conv.recent:
            transcript += [("citizen", question), ("bot", answer)]
        if text:
            transcript.append(("citizen", text))
        try:
            request, created = self.store.open(requester.channel, requester.chat_id, slug, transcript)
            if not created and text:
                self.store.add_citizen_message(request.id, text)
            position = self.store.position(request.id)
            hours = self.hours()
            usual = self.store.usual_minutes(lambda a, b: hours.minutes_between(to_local(a), to_local(b)))
        except SQLAlchemyError as exc:
            log.warning("handoff request not opened (%s)", exc.__class__.__name__)
            return self._unavailable()
        conv.handoff_id = request.id
        conv.unhelpful = 0
        conv.pending_candidates = []
        if not created:
            return self._reply(texts.already_open(position), request.id, "open")
        local = to_local(self.clock())
        body = texts.opened(name, hours.is_open(local), usual, hours.next_opening(local), hours.describe(),
                            position or 1)
        reply = self._reply(body, request.id, "opened")
        reply.data["handoff"].update({"office_open": hours.is_open(local), "usual_minutes": usual,
                                      "position": position})
        return reply

    def _while_open(self, text: str, normalised: str, conv: Conversation) -> Reply | None:
        assert conv.handoff_id is not None
        request = self.store.get(conv.handoff_id)
        if request is None or not request.is_open:
            conv.handoff_id = None  # closed by staff (the citizen was told through the outbox)
            return None
        if wants_bot_back(normalised):
            return self._back(conv)
        if asks_queue_position(normalised):
            position = self.store.position(request.id)
            reply = self._reply(texts.queue(position), request.id, "position")
            reply.data["handoff"]["position"] = position
            return reply
        if not self.store.add_citizen_message(request.id, text):
            conv.handoff_id = None
            return None
        return self._reply(texts.RELAYED, request.id, "relayed")

    def _back(self, conv: Conversation) -> Reply:
        assert conv.handoff_id is not None
        request_id, conv.handoff_id = conv.handoff_id, None
        self.store.close(request_id, "người dân", citizen=True)
        return Reply(status=Status.handoff, text=texts.BACK_TO_BOT,
                     data={"handoff": {"id": request_id, "state": "closed"}})

    def _reply(self, text: str, request_id: int, state: str) -> Reply:
        return Reply(status=Status.handoff, text=text, buttons=[Button(texts.BUTTON_BACK, BACK_ACTION)],
                     data={"handoff": {"id": request_id, "state": state}})

    def _maybe_offer(self, reply: Reply, conv: Conversation) -> Reply:
        if conv.unhelpful < UNHELPFUL_BEFORE_OFFER or conv.handoff_offered or conv.handoff_id is not None:
            return reply
        conv.handoff_offered = True
        reply.text = f"{reply.text}\n\n{texts.OFFER}"
        reply.buttons = [*reply.buttons, Button(texts.BUTTON_OPEN, OPEN_ACTION)]
        reply.data = {**reply.data, "handoff_offer": True}
        return reply

    def _unavailable(self) -> Reply:
        return Reply(status=Status.handoff, text=texts.unavailable(self.settings.hotline, self.settings.portal_url),
                     data={"handoff": {"opened": False, "error": "unavailable"}})


def office_hours_for(assistant) -> OfficeHours:
    """The office hours of the assistant's locality: its calendar (holidays, local days off)
    and the one-stop desk's hours from the catalogue, or ASSISTANT_OFFICE_HOURS."""
    from assistant.handoff.hours import parse_periods

    brain = assistant.brain
    locality = brain.catalog.locality
    text = assistant.settings.office_hours or (locality.one_stop.hours if locality and locality.one_stop else None)
    return OfficeHours(brain.calendar, parse_periods(text))


def attach_handoff(assistant, engine: Engine, clock: Callable[[], dt.datetime] = utcnow) -> HandoffDesk:
    """Give the assistant its handoff desk (called by the composition root with the database)."""

    def place() -> tuple[str | None, str | None]:
        locality = assistant.catalog.locality
        return (locality.slug, locality.name) if locality else (None, None)

    desk = HandoffDesk(engine, assistant.settings, lambda: office_hours_for(assistant), place, clock)
    assistant.handoff = desk
    return desk


__all__ = ["BACK_ACTION", "OPEN_ACTION", "HandoffDesk", "attach_handoff", "office_hours_for", "to_local"]


def _says_who_handles_it(reply: Reply) -> bool:
    """A matter outside the one-stop answered with who handles it (a court, an embassy, the power
    company) was helped: a civil servant at the one-stop has nothing to add to that."""
    return "referral" in reply.data or "handled_by" in reply.data or "done_at" in reply.data
