"""The operator file (`bot.yaml`) and the system prompts built from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import ConfigError

_LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "tr": "Turkish",
    "id": "Indonesian",
    "pl": "Polish",
}

_LANGUAGE_RULE = (
    "Always reply in {language}, the customer's language, whatever language the sources are in."
)


@dataclass(frozen=True, slots=True)
class Persona:
    company: str
    about: str
    tone: str
    rules: tuple[str, ...]

    @classmethod
    def load(cls, path: Path) -> Persona:
        try:
            data = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"BOT_CONFIG={str(path)!r}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"BOT_CONFIG={str(path)!r}: expected a mapping of settings")
        missing = [key for key in ("company", "tone") if not isinstance(data.get(key), str)]
        if missing:
            raise ConfigError(f"BOT_CONFIG={str(path)!r}: needs {', '.join(missing)}")
        rules = data.get("rules") or []
        if not isinstance(rules, list) or not all(isinstance(rule, str) for rule in rules):
            raise ConfigError(f"BOT_CONFIG={str(path)!r}: rules must be a list of sentences")
        return cls(
            company=data["company"],
            about=str(data.get("about", "")),
            tone=data["tone"],
            rules=tuple(rules),
        )

    def instructions(self, bot_name: str) -> tuple[str, ...]:
        """What the prompt tells the model to do, as opposed to what it tells it about
        (what the shop sells, the ticket): the text the output guard keeps from
        being quoted to a customer."""
        return (
            f"You are {bot_name}, the customer-support assistant of {self.company}.",
            f"Tone: {self.tone}.",
            _LANGUAGE_RULE.format(language="English"),
            *self.rules,
        )

    def system_prompt(
        self, *, bot_name: str, language: str, ticket_id: str, facts: Mapping[str, str]
    ) -> str:
        lines = [
            f"You are {bot_name}, the customer-support assistant of {self.company}"
            + (f", {self.about}." if self.about else "."),
            f"Tone: {self.tone}.",
            _LANGUAGE_RULE.format(language=_LANGUAGE_NAMES.get(language, language)),
            f"The customer's ticket reference is {ticket_id}.",
        ]
        if facts:
            known = "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in facts.items())
            lines.append(f"What the customer already told us: {known}.")
        if self.rules:
            lines.append("Rules:")
            lines.extend(f"- {rule}" for rule in self.rules)
        return "\n".join(lines)
