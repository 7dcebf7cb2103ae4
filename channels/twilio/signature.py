"""Checking that a webhook came from Twilio.

Twilio signs the full URL it called plus every POST parameter with the auth
token (`X-Twilio-Signature`); the twilio library's `RequestValidator` checks
it. The URL must be the one Twilio used, which is not the one this process
sees behind a Heroku-style router (TLS ends at the router, the app hears
plain HTTP on an internal port). So the URL is rebuilt from `PUBLIC_URL` when
it is set, else from the router's `X-Forwarded-Proto` / `X-Forwarded-Host`
(or `Host`) headers, and the request's own path and query.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from twilio.request_validator import RequestValidator

from bot.web_input import parse_form, text_of

SIGNATURE_HEADER = "X-Twilio-Signature"


def public_url(request: web.Request, configured: str | None) -> str:
    """The URL Twilio called, as Twilio wrote it."""
    if configured is not None:
        return configured.rstrip("/") + request.path_qs
    proto = _first(request.headers.get("X-Forwarded-Proto")) or request.scheme
    host = _first(request.headers.get("X-Forwarded-Host")) or request.host
    return f"{proto}://{host}{request.path_qs}"


def is_from_twilio(
    validator: RequestValidator,
    request: web.Request,
    params: Mapping[str, str],
    configured_url: str | None,
) -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    return bool(validator.validate(public_url(request, configured_url), dict(params), signature))


async def form_params(request: web.Request) -> dict[str, str]:
    """A webhook's form parameters (Twilio posts `application/x-www-form-urlencoded`,
    in UTF-8); a body that is not one is refused with 400 before anything reads it."""
    if request.content_type != "application/x-www-form-urlencoded":
        return {}
    return parse_form(await text_of(request))


def _first(value: str | None) -> str | None:
    # Several proxies in a row append to the header; the first value is the client's view.
    if not value:
        return None
    return value.split(",", 1)[0].strip() or None
