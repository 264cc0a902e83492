"""counters shared by workers, seen webhook events, retention indexes

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Throttles (dossier lookups, ratings, subscriptions) count here so every worker sees them.
    op.create_table(
        "throttle_counters",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "bucket"),
    )
    op.create_index("ix_throttle_counters_bucket", "throttle_counters", ["bucket"])
    # Webhook events already processed (Zalo msg_id): a replay after a restart or on another
    # worker is recognised.
    op.create_table(
        "seen_events",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "event_id"),
    )
    op.create_index("ix_seen_events_seen_at", "seen_events", ["seen_at"])
    # Retention deletes by age without scanning.
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    op.drop_index("ix_seen_events_seen_at", table_name="seen_events")
    op.drop_table("seen_events")
    op.drop_index("ix_throttle_counters_bucket", table_name="throttle_counters")
    op.drop_table("throttle_counters")
