"""When the store is unreachable: readiness says so, and customers still hear from us."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.store.redis_store import RedisStore
from tests.conftest import Customer, make_settings

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
