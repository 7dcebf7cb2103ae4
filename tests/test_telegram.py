"""Telegram in webhook mode, against a local Bot API server (`TELEGRAM_API_URL`).

Updates are built the way Telegram sends them and carry the webhook secret
header; everything the app sends goes to `FakeTelegram`, which checks each call
against the Bot API reference.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.statemachine import State
from tests.conftest import ADMIN_TOKEN as ADMIN
from tests.conftest import make_settings, settled
from tests.fakes.telegram_api import (
    TEST_TOKEN,
    FakeTelegram,
    command_update,
    photo_update,
    secret_headers,
    sticker_update,
    text_update,
)

SECRET = "tg-webhook-secret-0123456789"
CHAT = 424242

AppClient = Callable[..., Any]


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


def telegram_settings(telegram: FakeTelegram, **env: str) -> Settings:
    return make_settings(
        TELEGRAM_BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_API_URL=telegram.base_url.removesuffix("/bot"),
        **env,
    )


async def post(client: TestClient[Any, Any], update: dict[str, Any], secret: str = SECRET) -> int:
    response = await client.post(
        "/telegram/webhook", data=json.dumps(update), headers=secret_headers(secret)
    )
    return response.status


async def test_the_webhook_wants_telegrams_secret(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    client, runtime = await app_client(telegram_settings(telegram))
    update = text_update(1, CHAT, "hello")
    assert await post(client, update, secret="not-the-secret-at-all") == 403
    missing = await client.post(
        "/telegram/webhook", data=json.dumps(update), headers={"Content-Type": "application/json"}
    )
    assert missing.status == 403
    assert await post(client, {"no": "update_id"}) == 400
    garbage = await client.post(
        "/telegram/webhook", data="{not json", headers=secret_headers(SECRET)
    )
    assert garbage.status == 400
    huge = json.dumps({"update_id": 5, "padding": "x" * (2 * 1024 * 1024)}).encode()
    too_big = await client.post(
        "/telegram/webhook", data=io.BytesIO(huge), headers=secret_headers(SECRET)
    )
    assert too_big.status == 413
    await settled(runtime)
    assert telegram.sent(CHAT) == []


async def test_a_message_is_answered_with_drafts_then_kept(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    client, runtime = await app_client(telegram_settings(telegram, STREAM_CHUNK_DELAY_MS="150"))
    assert await post(client, text_update(10, CHAT, "what is your return policy?")) == 200
    await settled(runtime)
    sent = telegram.sent(CHAT)
    assert len(sent) == 1
    assert "30 days" in sent[0]
    drafts = telegram.drafts(CHAT)
    assert len(drafts) >= 2  # the answer grew in front of the customer
    assert len({draft_id for draft_id, _ in drafts}) == 1
    assert sent[0].startswith(drafts[-1][1])
    assert "typing" in telegram.actions(CHAT)


async def test_commands_and_the_language_hint(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    client, runtime = await app_client(telegram_settings(telegram))
    assert await post(client, command_update(20, CHAT, "/start", language_code="es")) == 200
    await telegram.wait_for(lambda t: t.sent(CHAT))
    greeting = runtime.catalog.text("es", "greeting", bot_name="Switchboard")
    assert telegram.sent(CHAT) == [greeting]
    # No ticket for a greeting.
    assert await runtime.store.get_conversation(f"telegram:{CHAT}") is None

    assert await post(client, command_update(21, CHAT, "/help", language_code="es")) == 200
    await telegram.wait_for(lambda t: len(t.sent(CHAT)) == 2)
    assert "/human" in telegram.sent(CHAT)[1]

    assert await post(client, command_update(22, CHAT, "/human", language_code="es")) == 200
    await settled(runtime)
    snapshot = await runtime.store.load(f"telegram:{CHAT}")
    assert snapshot.ticket is not None
    assert snapshot.ticket.status is State.WAITING_AGENT
    assert snapshot.ticket.language == "es"
    assert snapshot.ticket.id in telegram.sent(CHAT)[-1]


async def test_non_text_gets_a_localized_answer_and_is_recorded(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    client, runtime = await app_client(telegram_settings(telegram))
    assert await post(client, photo_update(30, CHAT, language_code="de")) == 200
    await settled(runtime)
    assert await post(client, sticker_update(31, CHAT, language_code="de")) == 200
    await settled(runtime)
    sent = telegram.sent(CHAT)
    assert len(sent) == 2
    assert all("Text" in text for text in sent)  # German: "nur Textnachrichten"
    snapshot = await runtime.store.load(f"telegram:{CHAT}")
    assert snapshot.ticket is not None
    turns = await runtime.store.transcript(snapshot.ticket.id)
    assert [t.meta.get("media") for t in turns if t.role.value == "customer"] == [
        ["photo"],
        ["sticker"],
    ]


async def test_a_resent_update_is_answered_once(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    client, runtime = await app_client(telegram_settings(telegram))
    update = text_update(40, CHAT, "what is your return policy?", message_id=7)
    start = command_update(41, CHAT, "/start")
    for _ in range(3):
        assert await post(client, update) == 200
        assert await post(client, start) == 200
    await settled(runtime)
    await asyncio.sleep(0.2)
    sent = telegram.sent(CHAT)
    assert len(sent) == 2
    assert sum("30 days" in text for text in sent) == 1


async def test_a_long_answer_is_split_under_telegrams_limit(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    from bot.effects import Message
    from bot.model import Address
    from channels.telegram import Telegram

    client, runtime = await app_client(telegram_settings(telegram))
    sentence = "Your parcel is on its way and will arrive soon. "
    long_text = sentence * 200  # about 9,600 characters
    channel = next(c for c in _channels(client) if isinstance(c, Telegram))
    await channel.send(Address("telegram", str(CHAT)), Message("m1", long_text))
    sent = telegram.sent(CHAT)
    assert len(sent) == 3
    assert all(len(part) <= 4096 for part in sent)
    assert all(part.endswith("soon.") for part in sent)
    assert " ".join(sent) == long_text.strip()
    await settled(runtime)


def _channels(client: TestClient[Any, Any]) -> list[Any]:
    from bot.app import CHANNELS

    channels: list[Any] = client.app[CHANNELS].all()
    return channels


async def test_the_cli_points_telegram_at_the_app(
    telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    for name, value in {
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_URL": telegram.base_url.removesuffix("/bot"),
        "PUBLIC_URL": "https://support.example.com",
    }.items():
        monkeypatch.setenv(name, value)
    result = await asyncio.to_thread(CliRunner().invoke, main, ["telegram", "set-webhook"])
    assert result.exit_code == 0, result.output
    assert telegram.webhook is not None
    assert telegram.webhook.url == "https://support.example.com/telegram/webhook"
    assert telegram.webhook.secret_token == SECRET


async def test_a_flood_wait_delays_the_answer_but_does_not_lose_it(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    client, runtime = await app_client(telegram_settings(telegram))
    telegram.retry_after("sendMessage", 1)
    assert await post(client, text_update(40, CHAT, "what is your return policy?")) == 200
    await settled(runtime)
    # Refused once with Telegram's 429 and retry_after, then taken: one answer, once.
    tries = [r for r in telegram.requests if r.method == "sendMessage"]
    assert [r.accepted for r in tries] == [False, True]
    [answer] = telegram.sent(CHAT)
    assert "30 days" in answer


async def test_a_message_telegram_refuses_for_good_is_a_dead_letter(
    telegram: FakeTelegram, app_client: AppClient
) -> None:
    client, runtime = await app_client(telegram_settings(telegram))
    telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert await post(client, text_update(41, CHAT, "what is your return policy?")) == 200
    await settled(runtime)
    tries = [r for r in telegram.requests if r.method == "sendMessage"]
    assert [r.accepted for r in tries] == [False]  # a block is final: no retry
    dead = await client.get("/admin/dead-letters", headers={"Authorization": f"Bearer {ADMIN}"})
    [letter] = (await dead.json())["undelivered"]
    assert letter["conversation"] == f"telegram:{CHAT}"
    assert "blocked" in letter["reason"]
    assert "30 days" in letter["text"]
