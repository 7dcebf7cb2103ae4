"""When the store is unreachable: readiness says so, and customers still hear from us."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from bot.store.redis_store import RedisStore
from tests.conftest import Customer, make_settings
from tests.fakes.slack_api import (
    TEST_BOT_TOKEN,
    TEST_SIGNING_SECRET,
    FakeSlack,
    event_callback,
    message_event,
    signed_headers,
)
from tests.fakes.telegram_api import TEST_TOKEN as TELEGRAM_TOKEN
from tests.fakes.telegram_api import secret_headers, text_update
from tests.fakes.twilio_api import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, incoming_sms, signed

TELEGRAM_SECRET = "tg-webhook-secret-0123456789"

# Nothing listens on port 1 of loopback: connections are refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


async def test_readiness_fails_while_liveness_holds(app_client: Callable[..., Any]) -> None:
    client, _ = await app_client(make_settings(), store=RedisStore.from_url(DEAD_REDIS))
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 503
    body = await ready.json()
    assert body["status"] == "unavailable"
    assert body["store"] == "redis"


async def test_a_message_redis_cannot_take_is_refused_with_a_localized_word(
    app_client: Callable[..., Any],
) -> None:
    client, _ = await app_client(make_settings(), store=RedisStore.from_url(DEAD_REDIS))
    customer = Customer(client, locale="es-ES")
    welcome = await customer.connect()
    assert welcome["history"][0]["text"].startswith("¡Hola!")  # the widget still opens

    sent = await customer.send("¿Cuánto tarda el envío?")
    refused = await customer.receive()
    # Not acknowledged: the widget keeps the message and sends it again later, so it
    # is not lost; meanwhile the customer reads why, in their language.
    assert refused["type"] == "error"
    assert (refused["code"], refused["id"]) == ("unavailable", sent)
    assert refused["message"].startswith("Lo siento")


async def test_webhooks_redis_cannot_take_are_refused_with_503_for_a_retry(
    app_client: Callable[..., Any],
) -> None:
    # Every provider retries a 503; a 200 would lose the message, a 500 would say it is a bug.
    async with FakeSlack() as slack:
        await _every_webhook_refused(app_client, slack)


async def _every_webhook_refused(app_client: Callable[..., Any], slack: FakeSlack) -> None:
    settings = make_settings(
        SLACK_API_URL=slack.base_url,
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        PUBLIC_URL="https://support.example.com",
        TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
        SLACK_BOT_TOKEN=TEST_BOT_TOKEN,
        SLACK_SIGNING_SECRET=TEST_SIGNING_SECRET,
    )
    client, _ = await app_client(settings, store=RedisStore.from_url(DEAD_REDIS))

    sms = incoming_sms("+14155550123", "+15550100200", "hi", account_sid=TEST_ACCOUNT_SID)
    headers = signed("https://support.example.com/twilio/messages", sms, TEST_AUTH_TOKEN)
    twilio = await client.post("/twilio/messages", data=urlencode(sms), headers=headers)

    update = json.dumps(text_update(1, 4242, "hello"))
    telegram = await client.post(
        "/telegram/webhook", data=update, headers=secret_headers(TELEGRAM_SECRET)
    )

    event = json.dumps(
        event_callback(message_event("D0CUSTOMER", "U0CUST", "hi", channel_type="im"))
    )
    from_slack = await client.post(
        "/slack/events", data=event, headers=signed_headers(event, TEST_SIGNING_SECRET)
    )

    for response in (twilio, telegram, from_slack):
        assert response.status == 503, await response.text()
        assert response.headers["Retry-After"] == "5"
