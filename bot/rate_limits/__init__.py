"""Slack's rate limits as a budget every Web API call of the workers fits first."""
