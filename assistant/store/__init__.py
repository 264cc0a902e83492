"""Persistence: dossiers, subscriptions, outbox, conversations, feedback, question log.

SQLite (embedded default) and PostgreSQL (production) through SQLAlchemy 2; the schema is
owned by the Alembic migrations shipped in `assistant/store/migrations`.
"""

from assistant.store.db import (
    current_revision,
    head_revision,
    make_engine,
    session_factory,
    upgrade,
    write_transaction,
)
from assistant.store.repos import (
    ConversationStore,
    DossierRecord,
    DossierStore,
    FeedbackStore,
    Outbox,
    OutboxItem,
    QuestionLog,
    Subscriber,
    Subscriptions,
    contact_hash,
    user_hash,
    utcnow,
)

__all__ = [
    "ConversationStore", "DossierRecord", "DossierStore", "FeedbackStore", "Outbox", "OutboxItem", "QuestionLog",
    "Subscriber", "Subscriptions", "contact_hash", "current_revision", "head_revision", "make_engine",
    "session_factory", "upgrade", "user_hash", "utcnow", "write_transaction",
]
