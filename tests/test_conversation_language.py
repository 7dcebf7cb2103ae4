"""The conversation's language as a web-chat customer meets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import Settings
from channels.webchat import address_for
from tests.conftest import Customer

AppClient = Callable[..., Any]


async def test_the_browser_language_sets_the_greeting_and_the_widget(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    welcome = await Customer(client, locale="fr-CA").connect()
    assert welcome["language"] == "fr"
    assert welcome["history"][0]["text"].startswith("Bonjour")
    assert welcome["ui"]["placeholder"] != "Type your message…"


async def test_asking_for_a_language_switches_at_once(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    customer = Customer(client, locale="en-US")
    await customer.connect()
    answer = await customer.ask("can we speak Spanish? I want to talk to a human")
    assert "equipo de soporte" in answer.text


async def test_short_messages_never_flip_a_settled_language(
    app_client: AppClient, settings: Settings
) -> None:
    client, runtime = await app_client(settings)
    customer = Customer(client, locale="es-ES")
    await customer.connect()
    await customer.ask("Where is my order 10042, please?")
    for text in ("ok", "10042", "👍", "https://example.com/orders/10042", "merci"):
        await customer.ask(text)
    assert customer.session is not None
    conversation = await runtime.store.load(address_for(customer.session).conversation_id)
    assert conversation.conversation is not None
    assert conversation.conversation.language == "en"


async def test_a_spanish_greeting_in_an_english_browser_is_answered_in_spanish(
    app_client: AppClient, settings: Settings
) -> None:
    client, _ = await app_client(settings)
    customer = Customer(client, locale="en-US")
    await customer.connect()
    answer = await customer.ask("Hola, ¿cuánto tarda el envío?")
    assert "días hábiles" in answer.text
