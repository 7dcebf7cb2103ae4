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
from bot.config import Settings
from bot.engine import Engine
from bot.handoff import RecordingDesk
from bot.i18n import Catalog
from bot.inbox import Inbox, MemoryInbox
from bot.knowledge import KnowledgeBase
from bot.language import LanguageDetector
from bot.store import Store, open_store

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


RUNTIME = web.AppKey("runtime", Runtime)


def create_app(settings: Settings, *, store: Store | None = None) -> web.Application:
    from channels.base import Channels
    from channels.webchat import WebChat
    from flows import discover
    from flows.orders_file import FileOrdersBackend

    store = store or open_store(settings)
    catalog = Catalog(
        settings.locales_dir, settings.supported_languages, settings.default_language
    )
    detector = LanguageDetector(settings.supported_languages, settings.default_language)
    knowledge = KnowledgeBase.load(settings.kb_dir)
    desk = RecordingDesk(store)
    channels = Channels()
    engine = Engine(
        settings=settings,
        store=store,
        catalog=catalog,
        detector=detector,
        knowledge=knowledge,
        flows=discover(),
        orders=FileOrdersBackend(settings.orders_file),
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
    app[RUNTIME] = Runtime(settings, store, engine, inbox, knowledge, desk)
    admin.add_routes(app, store=store, engine=engine, desk=desk, token=settings.admin_token)
    for channel in channels.all():
        channel.setup(app)

    async def drain(app: web.Application) -> None:
        # Runs before the channels close their sockets, so replies in progress
        # still reach the customers who are waiting for them.
        await inbox.drain(settings.shutdown_grace_seconds)

    app.on_shutdown.insert(0, drain)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        # langdetect loads its profiles on first use (a few hundred ms); do it
        # off the event loop after start, so readiness is not delayed.
        warm = asyncio.create_task(asyncio.to_thread(detector.warm), name="warm-language")
        log.info(
            "ready: store=%s, %d knowledge articles, languages=%s",
            store.kind,
            len(knowledge.articles),
            ",".join(settings.supported_languages),
        )
        yield
        if not warm.done():
            warm.cancel()
        await asyncio.gather(warm, return_exceptions=True)
        await store.close()

    app.cleanup_ctx.append(lifetime)
    return app
