"""Health checks for the platform and a small admin API for operators.

`/healthz` answers while the process runs; `/readyz` only when the store
answers too. `/admin/*` wants `Authorization: Bearer $ADMIN_TOKEN` and is shut
(403) when no token is configured: it fails closed.

`/admin/customers/{id}` exports or erases everything about one customer (the id
URL-encoded: `twilio%3A%2B15551234567`); each call leaves an audit record naming the
token by its label, never by its value.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import __version__
from bot.audit import Audit
from bot.config import Secret
from bot.engine import Engine
from bot.events import AgentAction, Entry
from bot.handoff import Agent, RecordingDesk
from bot.inbox import Inbox
from bot.killswitch import KillSwitch
from bot.outbox import UNDELIVERED_LOG
from bot.statemachine import Event, Rejected, Transition
from bot.store import Store
from bot.store.base import customer_id
from bot.web_input import json_of

_ACTIONS = {
    "claim": Event.AGENT_CLAIM,
    "release": Event.AGENT_RELEASE,
    "resolve": Event.AGENT_RESOLVE,
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(
    app: web.Application,
    *,
    store: Store,
    engine: Engine,
    inbox: Inbox,
    desk: RecordingDesk,
    killswitch: KillSwitch,
    token: Secret | None,
) -> None:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": __version__})

    async def readyz(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(2):
                await store.ping()
        except Exception as exc:
            return web.json_response(
                {"status": "unavailable", "store": store.kind, "error": type(exc).__name__},
                status=503,
            )
        return web.json_response({"status": "ready", "store": store.kind})

    def guarded(handler: Handler) -> Handler:
        async def check(request: web.Request) -> web.StreamResponse:
            if token is None:
                return _problem(403, "the admin API is off: set ADMIN_TOKEN to turn it on")
            given = request.headers.get("Authorization", "")
            expected = f"Bearer {token.reveal()}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                response = _problem(401, "a valid 'Authorization: Bearer <token>' is required")
                response.headers["WWW-Authenticate"] = 'Bearer realm="switchboard-admin"'
                return response
            return await handler(request)

        return check

    async def handoffs(request: web.Request) -> web.Response:
        try:
            limit = min(max(int(request.query.get("limit", "50")), 1), 500)
        except ValueError:
            return _problem(400, "limit must be a whole number")
        return web.json_response({"handoffs": await desk.list(limit)})

    async def ticket(request: web.Request) -> web.Response:
        found = await store.get_ticket(request.match_info["ticket"])
        if found is None:
            return _problem(404, "no such ticket")
        turns = await store.transcript(found.id)
        return web.json_response(
            {"ticket": found.to_json(), "transcript": [t.to_json() for t in turns]}
        )

    async def act(request: web.Request) -> web.Response:
        event = _ACTIONS.get(request.match_info["action"])
        if event is None:
            return _problem(404, f"actions are {', '.join(_ACTIONS)}")
        agent = Agent(request.query.get("agent", "admin-api")[:64])
        found = await store.get_ticket(request.match_info["ticket"])
        if found is None:
            return _problem(404, "no such ticket")
        # Operators may act on a ticket another agent owns (someone left for the day).
        # Decided here rather than journaled: the operator waits for the answer, and it
        # comes only after the commit.
        action = AgentAction(found.id, event, agent, override=True)
        result = await engine.process([Entry.about(found.conversation_id, action)])
        if isinstance(result, Rejected):
            return _problem(409, result.reason)
        if not isinstance(result, Transition):
            return _problem(404, "no such ticket")
        return web.json_response({"status": result.state.value})

    async def dead_letters(request: web.Request) -> web.Response:
        """Inbound events that failed every attempt, and replies no provider took."""
        try:
            limit = min(max(int(request.query.get("limit", "50")), 1), 500)
        except ValueError:
            return _problem(400, "limit must be a whole number")
        from bot.inbox.streams import StreamInbox

        inbound = []
        if isinstance(inbox, StreamInbox):
            inbound = [
                {
                    "id": letter.id,
                    "reason": letter.reason,
                    "attempts": letter.attempts,
                    "entry": json.loads(letter.entry) if letter.entry.startswith("{") else None,
                }
                for letter in await inbox.dead_letters(limit)
            ]
        undelivered = await store.read_log(UNDELIVERED_LOG, limit)
        return web.json_response({"inbox": inbound, "undelivered": undelivered})

    async def retry_dead_letter(request: web.Request) -> web.Response:
        from bot.inbox.streams import StreamInbox

        if not isinstance(inbox, StreamInbox):
            return _problem(404, "dead letters are kept with REDIS_URL only")
        if not await inbox.retry(request.match_info["id"]):
            return _problem(404, "no such dead letter")
        return web.json_response({"status": "queued"})

    audit = Audit(store)

    async def export_customer(request: web.Request) -> web.Response:
        try:
            customer = customer_id(request.match_info["customer"])
        except ValueError as exc:
            return _problem(400, str(exc))
        record = await store.export_customer(customer)
        await audit.privacy("export", record, who=token_label(token))
        return web.json_response(record.to_json())

    async def erase_customer(request: web.Request) -> web.Response:
        try:
            customer = customer_id(request.match_info["customer"])
        except ValueError as exc:
            return _problem(400, str(exc))
        record = await store.erase_customer(customer)
        await audit.privacy("erase", record, who=token_label(token))
        return web.json_response(
            {
                "customer": customer,
                "conversations": list(record.conversation_ids),
                "erased": record.counts(),
            }
        )

    async def killswitch_state(request: web.Request) -> web.Response:
        return web.json_response({"engaged": await killswitch.engaged()})

    async def killswitch_set(request: web.Request) -> web.Response:
        body = await json_of(request)
        engaged = body.get("engaged") if isinstance(body, dict) else None
        if not isinstance(engaged, bool):
            return _problem(400, 'send JSON: {"engaged": true} or {"engaged": false}')
        await killswitch.set(engaged)
        return web.json_response({"engaged": engaged})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/admin/handoffs", guarded(handoffs))
    app.router.add_get("/admin/tickets/{ticket}", guarded(ticket))
    app.router.add_post("/admin/tickets/{ticket}/{action}", guarded(act))
    app.router.add_get("/admin/dead-letters", guarded(dead_letters))
    app.router.add_post("/admin/dead-letters/{id}/retry", guarded(retry_dead_letter))
    app.router.add_get("/admin/customers/{customer}/export", guarded(export_customer))
    app.router.add_delete("/admin/customers/{customer}", guarded(erase_customer))
    app.router.add_get("/admin/killswitch", guarded(killswitch_state))
    app.router.add_put("/admin/killswitch", guarded(killswitch_set))


def token_label(token: Secret | None) -> str:
    """Who used the admin API, for the audit log: `admin:` and the first 8 hex digits of
    the token's SHA-256, which tell a rotated token from its successor and reveal
    nothing of it."""
    if token is None:
        return "admin"
    return "admin:" + hashlib.sha256(token.reveal().encode()).hexdigest()[:8]


def _problem(status: int, detail: str) -> web.Response:
    return web.json_response({"error": detail}, status=status)
