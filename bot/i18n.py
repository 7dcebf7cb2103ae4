"""Customer-facing canned texts, one Fluent catalogue per language in `locales/`.

Project Fluent (Mozilla's `fluent.runtime`) rather than hand-rolled lookups:
translators get plurals, selectors and locale-aware dates, and the parser lets
the tests prove every catalogue has the same keys and placeholders.

Messages named `match-*` are not shown: they list phrases customers use
("human", "talk to someone"), so a language is added by adding one file.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

log = logging.getLogger(__name__)

UI_KEYS = (
    "title",
    "placeholder",
    "send",
    "close",
    "open",
    "connecting",
    "reconnecting",
    "typing",
    "source",
    "agent",
    "bot",
)


# "Nothing but a yes" is never longer than this; a longer text is not folded to find out.
_LONGEST_PHRASE = 200

_SEARCHED_CHARS = 1000


# A turn matches one message against several phrase lists; folding a long message
# once instead of each time is most of a long message's cost.
@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Lower case without accents or punctuation, single-spaced: how phrases are matched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[\w']+", bare))


class Catalog:
    """All catalogues of the supported languages, with a default to fall back on."""

    def __init__(self, folder: Path, languages: Iterable[str], default: str) -> None:
        self.default = default
        self.languages = tuple(languages)
        self._bundles: dict[str, FluentBundle] = {}
        for code in self.languages:
            bundle = FluentBundle([code], use_isolating=False)
            bundle.add_resource(FluentResource((folder / f"{code}.ftl").read_text("utf-8")))
            self._bundles[code] = bundle
        self._phrases: dict[tuple[str, str], tuple[re.Pattern[str], ...]] = {}

    def text(self, language: str, key: str, **args: Any) -> str:
        """The message `key` in `language` (the default language if that one lacks it)."""
        bundle = self._bundles.get(language) or self._bundles[self.default]
        if not bundle.has_message(key):
            log.warning("locale %s has no message %r; using %s", language, key, self.default)
            bundle = self._bundles[self.default]
        message = bundle.get_message(key)
        if message.value is None:
            log.warning("locale %s message %r has no value", language, key)
            return key
        value, errors = bundle.format_pattern(message.value, args)
        for error in errors:
            log.warning("locale %s message %r: %s", language, key, error)
        return str(value)

    def ui(self, language: str, bot_name: str) -> dict[str, str]:
        """The web chat widget's own labels."""
        return {key: self.text(language, f"ui-{key}", bot_name=bot_name) for key in UI_KEYS}

    def matches(self, language: str, key: str, text: str) -> bool:
        """Whether `text` contains one of the `key` phrases of `language`, as whole words.

        Only the opening of a long message is searched: a request for a person is
        not buried in a pasted page, and each phrase list is a pass over the text.
        """
        folded = fold(text[:_SEARCHED_CHARS])
        return any(p.search(folded) for p in self._patterns(language, key))

    def is_only(self, language: str, key: str, text: str) -> bool:
        """Whether `text` is nothing but one of the `key` phrases ("yes", "ok thanks")."""
        if len(text) > _LONGEST_PHRASE:
            return False
        folded = fold(text)
        return any(p.fullmatch(folded) for p in self._patterns(language, key))

    def phrases(self, language: str, key: str) -> list[str]:
        """The comma-separated entries of `key`, in the catalogue's order."""
        return [p.strip() for p in self.text(language, key).split(",") if p.strip()]

    def _patterns(self, language: str, key: str) -> tuple[re.Pattern[str], ...]:
        found = self._phrases.get((language, key))
        if found is None:
            phrases = {fold(p) for p in self.text(language, key).split(",")} - {""}
            found = tuple(
                re.compile(rf"(?<![\w']){re.escape(p)}(?![\w'])") for p in sorted(phrases)
            )
            self._phrases[(language, key)] = found
        return found
