"""The app factory: the one place that wires store, engine, inbox and channels.

Dependencies point inward (channels and flows import `bot`, never the reverse);
this module is where the outer pieces are chosen and connected, so it imports
them. Start-up stays light: no model library is imported here.

One process can take two roles. The web role serves the channels' routes: it
verifies, parses, journals each event in the inbox and acknowledges it, and holds
the customers' live connections. The worker role takes entries out of the inbox
and runs the engine on them. `switchboard serve` does both (the embedded
default); with Redis, `serve --no-worker` and `worker` split them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot import admin
from bot.audit import Audit
from bot.brain import Brain
from bot.briefing import Briefer
from bot.config import Settings
from bot.engine import Engine
from bot.errors import InboxUnavailable, StoreError
from bot.events import Entry
from bot.fanout import Fanout, LocalFanout
from bot.handoff import Desks, RecordingDesk
from bot.i18n import Catalog
from bot.inbox import Inbox
from bot.inbox.memory import MemoryInbox
from bot.killswitch import KillSwitch
from bot.knowledge import KnowledgeBase
from bot.language import LanguageDetector
from bot.llm import LLM
from bot.orders import OrdersBackend
from bot.outbox import Outbox, RetryPolicy
from bot.persona import Persona
from bot.reply import Delivery
from bot.router import LocalRouter
from bot.routing import Router
from bot.sla import SlaWatcher
from bot.store import Store, open_store
from bot.translate import Translator
from channels.base import Channels
from flows.orders_file import FileOrdersBackend
from flows.orders_http import HttpOrdersBackend

if TYPE_CHECKING:
    from bot.inbox.streams import StreamInbox

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Webhooks and socket frames are small; anything near this is abuse.
MAX_REQUEST_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Runtime:
    """The wired parts of one process, without the web server: the app, the worker,
    the evaluation harness and the tests assemble the same one."""

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
    outbox: Outbox
    inbox: Inbox
    fanout: Fanout

    async def start(self) -> None:
        if self.settings.agent_mode == "disabled":
            await self.killswitch.set(True)
            log.warning("AGENT_MODE=disabled: the kill switch is on, no model will be called")
        await self.fanout.start()

    async def warm(self) -> None:
        """Load what is slow to load (language models, litellm), off the event loop."""
        await asyncio.to_thread(self.detector.warm)
        await asyncio.to_thread(self.llm.warm)

    async def close(self) -> None:
        # First: a briefing still being written uses the model clients closed below.
        await self.desks.close()
        if isinstance(self.orders, HttpOrdersBackend):
            await self.orders.close()
        await self.llm.close()
        await self.fanout.close()
        await self.store.close()


RUNTIME = web.AppKey("runtime", Runtime)
CHANNELS = web.AppKey("channels", Channels)


def assemble(
    settings: Settings,
    store: Store,
    delivery: Delivery,
    *,
    orders: Callable[[OrdersBackend], OrdersBackend] | None = None,
) -> Runtime:
    """Build every part that answers customers; `delivery` reaches their channels.

    `orders` wraps the configured orders backend (the evaluation makes it dry-run).
    With a Redis store, the inbox and the live frames go through Redis too.
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
    desk = RecordingDesk(store, masked=settings.agent_pii == "masked")
    desks = Desks([desk])
    outbox = Outbox(
        store=store,
        delivery=delivery,
        desk=desks,
        briefer=Briefer(
            catalog=catalog,
            knowledge=knowledge,
            llm=llm,
            killswitch=killswitch,
            agent_language=settings.agent_language,
            kb_min_score=settings.kb_min_score,
        ),
        audit=Audit(store),
        retry=RetryPolicy(settings.delivery_retry_seconds),
    )
    engine = Engine(
        settings=settings,
        store=store,
        catalog=catalog,
        detector=detector,
        brain=brain,
        delivery=delivery,
        outbox=outbox,
        translator=Translator(llm, killswitch),
    )
    inbox, fanout = _transport(settings, store)

    async def report(entry: Entry) -> None:
        try:
            await inbox.submit(entry)
        except InboxUnavailable:
            log.exception("could not journal %s for %s", entry.id, entry.conversation_id)

    outbox.report = report
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
        outbox,
        inbox,
        fanout,
    )


