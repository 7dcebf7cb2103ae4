"""SMS and WhatsApp through Twilio, against a local Twilio (`TWILIO_API_URL`).

Webhooks are signed with the twilio library's `RequestValidator`; replies go out
through the library's async client to `FakeTwilio`, which checks them as Twilio
would and sends signed delivery callbacks back.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient

from bot.app import CHANNELS, Runtime
from bot.config import Settings
from bot.effects import Message
from bot.model import Address
from channels.twilio import TwilioMessaging
from tests.conftest import ADMIN_TOKEN, make_settings, settled
from tests.fakes.twilio_api import FakeTwilio, incoming_sms, signed

PUBLIC = "https://support.example.com"
OURS = "+15550100200"
ALICE = "+14155550123"
AppClient = Callable[..., Any]


def twilio_settings(twilio: FakeTwilio, **env: str) -> Settings:
    values = {
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_URL": twilio.base_url,
        "TWILIO_SMS_FROM": OURS,
        "PUBLIC_URL": PUBLIC,
    }
    values.update(env)
    return make_settings(**values)


class Phone:
    """Twilio's side: signed webhooks to the app, as Twilio sends them."""

    def __init__(self, client: TestClient[Any, Any], twilio: FakeTwilio) -> None:
        self.client = client
        self.twilio = twilio

    async def text(
        self,
        body: str,
        *,
        sender: str = ALICE,
        whatsapp: bool = False,
        sid: str | None = None,
        **extra: Any,
    ) -> int:
        params = incoming_sms(
            sender,
            OURS,
            body,
            message_sid=sid,
            account_sid=self.twilio.account_sid,
            whatsapp=whatsapp,
            **extra,
        )
        return await self.post("/twilio/messages", params)

    async def post(
        self, path: str, params: dict[str, str], *, signed_for: str | None = None
    ) -> int:
        url = signed_for or f"{PUBLIC}{path}"
        response = await self.client.post(
            path, data=urlencode(params), headers=signed(url, params, self.twilio.auth_token)
        )
        return response.status


def channel_of(client: TestClient[Any, Any]) -> TwilioMessaging:
    return next(c for c in client.app[CHANNELS].all() if isinstance(c, TwilioMessaging))


async def phone_for(
    app_client: AppClient, twilio: FakeTwilio, **env: str
) -> tuple[Phone, Runtime]:
    client, runtime = await app_client(twilio_settings(twilio, **env))
    twilio.routes[PUBLIC] = str(client.make_url("")).rstrip("/")
    return Phone(client, twilio), runtime


# -- the webhook ------------------------------------------------------------------------


