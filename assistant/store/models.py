"""Tables. The bot's store keeps no names or addresses: a dossier carries only a salted
hash of the contact the one-stop system gave, for owner checks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    procedure_id: Mapped[str] = mapped_column(String(80))
    locality: Mapped[str | None] = mapped_column(String(60))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # service reports by period
    channel: Mapped[str] = mapped_column(String(20))  # in_person | postal | online_full | online_partial
    due_date: Mapped[dt.date] = mapped_column(Date)
    new_due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    result_delivery: Mapped[str] = mapped_column(String(10), default="counter")  # counter | post
    contact_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class StatusEvent(Base):
    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("dossier_code", "channel", "chat_id", name="uq_subscription"),
        Index("ix_subscriptions_chat", "channel", "chat_id"),  # a chat's subscriptions (e.g. bot blocked)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "channel", "delivered_at", "next_attempt_at"),
                      Index("ix_outbox_created_at", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(128))
    dossier_code: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    procedure_id: Mapped[str | None] = mapped_column(String(80))
    facet: Mapped[str | None] = mapped_column(String(20))
    rating: Mapped[int] = mapped_column(Integer)  # +1 / -1
    question: Mapped[str | None] = mapped_column(Text)
    user_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class ConversationRow(Base):
    __tablename__ = "conversations"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)  # "<channel>:<chat id>"
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # retention


class QuestionLogRow(Base):
    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    normalised: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    candidates: Mapped[str] = mapped_column(Text)  # JSON list of {id, score}
    channel: Mapped[str] = mapped_column(String(20))
    user_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class ThrottleCounter(Base):
    """Events per name and time bucket, shared by all workers (assistant.store.throttle)."""

    __tablename__ = "throttle_counters"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. "lookup:addr:<hash>"
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)  # unix time // 60
    hits: Mapped[int] = mapped_column(Integer)


class SeenEvent(Base):
    """Webhook events already processed, so a replay is recognised across workers and restarts."""

    __tablename__ = "seen_events"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
