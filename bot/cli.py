"""The `switchboard` command."""

from __future__ import annotations

import sys
from typing import Any

import click

from bot import __version__
from bot.config import ConfigError, Settings, markdown_table


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
