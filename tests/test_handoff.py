"""Handoff pieces that outlive a process or read a customer's short answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.briefing import Briefer
from bot.rating import Rating, read_rating
from bot.statemachine import State
from tests.conftest import Customer, settled
from tests.fakes.slack_api import FakeSlack
from tests.test_slack import ADA, AGENTS, Workspace, handed_off, slack_settings

AppClient = Callable[..., Any]
ENGLISH_WORDS = ["terrible", "bad", "okay", "good", "excellent"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", Rating(5)),
        (" 4 ", Rating(4)),
        ("3/5", Rating(3)),
        ("4 stars", Rating(4)),
        ("5 out of 5!", Rating(5)),
        ("2, the wait was long", Rating(2, "the wait was long")),
        ("1 - rude", Rating(1, "rude")),
        ("⭐⭐⭐", Rating(3)),
        ("Excellent", Rating(5)),
        ("okay", Rating(3)),
        # Not ratings: these are new questions.
        ("10042", None),
        ("6", None),
        ("0", None),
        ("2 items are missing from my order", None),
        ("where is my order?", None),
        ("excellent, and where is my other parcel?", None),
        ("", None),
    ],
)
def test_what_counts_as_a_rating(text: str, expected: Rating | None) -> None:
    assert read_rating(text, ENGLISH_WORDS) == expected


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_user(ADA, "ada", display_name="Ada")
        yield fake


@pytest.mark.redis
async def test_the_sla_timer_survives_a_restart(
    slack: FakeSlack, app_client: AppClient, redis_url: str, redis_prefix: str
) -> None:
    settings = slack_settings(
        slack, REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix, HANDOFF_SLA_SECONDS="2"
    )
    first, _ = await app_client(settings)
    customer = Customer(first)
    await customer.connect()
    ticket = await handed_off(customer)
    card = await Workspace(first, slack).card()
    await customer.close()
    # The process goes away before the deadline (a deploy).
    await first.close()
    assert not [m for m in slack.messages(AGENTS, thread_ts=card.ts) if m.reply_broadcast]

    second, runtime = await app_client(settings)
    ping = await Workspace(second, slack).thread_says(card, "still waiting for an agent")
    assert "<!here>" in ping
    transcript = await runtime.store.transcript(ticket)
    assert any("taking longer than usual" in turn.text for turn in transcript)
    stored = await runtime.store.get_ticket(ticket)
    assert stored is not None
    assert stored.status is State.WAITING_AGENT  # still queued for a person


async def test_a_claim_in_time_stops_the_sla_timer(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, runtime = await app_client(slack_settings(slack, HANDOFF_SLA_SECONDS="1"))
    workspace = Workspace(client, slack)
    customer = Customer(client)
    await customer.connect()
    ticket = await handed_off(customer)
    card = await workspace.card()
    await workspace.press("sb_claim", ticket, ADA, card)
    assert "joined" in (await customer.next_answer()).text
    await asyncio.sleep(2.2)
    await settled(runtime)
    assert [f for f in await customer.quiet(0.3) if f["type"] == "done"] == []
    assert not [m for m in slack.messages(AGENTS, thread_ts=card.ts) if m.reply_broadcast]


def test_the_mood_on_the_card() -> None:
    from bot.config import Settings
    from bot.i18n import Catalog
    from bot.killswitch import KillSwitch
    from bot.knowledge import KnowledgeBase
    from bot.llm import LLM
    from bot.store import MemoryStore

    settings = Settings.from_env({})
    catalog = Catalog(settings.locales_dir, settings.supported_languages, "en")
    briefer = Briefer(
        catalog=catalog,
        knowledge=KnowledgeBase([], []),
        llm=LLM(settings),
        killswitch=KillSwitch(MemoryStore()),
        agent_language="en",
        kb_min_score=0.6,
    )
    assert briefer.sentiment("en", ["This is unacceptable, I want my money"]) == "negative"
    assert briefer.sentiment("en", ["WHERE IS MY PARCEL??? NOBODY ANSWERS!!!"]) == "negative"
    assert briefer.sentiment("es", ["es una estafa"]) == "negative"
    assert briefer.sentiment("en", ["where is my order?"]) == "neutral"
    assert briefer.sentiment("en", ["thanks, that helps"]) == "positive"
