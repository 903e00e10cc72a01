"""How results reach Slack: streamed replies, thread messages, ephemeral notices."""
