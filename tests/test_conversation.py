"""What a web-chat customer notices, end to end through the real app over a real socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import Settings
from channels.webchat import address_for
from tests.conftest import ADMIN_TOKEN, Customer, make_settings

AppClient = Callable[..., Any]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def test_shipping_question_is_answered_from_the_kb_in_pieces(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    customer = Customer(client)
    welcome = await customer.connect()
    assert welcome["state"] == "BOT"
    assert "human" in welcome["history"][0]["text"]  # the greeting says how to reach a person

    answer = await customer.ask("How long does shipping take?")
    assert answer.role == "bot"
    assert "3-5 business days" in answer.text
    assert answer.source == "How long does shipping take?"
    assert len(answer.deltas) > 1
    assert "".join(answer.deltas) == answer.text


async def test_unknown_question_is_not_guessed_and_a_person_is_offered(
    app_client: AppClient, settings: Settings
) -> None:
    client, _runtime = await app_client(settings)
    customer = Customer(client)
    await customer.connect()

    # About the shop, but no article answers it.
    answer = await customer.ask("Do you offer gift wrapping?")
    assert "not sure" in answer.text
    assert answer.source is None

    handoff = await customer.ask("yes")
    assert handoff.role == "system"
    assert "person" in handoff.text
    assert await customer.state() == "WAITING_AGENT"


async def test_a_question_outside_the_shop_gets_a_polite_limit(
    app_client: AppClient, settings: Settings
) -> None:
    client, _runtime = await app_client(settings)
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("What is the capital of France?")
    assert answer.text.startswith("I can only help with our shop")


async def test_asking_for_a_human_hands_off_and_the_bot_goes_quiet(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    customer = Customer(client)
    await customer.connect()

    answer = await customer.ask("I want to talk to someone please, I'm at +1 415 555 0123")
    ticket = answer.text.split("reference is ")[1].split(".")[0]
    assert await customer.state() == "WAITING_AGENT"

    await customer.send("hello? how long does shipping take?")
    later = await customer.quiet(0.5)
    assert [f["type"] for f in later] == ["ack"]  # no bot answer while waiting for a person

    listing = await client.get("/admin/handoffs", headers=ADMIN)
    assert listing.status == 200
    handoffs = (await listing.json())["handoffs"]
    assert [h["ticket"] for h in handoffs] == [ticket]
    assert handoffs[0]["status"] == "WAITING_AGENT"
    assert handoffs[0]["reason"] == "the customer asked for a person"
    assert any("talk to someone" in t["text"] for t in handoffs[0]["last_turns"])
    # What agents see is masked (AGENT_PII=masked); only the ticket itself keeps the number.
    assert "555 0123" not in json.dumps(handoffs)
    assert any("[phone]" in t["text"] for t in handoffs[0]["last_turns"])

    detail = await (await client.get(f"/admin/tickets/{ticket}", headers=ADMIN)).json()
    assert detail["transcript"][-1]["text"] == "hello? how long does shipping take?"


async def test_spanish_customer_gets_spanish_texts_and_can_ask_for_a_human(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    customer = Customer(client, locale="es-MX")
    welcome = await customer.connect()
    assert welcome["language"] == "es"
    assert welcome["ui"]["send"] == "Enviar"
    assert welcome["history"][0]["text"].startswith("¡Hola!")

    answer = await customer.ask("¿Cuánto tarda el envío?")
    assert "días hábiles" in answer.text
    assert answer.source == "¿Cuánto tarda el envío?"

    handoff = await customer.ask("quiero hablar con una persona")
    assert "equipo de soporte" in handoff.text


async def test_the_order_number_given_once_is_remembered(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    customer = Customer(client)
    await customer.connect()

    asked = await customer.ask("Where is my order?")
    assert "order number" in asked.text

    first = await customer.ask("It's 10042")
    assert "#10042" in first.text
    assert "UPS" in first.text

    follow_up = await customer.ask("and when will it arrive?")
    assert "#10042" in follow_up.text
    assert "December 3, 2026" in follow_up.text


async def test_a_resent_message_is_answered_once(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    customer = Customer(client)
    await customer.connect()

    await customer.send("what is your return policy?", message_id="same-id")
    await customer.next_answer()
    await customer.send("what is your return policy?", message_id="same-id")
    frames = await customer.quiet(0.5)
    assert [f["type"] for f in frames] == ["ack"]


async def test_reconnecting_with_the_session_shows_the_conversation(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    first = Customer(client)
    await first.connect()
    await first.ask("what is your return policy?")
    await first.close()

    again = Customer(client, session=first.session)
    welcome = await again.connect()
    texts = [(m["role"], m["text"]) for m in welcome["history"]]
    assert texts[1] == ("customer", "what is your return policy?")
    assert texts[2][0] == "bot"
    assert "30 days" in texts[2][1]
    assert welcome["history"][2]["source"] == {"title": "What is your return policy?"}

    stranger = Customer(client)
    assert len((await stranger.connect())["history"]) == 1  # only the greeting


async def test_turns_of_one_conversation_never_interleave(
    app_client: AppClient,
) -> None:
    client, _ = await app_client(make_settings(STREAM_CHUNK_DELAY_MS="10"))
    customer = Customer(client)
    await customer.connect()
    await customer.send("how long does shipping take?")
    while (await customer.receive())["type"] != "delta":
        pass  # the first answer is on its way when the second question comes
    await customer.send("what is your return policy?")
    await customer.next_answer()
    await customer.next_answer()

    replies = [f["reply"] for f in customer.frames if f["type"] in ("delta", "done")]
    first, second = replies[0], replies[-1]
    assert first != second
    # Every piece of the first reply, and its end, comes before the second starts.
    assert replies == [first] * replies.count(first) + [second] * replies.count(second)


async def test_different_conversations_are_answered_at_the_same_time(
    app_client: AppClient,
) -> None:
    client, _ = await app_client(make_settings(STREAM_CHUNK_DELAY_MS="20"))
    alice, bob = Customer(client), Customer(client)
    await alice.connect()
    await bob.connect()
    order: list[str] = []

    async def follow(name: str, customer: Customer) -> None:
        await customer.send("how long does shipping take?")
        while True:
            frame = await customer.receive()
            if frame["type"] in ("delta", "done"):
                order.append(f"{name}:{frame['type']}")
            if frame["type"] == "done":
                return

    await asyncio.gather(follow("alice", alice), follow("bob", bob))
    # Bob's reply started streaming before Alice's was finished (and the reverse).
    assert order.index("bob:delta") < order.index("alice:done")
    assert order.index("alice:delta") < order.index("bob:done")


async def test_bad_frames_get_clear_errors_and_the_socket_keeps_working(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(make_settings(MAX_MESSAGE_CHARS="100"))
    ws = await client.ws_connect("/webchat/ws")
    await ws.send_str("not json")
    assert (await ws.receive_json())["code"] == "bad_request"
    await ws.send_json({"type": "message", "id": "x", "text": "hi"})
    assert "hello" in (await ws.receive_json())["message"]
    await ws.send_json({"type": "hello", "session": "short", "locale": "en"})
    welcome = await ws.receive_json()
    assert welcome["type"] == "welcome"
    assert len(welcome["session"]) >= 20

    await ws.send_json({"type": "message", "id": "long", "text": "x" * 101})
    error = await ws.receive_json()
    assert error == {
        "type": "error",
        "code": "too_large",
        "message": "That message is too long for me to read. Please keep it under 100 characters.",
        "id": "long",
    }
    await ws.send_json({"type": "teleport"})
    assert (await ws.receive_json())["code"] == "bad_request"
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json()) == {"type": "pong"}
    await ws.close()


async def test_agent_actions_move_the_ticket_and_tell_the_customer(
    app_client: AppClient, settings: Settings
) -> None:
    client, runtime = await app_client(settings)
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("human")
    ticket = answer.text.split("reference is ")[1].split(".")[0]
    assert await customer.state() == "WAITING_AGENT"

    claimed = await client.post(f"/admin/tickets/{ticket}/claim", headers=ADMIN)
    assert (await claimed.json()) == {"status": "WITH_AGENT"}
    assert "joined" in (await customer.next_answer()).text
    again = await client.post(f"/admin/tickets/{ticket}/claim", headers=ADMIN)
    assert again.status == 409

    resolved = await client.post(f"/admin/tickets/{ticket}/resolve", headers=ADMIN)
    assert (await resolved.json()) == {"status": "RESOLVED"}
    assert "resolved" in (await customer.next_answer()).text
    assert "rate the help" in (await customer.next_answer()).text

    # A question instead of a rating opens a new ticket, answered by the bot again.
    answer = await customer.ask("what is your return policy?")
    assert "30 days" in answer.text
    conversation = await runtime.store.load(f"webchat:{_address(customer)}")
    assert conversation.ticket is not None
    assert conversation.ticket.id != ticket


def _address(customer: Customer) -> str:
    from channels.webchat import address_for

    assert customer.session is not None
    return address_for(customer.session).id


async def test_admin_api_fails_closed(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings(ADMIN_TOKEN=""))
    assert (await client.get("/admin/handoffs")).status == 403

    client, _ = await app_client(make_settings())
    assert (await client.get("/admin/handoffs")).status == 401
    wrong = {"Authorization": "Bearer not-the-token-at-all"}
    assert (await client.get("/admin/handoffs", headers=wrong)).status == 401
    assert (await client.get("/admin/handoffs", headers=ADMIN)).status == 200


async def test_health_and_readiness(app_client: AppClient, settings: Settings) -> None:
    client, _ = await app_client(settings)
    health = await client.get("/healthz")
    assert health.status == 200
    assert (await health.json())["status"] == "ok"
    ready = await client.get("/readyz")
    assert (await ready.json()) == {"status": "ready", "store": "memory"}


async def test_widget_and_demo_page_are_served(app_client: AppClient, settings: Settings) -> None:
    client, _ = await app_client(settings)
    page = await client.get("/")
    assert '<script src="/webchat/widget.js"' in await page.text()
    for asset, kind in (("widget.js", "javascript"), ("widget.css", "css")):
        response = await client.get(f"/webchat/{asset}")
        assert response.status == 200
        assert kind in response.headers["Content-Type"]


async def test_an_article_only_in_another_language_is_given_with_a_note(
    app_client: AppClient, tmp_path: Path
) -> None:
    (tmp_path / "points.md").write_text(
        "---\nid: points\ntitle: What are Bramblepoints?\nlang: en\ntags: [loyalty]\n---\n"
        "Bramblepoints are loyalty points: every dollar spent earns one Bramblepoint.\n",
        "utf-8",
    )
    (tmp_path / "envio.md").write_text(
        "---\nid: envio\ntitle: ¿Cuánto tarda el envío?\nlang: es\ntags: [envío]\n---\n"
        "El envío estándar tarda de 3 a 5 días hábiles.\n",
        "utf-8",
    )
    client, _ = await app_client(make_settings(KB_DIR=str(tmp_path)))
    customer = Customer(client, locale="es-ES")
    await customer.connect()
    answer = await customer.ask("¿Qué son los Bramblepoints?")
    assert answer.text.startswith("Esta respuesta solo está disponible en inglés:")
    assert "every dollar spent earns one Bramblepoint" in answer.text
    assert answer.source == "What are Bramblepoints?"


async def test_messages_sent_while_an_answer_is_given_are_answered_together(
    app_client: AppClient,
) -> None:
    client, runtime = await app_client(make_settings(STREAM_CHUNK_DELAY_MS="40"))
    customer = Customer(client)
    await customer.connect()
    await customer.send("how long does shipping take?")
    while (await customer.receive())["type"] != "delta":
        pass  # the first answer is on its way
    await customer.send("hello?")
    await customer.send("what is your return policy?")

    first = await customer.next_answer()
    second = await customer.next_answer()
    assert "business days" in first.text
    assert "30 days" in second.text
    assert await customer.quiet() == []  # the two later messages got one answer
    snapshot = await runtime.store.load(address_for(customer.session or "").conversation_id)
    assert snapshot.ticket is not None
    turns = await runtime.store.transcript(snapshot.ticket.id)
    assert [t.role.value for t in turns] == ["customer", "bot", "customer", "customer", "bot"]
