"""Who a request is for, as OpenAI's abuse monitoring wants it: stable, and anonymous."""

from __future__ import annotations

import hashlib


def safety_identifier(team_id: str, user_id: str) -> str:
    return hashlib.sha256(f"{team_id}:{user_id}".encode()).hexdigest()[:32]
