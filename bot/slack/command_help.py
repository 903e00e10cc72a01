"""`/ask help`, `/image help`, …: each command's flags, what each allows, and examples.

Built from the very `Flag` tables the parser reads (bot/slack/flags.py), so the help, the usage
line in error messages and what the parser accepts cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.slack.flags import Flag

HELP_WORDS = frozenset({"help", "--help", "-h", "?"})


def asks_for_help(text: str) -> bool:
    """True when the whole text is a request for help (`/ask help`), never for `/ask help me …`."""
    return text.strip().lower() in HELP_WORDS


@dataclass(frozen=True)
class CommandHelp:
    command: str  # "/ask"
    summary: str
    flags: Mapping[str, Flag]
    free_text: str  # what follows the flags, e.g. "question"
    examples: tuple[str, ...]
    # Subcommands (for /assistant): (form, what it does); flags then apply to those that take them.
    subcommands: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def usage(self) -> str:
        """One line, e.g. "Usage: `/ask [--model …] [--temperature …] question` (`/ask help`: every flag)"."""
        flags = " ".join(f"[--{name} …]" for name in self.flags)
        first = f"{self.command} {self.subcommands[0][0]}" if self.subcommands else self.command
        return f"Usage: `{first} {flags} {self.free_text}`. `{self.command} help` lists every flag."

    def text(self) -> str:
        lines = [f"*{self.command}*: {self.summary}", ""]
        if self.subcommands:
            lines.append("*Subcommands*")
            lines.extend(f"• `{self.command} {form}`: {what}" for form, what in self.subcommands)
            lines.append("")
        lines.append(f"*Flags* (before the {self.free_text}; each `--name value`)")
        for flag in self.flags.values():
            times = f" (up to {flag.repeatable} times)" if flag.repeatable > 1 else ""
            lines.append(f"• `--{flag.name}`: {flag.allowed}{times}")
        lines.append("")
        lines.append("*Examples*")
        lines.extend(f"• `{example}`" for example in self.examples)
        lines.append("")
        lines.extend(self.notes)
        lines.append("Quote values that have spaces (straight or typographic quotes); `--` ends the flags.")
        return "\n".join(lines).strip()
