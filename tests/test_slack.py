"""The Slack agent console and Slack as a customer channel, against a local Slack.

Inbound requests are signed with slack_sdk's own signature helper; everything the
app sends goes to `FakeSlack` (`SLACK_API_URL`), which checks it against Slack's
method reference. Customers are web-chat customers on a real socket.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import Runtime
from bot.config import Settings
from bot.statemachine import State
from tests.conftest import Customer, make_settings, settled
from tests.fakes.openai_server import FakeOpenAI, Step
from tests.fakes.slack_api import (
    TEST_APP_TOKEN,
    TEST_BOT_TOKEN,
    TEST_SIGNING_SECRET,
    FakeSlack,
    SlackMessage,
    app_mention_event,
    block_action,
    bot_message_event,
    event_callback,
    form_body,
    message_event,
    signed_headers,
)

AGENTS = "C0AGENTS01"
ADA, BEN = "U0ADA", "U0BEN"

AppClient = Callable[..., Any]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_user(ADA, "ada", real_name="Ada Lovelace", display_name="Ada")
        fake.add_user(BEN, "ben", real_name="Ben Okafor", display_name="Ben")
        yield fake


def slack_settings(slack: FakeSlack, **env: str) -> Settings:
    return make_settings(
        SLACK_BOT_TOKEN=TEST_BOT_TOKEN,
        SLACK_SIGNING_SECRET=TEST_SIGNING_SECRET,
        SLACK_AGENTS_CHANNEL=AGENTS,
        SLACK_API_URL=slack.base_url,
        **env,
    )


class Workspace:
    """Slack's side of the conversation: signed events and button presses to the app."""

    def __init__(self, client: TestClient[Any, Any], slack: FakeSlack) -> None:
        self.client = client
        self.slack = slack

    async def event(
        self, event: dict[str, Any], *, retry: int | None = None, event_id: str | None = None
    ) -> int:
        body = json.dumps(event_callback(event, event_id=event_id))
        response = await self.client.post(
            "/slack/events",
            data=body,
            headers=signed_headers(body, TEST_SIGNING_SECRET, retry_num=retry),
        )
        return response.status

    async def press(self, action_id: str, ticket: str, user: str, card: SlackMessage) -> int:
        body = form_body(block_action(action_id, ticket, user, AGENTS, card.ts))
        headers = signed_headers(body, TEST_SIGNING_SECRET, content_type="form")
        response = await self.client.post("/slack/events", data=body, headers=headers)
        return response.status

    async def reply(self, user: str, card: SlackMessage, text: str) -> None:
        assert await self.event(message_event(AGENTS, user, text, thread_ts=card.ts)) == 200

    async def card(self) -> SlackMessage:
        cards = await self.slack.wait_for(lambda s: s.messages(AGENTS))
        return cards[-1]

    def thread(self, card: SlackMessage) -> list[str]:
        return [m.text for m in self.slack.messages(AGENTS, thread_ts=card.ts)]

    async def thread_says(self, card: SlackMessage, words: str) -> str:
        def found(s: FakeSlack) -> str:
            return next((t for t in self.thread(card) if words in t), "")

        return await self.slack.wait_for(found)


async def start(app_client: AppClient, settings: Settings) -> tuple[TestClient[Any, Any], Runtime]:
    client, runtime = await app_client(settings)
    return client, runtime


async def handed_off(customer: Customer) -> str:
    answer = await customer.ask("I want to talk to a human please")
    assert "reference is" in answer.text
    assert await customer.state() == State.WAITING_AGENT
    return answer.text.split("reference is ")[1].split(".")[0]


def _section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn text of the card's sections and fields."""
    texts = []
    for block in blocks:
        if block["type"] == "section":
            if "text" in block:
                texts.append(str(block["text"]["text"]))
            texts.extend(str(f["text"]) for f in block.get("fields", []))
    return texts


def _text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


# -- the endpoint ---------------------------------------------------------------------


