"""The `switchboard` command."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot import __version__
from bot.audit import Audit
from bot.config import ConfigError, Settings, markdown_table
from bot.killswitch import KillSwitch
from bot.model import Ticket, Turn
from bot.outbox import UNDELIVERED_LOG
from bot.store import Store, open_store
from bot.store.base import CustomerRecord, customer_id

if TYPE_CHECKING:
    from bot.inbox.streams import StreamInbox

T = TypeVar("T")


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
@click.option(
    "--no-worker",
    is_flag=True,
    help="Only take events in (journal, acknowledge, hold sockets); `switchboard worker` "
    "processes them. Needs REDIS_URL.",
)
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Run the web server: channels, web chat, admin API and health checks."""
    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = _settings(**overrides)
    if no_worker and settings.redis_url is None:
        click.echo(
            "switchboard: --no-worker needs REDIS_URL: without Redis, events wait in this "
            "process and only this process can work on them",
            err=True,
        )
        sys.exit(2)

    from aiohttp import web

    from bot.app import create_app
    from bot.logs import configure

    configure(settings.log_level, settings.log_format)
    app = create_app(settings, worker=not no_worker)
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
def worker() -> None:
    """Process events from the inbox (no web server). Needs REDIS_URL."""
    settings = _settings()
    if settings.redis_url is None:
        click.echo(
            "switchboard: a worker needs REDIS_URL, where the web processes journal", err=True
        )
        sys.exit(2)

    from bot.logs import configure
    from bot.worker import run_worker

    configure(settings.log_level, settings.log_format)
    click.echo(f"Switchboard {__version__} worker", err=True)
    asyncio.run(run_worker(settings))


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
def telegram() -> None:
    """Telegram bot set-up."""


@telegram.command("set-webhook")
@click.option("--url", help="Public base URL (default: PUBLIC_URL).")
def telegram_set_webhook(url: str | None) -> None:
    """Point the bot's webhook at {url}/telegram/webhook, with TELEGRAM_WEBHOOK_SECRET."""
    settings = _settings()
    base = (url or settings.public_url or "").rstrip("/")
    if settings.telegram_bot_token is None or settings.telegram_webhook_secret is None:
        click.echo("switchboard: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET", err=True)
        sys.exit(2)
    if not base.startswith("https://"):
        click.echo("switchboard: Telegram needs an https:// URL (--url or PUBLIC_URL)", err=True)
        sys.exit(2)
    from telegram import Bot

    bot = Bot(settings.telegram_bot_token.reveal(), base_url=f"{settings.telegram_api_url}/bot")
    secret = settings.telegram_webhook_secret.reveal()

    async def run() -> None:
        async with bot:
            await bot.set_webhook(
                f"{base}/telegram/webhook",
                secret_token=secret,
                allowed_updates=["message"],
            )

    asyncio.run(run())
    click.echo(f"webhook set: {base}/telegram/webhook")


@main.group()
def inbox() -> None:
    """Look at the inbox's dead letters, and send them through again (needs REDIS_URL)."""


@inbox.command("dead")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
def inbox_dead(limit: int) -> None:
    """Events that failed every attempt and replies no provider took, newest first."""
    from bot.inbox.streams import DeadLetter

    letters: list[DeadLetter] = _with_inbox(lambda inbox: inbox.dead_letters(limit))
    click.echo(f"inbound events that failed every attempt: {len(letters) or 'none'}")
    for letter in letters:
        click.echo(
            f"  {letter.id}  partition {letter.partition}  {letter.attempts} attempts  "
            f"{letter.reason}\n    {letter.entry}"
        )
    undelivered = _with_store(lambda store: store.read_log(UNDELIVERED_LOG, limit))
    click.echo(f"replies no provider took: {len(undelivered) or 'none'}")
    for item in undelivered:
        click.echo(
            f"  {item['at']}  {item['conversation']}  {item['attempts']} tries  "
            f"{item['reason']}\n    {item['text']}"
        )


@inbox.command("retry")
@click.argument("dead_id")
def inbox_retry(dead_id: str) -> None:
    """Put the dead letter DEAD_ID back in the inbox, for the workers to try again."""
    if not _with_inbox(lambda inbox: inbox.retry(dead_id)):
        click.echo(f"switchboard: no dead letter {dead_id}", err=True)
        sys.exit(1)
    click.echo(f"{dead_id} is back in the inbox")


def _with_store(work: Callable[[Store], Awaitable[T]]) -> T:
    store = _shared_store(_settings())

    async def run() -> T:
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())


def _with_inbox(work: Callable[[StreamInbox], Awaitable[T]]) -> T:
    settings = _settings()
    store = _shared_store(settings)

    from bot.app import stream_inbox

    async def run() -> T:
        try:
            return await work(stream_inbox(settings, store))
        finally:
            await store.close()

    return asyncio.run(run())


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


