"""Default model per action, in one place, and each model's context window.

OpenAI retires models every few months: settings and per-request flags override these.
"""

CHAT = "gpt-6-luna"
VISION = "gpt-6-luna"
IMAGE = "gpt-image-2.6-flare"
SPEECH = "gpt-4o-mini-tts"  # every /audio/speech model shuts down 2027-01-06
TRANSCRIPTION = "gpt-transcribe"
TRANSLATION = "whisper-1"  # /audio/translations shuts down 2027-02-26

# Context windows in tokens, by model name prefix (longest prefix wins); OPENAI_CONTEXT_TOKENS
# overrides. Unknown models get a conservative default.
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-6": 400_000,
    "gpt-5": 400_000,
    "gpt-4.1": 1_000_000,
    "gpt-4o": 128_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4": 200_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5": 16_385,
}
DEFAULT_CONTEXT_WINDOW = 128_000


def context_window(model: str, override: int | None = None) -> int:
    """Tokens `model` reads at once; `override` (OPENAI_CONTEXT_TOKENS) wins when set."""
    if override:
        return override
    matches = [prefix for prefix in CONTEXT_WINDOWS if model.startswith(prefix)]
    return CONTEXT_WINDOWS[max(matches, key=len)] if matches else DEFAULT_CONTEXT_WINDOW
