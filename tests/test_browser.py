"""The web chat in a real headless Chromium, driven by Playwright (never downloads a browser).

Chromium comes from Debian (`/usr/bin/chromium`, or `CHROMIUM_PATH`); the `browser`
fixture is in conftest.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.app import create_app
from tests.conftest import BOT_DONE, make_settings, redis_store

pytestmark = pytest.mark.browser


async def send(page: Any, text: str) -> None:
    box = page.locator("#sb-input")
    await box.fill(text)
    await box.press("Enter")


async def test_reply_streams_in_pieces_and_survives_a_reload(
    aiohttp_server: Callable[..., Any], browser: Any
) -> None:
    server = await aiohttp_server(create_app(make_settings(STREAM_CHUNK_DELAY_MS="40")))
    page = await browser.new_page()
    frames: list[dict[str, Any]] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda payload: frames.append(json.loads(payload))),
    )
    await page.goto(str(server.make_url("/")))
    await page.wait_for_selector('#sb-panel[data-connection="open"]')

    await send(page, "How long does shipping take?")
    # Part of the answer is on screen while the rest is still coming.
    await page.wait_for_function(
        """() => [...document.querySelectorAll('.sb-msg[data-role="bot"]')].some(
            m => m.dataset.complete === "false" && m.textContent.trim().length > 0)"""
    )
    reply = page.locator(BOT_DONE).filter(has_text="business days")
    await reply.wait_for()
    assert await reply.locator(".sb-source").inner_text() == "Source: How long does shipping take?"
    assert len([f for f in frames if f["type"] == "delta"]) > 1

    await page.reload()
    await page.wait_for_selector('#sb-panel[data-connection="open"]')
    customer = page.locator('.sb-msg[data-role="customer"]')
    await customer.filter(has_text="How long does shipping take?").wait_for()
    assert await page.locator(BOT_DONE).filter(has_text="business days").count() == 1


async def test_keyboard_only_on_a_phone_screen(
    aiohttp_server: Callable[..., Any], browser: Any
) -> None:
    server = await aiohttp_server(create_app(make_settings()))
    page = await browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    await page.goto(str(server.make_url("/")))
    await page.wait_for_selector('#sb-panel[data-connection="open"]')

    # Tab from the top of the page until the chat's input has the focus.
    for _ in range(30):
        if await page.evaluate("document.activeElement.id") == "sb-input":
            break
        await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "sb-input"

    await page.keyboard.press("Escape")
    assert await page.locator("#sb-panel").is_hidden()
    assert await page.evaluate("document.activeElement.id") == "sb-launcher"
    await page.keyboard.press("Enter")
    assert await page.locator("#sb-panel").is_visible()
    assert await page.evaluate("document.activeElement.id") == "sb-input"

    await page.keyboard.type("What is your return policy?")
    await page.keyboard.press("Enter")
    await page.locator(BOT_DONE).filter(has_text="30 days").wait_for()

    panel = await page.locator("#sb-panel").bounding_box()
    box = await page.locator("#sb-input").bounding_box()
    assert panel is not None
    assert box is not None
    assert panel["width"] <= 390
    # The input stays on screen.
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= 844


async def test_widget_reconnects_after_a_restart_and_the_ticket_goes_on(
    aiohttp_server: Callable[..., Any], browser: Any, redis_url: str, redis_prefix: str
) -> None:
    settings = make_settings(REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)
    first = await aiohttp_server(create_app(settings, store=redis_store(redis_url, redis_prefix)))
    port = first.port
    page = await browser.new_page()
    await page.goto(str(first.make_url("/")))
    await page.wait_for_selector('#sb-panel[data-connection="open"]')
    await send(page, "where is my order?")
    await page.locator(BOT_DONE).filter(has_text="order number").wait_for()
    await send(page, "10042")
    await page.locator(BOT_DONE).filter(has_text="UPS").wait_for()

    await first.close()
    await page.wait_for_selector('#sb-panel:not([data-connection="open"])')
    await aiohttp_server(
        create_app(settings, store=redis_store(redis_url, redis_prefix)), port=port
    )
    await page.wait_for_selector('#sb-panel[data-connection="open"]', timeout=20_000)

    await send(page, "and when will it arrive?")
    answers = page.locator(BOT_DONE).filter(has_text="#10042")
    await answers.nth(1).wait_for()  # the first came before the restart
