"""Buttons people click in the bot's messages (block_actions)."""
