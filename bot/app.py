"""The app factory: the one place that wires store, engine, inbox and channels.

Dependencies point inward (channels and flows import `bot`, never the reverse);
this module is where the outer pieces are chosen and connected, so it imports
them. Start-up stays light: no model library is imported here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot import admin
from bot.audit import Audit
from bot.brain import Brain
from bot.config import Settings
from bot.engine import Engine
from bot.handoff import RecordingDesk
from bot.i18n import Catalog
from bot.inbox import Inbox, MemoryInbox
from bot.killswitch import KillSwitch
from bot.knowledge import KnowledgeBase
from bot.language import LanguageDetector
from bot.llm import LLM
from bot.orders import OrdersBackend
from bot.persona import Persona
from bot.router import LocalRouter
from bot.routing import Router
from bot.store import Store, open_store
from flows.orders_file import FileOrdersBackend
from flows.orders_http import HttpOrdersBackend

log = logging.getLogger(__name__)

# Webhooks and socket frames are small; anything near this is abuse.
MAX_REQUEST_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Runtime:
    """The wired parts of one process, for tests and commands that need them."""

    settings: Settings
    store: Store
    engine: Engine
    inbox: Inbox
    knowledge: KnowledgeBase
    desk: RecordingDesk
    killswitch: KillSwitch


RUNTIME = web.AppKey("runtime", Runtime)


def create_app(settings: Settings, *, store: Store | None = None) -> web.Application:
    from channels.base import Channels
    from channels.webchat import WebChat
    from flows import discover

    store = store or open_store(settings)
    catalog = Catalog(
        settings.locales_dir, settings.supported_languages, settings.default_language
    )
    detector = LanguageDetector(settings.supported_languages, settings.default_language)
    knowledge = KnowledgeBase.load(settings.kb_dir)
    llm = LLM(settings)
    orders = _orders(settings)
    killswitch = KillSwitch(store)
    brain = Brain(
        settings=settings,
        catalog=catalog,
        knowledge=knowledge,
        flows=discover(),
        orders=orders,
        router=Router(LocalRouter.load(), llm, settings.router_threshold),
        llm=llm,
        persona=Persona.load(settings.bot_config),
        killswitch=killswitch,
    )
    desk = RecordingDesk(store)
    channels = Channels()
    engine = Engine(
        settings=settings,
        store=store,
        catalog=catalog,
        detector=detector,
        brain=brain,
        desk=desk,
        outbox=channels,
        audit=Audit(store),
    )
    inbox = MemoryInbox(
        engine.handle,
        max_pending=settings.inbox_max_pending,
        concurrency=settings.worker_concurrency,
    )
    channels.add(
        WebChat(settings=settings, store=store, inbox=inbox, catalog=catalog, detector=detector)
    )

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[RUNTIME] = Runtime(settings, store, engine, inbox, knowledge, desk, killswitch)
    admin.add_routes(
        app,
        store=store,
        engine=engine,
        desk=desk,
        killswitch=killswitch,
        token=settings.admin_token,
    )
    for channel in channels.all():
        channel.setup(app)

    async def drain(app: web.Application) -> None:
        # Runs before the channels close their sockets, so replies in progress
        # still reach the customers who are waiting for them.
        await inbox.drain(settings.shutdown_grace_seconds)

    app.on_shutdown.insert(0, drain)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        if settings.agent_mode == "disabled":
            await killswitch.set(True)
            log.warning("AGENT_MODE=disabled: the kill switch is on, no model will be called")
        # langdetect's profiles and litellm take from a few hundred ms to seconds
        # to load; do it off the event loop after start, so neither readiness nor
        # the first customer waits on the loop.
        warm = asyncio.create_task(_warm(detector, llm), name="warm-up")
        log.info(
            "ready: store=%s, %d knowledge articles, languages=%s",
            store.kind,
            len(knowledge.articles),
            ",".join(settings.supported_languages),
        )
        yield
        # A thread cannot be cancelled: let the warm-up finish before closing
        # what it may still be setting up.
        await asyncio.gather(warm, return_exceptions=True)
        if isinstance(orders, HttpOrdersBackend):
            await orders.close()
        await llm.close()
        await store.close()

    app.cleanup_ctx.append(lifetime)
    return app


def _orders(settings: Settings) -> OrdersBackend:
    if settings.orders_url is not None:
        return HttpOrdersBackend(settings.orders_url, settings.orders_api_key)
    return FileOrdersBackend(settings.orders_file)


async def _warm(detector: LanguageDetector, llm: LLM) -> None:
    await asyncio.to_thread(detector.warm)
    await asyncio.to_thread(llm.warm)
