"""The Home tab, the bot's front door (pure): every action with an example and a button that opens
its form, the message shortcuts, the person's recent conversations, their usage today, and for
workspace admins the workspace's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks import forms

OPEN_PREFIX = "home_open_"  # action ids: home_open_ask, home_open_image, …
SETTINGS_ACTION_ID = "home_open_settings"


@dataclass(frozen=True)
class HomeAction:
    key: str  # the button's action id is OPEN_PREFIX + key
    title: str
    what: str
    example: str
    button: str


ACTIONS: tuple[HomeAction, ...] = (
    HomeAction(
        "ask",
        "Ask ChatGPT",
        "Ask anything; the answer streams into a thread you can keep talking in. Mention me in a "
        "channel or send me a message for the same.",
        "/ask --temperature 0.2 Write a haiku about Mondays",
        "Ask…",
    ),
    HomeAction(
        "image",
        "Create images",
        "Images from a prompt, uploaded into the conversation.",
        "/image --size 1536x1024 A lighthouse at dawn, watercolour",
        "Create an image…",
    ),
    HomeAction(
        "speech",
        "Create speech",
        "Text read aloud as an audio file. On any message: More actions → Read aloud.",
        "/speech --voice coral Good morning, team!",
        "Read text aloud…",
    ),
    HomeAction(
        "vision",
        "Ask about an image",
        "A question about a linked image; attaching an image to a message to me works too.",
        "/vision What is in this picture? https://example.com/cat.png",
        "Ask about an image…",
    ),
    HomeAction(
        "transcribe",
        "Transcribe or translate audio",
        "The text of a recording or voice clip, or its English translation.",
        "/transcribe --response-format srt <link to the file>",
        "Transcribe audio…",
    ),
    HomeAction(
        "assistant",
        "Assistants",
        "Your workspace's own assistants: a model, instructions, tools and reference files. Put one "
        "to work with `/assistant use NAME` or `@ChatGPT use NAME` in a thread.",
        '/assistant create --name Support --instructions "Be kind and brief."',
        "Create an assistant…",
    ),
)

SHORTCUTS = (
    ("Summarize thread", "a summary of the thread, posted in it"),
    ("Translate", "the message in your language (or one you choose), just for you"),
    ("Proofread", "the message corrected, in the tone you choose, ready to copy or post"),
    ("Read aloud", "the message as an audio file in its thread"),
    ("Transcribe", "the message's audio as text"),
    ("Translate to English", "the message's audio as English text"),
)


@dataclass(frozen=True)
class RecentConversation:
    title: str
    link: str
    channel: str
    when: str  # e.g. "today 14:05 UTC"


def _section(text: str, accessory: dict[str, Any] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def _button(action_id: str, text: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": forms.plain(text), "value": value}


def _link_text(text: str) -> str:
    return " ".join(text.replace("<", "‹").replace(">", "›").replace("|", "¦").split())


def home_view(
    *,
    chat_model: str,
    dm_channel: str,
    recent: list[RecentConversation],
    usage_today: list[str] | None = None,
    workspace_settings: list[str] | None = None,
) -> dict[str, Any]:
    """`dm_channel`: where the forms' answers go (the person's DM with the bot). `usage_today` and
    `workspace_settings` (admins only) are left out when None."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": forms.plain("OpenAI for Slack", 150)},
        _section(
            "Mention me in a channel, or send me a direct message, and I'll answer in the thread. "
            "Keep writing in that thread: I remember the whole conversation. Rate any answer with "
            "the buttons under it."
        ),
        {"type": "divider"},
    ]
    for action in ACTIONS:
        blocks.append(
            _section(
                f"*{action.title}*\n{action.what}\nExample: `{action.example}`",
                _button(OPEN_PREFIX + action.key, action.button, dm_channel),
            )
        )
    blocks.append(
        _section(
            "Every command takes `help` (e.g. `/ask help`) for its flags, their ranges and examples; "
            "run it with no text for a form."
        )
    )
    blocks.append({"type": "divider"})
    shortcuts = "\n".join(f"• *{name}*: {what}" for name, what in SHORTCUTS)
    blocks.append(_section("*On any message* (More actions ⋮ → the shortcut)\n" + shortcuts))
    blocks.append({"type": "divider"})
    if recent:
        lines = [
            f"• <{c.link}|{_link_text(c.title)}> in "
            + ("our DM" if c.channel.startswith(("D", "U")) else f"<#{c.channel}>")
            + f", {c.when}"
            for c in recent
        ]
        blocks.append(_section("*Your recent conversations*\n" + "\n".join(lines)))
    else:
        blocks.append(_section("*Your recent conversations*\nNone yet: ask me something!"))
    if usage_today is not None:
        blocks.append(_section("*Your usage today*\n" + ("\n".join(usage_today) or "Nothing yet today.")))
    if workspace_settings is not None:
        blocks.append({"type": "divider"})
        blocks.append(
            _section(
                "*Workspace settings* (you are an admin)\n" + ("\n".join(workspace_settings) or "Defaults."),
                _button(SETTINGS_ACTION_ID, "Change settings", dm_channel),
            )
        )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Default model: `{chat_model}`"}]}
    )
    return {"type": "home", "blocks": blocks}
