"""The deterministic flows, as a customer meets them with no model configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from tests.conftest import ADMIN_TOKEN, SEEN, SHOP_KEY, Customer, make_settings

AppClient = Callable[..., Any]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def test_a_refund_above_the_limit_goes_to_a_person(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings())
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("I want a refund for order 10088")
    assert "$640.00" in answer.text
    assert "person" in answer.text
    handoff = await customer.next_answer()
    assert handoff.role == "system"
    assert await customer.state() == "WAITING_AGENT"
    listing = await (await client.get("/admin/handoffs", headers=ADMIN)).json()
    assert "above the 500.00 limit" in listing["handoffs"][0]["reason"]


async def test_a_refund_within_policy_is_explained(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings(REFUND_HUMAN_LIMIT="1000"))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("can I get a refund for order 10088?")
    assert "refund of up to $640.00" in answer.text
    assert await customer.quiet(0.3) == []  # no handoff under a higher limit


async def test_cancelling_asks_first_and_acts_only_on_yes(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings())
    customer = Customer(client)
    await customer.connect()
    question = await customer.ask("please cancel my order 10057")
    assert "Shall I cancel it now?" in question.text
    done = await customer.ask("yes")
    assert "order #10057 is cancelled" in done.text
    status = await customer.ask("where is my order 10057?")
    assert "was cancelled" in status.text


async def test_saying_no_keeps_the_order(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings())
    customer = Customer(client)
    await customer.connect()
    await customer.ask("cancel order 10057")
    kept = await customer.ask("no")
    assert "stays as it is" in kept.text
    status = await customer.ask("where is my order 10057?")
    assert "being prepared" in status.text


async def test_a_shipped_order_cannot_be_cancelled(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings())
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("I need to cancel order 10042")
    assert "already on its way" in answer.text


async def test_spanish_order_status(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings())
    customer = Customer(client, locale="es-ES")
    await customer.connect()
    answer = await customer.ask("¿Dónde está mi pedido 10042?")
    assert "va en camino con UPS" in answer.text


async def test_orders_come_from_the_shop_api(app_client: AppClient, shop: TestServer) -> None:
    settings = make_settings(ORDERS_URL=str(shop.make_url("")), ORDERS_API_KEY=SHOP_KEY)
    client, _ = await app_client(settings)
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("where is my order 20001?")
    assert "#20001 is being prepared" in answer.text
    await customer.ask("cancel it please")
    done = await customer.ask("yes")
    assert "order #20001 is cancelled" in done.text
    assert shop.app[SEEN] == ["GET 20001", "GET 20001", "POST 20001"]


async def test_a_shop_api_failure_gets_an_apology_and_a_person(app_client: AppClient) -> None:
    # Nothing listens on port 1: every call to the shop fails.
    client, _ = await app_client(make_settings(ORDERS_URL="http://127.0.0.1:1"))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("where is my order 20001?")
    assert answer.role == "system"
    assert "something went wrong" in answer.text
    assert await customer.state() == "WAITING_AGENT"


async def test_orders_can_come_from_a_csv_file(app_client: AppClient, tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "number,status,email,eta,delivered_on,carrier,tracking,total\n"
        "30001,shipped,a@example.com,2026-12-09,,DHL,JD0001,12.50\n",
        "utf-8",
    )
    client, _ = await app_client(make_settings(ORDERS_FILE=str(orders)))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("where is my order 30001?")
    assert "on its way with DHL (tracking number JD0001)" in answer.text
    assert "December 9, 2026" in answer.text