async def test_only_twilio_gets_in(twilio: FakeTwilio, app_client: AppClient) -> None:
    phone, runtime = await phone_for(app_client, twilio)
    params = incoming_sms(ALICE, OURS, "hello", account_sid=twilio.account_sid)
    forged = signed(f"{PUBLIC}/twilio/messages", params, "0" * 32)
    response = await phone.client.post("/twilio/messages", data=urlencode(params), headers=forged)
    assert response.status == 403
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    missing = await phone.client.post("/twilio/messages", data=urlencode(params), headers=unsigned)
    assert missing.status == 403
    # Signed for another URL than the public one: a replay against another endpoint.
    assert await phone.post("/twilio/messages", params, signed_for=f"{PUBLIC}/elsewhere") == 403
    assert await phone.post("/twilio/messages", {"Hello": "world"}) == 400
    huge = urlencode({**params, "Body": "x" * (2 * 1024 * 1024)}).encode()
    too_big = await phone.client.post(
        "/twilio/messages",
        data=io.BytesIO(huge),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert too_big.status == 413
    await settled(runtime)
    assert twilio.messages() == []


async def test_a_text_is_acknowledged_at_once_and_answered_through_the_api(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio)
    params = incoming_sms(
        ALICE, OURS, "what is your return policy?", account_sid=twilio.account_sid
    )
    response = await phone.client.post(
        "/twilio/messages",
        data=urlencode(params),
        headers=signed(f"{PUBLIC}/twilio/messages", params, twilio.auth_token),
    )
    assert response.status == 200
    assert response.content_type == "text/xml"
    assert "<Response/>" in await response.text()  # nothing said in the webhook's answer
    await settled(runtime)
    [sent] = twilio.messages(to=ALICE)
    assert sent.from_ == OURS
    assert "30 days" in sent.body
    assert sent.status_callback == f"{PUBLIC}/twilio/status"
    # Twilio reports the delivery; the app records each status.
    await twilio.wait_for(lambda t: len(t.callbacks) >= 2)
    assert all(callback.status == 204 for callback in twilio.callbacks)
    log = await runtime.store.read_log("deliveries")
    assert [entry["status"] for entry in log][:2] == ["delivered", "sent"]


async def test_behind_a_router_the_forwarded_url_is_the_one_signed(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio, PUBLIC_URL="")
    params = incoming_sms(ALICE, OURS, "hi", account_sid=twilio.account_sid)
    headers = signed("https://bot.example.org/twilio/messages", params, twilio.auth_token)
    plain = await phone.client.post("/twilio/messages", data=urlencode(params), headers=headers)
    assert plain.status == 403  # the app hears http://127.0.0.1:port, Twilio signed https://
    forwarded = {
        **headers,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "bot.example.org",
    }
    through = await phone.client.post(
        "/twilio/messages", data=urlencode(params), headers=forwarded
    )
    assert through.status == 200
    await settled(runtime)
    assert len(twilio.messages(to=ALICE)) == 1


async def test_a_replayed_webhook_sends_nothing_twice(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio)
    for _ in range(3):
        assert await phone.text("what is your return policy?", sid="SM" + "a" * 32) == 200
    await settled(runtime)
    assert len(twilio.messages(to=ALICE)) == 1


# -- what goes out ----------------------------------------------------------------------


async def test_long_replies_split_at_sentences_and_whatsapp_marks(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio, TWILIO_WHATSAPP_FROM=OURS)
    channel = channel_of(phone.client)
    sentence = "Your parcel left our warehouse this morning and is on its way. "
    await channel.send(Address("twilio", ALICE), Message("m1", sentence * 60))
    parts = [m.body for m in twilio.messages(to=ALICE)]
    assert len(parts) == 3
    assert all(len(part) <= 1600 for part in parts)
    assert all(part.endswith("on its way.") for part in parts)

    await phone.text("hola", whatsapp=True)
    await settled(runtime)
    markdown = "**Returns** are free. See [our policy](https://shop.example/returns)."
    await channel.send(Address("twilio", ALICE), Message("m2", markdown))
    last = twilio.messages(to=f"whatsapp:{ALICE}")[-1]
    assert last.from_ == f"whatsapp:{OURS}"
    assert last.body == "*Returns* are free. See our policy (https://shop.example/returns)."


async def test_media_gets_the_text_only_answer_and_is_recorded(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio)
    photo = [("https://api.twilio.com/media/ME1", "image/jpeg")]
    assert await phone.text("", num_media=1, media=photo) == 200
    await settled(runtime)
    [sent] = twilio.messages(to=ALICE)
    assert "only read text" in sent.body
    snapshot = await runtime.store.load(f"twilio:{ALICE}")
    assert snapshot.ticket is not None
    turns = await runtime.store.transcript(snapshot.ticket.id)
    assert turns[0].meta["media"] == ["image/jpeg"]


async def test_stop_means_nothing_more_until_start(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio)
    channel = channel_of(phone.client)
    assert await phone.text("STOP") == 200
    await channel.send(Address("twilio", ALICE), Message("m3", "A message after STOP"))
    await phone.text("what is your return policy?")
    await settled(runtime)
    assert twilio.messages(to=ALICE) == []
    await phone.text("START")
    await channel.send(Address("twilio", ALICE), Message("m4", "Welcome back"))
    assert [m.body for m in twilio.messages(to=ALICE)] == ["Welcome back"]


async def test_failed_sends_are_retried_then_flagged(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio, DELIVERY_RETRY_SECONDS="1")
    twilio.fail("messages", status=500, times=2)
    await phone.text("what is your return policy?")
    await settled(runtime)
    assert len(twilio.messages(to=ALICE)) == 1  # the third try went through

    twilio.fail("messages", status=503, times=10)
    await phone.text("how long does shipping take?")
    await settled(runtime)

    async def flagged() -> str | None:
        snapshot = await runtime.store.load(f"twilio:{ALICE}")
        assert snapshot.ticket is not None
        return snapshot.ticket.fields.get("delivery_problem")

    for _ in range(100):
        if await flagged():
            break
        await asyncio.sleep(0.02)
    assert "Twilio refused the message" in (await flagged() or "")
    # Operators see what did not go out, and why.
    dead = await phone.client.get(
        "/admin/dead-letters", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    [letter] = (await dead.json())["undelivered"]
    assert letter["conversation"] == f"twilio:{ALICE}"
    assert "business days" in letter["text"]


async def test_an_undelivered_status_flags_the_ticket(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio)
    twilio.script_delivery(ALICE, ["sent", "undelivered"], error_code=30003)
    await phone.text("what is your return policy?")
    await settled(runtime)
    await twilio.wait_for(lambda t: len(t.callbacks) >= 2)
    snapshot = await runtime.store.load(f"twilio:{ALICE}")
    assert snapshot.ticket is not None
    assert "undelivered" in snapshot.ticket.fields["delivery_problem"]
    assert "30003" in snapshot.ticket.fields["delivery_problem"]


# -- one customer, one ticket ------------------------------------------------------------


async def test_sms_then_whatsapp_from_one_number_is_one_ticket(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio)
    await phone.text("where is my order?")
    await settled(runtime)
    assert "order number" in twilio.messages(to=ALICE)[-1].body
    await phone.text("10042", whatsapp=True)
    await settled(runtime)
    answer = twilio.messages(to=f"whatsapp:{ALICE}")[-1]
    assert "UPS" in answer.body  # the order flow remembered the question


async def test_tickets_can_be_kept_apart_per_channel(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio, TWILIO_SHARE_TICKETS="off")
    await phone.text("where is my order?")
    await phone.text("10042", whatsapp=True)
    await settled(runtime)
    sms = await runtime.store.load(f"twilio:{ALICE}")
    whatsapp = await runtime.store.load(f"twilio:whatsapp:{ALICE}")
    assert sms.ticket is not None
    assert whatsapp.ticket is not None
    assert sms.ticket.id != whatsapp.ticket.id


async def test_a_message_longer_than_the_limit_is_taken_and_answered_with_the_limit(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    phone, runtime = await phone_for(app_client, twilio, MAX_MESSAGE_CHARS="500")
    words = "Hola, necesito ayuda con mi pedido que no ha llegado todavía. "
    assert await phone.text(words * 40, sender="+34911234567") == 200
    await settled(runtime)
    [sent] = twilio.messages(to="+34911234567")
    assert "demasiado largo" in sent.body  # in the customer's language
    assert "500" in sent.body
    snapshot = await runtime.store.load("twilio:+34911234567")
    assert snapshot.ticket is not None
    [turn, _] = await runtime.store.transcript(snapshot.ticket.id)
    assert len(turn.text) == 500  # kept, cut at the limit
    assert turn.meta["too_long"] == len((words * 40).strip())
