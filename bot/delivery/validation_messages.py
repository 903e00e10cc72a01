"""A request model's complaint (a pydantic ValidationError) as words for the person who typed it."""

from __future__ import annotations

from pydantic import ValidationError


def first_problem(exc: ValidationError) -> str:
    """The first complaint, without pydantic's "Value error, " prefix."""
    errors = exc.errors()
    return str(errors[0]["msg"]).removeprefix("Value error, ") if errors else str(exc)


def field_of(exc: ValidationError) -> str | None:
    errors = exc.errors()
    return str(errors[0]["loc"][0]) if errors and errors[0]["loc"] else None


def flag_problem(exc: ValidationError) -> str:
    """For a command's flags: ":warning: `--max-tokens`: …" (the flag named once)."""
    message, field = first_problem(exc), field_of(exc)
    if field and "`--" not in message:
        message = f"`--{field.replace('_', '-')}`: {message}"
    return f":warning: {message}"


def job_problem(exc: ValidationError) -> str:
    """For a job whose stored request no longer validates (e.g. a setting changed meanwhile)."""
    return f":warning: {first_problem(exc)}"


def field_problem(exc: ValidationError, default_block: str) -> dict[str, str]:
    """For a modal: the complaint shown on the field (block) it concerns, as Slack wants it."""
    return {field_of(exc) or default_block: first_problem(exc).replace("`", "")[:150]}
