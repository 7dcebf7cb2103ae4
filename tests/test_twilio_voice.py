"""Voice through Twilio: the call webhook, the ConversationRelay WebSocket, handoff, Gather.

Webhooks are signed with the twilio library's `RequestValidator`; `RelayCaller`
plays Twilio's side of the relay WebSocket (signed handshake, setup, prompt,
interrupt, dtmf) and checks every frame the app sends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.statemachine import State
from tests.conftest import make_settings, settled
from tests.fakes.twilio_api import (
    FakeTwilio,
    RelayCaller,
    incoming_call,
    relay_session_ended,
    signed,
)

PUBLIC = "https://support.example.com"
OURS = "+15550100200"
CALLER = "+34911234567"  # Madrid: the call is in Spanish until the caller says otherwise
AGENT = "+15550100999"
AppClient = Callable[..., Any]


def voice_settings(twilio: FakeTwilio, **env: str) -> Settings:
    values = {
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_URL": twilio.base_url,
        "PUBLIC_URL": PUBLIC,
        "STREAM_CHUNK_DELAY_MS": "30",
    }
    values.update(env)
    return make_settings(**values)


async def webhook(
    client: TestClient[Any, Any], twilio: FakeTwilio, path: str, params: dict[str, str]
) -> tuple[int, str]:
    headers = signed(f"{PUBLIC}{path}", params, twilio.auth_token)
    response = await client.post(path, data=urlencode(params), headers=headers)
    return response.status, await response.text()


def caller(client: TestClient[Any, Any], twilio: FakeTwilio, **options: Any) -> RelayCaller:
    return RelayCaller(
        str(client.make_url("/twilio/relay")).replace("http://", "ws://"),
        twilio.auth_token,
        call_sid="CA" + "1" * 32,
        from_=CALLER,
        to=OURS,
        account_sid=twilio.account_sid,
        **{"signature_url": f"{PUBLIC.replace('https://', 'wss://')}/twilio/relay", **options},
    )


async def test_a_call_connects_to_the_relay_in_the_callers_language(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio))
    params = incoming_call(CALLER, OURS, account_sid=twilio.account_sid)
    status, twiml = await webhook(client, twilio, "/twilio/voice", params)
    assert status == 200
    assert f'<Connect action="{PUBLIC}/twilio/voice/ended">' in twiml
    assert 'url="wss://support.example.com/twilio/relay"' in twiml
    assert 'language="es-ES"' in twiml
    greeting = runtime.catalog.text("es", "greeting", bot_name="Switchboard")
    assert re.search(r'welcomeGreeting="([^"]+)"', twiml) is not None
    assert greeting.split(".")[0][:20] in twiml

    forged = signed(f"{PUBLIC}/twilio/voice", params, "0" * 32)
    answer = await client.post("/twilio/voice", data=urlencode(params), headers=forged)
    assert answer.status == 403


async def test_the_answer_is_spoken_while_it_is_produced(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio))
    async with caller(client, twilio) as call:
        await call.say("what is your return policy?", lang="en-US")
        tokens = await call.tokens_until_last(timeout=10)
    assert len(tokens) > 3  # streamed in pieces, the last one empty and marked last
    assert tokens[-1]["last"] is True
    assert all(not token["last"] for token in tokens[:-1])
    spoken = "".join(token["token"] for token in tokens)
    assert "30 days" in spoken
    await settled(runtime)


async def test_a_forged_relay_handshake_is_refused(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, _ = await app_client(voice_settings(twilio))
    with pytest.raises(WSServerHandshakeError) as refused:
        async with caller(client, twilio, signature_url="wss://evil.example.com/twilio/relay"):
            pass
    assert refused.value.status == 403


async def test_an_interruption_keeps_only_what_was_said(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio, STREAM_CHUNK_DELAY_MS="150"))
    async with caller(client, twilio) as call:
        await call.say("what is your return policy?", lang="en-US")
        first = await call.next_frame(timeout=10)
        assert first["type"] == "text"
        await call.interrupt(first["token"].strip(), 400)
        await settled(runtime)
        heard = [f for f in call.frames if f.get("type") == "text"]
    assert len(heard) < 4  # the rest of the answer was not sent
    snapshot = await runtime.store.load(f"voice:{CALLER}")
    assert snapshot.ticket is not None
    turns = await runtime.store.transcript(snapshot.ticket.id)
    bot = [t for t in turns if t.role.value == "bot"][-1]
    assert bot.text == first["token"].strip()
    assert bot.meta["interrupted"] is True


async def test_zero_gets_a_person_on_the_line(twilio: FakeTwilio, app_client: AppClient) -> None:
    client, runtime = await app_client(voice_settings(twilio, AGENT_PHONE_NUMBER=AGENT))
    async with caller(client, twilio) as call:
        await call.press("0")
        tokens = await call.tokens_until_last(timeout=10)
        assert "T-" in "".join(token["token"] for token in tokens)  # the ticket reference
        end = await call.next_frame(timeout=5)
    assert end["type"] == "end"
    snapshot = await runtime.store.load(f"voice:{CALLER}")
    assert snapshot.ticket is not None
    assert snapshot.ticket.status is State.WAITING_AGENT
    handoffs = await runtime.desk.list()
    assert handoffs[0]["ticket"] == snapshot.ticket.id

    ended = relay_session_ended(
        "CA" + "1" * 32, handoff_data=end["handoffData"], account_sid=twilio.account_sid
    )
    status, twiml = await webhook(client, twilio, "/twilio/voice/ended", ended)
    assert status == 200
    assert f"<Dial>{AGENT}</Dial>" in twiml


async def test_without_an_agent_number_the_call_waits_in_a_queue(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, _ = await app_client(voice_settings(twilio))
    data = '{"reason": "handoff", "conversation": "voice:+34911234567"}'
    ended = relay_session_ended("CA" + "2" * 32, handoff_data=data, account_sid=twilio.account_sid)
    _, twiml = await webhook(client, twilio, "/twilio/voice/ended", ended)
    assert "<Enqueue>support</Enqueue>" in twiml
    plain = relay_session_ended("CA" + "3" * 32, handoff_data=None, account_sid=twilio.account_sid)
    _, twiml = await webhook(client, twilio, "/twilio/voice/ended", plain)
    assert "<Hangup" in twiml


async def test_gather_mode_for_accounts_without_relay(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio, TWILIO_VOICE_MODE="gather"))
    params = incoming_call("+14155550123", OURS, account_sid=twilio.account_sid)
    _, twiml = await webhook(client, twilio, "/twilio/voice", params)
    assert '<Gather action="https://support.example.com/twilio/voice/gather"' in twiml
    assert 'input="speech"' in twiml
    turn = {**params, "SpeechResult": "What is your return policy?", "Confidence": "0.92"}
    _, twiml = await webhook(client, twilio, "/twilio/voice/gather", turn)
    assert "<Say" in twiml
    assert "30 days" in twiml
    assert "<Gather" in twiml  # and listens for the next question
    await settled(runtime)
