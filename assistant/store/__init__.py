"""Persistence: dossiers, subscriptions, outbox, conversations, feedback, question log.

SQLite (embedded default) and PostgreSQL (production) through SQLAlchemy 2; the schema is
owned by the Alembic migrations shipped in `assistant/store/migrations`.
"""

from assistant.store.db import make_engine, session_factory, upgrade
from assistant.store.repos import ConversationStore, FeedbackStore, Outbox, OutboxItem, QuestionLog

__all__ = [
    "ConversationStore", "FeedbackStore", "Outbox", "OutboxItem", "QuestionLog",
    "make_engine", "session_factory", "upgrade",
]
