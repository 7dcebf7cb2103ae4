"""No customer text stalls the process: what reads a message takes time in proportion to it.

A message is cut to MAX_MESSAGE_CHARS by every channel, but what reads text must stay
linear anyway: a pattern that backtracks over a 100,000-character word took 50 s and
blocked every conversation of the process. Each reader gets 100,000 characters of
the shapes that make patterns backtrack. The budget is generous on purpose (a
quadratic reader needs seconds to minutes here, a linear one milliseconds): this
guards the complexity, it is not a speed target.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.i18n import Catalog
from bot.knowledge import KnowledgeBase
from bot.language import LanguageDetector
from bot.rating import read_rating
from bot.redact import redact
from bot.router import LocalRouter
from bot.slots import extract
from channels.twilio.messaging import for_sms, for_whatsapp

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 2.0  # seconds for 100,000 characters

SHAPES = {
    "one word": "a" * 100_000,
    "dotted": "a." * 50_000,
    "digits": "1" * 100_000,
    "spaced digits": "1 " * 50_000,
    "at signs": "a@" * 50_000,
    "email-like": "x-y+z." * 16_667,
    "emoji": "🙂" * 100_000,
    "brackets": "[(" * 50_000,
    "url": "https://" + "a" * 99_992,
}


@pytest.fixture(scope="module")
def readers() -> dict[str, Callable[[str], object]]:
    detector = LanguageDetector(("en", "es", "fr", "de", "pt", "it", "nl", "tr", "id", "pl"), "en")
    detector.warm()
    router = LocalRouter.load()
    knowledge = KnowledgeBase.load(ROOT / "kb" / "demo")
    catalog = Catalog(ROOT / "locales", ("en", "es"), "en")
    return {
        "slots": extract,
        "redaction": redact,
        "language": lambda text: detector.detect(text, current=None, hint=None),
        "router": router.classify,
        "knowledge base": lambda text: knowledge.search(text, "en"),
        "trigger phrases": lambda text: catalog.matches("en", "match-human", text),
        "rating": lambda text: read_rating(text, catalog.phrases("en", "match-rating-words")),
        # What reaches a phone: agents' words and model output pass through these.
        "sms text": for_sms,
        "whatsapp text": for_whatsapp,
    }


READERS = (
    "slots",
    "redaction",
    "language",
    "router",
    "knowledge base",
    "trigger phrases",
    "rating",
    "sms text",
    "whatsapp text",
)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_long_message_is_read_in_linear_time(
    readers: dict[str, Callable[[str], object]], reader: str, shape: str
) -> None:
    started = time.perf_counter()
    readers[reader](SHAPES[shape])
    assert time.perf_counter() - started < BUDGET
