"""Hostile input from outside: malformed, forged, oversized and oddly typed requests.

Starts the app with every channel on (the local Slack, Telegram and Twilio stand in for
the providers) and sends it requests built to break parsers: bytes that are not UTF-8,
bodies of the wrong content type, JSON nested thousands deep, fields of the wrong type
in requests signed with the right secret (so they reach past the signature check),
non-numeric timestamps, huge values. Every answer must be a clear 2xx or 4xx (413
when too big, 503 when busy); a 5xx is a bug.

    python -m bench.fuzz [--requests 20000] [--seed 1]

Prints one JSON object: counts per status, the 5xx count, and the first 5xx examples.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.config import Settings
from tests.fakes.slack_api import (
    TEST_BOT_TOKEN,
    TEST_SIGNING_SECRET,
    FakeSlack,
    block_action,
    event_callback,
    form_body,
    message_event,
    signed_headers,
)
from tests.fakes.telegram_api import TEST_TOKEN, FakeTelegram, secret_headers, text_update
from tests.fakes.twilio_api import FakeTwilio, incoming_sms, signed

PUBLIC = "https://support.example.com"
TELEGRAM_SECRET = "tg-webhook-secret-0123456789"
ADMIN_TOKEN = "fuzz-admin-token-0123456789"

Request = tuple[str, str, bytes, dict[str, str]]  # method, path, body, headers


def _weird(rng: random.Random) -> Any:
    """A JSON value of a type a field would not expect."""
    return rng.choice(
        [
            None,
            True,
            -1,
            2**70,
            1.5e308,
            "",
            "\u0000",
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
            [],
            [1, "a", None],
            {},
            {"a": {"b": []}},
            "x" * rng.choice([1, 300, 5000]),
        ]
    )


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _mutate(value: Any, rng: random.Random) -> Any:
    """The same structure with some fields replaced by values of the wrong type."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if rng.random() < 0.15:
                continue  # a field left out
            out[key] = _weird(rng) if rng.random() < 0.2 else _mutate(item, rng)
        return out
    if isinstance(value, list):
        return [_mutate(item, rng) for item in value]
    return value


class Builders:
    def __init__(self, twilio: FakeTwilio, rng: random.Random) -> None:
        self.twilio = twilio
        self.rng = rng

    # -- Twilio: forms, signed with the real token so they reach past the check

    def twilio_form(self) -> Request:
        rng = self.rng
        path = rng.choice(
            ["/twilio/messages", "/twilio/status", "/twilio/voice", "/twilio/voice/gather"]
        )
        params = incoming_sms(
            f"+1415555{rng.randrange(10000):04d}",
            "+15550100200",
            rng.choice(["hi", "STOP", "", "x" * 6000, "🙂" * 50, "a@" * 3000]),
            account_sid=self.twilio.account_sid,
        )
        params = {key: value for key, value in params.items() if rng.random() > 0.1}
        if rng.random() < 0.5:
            params[rng.choice(list(params) or ["Body"])] = rng.choice(
                ["", "-1", "99999999999999999999", "\u0000", "NaN", "x" * 3000]
            )
        if path == "/twilio/status":
            params.update(
                MessageSid=rng.choice(["SM" + "0" * 32, "", "x"]),
                MessageStatus=rng.choice(["failed", "delivered", "", "bogus"]),
            )
        if path == "/twilio/voice/gather":
            params["SpeechResult"] = rng.choice(["", "hello", "x" * 5000])
        body = urlencode(params).encode()
        headers = signed(f"{PUBLIC}{path}", params, self.twilio.auth_token)
        return ("POST", path, body, headers)

    def twilio_bytes(self) -> Request:
        rng = self.rng
        path = rng.choice(["/twilio/messages", "/twilio/status", "/twilio/voice"])
        body = rng.choice(
            [
                b"Body=\xff\xfe&From=%2B1",
                bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))),
                b"%" * 50,
                b"a=" + b"%ZZ" * 20,
                b"&&&===",
            ]
        )
        headers = {
            "Content-Type": rng.choice(
                ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
            ),
            "X-Twilio-Signature": rng.choice(["", "bogus", "a" * 500]),
        }
        return ("POST", path, body, headers)

    # -- Slack: signed events and actions with wrong types, and broken headers

    def slack_signed(self) -> Request:
        rng = self.rng
        if rng.random() < 0.6:
            event = message_event(
                rng.choice(["D0CUSTOMER", "C0AGENTS01", ""]),
                "U0CUST",
                rng.choice(["hi", "x" * 6000]),
                channel_type=rng.choice(["im", "channel"]),
            )
            envelope = _mutate(event_callback(event), rng)
            body = json.dumps(envelope)
            kind = "json"
        else:
            action = _mutate(
                block_action("sb_claim", "T-00000000", "U0ADA", "C0AGENTS01", "1.000100"), rng
            )
            body = form_body(action)
            kind = "form"
        if rng.random() < 0.1:
            body = _nested(rng.choice([50, 5000, 50000]))
            kind = "json"
        headers = signed_headers(body, TEST_SIGNING_SECRET, content_type=kind)  # type: ignore[arg-type]
        return ("POST", "/slack/events", body.encode(), headers)

    def slack_headers(self) -> Request:
        rng = self.rng
        body = json.dumps({"type": "event_callback"})
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": rng.choice(["abc", "", "1e99", "-1", "٣٣٣", "12.5"]),
            "X-Slack-Signature": rng.choice(["", "v0=abc", "v0=" + "f" * 64]),
        }
        return ("POST", "/slack/events", body.encode(), headers)

    # -- Telegram: updates with the right secret and wrong types

    def telegram(self) -> Request:
        rng = self.rng
        update = _mutate(text_update(rng.randrange(1, 10**6), 4242, "hi"), rng)
        body = json.dumps(update)
        if rng.random() < 0.1:
            body = _nested(rng.choice([50, 5000, 50000]))
        if rng.random() < 0.05:
            body = "\xff"
        return ("POST", "/telegram/webhook", body.encode(), secret_headers(TELEGRAM_SECRET))

    # -- the admin API

    def admin(self) -> Request:
        rng = self.rng
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
        choice = rng.randrange(4)
        if choice == 0:
            body = rng.choice(
                [_nested(50000), '{"engaged": "yes"}', "nope", json.dumps(_weird(rng))]
            )
            return ("PUT", "/admin/killswitch", body.encode(), headers)
        if choice == 1:
            ticket = rng.choice(["T-00000000", "x" * 300, "%00", "../../etc"])
            action = rng.choice(["claim", "resolve", "release", "bogus"])
            return ("POST", f"/admin/tickets/{ticket}/{action}?agent=" + "a" * 200, b"", headers)
        if choice == 2:
            limit = rng.choice(["-5", "abc", "99999999999999999999", ""])
            return ("GET", f"/admin/handoffs?limit={limit}", b"", headers)
        return ("GET", f"/admin/dead-letters?limit={rng.choice(['x', '0', '1'])}", b"", headers)

    def oversized(self) -> Request:
        rng = self.rng
        path = rng.choice(["/twilio/messages", "/slack/events", "/telegram/webhook"])
        return ("POST", path, b"x" * (1024 * 1024 + 10), {"Content-Type": "application/json"})

    def all(self) -> list[Callable[[], Request]]:
        return [
            self.twilio_form,
            self.twilio_bytes,
            self.slack_signed,
            self.slack_headers,
            self.telegram,
            self.admin,
            self.oversized,
        ]


