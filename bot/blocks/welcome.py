"""What a person sees when they open a new chat with the bot: suggested prompts (the Home tab is
bot/blocks/home.py)."""

from __future__ import annotations

SUGGESTED_PROMPTS_TITLE = "Try asking"
SUGGESTED_PROMPTS: list[dict[str, str]] = [
    {"title": "Explain a concept", "message": "Explain how public-key cryptography works, simply."},
    {"title": "Draft a message", "message": "Draft a friendly announcement for our team's new release."},
    {"title": "Brainstorm", "message": "Give me 5 ideas for a team offsite, with pros and cons."},
    {"title": "Tune an answer", "message": "--temperature 0.2 Write a haiku about Mondays."},
]
