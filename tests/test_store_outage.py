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


async def test_a_customer_gets_a_localized_apology_not_silence(
    app_client: Callable[..., Any],
) -> None:
    client, _ = await app_client(make_settings(), store=RedisStore.from_url(DEAD_REDIS))
    customer = Customer(client, locale="es-ES")
    welcome = await customer.connect()
    assert welcome["history"][0]["text"].startswith("¡Hola!")  # the widget still opens

    answer = await customer.ask("¿Cuánto tarda el envío?")
    assert answer.role == "system"
    assert answer.text.startswith("Lo siento")
