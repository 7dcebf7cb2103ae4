"""The app factory: the one place that wires store, engine, inbox and channels.

Dependencies point inward (channels and flows import `bot`, never the reverse);
this module is where the outer pieces are chosen and connected, so it imports
them. Start-up stays light: no model library is imported here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web

from bot import admin
from bot.audit import Audit
from bot.brain import Brain
from bot.briefing import Briefer
from bot.config import Settings
from bot.engine import Engine
from bot.handoff import Desks, RecordingDesk
from bot.i18n import Catalog
from bot.inbox import Inbox, MemoryInbox
from bot.killswitch import KillSwitch
from bot.knowledge import KnowledgeBase
from bot.language import LanguageDetector
from bot.llm import LLM
from bot.orders import OrdersBackend
from bot.persona import Persona
from bot.reply import Outbox
from bot.router import LocalRouter
from bot.routing import Router
from bot.sla import SlaWatcher
from bot.store import Store, open_store
from bot.translate import Translator
from channels.base import Channels
from flows.orders_file import FileOrdersBackend
from flows.orders_http import HttpOrdersBackend

log = logging.getLogger(__name__)

# Webhooks and socket frames are small; anything near this is abuse.
MAX_REQUEST_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Runtime:
    """The wired parts of one process, without the web server: the app, the
    evaluation harness and the tests assemble the same one."""

    settings: Settings
    store: Store
    catalog: Catalog
    detector: LanguageDetector
    knowledge: KnowledgeBase
    llm: LLM
    orders: OrdersBackend
    killswitch: KillSwitch
    desk: RecordingDesk
    desks: Desks
    engine: Engine
    inbox: Inbox

    async def start(self) -> None:
        if self.settings.agent_mode == "disabled":
            await self.killswitch.set(True)
            log.warning("AGENT_MODE=disabled: the kill switch is on, no model will be called")

    async def warm(self) -> None:
        """Load what is slow to load (language models, litellm), off the event loop."""
        await asyncio.to_thread(self.detector.warm)
        await asyncio.to_thread(self.llm.warm)

    async def close(self) -> None:
        if isinstance(self.orders, HttpOrdersBackend):
            await self.orders.close()
        await self.llm.close()
        await self.store.close()


RUNTIME = web.AppKey("runtime", Runtime)
CHANNELS = web.AppKey("channels", Channels)


def assemble(
    settings: Settings,
    store: Store,
    outbox: Outbox,
    *,
    orders: Callable[[OrdersBackend], OrdersBackend] | None = None,
) -> Runtime:
    """Build every part that answers customers; `outbox` delivers the replies.

    `orders` wraps the configured orders backend (the evaluation makes it dry-run).
    """
    from flows import discover

    catalog = Catalog(
        settings.locales_dir, settings.supported_languages, settings.default_language
    )
    detector = LanguageDetector(settings.supported_languages, settings.default_language)
    knowledge = KnowledgeBase.load(settings.kb_dir)
    llm = LLM(settings)
    backend = _orders(settings)
    killswitch = KillSwitch(store)
    shop = orders(backend) if orders is not None else backend
    brain = Brain(
        settings=settings,
        catalog=catalog,
        knowledge=knowledge,
        flows=discover(),
        orders=shop,
        router=Router(LocalRouter.load(), llm, settings.router_threshold),
        llm=llm,
        persona=Persona.load(settings.bot_config),
        killswitch=killswitch,
    )
    desk = RecordingDesk(store)
    desks = Desks([desk])
    engine = Engine(
        settings=settings,
        store=store,
        catalog=catalog,
        detector=detector,
        brain=brain,
        desk=desks,
        outbox=outbox,
        audit=Audit(store),
        briefer=Briefer(
            catalog=catalog,
            knowledge=knowledge,
            llm=llm,
            killswitch=killswitch,
            agent_language=settings.agent_language,
            kb_min_score=settings.kb_min_score,
        ),
        translator=Translator(llm, killswitch),
    )
    inbox = MemoryInbox(
        engine.handle,
        max_pending=settings.inbox_max_pending,
        concurrency=settings.worker_concurrency,
    )
    return Runtime(
        settings,
        store,
        catalog,
        detector,
        knowledge,
        llm,
        backend,
        killswitch,
        desk,
        desks,
        engine,
        inbox,
    )


def create_app(settings: Settings, *, store: Store | None = None) -> web.Application:
    from channels.webchat import WebChat

    channels = Channels()
    runtime = assemble(settings, store or open_store(settings), channels)
    channels.add(
        WebChat(
            settings=settings,
            store=runtime.store,
            inbox=runtime.inbox,
            catalog=runtime.catalog,
            detector=runtime.detector,
        )
    )

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[RUNTIME] = runtime
    app[CHANNELS] = channels
    admin.add_routes(
        app,
        store=runtime.store,
        engine=runtime.engine,
        desk=runtime.desk,
        killswitch=runtime.killswitch,
        token=settings.admin_token,
    )
    _add_provider_channels(settings, runtime, channels)
    for channel in channels.all():
        channel.setup(app)

    async def drain(app: web.Application) -> None:
        # Runs before the channels close their sockets, so replies in progress
        # still reach the customers who are waiting for them.
        await runtime.inbox.drain(settings.shutdown_grace_seconds)

    app.on_shutdown.insert(0, drain)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        await runtime.start()
        # Language models and litellm take from a few hundred ms to seconds to
        # load; do it off the event loop after start, so neither readiness nor
        # the first customer waits on the loop.
        warm = asyncio.create_task(runtime.warm(), name="warm-up")
        sla = asyncio.create_task(SlaWatcher(runtime.store, runtime.engine).run(), name="sla")
        log.info(
            "ready: store=%s, %d knowledge articles, languages=%s",
            runtime.store.kind,
            len(runtime.knowledge.articles),
            ",".join(settings.supported_languages),
        )
        yield
        sla.cancel()
        await asyncio.wait([sla], timeout=5)
        # A thread cannot be cancelled: let the warm-up finish before closing
        # what it may still be setting up.
        await asyncio.gather(warm, return_exceptions=True)
        await runtime.close()

    app.cleanup_ctx.append(lifetime)
    return app


def _add_provider_channels(settings: Settings, runtime: Runtime, channels: Channels) -> None:
    """Slack, Twilio and Telegram, when their credentials are set (imported only then)."""
    if settings.slack_enabled:
        from channels.slack import Slack, SlackDesk, client_for

        client = client_for(settings)
        desk = None
        if settings.slack_agents_channel is not None:
            desk = SlackDesk(
                client=client,
                store=runtime.store,
                channel=settings.slack_agents_channel,
                pii=settings.agent_pii,
                note_prefix=settings.slack_note_prefix,
            )
            desk.engine = runtime.engine
            runtime.desks.add(desk)
        channels.add(
            Slack(
                settings=settings,
                store=runtime.store,
                inbox=runtime.inbox,
                client=client,
                desk=desk,
            )
        )
    if settings.twilio_enabled:
        from channels.twilio import TwilioMessaging, TwilioVoice

        channels.add(
            TwilioMessaging(
                settings=settings,
                store=runtime.store,
                inbox=runtime.inbox,
                catalog=runtime.catalog,
                detector=runtime.detector,
                on_problem=runtime.engine.delivery_problem,
            )
        )
        channels.add(
            TwilioVoice(
                settings=settings,
                store=runtime.store,
                inbox=runtime.inbox,
                catalog=runtime.catalog,
                detector=runtime.detector,
            )
        )
    if settings.telegram_enabled:
        from channels.telegram import Telegram

        channels.add(
            Telegram(
                settings=settings,
                store=runtime.store,
                inbox=runtime.inbox,
                catalog=runtime.catalog,
                detector=runtime.detector,
            )
        )


def _orders(settings: Settings) -> OrdersBackend:
    if settings.orders_url is not None:
        return HttpOrdersBackend(settings.orders_url, settings.orders_api_key)
    return FileOrdersBackend(settings.orders_file)
