"""The bot scopes the code uses (the manifest must grant exactly these; `check` reports gaps)."""

REQUIRED_SCOPES: dict[str, str] = {
    "app_mentions:read": "hear mentions (app_mention)",
    "channels:history": "follow-ups in public channel threads; Summarize thread",
    "groups:history": "follow-ups in private channel threads",
    "im:history": "direct messages to the bot",
    "mpim:history": "group direct messages",
    "chat:write": "post, stream and update answers; status while working",
    "commands": "slash commands and message shortcuts",
    "files:read": "download files people share (audio, images, documents)",
    "files:write": "upload images, speech and subtitles",
    "users:read": "names of the people in a thread",
    "assistant:write": "suggested prompts and thread titles",
}
