"""Handoff pieces that outlive a process or read a customer's short answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.briefing import Briefer
from bot.handoff import Briefing, handoff_now
from bot.rating import Rating, read_rating
from bot.statemachine import State
from tests.conftest import Customer, settled
from tests.fakes.openai_server import FakeOpenAI, Step
from tests.fakes.slack_api import FakeSlack
from tests.test_models import model_env
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


# -- the card goes up at once; the model's briefing follows ----------------------------

BRIEFED = "Wants a person; the parcel is late."


@pytest.fixture
async def openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


def briefs(body: dict[str, Any]) -> bool:
    """Whether a chat request is the agents' briefing (rather than routing or an answer)."""
    return "You brief a human support agent" in str(body["messages"][0]["content"])


def summary_of(blocks: list[dict[str, Any]] | None) -> str:
    return next(
        str(block["text"]["text"])
        for block in blocks or []
        if block["type"] == "section"
        and str(block.get("text", {}).get("text", "")).startswith("*Summary*")
    )


async def test_the_card_does_not_wait_for_a_hanging_model(
    slack: FakeSlack, openai: FakeOpenAI, app_client: AppClient, tmp_path: Path
) -> None:
    asked = asyncio.Event()

    def answer(body: dict[str, Any]) -> Step:
        if briefs(body):
            asked.set()
            return Step(hang=True)
        return Step(text="OK")

    openai.responder = answer
    # The model may take 60 s to answer; the card is up long before that.
    env = model_env(
        openai, tmp_path, LLM_FIRST_TOKEN_TIMEOUT_SECONDS="60", LLM_TOTAL_TIMEOUT_SECONDS="120"
    )
    client, runtime = await app_client(slack_settings(slack, **env))
    customer = Customer(client)
    await customer.connect()
    await handed_off(customer)

    card = await Workspace(client, slack).card()
    assert summary_of(card.blocks).startswith("*Summary*\n1 customer message")
    await asyncio.wait_for(asked.wait(), 5)  # the model is asked once the card is up
    assert slack.message(AGENTS, card.ts) is card
    assert card.edits == []  # the model has not answered, and nothing waited for it
    await runtime.desks.close(grace=0)  # it never will: stop asking, as a deploy would
    assert card.edits == []
    assert len(slack.messages(AGENTS)) == 1


async def test_the_models_briefing_replaces_the_offline_one_on_the_card(
    slack: FakeSlack, openai: FakeOpenAI, app_client: AppClient, tmp_path: Path
) -> None:
    written = json.dumps({"summary": BRIEFED, "suggested_reply": "Sorry for the wait!"})
    openai.responder = lambda body: Step(text=written) if briefs(body) else Step(text="OK")
    client, runtime = await app_client(slack_settings(slack, **model_env(openai, tmp_path)))
    customer = Customer(client)
    await customer.connect()
    ticket = await handed_off(customer)

    card = await Workspace(client, slack).card()
    posted = next(r for r in slack.requests if r.method == "chat.postMessage")
    assert "customer message" in summary_of(posted.args["blocks"])  # the offline one first
    await slack.wait_for(lambda s: card.edits)
    assert summary_of(card.blocks) == f"*Summary*\n{BRIEFED}"
    assert "Sorry for the wait!" in json.dumps(card.blocks)
    assert "Claim" in json.dumps(card.blocks)  # still the whole card, state and buttons
    assert len(slack.messages(AGENTS)) == 1
    listed = await runtime.desk.list()
    assert listed[0]["ticket"] == ticket
    assert listed[0]["briefing"]["summary"] == BRIEFED
    assert listed[0]["briefing"]["by_model"] is True

    # The handoff carried out again (a retried effect): the same card, no second one,
    # and no ping, for nothing new happened.
    stored = await runtime.store.get_ticket(ticket)
    assert stored is not None
    transcript = await runtime.store.transcript(ticket)
    offline = Briefing(summary="again", sentiment="neutral")
    again = handoff_now(stored, "the customer asked for a person", transcript, offline)
    assert await runtime.desks.open(again) == stored.desk_ref
    assert len(slack.messages(AGENTS)) == 1
    assert summary_of(card.blocks) == "*Summary*\nagain"
    assert not [m for m in slack.messages(AGENTS, thread_ts=card.ts) if m.reply_broadcast]
    # The first handoff's briefing, arriving late now, leaves the later card alone.
    first = handoff_now(stored, "the customer asked for a person", transcript, offline)
    await runtime.desks.rebrief(first, Briefing(summary="stale", sentiment="neutral"))
    assert summary_of(card.blocks) == "*Summary*\nagain"


async def test_a_ticket_handed_over_again_keeps_its_card(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, _ = await app_client(slack_settings(slack))
    workspace = Workspace(client, slack)
    customer = Customer(client)
    await customer.connect()
    ticket = await handed_off(customer)
    card = await workspace.card()
    await workspace.press("sb_release", ticket, ADA, card)
    assert "handed you back" in (await customer.next_answer()).text

    assert await handed_off(customer) == ticket
    ping = await workspace.thread_says(card, "needs a person again")
    assert ping.startswith(f"Ticket {ticket} needs a person again")
    assert len(slack.messages(AGENTS)) == 1
    assert "Waiting for an agent" in json.dumps(card.blocks)  # edited in place
