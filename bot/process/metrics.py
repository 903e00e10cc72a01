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
            "Seconds of audio transcribed or translated, by workspace and action",
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
