"""Tables of the handoff to a civil servant: requests, their transcript, staff accounts and
staff sessions. On the store's `Base` so one Alembic history owns every table.

No names or phone numbers of citizens: a request knows the channel and the chat id (needed to
answer on the same channel) and what was said. Staff accounts keep an argon2 hash only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.models import Base


class HandoffRequest(Base):
    __tablename__ = "handoff_requests"
    __table_args__ = (
        Index("ix_handoff_requests_chat", "channel", "chat_id", "status"),
        Index("ix_handoff_requests_status_opened", "status", "opened_at"),
        # At most one open request per chat, even when two workers take two quick messages.
        Index("uq_handoff_requests_open_chat", "channel", "chat_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # web | telegram | zalo
    chat_id: Mapped[str] = mapped_column(String(128))
    locality: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10))  # open | closed
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)  # naive UTC, like every table
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    first_reply_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # retention counts from here


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"
    __table_args__ = (UniqueConstraint("request_id", "client_key", name="uq_handoff_message_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("handoff_requests.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(10))  # citizen | bot | staff | system
    staff_name: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Idempotency of staff replies: a form's nonce or a Telegram message id. A second submit of
    # the same form or a redelivered update finds the key taken and sends nothing twice.
    client_key: Mapped[str | None] = mapped_column(String(80))


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random; only its signed form is sent
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


__all__ = ["HandoffMessage", "HandoffRequest", "StaffSession", "StaffUser"]
