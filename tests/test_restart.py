"""With Redis, a ticket and its memory outlive the process that started them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import Customer, make_settings, redis_store


async def test_ticket_continues_after_a_restart(
    app_client: Callable[..., Any], redis_url: str, redis_prefix: str
) -> None:
    settings = make_settings(REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)

    before, _ = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    customer = Customer(before)
    await customer.connect()
    await customer.ask("where is my order?")
    first = await customer.ask("10042")
    assert "UPS" in first.text
    session = customer.session
    await customer.close()
    await before.close()  # the process stops: shutdown drains, the store closes

    after, runtime = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    again = Customer(after, session=session)
    welcome = await again.connect()
    history = [m["text"] for m in welcome["history"]]
    assert "where is my order?" in history
    assert "10042" in history

    follow_up = await again.ask("and when will it arrive?")
    assert "#10042" in follow_up.text  # the order number was remembered across the restart
    handoffs = await runtime.store.read_log("handoffs")
    assert handoffs == []