async def test_only_requests_signed_by_slack_get_in(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, _ = await start(app_client, slack_settings(slack))
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})

    good = await client.post(
        "/slack/events", data=body, headers=signed_headers(body, TEST_SIGNING_SECRET)
    )
    assert good.status == 200
    assert (await good.json()) == {"challenge": "abc123"}

    forged = signed_headers(body, "not-the-signing-secret-at-all")
    assert (await client.post("/slack/events", data=body, headers=forged)).status == 403
    unsigned = {"Content-Type": "application/json"}
    assert (await client.post("/slack/events", data=body, headers=unsigned)).status == 403
    stale = signed_headers(body, TEST_SIGNING_SECRET, timestamp=int(time.time()) - 6 * 60)
    assert (await client.post("/slack/events", data=body, headers=stale)).status == 403
    tampered = signed_headers(body, TEST_SIGNING_SECRET)
    sent = body.replace("abc123", "evil")
    assert (await client.post("/slack/events", data=sent, headers=tampered)).status == 403

    garbage = "this is not json"
    malformed = await client.post(
        "/slack/events", data=garbage, headers=signed_headers(garbage, TEST_SIGNING_SECRET)
    )
    assert malformed.status == 400
    huge = json.dumps({"type": "event_callback", "padding": "x" * (2 * 1024 * 1024)})
    too_big = await client.post(
        "/slack/events",
        data=io.BytesIO(huge.encode()),
        headers=signed_headers(huge, TEST_SIGNING_SECRET),
    )
    assert too_big.status == 413


# -- the agent console ----------------------------------------------------------------


