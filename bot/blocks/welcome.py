"""What a person sees when they open the bot: suggested prompts and the Home tab (pure builders)."""

from __future__ import annotations

from typing import Any

SUGGESTED_PROMPTS_TITLE = "Try asking"
SUGGESTED_PROMPTS: list[dict[str, str]] = [
    {"title": "Explain a concept", "message": "Explain how public-key cryptography works, simply."},
    {"title": "Draft a message", "message": "Draft a friendly announcement for our team's new release."},
    {"title": "Brainstorm", "message": "Give me 5 ideas for a team offsite, with pros and cons."},
    {"title": "Tune an answer", "message": "--temperature 0.2 Write a haiku about Mondays."},
]


def home_view(chat_model: str) -> dict[str, Any]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "OpenAI for Slack"}},
            section(
                "Mention me in a channel, or send me a direct message, and I'll answer in the thread. "
                "Keep writing in that thread: I remember the whole conversation."
            ),
            {"type": "divider"},
            section(
                "*Ask with options*\n"
                "`/ask [--model M] [--temperature 0-2] [--top-p 0-1] [--max-tokens N] [--n 1-10] "
                "[--stop S] [--presence-penalty -2-2] [--frequency-penalty -2-2] [--logit-bias JSON] "
                "[--user ID] question`\n"
                "`/ask` alone opens a form. The same flags work at the start of a mention: "
                "`@ChatGPT --temperature 0.2 question`."
            ),
            section("*Summarize a thread*\nOn any message: *More actions* → *Summarize thread*."),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Default model: `{chat_model}`"}]},
        ],
    }
