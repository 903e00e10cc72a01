"""The bot's own actions, each from a validated request to a result in Slack: images, speech and
transcription, used by the job runners and, through `tools`, by the model inside any chat."""