def _transport(settings: Settings, store: Store) -> tuple[Inbox, Fanout]:
    """Redis Streams and pub/sub beside a Redis store; in this process otherwise."""
    if store.kind == "redis":  # redis is imported only when it is used
        from bot.redis_fanout import RedisFanout
        from bot.store.redis_store import RedisStore

        if isinstance(store, RedisStore):
            return stream_inbox(settings, store), RedisFanout(store.client, store.prefix)
    memory = MemoryInbox(
        max_pending=settings.inbox_max_pending,
        concurrency=settings.worker_concurrency,
        dedupe_ttl=settings.dedupe_ttl_seconds,
    )
    return memory, LocalFanout()


def stream_inbox(settings: Settings, store: Store) -> StreamInbox:
    """The Redis Streams inbox beside a Redis store (the CLI reads its dead letters)."""
    from bot.inbox.streams import StreamInbox
    from bot.store.redis_store import RedisStore

    if not isinstance(store, RedisStore):
        raise TypeError("the durable inbox lives in Redis: set REDIS_URL")
    return StreamInbox(
        store.client,
        prefix=store.prefix,
        partitions=settings.inbox_partitions,
        max_pending=settings.inbox_max_pending,
        concurrency=settings.worker_concurrency,
        dedupe_ttl=settings.dedupe_ttl_seconds,
        lease_seconds=settings.inbox_lease_seconds,
        max_attempts=settings.inbox_max_attempts,
    )


def create_app(
    settings: Settings, *, store: Store | None = None, web_role: bool = True, worker: bool = True
) -> web.Application:
    """The app of one process: its routes (web role), its workers (worker role), or both.

    An app without the web role is never served; running it (`switchboard worker`)
    only starts and stops what the channels and the worker need.
    """
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
            fanout=runtime.fanout,
        )
    )

    app = web.Application(
        client_max_size=MAX_REQUEST_BYTES, middlewares=[_store_outage(runtime.store)]
    )
    app[RUNTIME] = runtime
    app[CHANNELS] = channels
    admin.add_routes(
        app,
        store=runtime.store,
        engine=runtime.engine,
        inbox=runtime.inbox,
        desk=runtime.desk,
        killswitch=runtime.killswitch,
        token=settings.admin_token,
    )
    _add_provider_channels(settings, runtime, channels, web_role=web_role)
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
        sla = None
        if worker:
            runtime.inbox.start(runtime.engine)
            sla = asyncio.create_task(SlaWatcher(runtime.store, runtime.inbox).run(), name="sla")
        log.info(
            "ready (%s): store=%s, %d knowledge articles, languages=%s",
            " and ".join(role for role, on in (("web", web_role), ("worker", worker)) if on),
            runtime.store.kind,
            len(runtime.knowledge.articles),
            ",".join(settings.supported_languages),
        )
        yield
        if sla is not None:
            sla.cancel()
            await asyncio.wait([sla], timeout=5)
        # A thread cannot be cancelled: let the warm-up finish before closing
        # what it may still be setting up.
        await asyncio.gather(warm, return_exceptions=True)
        await runtime.close()

    app.cleanup_ctx.append(lifetime)
    return app


def _store_outage(store: Store) -> Middleware:
    """A request that needed the store while it was away is answered 503, not 500: for a
    webhook, that is "nothing was taken, send it again" (Slack, Telegram and Twilio with
    its retry override do), and an operator's tool may simply try later."""
    outages: tuple[type[Exception], ...] = (StoreError, InboxUnavailable)
    if store.kind == "redis":  # redis is imported only when it is used
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisSlow

        outages += (RedisDown, RedisSlow)

    @web.middleware
    async def refuse(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except outages as exc:
            log.warning("%s %s: the store is unavailable: %s", request.method, request.path, exc)
            return web.json_response(
                {"error": "temporarily unavailable, try again shortly"},
                status=503,
                headers={"Retry-After": "5"},
            )

    return refuse


def _add_provider_channels(
    settings: Settings, runtime: Runtime, channels: Channels, *, web_role: bool
) -> None:
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
            desk.inbox = runtime.inbox
            runtime.desks.add(desk)
        channels.add(
            Slack(
                settings=settings,
                store=runtime.store,
                inbox=runtime.inbox,
                client=client,
                desk=desk,
                socket_mode=web_role,
            )
        )
    if settings.twilio_enabled:
        from channels.twilio import TwilioMessaging, TwilioVoice

        channels.add(TwilioMessaging(settings=settings, store=runtime.store, inbox=runtime.inbox))
        channels.add(
            TwilioVoice(
                settings=settings,
                store=runtime.store,
                inbox=runtime.inbox,
                catalog=runtime.catalog,
                detector=runtime.detector,
                fanout=runtime.fanout,
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
