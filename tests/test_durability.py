"""Processes die, messages do not: web and worker processes on one Redis, killed on purpose.

Everything here runs real `python -m bot` processes (`serve`, `serve --no-worker`,
`worker`) against the test Redis, with the local Twilio and Slack standing in for the
providers, and kills them with SIGKILL or at a named crash point (`bot.crash`).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp
import pytest

from bench.drill import OURS, Cluster, deployment_env, drill, drop
from channels.slack.card import CLAIM
from tests.fakes.slack_api import (
    TEST_BOT_TOKEN,
    TEST_SIGNING_SECRET,
    FakeSlack,
    block_action,
    event_callback,
    form_body,
    message_event,
    signed_headers,
)
from tests.fakes.twilio_api import FakeTwilio, incoming_sms, signed

AGENTS = "C0AGENTS01"
ADA = "U0ADA"


@pytest.fixture
async def deployment(redis_url: str) -> AsyncIterator[tuple[FakeTwilio, dict[str, str]]]:
    """The local Twilio and the environment of a deployment on a fresh key prefix."""
    prefix = f"sbtest:{uuid.uuid4().hex[:12]}:"
    async with FakeTwilio(callback_interval=0) as twilio:
        yield twilio, deployment_env(redis_url, prefix, twilio)
    await drop(redis_url, prefix)


async def test_every_acknowledged_sms_is_answered_once_while_processes_die(
    redis_url: str,
) -> None:
    result = await drill(messages=200, concurrency=20, redis_url=redis_url, answer_timeout=60)

    assert [kill.split(" after")[0] for kill in result.kills] == [
        "worker 1 SIGKILLed",
        "worker 1 started again",
        "web 1 SIGKILLed",
    ]
    assert result.http_5xx == 0
    assert result.accepted == 200  # a refused connection was taken by the other web process
    assert (result.answered, result.lost, result.duplicates) == (200, 0, 0)


async def test_a_reply_decided_before_its_worker_died_is_sent_once_after_takeover(
    deployment: tuple[FakeTwilio, dict[str, str]],
) -> None:
    twilio, env = deployment
    cluster = Cluster(env, web=1, workers=2)
    try:
        await cluster.start(workers=False)
        # The first worker commits its decision, then dies before sending anything.
        cluster.start_worker(0, SWITCHBOARD_CRASH_AT="decided")
        assert await _text(twilio, cluster.url(), "+14155550100") == 200
        doomed = cluster.workers[0]
        assert doomed is not None
        assert await asyncio.to_thread(doomed.wait, 30) == 137
        assert twilio.messages() == []

        cluster.start_worker(1)
        await twilio.wait_for(lambda t: t.messages(), timeout=30)
        [sent] = twilio.messages()
        assert sent.to == "+14155550100"
        assert "business days" in sent.body
        # The second worker finished the decided entry; it did not decide it again.
        assert len(twilio.messages()) == 1
    finally:
        cluster.stop()


async def test_an_agent_on_another_process_reaches_a_browser_customer(
    deployment: tuple[FakeTwilio, dict[str, str]], browser: Any
) -> None:
    _, env = deployment
    async with FakeSlack() as slack:
        slack.add_user(ADA, "ada", real_name="Ada Lovelace", display_name="Ada")
        env.update(
            SLACK_BOT_TOKEN=TEST_BOT_TOKEN,
            SLACK_SIGNING_SECRET=TEST_SIGNING_SECRET,
            SLACK_AGENTS_CHANNEL=AGENTS,
            SLACK_API_URL=slack.base_url,
        )
        # Process 0 only holds the customer's socket; process 1 does all the work, and
        # Slack's requests go to it.
        cluster = Cluster(env, web=2, workers=0)
        cluster.web_roles = [("--no-worker",), ()]
        try:
            await cluster.start()
            page = await browser.new_page()
            await page.goto(cluster.url(0) + "/")
            await page.wait_for_selector('#sb-panel[data-connection="open"]')
            box = page.locator("#sb-input")
            await box.fill("I want to talk to a human please")
            await box.press("Enter")
            handoff = page.locator('.sb-msg[data-role="system"]').filter(has_text="reference is")
            await handoff.wait_for()
            card = (await slack.wait_for(lambda s: s.messages(AGENTS), timeout=10))[-1]
            ticket = _ticket_of(card.blocks or [])

            async with aiohttp.ClientSession() as session:
                claim = form_body(block_action(CLAIM, ticket, ADA, AGENTS, card.ts))
                await _slack(session, cluster.url(1), claim, "form")
                joined = page.locator('.sb-msg[data-role="system"]').filter(has_text="has joined")
                await joined.wait_for(timeout=2000)

                reply = event_callback(
                    message_event(AGENTS, ADA, "Hi, Ada here. Let me look.", thread_ts=card.ts)
                )
                await _slack(session, cluster.url(1), json.dumps(reply), "json")
                said = page.locator('.sb-msg[data-role="agent"]').filter(has_text="Ada here")
                await said.wait_for(timeout=2000)
        finally:
            cluster.stop()


async def _text(twilio: FakeTwilio, base: str, number: str) -> int:
    params = incoming_sms(
        number, OURS, "How long does shipping take?", account_sid=twilio.account_sid
    )
    url = f"{base}/twilio/messages"
    async with aiohttp.ClientSession() as session:
        headers = signed(url, params, twilio.auth_token)
        async with session.post(url, data=urlencode(params), headers=headers) as response:
            return response.status


async def _slack(
    session: aiohttp.ClientSession, base: str, body: str, kind: Literal["json", "form"]
) -> None:
    headers = signed_headers(body, TEST_SIGNING_SECRET, content_type=kind)
    async with session.post(f"{base}/slack/events", data=body, headers=headers) as response:
        assert response.status == 200


def _ticket_of(blocks: list[dict[str, Any]]) -> str:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == CLAIM:
                return str(element["value"])
    raise AssertionError("the card has no Claim button")
