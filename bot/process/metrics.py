"""Prometheus metrics, in a registry of the process's own (served on /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "slack_requests",
            "Slack requests routed, by trigger and outcome",
            ["trigger", "outcome"],
            registry=self.registry,
        )
        self.jobs_finished = Counter(
            "jobs_finished", "Jobs finished, by kind and status", ["kind", "status"], registry=self.registry
        )
        self.jobs_in_flight = Gauge("jobs_in_flight", "Jobs running in this process", registry=self.registry)
        self.job_seconds = Histogram(
            "job_duration_seconds",
            "Time from claim to finish",
            ["kind"],
            registry=self.registry,
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
        )
        self.first_token_seconds = Histogram(
            "openai_first_token_seconds",
            "Time from request to the first token",
            registry=self.registry,
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
        )
        self.openai_errors = Counter(
            "openai_errors", "OpenAI failures by kind of error", ["error"], registry=self.registry
        )
        self.tokens = Counter(
            "openai_tokens", "Tokens used, by model and kind", ["model", "kind"], registry=self.registry
        )
        self.delivery_paths = Counter(
            "slack_answer_deliveries",
            "How each answer reached Slack: stream, edited (one message updated) or posted (whole)",
            ["path"],
            registry=self.registry,
        )
        self.slack_calls_dropped = Counter(
            "slack_optional_calls_dropped",
            "Optional Slack calls (status, titles, names) skipped to stay within the rate budget",
            ["method"],
            registry=self.registry,
        )
        self.slack_rate_limited = Counter(
            "slack_rate_limited",
            "429 answers from Slack, each pausing the method for the workspace",
            ["method"],
            registry=self.registry,
        )
        # Answers people can rate: each vote recorded (a change of mind counts its new value, and
        # the vote it replaced in bot_feedback_replaced_total).
        self.feedback = Counter(
            "bot_feedback", "Votes on answers, by value", ["value"], registry=self.registry
        )
        self.feedback_replaced = Counter(
            "bot_feedback_replaced",
            "Votes on answers replaced by a later click, by the replaced value",
            ["value"],
            registry=self.registry,
        )
        for value in ("positive", "negative"):  # shown at 0 before the first vote
            self.feedback.labels(value)
            self.feedback_replaced.labels(value)

        self.model_replaced = Counter(
            "openai_model_replaced",
            "Calls made with a successor because the default model was shut down",
            ["action", "model", "replacement"],
            registry=self.registry,
        )
        # --- usage by workspace and action, never by person (issue 14) ---
        self.usage_tokens = Counter(
            "workspace_tokens",
            "OpenAI tokens used, by workspace, action and kind (prompt or completion)",
            ["team", "action", "kind"],
            registry=self.registry,
        )
        self.usage_images = Counter(
            "workspace_images",
            "Images made, by workspace and action",
            ["team", "action"],
            registry=self.registry,
        )
        self.usage_audio_seconds = Counter(
            "workspace_audio_seconds",
            "Seconds of audio transcribed, translated or spoken, by workspace and action",
            ["team", "action"],
            registry=self.registry,
        )
        self.usage_cost = Counter(
            "workspace_estimated_cost_usd",
            "Estimated OpenAI cost in US dollars, by workspace and action",
            ["team", "action"],
            registry=self.registry,
        )
        self.refusals = Counter(
            "workspace_refusals",
            "Requests refused by a workspace's settings, by workspace and reason",
            ["team", "reason"],
            registry=self.registry,
        )
        # --- end usage ---

    def render(self) -> bytes:
        return generate_latest(self.registry)
