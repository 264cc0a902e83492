"""indexes for service reports and per-chat subscriptions

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reports count dossiers received in a period; a million-row table must not be scanned.
    op.create_index("ix_dossiers_received_at", "dossiers", ["received_at"])
    # A chat that blocked the bot, or asks "what do I follow?", is found without a scan.
    op.create_index("ix_subscriptions_chat", "subscriptions", ["channel", "chat_id"])


def downgrade() -> None:
    op.drop_index("ix_subscriptions_chat", table_name="subscriptions")
    op.drop_index("ix_dossiers_received_at", table_name="dossiers")
