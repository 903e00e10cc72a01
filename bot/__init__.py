"""Slack-facing side of the bot: settings, transports, Bolt wiring, routes, workers, delivery."""
