"""Many workspaces: Slack installations (tokens encrypted), single-use OAuth states, each
workspace's own settings, and the usage of every OpenAI call.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("team_name", sa.String(255), nullable=True),
        sa.Column("app_id", sa.String(32), nullable=True),
        sa.Column("bot_id", sa.String(32), nullable=True),
        sa.Column("bot_user_id", sa.String(32), nullable=True),
        sa.Column("bot_scopes", sa.Text(), nullable=False),
        sa.Column("bot_token_encrypted", sa.Text(), nullable=False),
        sa.Column("bot_refresh_token_encrypted", sa.Text(), nullable=True),
        sa.Column(
            "bot_token_expires_at", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("installer_user_id", sa.String(32), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.Double(), nullable=False),
    )

    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "workspace_settings",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("openai_api_key_encrypted", sa.Text(), nullable=True),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("disabled_actions", sa.JSON(), nullable=False),
        sa.Column("allowed_channels", sa.JSON(), nullable=True),
        sa.Column("daily_tokens_per_user", big, nullable=True),
        sa.Column("daily_tokens_per_workspace", big, nullable=True),
        sa.Column("updated_by", sa.String(32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "usage_records",
        sa.Column("id", big, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("prompt_tokens", big, nullable=False),
        sa.Column("completion_tokens", big, nullable=False),
        sa.Column("images", sa.Integer(), nullable=False),
        sa.Column("audio_seconds", sa.Double(), nullable=False),
        sa.Column("cost_usd", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_usage_team_user_created", "usage_records", ["team_id", "user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_usage_team_user_created", "usage_records")
    op.drop_table("usage_records")
    op.drop_table("workspace_settings")
    op.drop_table("oauth_states")
    op.drop_table("slack_installations")
