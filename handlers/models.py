"""Default model per action, in one place (see openai-facts.md; every one is overridable).

OpenAI retires models every few months: settings and per-request flags override these.
"""

CHAT = "gpt-6-luna"
VISION = "gpt-6-luna"
IMAGE = "gpt-image-2.6-flare"
SPEECH = "gpt-4o-mini-tts"  # every /audio/speech model shuts down 2027-01-06
TRANSCRIPTION = "gpt-transcribe"
TRANSLATION = "whisper-1"  # /audio/translations shuts down 2027-02-26
