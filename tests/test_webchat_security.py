"""Web chat sessions belong to the server that issued them, and to the pages allowed
to open them: another site's page is refused at the upgrade, and a token the
server did not sign never reads anyone's conversation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from tests.conftest import Customer, make_settings, redis_store

AppClient = Callable[..., Any]
QUESTION = "what is your return policy?"


async def test_a_page_on_another_origin_is_refused_at_the_upgrade(
    app_client: AppClient,
) -> None:
    settings = make_settings(WEBCHAT_ALLOWED_ORIGINS="https://shop.example.com")
    client, _ = await app_client(settings)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/webchat/ws", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    allowed = await client.ws_connect(
        "/webchat/ws", headers={"Origin": "https://shop.example.com"}
    )
    await allowed.send_json({"type": "hello", "session": None, "locale": "en"})
    assert (await allowed.receive_json())["type"] == "welcome"
    await allowed.close()


async def test_by_default_only_the_apps_own_pages_may_open_it(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings())
    own = str(client.make_url("")).rstrip("/")
    same = await client.ws_connect("/webchat/ws", headers={"Origin": own})
    await same.close()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/webchat/ws", headers={"Origin": "https://elsewhere.example"})
    assert refused.value.status == 403


async def test_a_token_the_server_did_not_sign_starts_an_empty_session(
    app_client: AppClient,
) -> None:
    client, _ = await app_client(make_settings(STREAM_CHUNK_DELAY_MS="0"))
    owner = Customer(client)
    await owner.connect()
    await owner.ask(QUESTION)
    assert owner.session is not None

    for forged in ("a" * 20, owner.session[:-1] + ("A" if owner.session[-1] != "A" else "B")):
        stranger = Customer(client, session=forged)
        welcome = await stranger.connect()
        assert welcome["session"] != forged
        assert all(QUESTION not in str(m) for m in welcome.get("history", []))

    back = Customer(client, session=owner.session)
    welcome = await back.connect()
    assert welcome["session"] == owner.session
    assert any(QUESTION in str(m) for m in welcome.get("history", []))


async def test_every_process_accepts_every_others_tokens(
    app_client: AppClient, redis_url: str, redis_prefix: str
) -> None:
    settings = make_settings(STREAM_CHUNK_DELAY_MS="0")
    first, _ = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    second, _ = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    customer = Customer(first)
    await customer.connect()
    await customer.ask(QUESTION)
    again = Customer(second, session=customer.session)
    welcome = await again.connect()
    assert welcome["session"] == customer.session
    assert any(QUESTION in str(m) for m in welcome.get("history", []))