async def test_a_handoff_posts_a_card_with_the_whole_story(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, _ = await start(app_client, slack_settings(slack))
    customer = Customer(client)
    await customer.connect()
    await customer.ask("where is my order 10042? you can write to ada.lovelace@example.org")
    ticket = await handed_off(customer)

    workspace = Workspace(client, slack)
    card = await workspace.card()
    shown = _text_of(card.blocks or [])
    # With AGENT_PII=masked (the default) no field of the card shows the address.
    assert "ada.lovelace@example.org" not in shown
    assert "[email]" in shown
    assert f"Ticket {ticket}" in shown
    texts = _section_texts(card.blocks or [])
    assert "*Channel*\nwebchat" in texts
    assert "*Language*\nen" in texts
    assert "*Why*\nthe customer asked for a person" in texts
    assert any(t.startswith("*Intent*\n") for t in texts)
    assert any(t.startswith("*Sentiment*\n") for t in texts)
    assert any(t.startswith("*Summary*\n2 customer messages") for t in texts)
    assert any(t.startswith("*Ticket fields*") and "10042" in t for t in texts)
    last_turns = next(t for t in texts if t.startswith("*Last turns*"))
    assert "*Customer:* where is my order 10042?" in last_turns
    assert "Waiting for an agent" in shown
    # The customer's id is masked by default (AGENT_PII=masked).
    assert customer.session is not None
    from channels.webchat import address_for

    assert address_for(customer.session).id not in shown
    buttons = [
        e["text"]["text"]
        for b in card.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["Claim", "Resolve", "Back to bot"]


async def test_only_the_owner_reaches_the_customer(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, runtime = await start(app_client, slack_settings(slack))
    workspace = Workspace(client, slack)
    customer = Customer(client)
    await customer.connect()
    ticket = await handed_off(customer)
    card = await workspace.card()

    # While waiting, the bot is silent and the customer's words go to the thread.
    await customer.send("are you there? my parcel is lost")
    await workspace.thread_says(card, "my parcel is lost")
    assert [f for f in await customer.quiet(0.4) if f["type"] == "done"] == []

    # Nobody owns it yet: a reply stays internal and the thread says so.
    await workspace.reply(ADA, card, "I'll look into it")
    await workspace.thread_says(card, "nobody has claimed this ticket")

    assert await workspace.press("sb_claim", ticket, ADA, card) == 200
    joined = await customer.next_answer()
    assert "joined" in joined.text
    await workspace.thread_says(card, "<@U0ADA> claimed the ticket")
    updated = slack.message(AGENTS, card.ts)
    assert updated is not None
    assert "With <@U0ADA>" in _text_of(updated.blocks or [])

    # A second claim is refused: one owner at a time.
    assert await workspace.press("sb_claim", ticket, BEN, card) == 200
    await workspace.thread_says(card, "<@U0BEN>: not done")

    await workspace.reply(ADA, card, "Hi, I'm checking your parcel now.")
    answer = await customer.next_answer()
    assert answer.role == "agent"
    assert answer.text == "Hi, I'm checking your parcel now."

    await workspace.reply(BEN, card, "psst, try the carrier's hotline")
    await workspace.thread_says(card, "only <@U0ADA> can write to the customer")
    await workspace.reply(ADA, card, "// customer sounds upset, be gentle")
    # The same note typed with a CJK input method's full-width slashes stays internal too.
    await workspace.reply(ADA, card, "／／ also check the old order first")
    assert [f for f in await customer.quiet(0.4) if f["type"] == "done"] == []

    transcript = await runtime.store.transcript(ticket)
    said = [(t.role.value, t.text) for t in transcript]
    assert ("agent", "Hi, I'm checking your parcel now.") in said
    assert not any("psst" in text or "gentle" in text or "old order" in text for _, text in said)


async def test_retried_events_never_act_twice(slack: FakeSlack, app_client: AppClient) -> None:
    client, runtime = await start(app_client, slack_settings(slack))
    workspace = Workspace(client, slack)
    customer = Customer(client)
    await customer.connect()
    ticket = await handed_off(customer)
    card = await workspace.card()
    await workspace.press("sb_claim", ticket, ADA, card)
    await customer.next_answer()

    reply = message_event(AGENTS, ADA, "Your refund is on its way.", thread_ts=card.ts)
    assert await workspace.event(reply, event_id="Ev0RETRY01") == 200
    assert (await customer.next_answer()).text == "Your refund is on its way."
    # Slack thought the first delivery timed out and sends it again, twice.
    assert await workspace.event(reply, retry=1, event_id="Ev0RETRY01") == 200
    assert await workspace.event(reply, retry=2, event_id="Ev0RETRY01") == 200
    assert [f for f in await customer.quiet(0.5) if f["type"] == "done"] == []
    agent_turns = [t for t in await runtime.store.transcript(ticket) if t.role.value == "agent"]
    assert len(agent_turns) == 1
    # Our own posts come back as events; they are not agents speaking.
    own = bot_message_event(AGENTS, "Ticket update", thread_ts=card.ts)
    assert await workspace.event(own) == 200
    assert [f for f in await customer.quiet(0.3) if f["type"] == "done"] == []


async def test_back_to_bot_and_resolve_with_a_rating(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, runtime = await start(app_client, slack_settings(slack))
    workspace = Workspace(client, slack)
    customer = Customer(client)
    await customer.connect()
    ticket = await handed_off(customer)
    card = await workspace.card()
    await workspace.press("sb_claim", ticket, ADA, card)
    await customer.next_answer()

    await workspace.press("sb_release", ticket, ADA, card)
    assert "handed you back" in (await customer.next_answer()).text
    answer = await customer.ask("what is your return policy?")
    assert answer.role == "bot"
    assert "30 days" in answer.text

    ticket = await handed_off(customer)
    card = await workspace.card()
    await workspace.press("sb_claim", ticket, BEN, card)
    await customer.next_answer()
    # Only the owner resolves.
    await workspace.press("sb_resolve", ticket, ADA, card)
    await workspace.thread_says(card, "<@U0ADA>: not done")
    await workspace.press("sb_resolve", ticket, BEN, card)
    assert "resolved" in (await customer.next_answer()).text
    assert "rate the help" in (await customer.next_answer()).text

    thanks = await customer.ask("4, quick and kind")
    assert "Thank you for your rating" in thanks.text
    stored = await runtime.store.get_ticket(ticket)
    assert stored is not None
    assert stored.rating == 4
    assert stored.fields.get("rating_comment") == "quick and kind"
    await workspace.thread_says(card, "(4/5)")
    final = slack.message(AGENTS, card.ts)
    assert final is not None
    assert "Resolved" in _text_of(final.blocks or [])
    assert not [b for b in final.blocks or [] if b["type"] == "actions"]


async def test_a_missed_sla_tells_the_customer_and_pings_the_agents(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, _ = await start(app_client, slack_settings(slack, HANDOFF_SLA_SECONDS="1"))
    workspace = Workspace(client, slack)
    customer = Customer(client)
    await customer.connect()
    await handed_off(customer)
    card = await workspace.card()

    notice = await customer.next_answer(wait=5)
    assert "taking longer than usual" in notice.text
    ping = await workspace.thread_says(card, "still waiting for an agent")
    assert "<!here>" in ping
    broadcast = [m for m in slack.messages(AGENTS, thread_ts=card.ts) if m.reply_broadcast]
    assert len(broadcast) == 1


# -- Slack as a customer channel ------------------------------------------------------


async def test_a_direct_message_streams_its_answer(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, _ = await start(app_client, slack_settings(slack))
    workspace = Workspace(client, slack)
    dm = message_event("D0CUSTOMER", "U0CARLA", "what is your return policy?", channel_type="im")
    assert await workspace.event(dm) == 200

    streamed = await slack.wait_for(
        lambda s: [m for m in s.messages("D0CUSTOMER", thread_ts=dm["ts"]) if not m.streaming]
    )
    assert "30 days" in streamed[0].text
    assert slack.calls("chat.startStream")[0]["thread_ts"] == dm["ts"]
    assert slack.calls("chat.stopStream")
    assert not slack.calls("chat.update")


async def test_without_streaming_the_answer_is_posted_and_edited(
    slack: FakeSlack, app_client: AppClient
) -> None:
    slack.fail("chat.startStream", "not_allowed_token_type", times=100)
    client, runtime = await start(app_client, slack_settings(slack, STREAM_CHUNK_DELAY_MS="150"))
    workspace = Workspace(client, slack)
    mention = app_mention_event("C0HELPDESK", "U0DAN", "<@U0BOT> what is your return policy?")
    assert await workspace.event(mention) == 200

    await settled(runtime)
    answer = slack.messages("C0HELPDESK", thread_ts=mention["ts"])
    assert len(answer) == 1
    assert answer[0].edits  # posted with the first words, then edited as the rest came
    assert "30 days" in answer[0].text
    assert "<@U0BOT>" not in slack.calls("chat.postMessage")[0]["text"]
    # A second answer does not ask for a stream again.
    again = app_mention_event("C0HELPDESK", "U0DAN", "<@U0BOT> and shipping times?")
    await workspace.event(again)
    await settled(runtime)
    assert slack.messages("C0HELPDESK", thread_ts=again["ts"])
    assert len(slack.calls("chat.startStream")) == 0
    assert len([r for r in slack.requests if r.method == "chat.startStream"]) == 1


async def test_a_slack_customer_reaches_an_agent_and_back(
    slack: FakeSlack, app_client: AppClient
) -> None:
    client, _ = await start(app_client, slack_settings(slack))
    workspace = Workspace(client, slack)
    dm = message_event("D0ERIN", "U0ERIN", "human please", channel_type="im")
    await workspace.event(dm)
    card = await workspace.card()
    ticket = next(
        e["value"] for b in card.blocks or [] if b["type"] == "actions" for e in b["elements"]
    )
    await workspace.press("sb_claim", ticket, ADA, card)
    await workspace.reply(ADA, card, "Hello Erin, Ada here.")
    said = await slack.wait_for(
        lambda s: [
            m.text for m in s.messages("D0ERIN", thread_ts=dm["ts"]) if "Ada here" in m.text
        ]
    )
    assert said[0].startswith("*Ada (support team):*")


# -- end to end: a customer in a real browser, an agent in Slack ----------------------


@pytest.mark.browser
async def test_a_browser_customer_gets_a_person_from_slack_and_rates_them(
    slack: FakeSlack, app_client: AppClient, browser: Any
) -> None:
    client, runtime = await start(app_client, slack_settings(slack))
    workspace = Workspace(client, slack)
    page = await browser.new_page()
    await page.goto(str(client.make_url("/")))
    await page.wait_for_selector('#sb-panel[data-connection="open"]')

    await type_into(page, "My parcel never arrived, I want to talk to a human")
    await page.locator(".sb-msg").filter(has_text="reference is").wait_for()
    await page.wait_for_selector('#sb-panel[data-state="WAITING_AGENT"]')

    card = await workspace.card()
    shown = _text_of(card.blocks or [])
    assert "My parcel never arrived" in shown  # the transcript is on the card
    ticket = next(
        e["value"] for b in card.blocks or [] if b["type"] == "actions" for e in b["elements"]
    )

    await workspace.press("sb_claim", ticket, ADA, card)
    await page.wait_for_selector('#sb-panel[data-state="WITH_AGENT"]')
    await workspace.reply(ADA, card, "Hi, Ada here. I have opened a claim with the carrier.")
    agent = page.locator('.sb-msg[data-role="agent"]').filter(has_text="opened a claim")
    await agent.wait_for()
    assert "Ada (support team)" in await agent.inner_text()

    await workspace.reply(BEN, card, "Ben: internal, do not send")
    await workspace.thread_says(card, "only <@U0ADA> can write to the customer")
    await settled(runtime)
    assert await page.locator(".sb-msg").filter(has_text="do not send").count() == 0

    await workspace.press("sb_resolve", ticket, ADA, card)
    await page.locator(".sb-msg").filter(has_text="rate the help").wait_for()
    await type_into(page, "5")
    await page.locator(".sb-msg").filter(has_text="Thank you for your rating").wait_for()
    stored = await runtime.store.get_ticket(ticket)
    assert stored is not None
    assert stored.rating == 5
    await workspace.thread_says(card, "(5/5)")
    await page.close()


async def type_into(page: Any, text: str) -> None:
    box = page.locator("#sb-input")
    await box.fill(text)
    await box.press("Enter")


# -- translation between a customer and an agent -----------------------------------


async def test_agents_and_customers_read_each_other_in_their_own_language(
    slack: FakeSlack, app_client: AppClient
) -> None:
    async with FakeOpenAI() as model:
        model.script(
            "commodity-1",
            Step('{"summary": "Wants a person about a late parcel.", "suggested_reply": "Hola"}'),
            Step("My order has not arrived."),
            Step("Lo siento, lo reviso ahora mismo."),
        )
        settings = slack_settings(
            slack,
            COMMODITY_MODEL="openai/commodity-1",
            COMMODITY_API_BASE=model.base_url,
            COMMODITY_API_KEY=model.api_key,
            # Generous: the first call also imports litellm, which takes seconds.
            LLM_FIRST_TOKEN_TIMEOUT_SECONDS="20",
            LLM_TOTAL_TIMEOUT_SECONDS="30",
        )
        client, runtime = await start(app_client, settings)
        workspace = Workspace(client, slack)
        customer = Customer(client, locale="es-ES")
        await customer.connect()
        answer = await customer.ask("quiero hablar con una persona, por favor")
        ticket = answer.text.split("T-")[1][:8]
        ticket = f"T-{ticket}"
        card = await workspace.card()
        # The model's briefing replaces the offline one once it is written (generous: the
        # model's first call imports litellm).
        briefed = "Wants a person about a late parcel."
        await slack.wait_for(lambda s: briefed in _text_of(card.blocks or []), timeout=30)

        await customer.send("mi pedido no ha llegado")
        relayed = await workspace.thread_says(card, "mi pedido no ha llegado")
        assert "_(en)_ My order has not arrived." in relayed

        await workspace.press("sb_claim", ticket, ADA, card)
        await customer.next_answer()
        await workspace.reply(ADA, card, "I'm sorry, I am checking it right now.")
        said = await customer.next_answer()
        assert said.text == "Lo siento, lo reviso ahora mismo."
        await settled(runtime)

        turns = await runtime.store.transcript(ticket)
        customer_turn = next(t for t in turns if t.text == "mi pedido no ha llegado")
        assert customer_turn.meta["translation"]["text"] == "My order has not arrived."
        agent_turn = next(t for t in turns if t.role.value == "agent")
        assert agent_turn.text == "Lo siento, lo reviso ahora mismo."
        assert agent_turn.meta["original"] == {
            "language": "en",
            "text": "I'm sorry, I am checking it right now.",
        }
        # What the models were asked: the customer's words, then the agent's.
        asked = [r["messages"][-1]["content"] for r in model.chat_requests("commodity-1")]
        assert asked[1:] == ["mi pedido no ha llegado", "I'm sorry, I am checking it right now."]


# -- Socket Mode (local development without a public URL) ---------------------------


async def test_socket_mode_receives_the_same_events(
    slack: FakeSlack, app_client: AppClient
) -> None:
    settings = make_settings(
        SLACK_BOT_TOKEN=TEST_BOT_TOKEN,
        SLACK_APP_TOKEN=TEST_APP_TOKEN,
        SLACK_AGENTS_CHANNEL=AGENTS,
        SLACK_API_URL=slack.base_url,
    )
    client, runtime = await start(app_client, settings)
    # No signing secret: there is no public endpoint to sign requests for.
    assert (await client.post("/slack/events", data="{}")).status == 404
    await slack.wait_for(lambda s: s.socket_mode_connected)

    dm = message_event("D0FRAN", "U0FRAN", "what is your return policy?", channel_type="im")
    envelope_id = await slack.push("events_api", event_callback(dm))
    await slack.wait_for(lambda s: [a for a in s.acks if a.get("envelope_id") == envelope_id])
    answer = await slack.wait_for(
        lambda s: [m for m in s.messages("D0FRAN", thread_ts=dm["ts"]) if not m.streaming]
    )
    assert "30 days" in answer[0].text
    await settled(runtime)