async def fuzz(requests: int, seed: int, concurrency: int = 20) -> dict[str, Any]:
    rng = random.Random(seed)
    async with FakeSlack() as slack, FakeTelegram() as telegram, FakeTwilio() as twilio:
        settings = Settings.from_env(
            {
                "LOG_LEVEL": "error",
                "ADMIN_TOKEN": ADMIN_TOKEN,
                "PUBLIC_URL": PUBLIC,
                "STREAM_CHUNK_DELAY_MS": "0",
                "INBOX_MAX_PENDING": "100000",
                "SLACK_BOT_TOKEN": TEST_BOT_TOKEN,
                "SLACK_SIGNING_SECRET": TEST_SIGNING_SECRET,
                "SLACK_AGENTS_CHANNEL": "C0AGENTS01",
                "SLACK_API_URL": slack.base_url,
                "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
                "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
                "TELEGRAM_API_URL": telegram.base_url.removesuffix("/bot"),
                "TWILIO_ACCOUNT_SID": twilio.account_sid,
                "TWILIO_AUTH_TOKEN": twilio.auth_token,
                "TWILIO_API_URL": twilio.base_url,
                "TWILIO_SMS_FROM": "+15550100200",
            }
        )
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        builders = Builders(twilio, rng).all()
        statuses: Counter[int] = Counter()
        failures: list[dict[str, Any]] = []
        gate = asyncio.Semaphore(concurrency)
        started = time.perf_counter()
        try:
            async with ClientSession() as session:

                async def one(build: Callable[[], Request]) -> None:
                    method, path, body, headers = build()
                    async with (
                        gate,
                        session.request(
                            method,
                            str(server.make_url(path)),
                            data=io.BytesIO(body),
                            headers=headers,
                        ) as response,
                    ):
                        statuses[response.status] += 1
                        if response.status >= 500 and len(failures) < 10:
                            failures.append(
                                {
                                    "request": f"{method} {path}",
                                    "status": response.status,
                                    "body": body[:200].decode("utf-8", "replace"),
                                }
                            )

                await asyncio.gather(*(one(rng.choice(builders)) for _ in range(requests)))
        finally:
            await server.close()
    return {
        "requests": requests,
        "seconds": round(time.perf_counter() - started, 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "examples": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(fuzz(args.requests, args.seed)), indent=2))


if __name__ == "__main__":
    main()
