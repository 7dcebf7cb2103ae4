"""The `switchboard` command."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from typing import Any

import click

from bot import __version__
from bot.config import ConfigError, Settings, markdown_table
from bot.killswitch import KillSwitch
from bot.model import Ticket, Turn
from bot.store import Store, open_store


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ConfigError as exc:
        click.echo(f"switchboard: configuration error: {exc}", err=True)
        sys.exit(2)


@click.group(name="switchboard", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="switchboard")
def main() -> None:
    """Switchboard: one conversation engine for every customer-support channel."""


@main.command()
@click.option("--host", help="Interface to listen on (default: $HOST or 0.0.0.0).")
@click.option("--port", type=int, help="Port to listen on (default: $PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Run the web server: channels, web chat, admin API and health checks."""
    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = _settings(**overrides)

    from aiohttp import web

    from bot.app import create_app
    from bot.logs import configure

    configure(settings.log_level, settings.log_format)
    app = create_app(settings)
    shown = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host  # noqa: S104
    click.echo(f"Switchboard {__version__} on http://{shown}:{settings.port}", err=True)
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        shutdown_timeout=settings.shutdown_grace_seconds,
        print=None,
        access_log=None,
    )


@main.command()
@click.option("--markdown", is_flag=True, help="Print the table of all variables for README.md.")
def config(markdown: bool) -> None:
    """Check the configuration and print the effective values (secrets hidden)."""
    if markdown:
        click.echo(markdown_table())
        return
    for name, value in _settings().describe().items():
        click.echo(f"{name}={value}")


def _shared_store(settings: Settings) -> Store:
    """The store the servers use. Only Redis is shared: the memory store lives inside
    one server process, which commands from outside cannot reach."""
    if settings.redis_url is None:
        click.echo(
            "switchboard: REDIS_URL is not set. The in-memory store lives inside the server "
            "process; use the admin API (PUT /admin/killswitch, GET /admin/tickets/ID) instead.",
            err=True,
        )
        sys.exit(2)
    return open_store(settings)


@main.command()
@click.argument("action", type=click.Choice(["on", "off", "status"]))
def killswitch(action: str) -> None:
    """Stop (on) or resume (off) every model call in every process, or show the state."""
    settings = _settings()
    store = _shared_store(settings)

    async def run() -> bool:
        switch = KillSwitch(store)
        try:
            if action != "status":
                await switch.set(action == "on")
            return await switch.engaged()
        finally:
            await store.close()

    engaged = asyncio.run(run())
    click.echo(
        "kill switch ON: no model calls, customers get the auto-reply and a person"
        if engaged
        else "kill switch off: the bot answers"
    )


@main.group()
def tickets() -> None:
    """Look at tickets."""


@tickets.command("show")
@click.argument("ticket_id")
@click.option("--json", "as_json", is_flag=True, help="Print the ticket and transcript as JSON.")
def tickets_show(ticket_id: str, as_json: bool) -> None:
    """Print a ticket with its turns, how each was routed, and what it cost."""
    settings = _settings()
    store = _shared_store(settings)

    async def run() -> tuple[Ticket | None, list[Turn]]:
        try:
            ticket = await store.get_ticket(ticket_id)
            turns = await store.transcript(ticket_id) if ticket else []
            return ticket, turns
        finally:
            await store.close()

    ticket, turns = asyncio.run(run())
    if ticket is None:
        click.echo(f"switchboard: no ticket {ticket_id}", err=True)
        sys.exit(1)
    if as_json:
        data = {"ticket": ticket.to_json(), "transcript": [t.to_json() for t in turns]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(render_ticket(ticket, turns))


def render_ticket(ticket: Ticket, turns: list[Turn]) -> str:
    lines = [
        f"{ticket.id}  {ticket.status.value}  {ticket.address.channel}  "
        f"language={ticket.language}  intent={ticket.intent or '-'}",
        f"opened {ticket.created_at:%Y-%m-%d %H:%M:%S}  "
        f"updated {ticket.updated_at:%Y-%m-%d %H:%M:%S}",
        f"cost ${ticket.cost_usd:.6f}  tokens {ticket.prompt_tokens} in / "
        f"{ticket.completion_tokens} out",
    ]
    if ticket.fields:
        lines.append("fields: " + ", ".join(f"{k}={v}" for k, v in ticket.fields.items()))
    if ticket.handoff_reason:
        lines.append(f"handed over: {ticket.handoff_reason}")
    lines.append("")
    for turn in turns:
        lines.append(f"[{turn.at:%H:%M:%S}] {turn.role.value:8} {turn.text}")
        route = _describe_route(turn.meta)
        if route:
            lines.append(f"{'':20}{route}")
    return "\n".join(lines)


def _describe_route(meta: Mapping[str, Any]) -> str:
    parts = []
    router = meta.get("router")
    if router:
        parts.append(
            f"route={router['route']} intent={router['intent']} "
            f"confidence={router['confidence']} by={router['decided_by']}"
        )
    if meta.get("handler"):
        parts.append(f"handler={meta['handler']}")
    if meta.get("kill_switch"):
        parts.append("kill_switch=true")
    for usage in meta.get("llm", ()):
        parts.append(
            f"{usage['tier']}:{usage['model']} {usage['prompt_tokens']}+"
            f"{usage['completion_tokens']} tok ${usage['cost_usd']:.6f}"
        )
    return "  ".join(parts)
