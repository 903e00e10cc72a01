"""Slack's rate budget shared by replicas: the calls counted per workspace and method, and pauses.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "slack_rate_calls",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("at", sa.Double(), nullable=True),
        sa.Column("held_at", sa.Double(), nullable=False),
    )
    op.create_index("ix_slack_rate_calls_key", "slack_rate_calls", ["workspace", "method", "channel", "at"])
    op.create_table(
        "slack_rate_pauses",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("method", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("until", sa.Double(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("slack_rate_pauses")
    op.drop_index("ix_slack_rate_calls_key", table_name="slack_rate_calls")
    op.drop_table("slack_rate_calls")
