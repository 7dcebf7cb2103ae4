"""Privacy: a customer's data exported and erased through the admin API and the CLI.

A real conversation goes through the whole app (web chat, inbox, engine, Redis) to a
handoff, so the customer leaves a transcript, a ticket, an SLA timer and log entries;
the export must hold them, the erase must leave nothing of them anywhere under the
prefix, and the audit log must say who did both without naming the customer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient
from click.testing import CliRunner
from redis.asyncio import Redis

from bot.audit import AUDIT_LOG
from bot.cli import main
from bot.model import Address, Conversation, Role, Ticket, Turn, new_ticket_id
from bot.store import Store
from channels.webchat import address_for
from tests.conftest import ADMIN_TOKEN, Customer, make_settings, redis_store, settled

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
AppClient = Callable[..., Any]


def _hash(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


async def _everything_under(url: str, prefix: str) -> str:
    """Every key under `prefix` and everything in it, as one text to search."""
    client = Redis.from_url(url, decode_responses=True)
    seen: list[str] = []
    try:
        async for key in client.scan_iter(match=f"{prefix}*", count=500):
            kind = await client.type(key)
            if kind == "string":
                content: Any = await client.get(key)
            elif kind == "list":
                content = await client.lrange(key, 0, -1)
            elif kind == "hash":
                content = await client.hgetall(key)
            elif kind == "zset":
                content = await client.zrange(key, 0, -1)
            elif kind == "set":
                content = sorted(await client.smembers(key))
            else:
                content = await client.xrange(key)
            seen.append(f"{key} {content}")
    finally:
        await client.aclose()
    return "\n".join(seen)


async def _handed_over(client: TestClient[Any, Any]) -> tuple[Customer, str, str]:
    """A web-chat customer who asked a question and then for a person."""
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("How long does shipping take?")
    assert "business days" in answer.text
    handoff = await customer.ask("I want to talk to a human please")
    ticket = handoff.text.split("reference is ")[1].split(".")[0]
    assert await customer.state() == "WAITING_AGENT"
    assert customer.session is not None
    return customer, address_for(customer.session).conversation_id, ticket


async def test_export_erase_round_trip_through_the_app(
    app_client: AppClient, redis_url: str, redis_prefix: str
) -> None:
    settings = make_settings(REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)
    client, runtime = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    customer, cid, ticket = await _handed_over(client)
    await settled(runtime)
    # The id in the path is URL-encoded: `webchat%3A<session>`.
    path = f"/admin/customers/{quote(cid, safe='')}"
    assert "%3A" in path
    before = await _everything_under(redis_url, redis_prefix)
    assert cid in before
    assert ticket in before

    exported = await client.get(f"{path}/export", headers=AUTH)
    assert exported.status == 200
    document = await exported.json()
    assert [c["id"] for c in document["conversations"]] == [cid]
    [kept] = document["tickets"]
    assert kept["id"] == ticket
    assert kept["status"] == "WAITING_AGENT"
    texts = [turn["text"] for turn in kept["transcript"]]
    assert texts[0] == "How long does shipping take?"
    assert "I want to talk to a human please" in texts
    assert [(t["queue"], t["key"]) for t in document["timers"]] == [("sla", ticket)]
    assert {entry["log"] for entry in document["logs"]} >= {"audit", "handoffs"}

    erased = await client.delete(path, headers=AUTH)
    assert erased.status == 200
    body = await erased.json()
    assert body["conversations"] == [cid]
    assert body["erased"]["tickets"] == 1
    assert body["erased"]["turns"] == len(texts)

    again = await client.get(f"{path}/export", headers=AUTH)
    document = await again.json()
    assert document["conversations"] == document["tickets"] == document["logs"] == []
    after = await _everything_under(redis_url, redis_prefix)
    # Left on purpose: the inbox's dedupe markers, named by entry id (a web-chat entry's
    # id holds its conversation id), hold "1" and expire after DEDUPE_TTL_SECONDS.
    markers = [line for line in after.splitlines() if cid in line]
    assert markers
    assert all(line.startswith(f"{redis_prefix}{{inbox}}:seen:") for line in markers)
    assert all(line.endswith(" 1") for line in markers)
    raw = Redis.from_url(redis_url)
    ttls = [await raw.ttl(line.split(" ")[0]) for line in markers]
    await raw.aclose()
    assert all(0 < ttl <= settings.dedupe_ttl_seconds for ttl in ttls)
    after = "\n".join(line for line in after.splitlines() if line not in markers)
    assert cid.partition(":")[2] not in after
    assert ticket not in after
    assert "How long does shipping take?" not in after

    # Erasing again is harmless.
    twice = await client.delete(path, headers=AUTH)
    assert (await twice.json())["conversations"] == []

    records = [e for e in await runtime.store.read_log(AUDIT_LOG) if "who" in e]
    assert [r["event"] for r in records] == [
        "privacy_erase",
        "privacy_export",
        "privacy_erase",
        "privacy_export",
    ]
    label = "admin:" + hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()[:8]
    assert {r["who"] for r in records} == {label}
    assert {r["customer"] for r in records} == {_hash(cid)}
    assert records[2]["conversations"] == [_hash(cid)]
    assert records[2]["counts"]["turns"] == len(texts)
    assert records[0]["counts"]["turns"] == 0

    # The customer writes again, on the same session: a new conversation and ticket.
    answer = await customer.ask("Hello again, what is your return policy?")
    assert answer.role == "bot"
    await settled(runtime)
    fresh = await runtime.store.export_customer(cid)
    assert [t.id for t in fresh.tickets] != [ticket]
    [turns] = fresh.transcripts.values()
    assert turns[0].text == "Hello again, what is your return policy?"
    await customer.close()


async def test_the_admin_api_erases_on_the_memory_store_too(app_client: AppClient) -> None:
    client, runtime = await app_client(make_settings())
    customer, cid, ticket = await _handed_over(client)
    await settled(runtime)
    # A ticket id names its conversation.
    erased = await client.delete(f"/admin/customers/{ticket}", headers=AUTH)
    assert (await erased.json())["conversations"] == [cid]
    assert await runtime.store.get_ticket(ticket) is None
    assert (await runtime.store.export_customer(cid)).conversation_ids == ()
    await customer.close()


async def test_the_customer_routes_want_the_token(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings())
    path = f"/admin/customers/{quote('twilio:+15551234567', safe='')}"
    for method, url in (("GET", f"{path}/export"), ("DELETE", path)):
        assert (await client.request(method, url)).status == 401
        wrong = {"Authorization": "Bearer not-the-token-at-all"}
        assert (await client.request(method, url, headers=wrong)).status == 401
    shut, _ = await app_client(make_settings(ADMIN_TOKEN=""))
    for method, url in (("GET", f"{path}/export"), ("DELETE", path)):
        assert (await shut.request(method, url, headers=AUTH)).status == 403


async def test_an_id_that_cannot_name_a_customer_is_refused(app_client: AppClient) -> None:
    client, runtime = await app_client(make_settings())
    await runtime.store.save(Conversation(Address("twilio", "+15551234567")))
    for raw in ("%20%20", "a%0Ab", "x" * 300):
        response = await client.get(f"/admin/customers/{raw}/export", headers=AUTH)
        assert response.status == 400, raw
    # A `+` in a path is a plus, encoded or not.
    for raw in ("twilio:+15551234567", "twilio%3A%2B15551234567", "%2B15551234567"):
        response = await client.get(f"/admin/customers/{raw}/export", headers=AUTH)
        assert [c["id"] for c in (await response.json())["conversations"]] == [
            "twilio:+15551234567"
        ], raw


async def _a_customer(store: Store, phone: str) -> Ticket:
    address = Address("twilio", phone)
    ticket = Ticket(new_ticket_id(), address.conversation_id, address, "en")
    turns = [Turn(Role.CUSTOMER, "where is my order 20001?"), Turn(Role.BOT, "On its way.")]
    await store.save(Conversation(address, "en", ticket.id), ticket, turns)
    await store.put_ref("twilio-medium", address.conversation_id, "sms")
    return ticket


async def test_the_cli_exports_and_erases(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = redis_store(redis_url, redis_prefix)
    ticket = await _a_customer(store, "+15551234567")
    other = await _a_customer(store, "+15557654321")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("REDIS_PREFIX", redis_prefix)

    async def cli(*args: str, given: str | None = None) -> Any:
        return await asyncio.to_thread(CliRunner().invoke, main, ["privacy", *args], given)

    exported = await cli("export", "--customer", "+15551234567")
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.stdout)
    assert [t["id"] for t in document["tickets"]] == [ticket.id]
    assert document["tickets"][0]["transcript"][1]["text"] == "On its way."
    assert "exported +15551234567: conversations=1, tickets=1, turns=2" in exported.stderr

    kept = await cli("erase", "--customer", "+15551234567", given="n\n")
    assert kept.exit_code == 1
    assert await store.get_ticket(ticket.id) is not None

    erased = await cli("erase", "--customer", "+15551234567", "--yes")
    assert erased.exit_code == 0, erased.output
    assert "erased +15551234567: conversations=1, tickets=1, turns=2, refs=1" in erased.stdout
    assert await store.get_ticket(ticket.id) is None
    assert await store.get_ref("twilio-medium", "twilio:+15551234567") is None
    assert await store.get_ticket(other.id) is not None
    again = await cli("erase", "--customer", "+15551234567", "--yes")
    assert "nothing about +15551234567" in again.stdout

    records = [e for e in await store.read_log(AUDIT_LOG) if "who" in e]
    assert [(r["event"], r["who"]) for r in records] == [
        ("privacy_erase", "cli"),
        ("privacy_erase", "cli"),
        ("privacy_export", "cli"),
    ]
    assert "+15551234567" not in json.dumps(records)

    refused = await cli("export", "--customer", "  ")
    assert refused.exit_code == 2
    await store.close()


async def test_the_cli_needs_the_shared_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["privacy", "export", "--customer", "telegram:1"]
    )
    assert result.exit_code == 2
    assert "REDIS_URL is not set" in result.stderr
