"""Languages people may translate into, and a person's Slack locale (`users.info`) as one of them."""

from __future__ import annotations

# code -> name, as offered in "Translate into another language"
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "cs": "Czech",
    "el": "Greek",
    "ro": "Romanian",
    "hu": "Hungarian",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
    "id": "Indonesian",
    "vi": "Vietnamese",
    "th": "Thai",
    "ja": "Japanese",
    "ko": "Korean",
    "zh-cn": "Chinese (Simplified)",
    "zh-tw": "Chinese (Traditional)",
}
DEFAULT = "en"


def from_locale(locale: str | None) -> str:
    """A language code for a Slack locale such as "de-DE", "pt-BR", "zh-TW" (English when unknown)."""
    value = (locale or "").strip().lower().replace("_", "-")
    if value in LANGUAGES:
        return value
    if value.startswith("zh"):
        return "zh-tw" if value.endswith(("tw", "hk", "hant")) else "zh-cn"
    prefix = value.split("-", 1)[0]
    if prefix == "nb" or prefix == "nn":
        return "no"
    return prefix if prefix in LANGUAGES else DEFAULT


def name(code: str) -> str:
    return LANGUAGES.get(code, LANGUAGES[DEFAULT])
