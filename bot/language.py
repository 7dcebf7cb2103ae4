"""Which language a conversation speaks.

A conversation's language is sticky: it starts from the channel's hint (the
browser's `navigator.language`, a messenger's user locale) or the default, and
only a message long enough to judge, detected with high confidence, switches
it. "ok", an order number or an emoji never flip it.

Detection is langdetect (seeded, so the same text always gives the same answer)
with only the supported languages' profiles loaded. Sharper short-text detection, more
hints and the benchmark come with the languages work; this is the seam.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Below this, langdetect's guesses on chat messages are mostly noise.
_MIN_LETTERS = 12
_MIN_WORDS = 3
_SWITCH_CONFIDENCE = 0.90


class LanguageDetector:
    def __init__(self, supported: Sequence[str], default: str) -> None:
        self.supported = tuple(supported)
        self.default = default
        self._ready = threading.Lock()
        self._factory: Any = None
        self._profiles = 0

    def warm(self) -> None:
        """Load the profiles of the supported languages; safe to call from a thread.

        Only those: every one of langdetect's 55 profiles costs ~60 MB of RSS,
        and a language we cannot answer in is no use as a candidate anyway.
        """
        with self._ready:
            if self._factory is not None:
                return
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            profiles = []
            for code in self.supported:
                path = Path(PROFILES_DIRECTORY) / code
                if path.is_file():
                    profiles.append(path.read_text("utf-8"))
                else:
                    log.warning("langdetect has no profile for %r; it is never detected", code)
            factory = DetectorFactory()
            factory.set_seed(0)
            if len(profiles) > 1:
                factory.load_json_profile(profiles)
            self._factory = factory
            self._profiles = len(profiles)

    def from_hint(self, locale: str | None) -> str | None:
        """`es-MX` -> `es` when Spanish is supported."""
        if not locale:
            return None
        code = locale.replace("_", "-").split("-")[0].strip().lower()
        return code if code in self.supported else None

    def detect(self, text: str, *, current: str | None, hint: str | None = None) -> str:
        """The conversation's language after `text`."""
        settled = current or self.from_hint(hint) or self.default
        letters = sum(ch.isalpha() for ch in text)
        if letters < _MIN_LETTERS or len(text.split()) < _MIN_WORDS:
            return settled
        guess = self._guess(text)
        if guess is None or guess[0] == settled or guess[1] < _SWITCH_CONFIDENCE:
            return settled
        return guess[0]

    def _guess(self, text: str) -> tuple[str, float] | None:
        self.warm()
        if self._profiles < 2:
            return None  # one candidate: nothing to choose between
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return None
        if not ranked:
            return None
        best = ranked[0]
        return str(best.lang), float(best.prob)
