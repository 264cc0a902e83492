"""Composition root: wire catalogue, database and dossier desk from settings.

Channels and the CLI call `build_assistant`; nothing else decides how parts connect.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from assistant.config import Settings
from assistant.core import Assistant, Turn
from assistant.dialogue.conversation import Requester
from assistant.dialogue.reply import Status
from assistant.dossiers.desk import DossierDesk, LookupLimits, address_key, session_key
from assistant.staff.resolution import PICKED
from assistant.store import FeedbackStore, QuestionLog, make_engine, upgrade
from assistant.store.repos import user_hash
from assistant.store.throttle import Limit, SharedCounters

log = logging.getLogger(__name__)

# Long digit runs in a logged question may be phone or ID numbers: never keep them.
_DIGITS = re.compile(r"\d[\d .-]{5,}\d")


def redact(text: str) -> str:
    """What may be stored of a question: long digit runs masked, and lone surrogates (which no
    database driver accepts) replaced."""
    return _DIGITS.sub("[số]", text.encode("utf-8", "replace").decode("utf-8"))


def open_database(settings: Settings) -> Engine:
    """The engine for these settings, migrated to the current schema."""
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    return engine


def build_assistant(settings: Settings, engine: Engine | None = None, with_database: bool = True, *,
                    question_log: QuestionLogLike | None = None, keep_last_good: bool = False) -> Assistant:
    """The assistant for these settings; the dossier desk, question log and feedback store are
    attached when a database is configured. A database that is down does not stop procedure
    answers: lookups then reply that tracking is temporarily unavailable.

    `question_log`: where questions are recorded (default: one `QuestionLog` insert per
    question; the web workers pass a `QuestionLogBuffer` that writes in batches).
    `keep_last_good`: for the long-running bot (see `Assistant.from_settings`)."""
    from assistant.text.bytecache import configure

    configure(settings.cache_bytes)  # the text caches' memory budget for this process
    assistant = Assistant.from_settings(settings, keep_last_good=keep_last_good)
    if not with_database:
        return assistant
    if engine is None:
        engine = make_engine(settings.effective_database_url)
        try:
            upgrade(engine)
        except SQLAlchemyError:
            log.warning("database unavailable at start-up; dossier lookups will answer 'try later'")
    attach_database(assistant, engine, question_log=question_log)
    return assistant


class QuestionLogLike(Protocol):
    def add(self, text: str, normalised: str, status: str, candidates: list[dict[str, Any]], channel: str,
            user: str | None = None) -> None: ...


def attach_database(assistant: Assistant, engine: Engine, *, question_log: QuestionLogLike | None = None) -> None:
    settings = assistant.settings
    assistant.desk = DossierDesk(engine, lambda: assistant.catalog, hotline=settings.hotline,
                                 portal_url=settings.portal_url, limits=LookupLimits.from_settings(settings),
                                 on_burst=assistant.alert)
    questions = question_log if question_log is not None else QuestionLog(engine)
    feedback = FeedbackStore(engine)
    counters = SharedCounters(engine)
    per_session, per_address = Limit(settings.ratings_per_session, 3600), Limit(settings.ratings_per_address, 3600)

    def rating_allowed(requester: Requester | None) -> bool:
        """Ratings per chat/session and per address per hour, shared by all workers."""
        if requester is None:
            return True
        add = [(f"rating:s:{session_key(requester)}", per_session)]
        if (address := address_key(requester)) is not None:
            add.append((f"rating:a:{address}", per_address))
        counts = counters.count(add)
        for count in counts:
            if count.first_excess:
                assistant.alert("ratings", "address" if ":a:" in count.name else "session")
        return not any(c.exceeded for c in counts)

    def log_question(turn: Turn) -> None:
        """Every question is counted (for the service report); unanswered ones feed the
        staff report of questions to add aliases for."""
        reply = turn.reply
        # Messages to a civil servant are the citizen's own words to a person: not logged here.
        if not turn.text.strip() or reply.status in (Status.smalltalk, Status.handoff):
            return
        channel = turn.requester.channel if turn.requester else "unknown"
        user = user_hash(turn.requester.channel, turn.requester.chat_id) if turn.requester else None
        try:
            questions.add(redact(turn.text), redact(turn.normalised), reply.status.value,
                          [{"id": c.id, "score": c.score} for c in reply.candidates[:4]], channel, user)
        except SQLAlchemyError:
            log.warning("question log unavailable")

    def store_feedback(requester: Requester | None, procedure_id: str | None, facet: str | None,
                       rating: int) -> None:
        channel = requester.channel if requester else "unknown"
        user = user_hash(requester.channel, requester.chat_id) if requester else None
        try:
            if not rating_allowed(requester):
                log.info("rating not counted: over the per-chat or per-address limit")
                return
            feedback.add(channel, procedure_id, facet, rating, user=user)
        except SQLAlchemyError:
            log.warning("feedback store unavailable")

    def record_pick(requester: Requester | None, procedure_id: str) -> None:
        """A "picked" row after a clarification: the reports count that question as answered."""
        channel = requester.channel if requester else "unknown"
        user = user_hash(requester.channel, requester.chat_id) if requester else None
        try:
            questions.add("", "", PICKED, [{"id": procedure_id, "score": 100.0}], channel, user)
        except SQLAlchemyError:
            log.warning("question log unavailable")

    assistant.listeners.append(log_question)
    assistant.feedback_sink = store_feedback
    assistant.pick_sink = record_pick
    from assistant.handoff.desk import attach_handoff

    attach_handoff(assistant, engine)