_CUSTOMER_HELP = (
    "A conversation id as tickets show it (twilio:+15551234567, telegram:123, "
    "webchat:<session>), an address alone for every channel it is on (+15551234567), "
    "or a ticket id (T-XXXXXXXX) for its conversation."
)


@main.group()
def privacy() -> None:
    """Export or erase everything the store holds about one customer (needs REDIS_URL).

    Each run leaves a record in the audit log (who: "cli").
    """


def _customer(raw: str) -> str:
    try:
        return customer_id(raw)
    except ValueError as exc:
        click.echo(f"switchboard: {exc}", err=True)
        sys.exit(2)


@privacy.command("export")
@click.option("--customer", required=True, help=_CUSTOMER_HELP)
def privacy_export(customer: str) -> None:
    """Print one JSON document: conversations, tickets with their transcripts, timers,
    refs, flags and log entries about the customer."""
    customer = _customer(customer)

    async def export(store: Store) -> CustomerRecord:
        record = await store.export_customer(customer)
        await Audit(store).privacy("export", record, who="cli")
        return record

    record = _with_store(export)
    click.echo(json.dumps(record.to_json(), indent=2, ensure_ascii=False))
    click.echo(f"exported {customer}: {_counted(record)}", err=True)


@privacy.command("erase")
@click.option("--customer", required=True, help=_CUSTOMER_HELP)
@click.option("--yes", is_flag=True, help="Do not ask before erasing.")
def privacy_erase(customer: str, yes: bool) -> None:
    """Delete everything about the customer, in every key. Erasing again is harmless; the
    customer's next message starts a new conversation."""
    customer = _customer(customer)
    if not yes:
        click.confirm(f"Erase everything about {customer}? It cannot be undone", abort=True)

    async def erase(store: Store) -> CustomerRecord:
        record = await store.erase_customer(customer)
        await Audit(store).privacy("erase", record, who="cli")
        return record

    record = _with_store(erase)
    if not record.conversation_ids:
        click.echo(f"nothing about {customer} in the store (erased before, or never seen)")
        return
    click.echo(f"erased {customer}: {_counted(record)}")


def _counted(record: CustomerRecord) -> str:
    return ", ".join(f"{what}={count}" for what, count in record.counts().items())


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


@main.command("eval")
@click.argument(
    "cases", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an HTML report (summary, confusion matrix, latency, worst cases).",
)
@click.option(
    "--gate",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML thresholds; exit 1 naming each metric below its minimum.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Cases run at the same time.",
)
def evaluate(
    cases: tuple[Path, ...],
    as_json: bool,
    report: Path | None,
    gate: Path | None,
    concurrency: int,
) -> None:
    """Run cases (JSONL) through the real engine, offline and isolated, and score them."""
    from bot.evaluation import apply_gate, confusion, load_gate, read_cases, run, summarize

    settings = _settings()
    loaded = []
    for path in cases:
        found, problems = read_cases(path)
        for problem in problems:
            click.echo(f"switchboard: skipped {problem}", err=True)
        loaded.extend(found)
    if not loaded:
        click.echo("switchboard: no valid case to run", err=True)
        sys.exit(2)
    try:
        thresholds = load_gate(gate) if gate is not None else None
    except ValueError as exc:
        click.echo(f"switchboard: {exc}", err=True)
        sys.exit(2)

    with click.progressbar(length=len(loaded), label="evaluating", file=sys.stderr) as bar:
        outcome = asyncio.run(run(loaded, settings, concurrency=concurrency, progress=bar.update))
    results = outcome.results
    summary = summarize(results)
    verdict = apply_gate(summary, thresholds) if thresholds is not None else None

    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(render_summary(summary, outcome.seconds))
    if report is not None:
        from bot.eval_report import render

        title = "Switchboard evaluation: " + ", ".join(path.name for path in cases)
        report.write_text(
            render(summary, results, title=title, confusion=confusion(results), gate=verdict),
            "utf-8",
        )
        click.echo(f"report written to {report}", err=True)
    if verdict is not None:
        for _, passed, message in verdict:
            click.echo(f"gate {'pass' if passed else 'FAIL'}: {message}", err=True)
        if not all(passed for _, passed, _ in verdict):
            sys.exit(1)


def render_summary(summary: Mapping[str, Any], elapsed: float) -> str:
    def show(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.3f}"
        return str(value)

    n = summary["n"]
    rate = n / elapsed if elapsed else float("inf")
    lines = [f"{n} cases in {elapsed:.2f} s ({rate:.0f} cases/s, start-up excluded)", ""]
    for key, value in summary.items():
        if key == "route" and value:
            lines.append("route               precision  recall     f1")
            for route, scores in value.items():
                lines.append(
                    f"  {route:17} {show(scores['precision']):>9} {show(scores['recall']):>7}"
                    f" {show(scores['f1']):>6}"
                )
        elif isinstance(value, dict):
            lines.append(f"{key:22} p50 {show(value['p50'])}  p95 {show(value['p95'])}")
        elif key != "route":
            lines.append(f"{key:22} {show(value)}")
    return "\n".join(lines)
