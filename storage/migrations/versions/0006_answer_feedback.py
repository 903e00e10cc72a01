"""Answer feedback: each person's vote (and what was wrong) on an answer of a conversation; who
wrote each person's message (for their recent conversations on the Home tab).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column(
            "conversation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("message_ts", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("voted_at", sa.Double(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("conversation_messages") as batch:
        batch.add_column(sa.Column("user_id", sa.String(32), nullable=True))
        batch.create_index("ix_conversation_messages_user_id", ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("conversation_messages") as batch:
        batch.drop_index("ix_conversation_messages_user_id")
        batch.drop_column("user_id")
    op.drop_table("answer_feedback")
