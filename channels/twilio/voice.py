"""Voice through Twilio: ConversationRelay with streamed speech, or plain `<Gather>`.

`POST /twilio/voice` (the number's "A call comes in" webhook, signature
checked) answers with `<Connect><ConversationRelay>`: the language is the
caller's conversation language (else their number's country), and the
welcome greeting comes from `locales/`. Twilio then opens the relay WebSocket
(`/twilio/relay`, its `X-Twilio-Signature` checked on the handshake) and sends
the caller's words as `prompt` messages; each becomes an inbound event, and
the reply is sent back as `text` tokens while it is produced, so Twilio starts
speaking before the answer is complete.

- An `interrupt` (the caller spoke over the bot) stops the tokens, and the
  transcript records only what had been spoken (`utteranceUntilInterrupt`).
  That needs the relay to be held by the process that answers; tokens from a
  worker elsewhere reach the relay through `bot.fanout`, and an interruption
  there only stops them (the transcript keeps the whole reply).
- DTMF `0` asks for a person.
- A handoff ends the relay session with `handoffData`; Twilio then calls the
  `<Connect action>` (`/twilio/voice/ended`), which answers with `<Dial>` to
  `AGENT_PHONE_NUMBER`, or `<Enqueue>` into `TWILIO_VOICE_QUEUE` without one.
  The ticket reaches the agents like any other handoff.

`TWILIO_VOICE_MODE=gather` is for accounts without ConversationRelay: each
turn is a `<Gather input="speech">`, answered with `<Say>` once the whole
reply is known (no streaming; Twilio waits up to 15 s for the webhook).

Not handled: an interrupt that arrives after every token was sent (Twilio is
still speaking) leaves the full reply in the transcript, because the turn has
already been saved by then.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Connect, VoiceResponse

from bot.config import Settings
from bot.effects import Message
from bot.errors import InboxUnavailable
from bot.events import Entry
from bot.fanout import Fanout, Frame
from bot.i18n import Catalog
from bot.inbox import Inbox
from bot.language import LanguageDetector, language_for_phone
from bot.model import Address, Inbound, clipped
from bot.reply import Reply
from bot.statemachine import State
from bot.store import Store
from channels.base import Channel
from channels.twilio.messaging import for_sms
from channels.twilio.signature import SIGNATURE_HEADER, form_params, is_from_twilio, public_url

log = logging.getLogger(__name__)

# The BCP 47 tag Twilio's speech services use for each supported language.
VOICE_TAGS = {
    "en": "en-US",
    "es": "es-ES",
    "fr": "fr-FR",
    "de": "de-DE",
    "pt": "pt-BR",
    "it": "it-IT",
    "nl": "nl-NL",
    "tr": "tr-TR",
    "id": "id-ID",
    "pl": "pl-PL",
}
_GATHER_WAIT = 12.0  # Twilio gives a webhook 15 s


@dataclass(slots=True)
class _Call:
    """One live relay session."""

    ws: web.WebSocketResponse
    call_sid: str
    caller: str
    prompts: int = 0
    interrupted: asyncio.Event = field(default_factory=asyncio.Event)
    heard: str | None = None


class TwilioVoice(Channel):
    name = "voice"

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        inbox: Inbox,
        catalog: Catalog,
        detector: LanguageDetector,
        fanout: Fanout,
    ) -> None:
        assert settings.twilio_auth_token is not None
        self._settings = settings
        self._store = store
        self._inbox = inbox
        self._catalog = catalog
        self._detector = detector
        self._fanout = fanout
        self._validator = RequestValidator(settings.twilio_auth_token.reveal())
        self._calls: dict[str, _Call] = {}
        # Replies this process streamed, and whether the caller cut them off.
        self._streamed: dict[str, bool] = {}

    def setup(self, app: web.Application) -> None:
        app.router.add_post("/twilio/voice", self._incoming)
        app.router.add_post("/twilio/voice/ended", self._ended)
        app.router.add_post("/twilio/voice/gather", self._gather)
        app.router.add_get("/twilio/relay", self._relay)
        app.on_shutdown.append(self._hang_up_all)

    # -- the call -------------------------------------------------------------------------

    async def _incoming(self, request: web.Request) -> web.Response:
        params = await form_params(request)
        if not is_from_twilio(self._validator, request, params, self._settings.public_url):
            return web.json_response({"error": "missing or wrong X-Twilio-Signature"}, status=403)
        caller, call_sid = params.get("From", ""), params.get("CallSid", "")
        if not caller or not call_sid:
            return web.json_response({"error": "not a Twilio voice webhook"}, status=400)
        language = await self._language(caller)
        greeting = for_sms(
            self._catalog.text(language, "greeting", bot_name=self._settings.bot_name)
        )
        base = _base(request, self._settings.public_url)
        response = VoiceResponse()
        if self._settings.twilio_voice_mode == "gather":
            gather = response.gather(
                input="speech",
                action=f"{base}/twilio/voice/gather",
                language=VOICE_TAGS.get(language, "en-US"),
                speech_timeout="auto",
            )
            gather.say(greeting, language=VOICE_TAGS.get(language, "en-US"))
            return _twiml(response)
        connect = Connect(action=f"{base}/twilio/voice/ended")
        connect.conversation_relay(
            url=_websocket(base) + "/twilio/relay",
            language=VOICE_TAGS.get(language, "en-US"),
            welcome_greeting=greeting,
            dtmf_detection=True,
            interruptible="any",
        )
        response.append(connect)
        return _twiml(response)

    async def _ended(self, request: web.Request) -> web.Response:
        """The relay session is over: connect a person when the bot handed off."""
        params = await form_params(request)
        if not is_from_twilio(self._validator, request, params, self._settings.public_url):
            return web.json_response({"error": "missing or wrong X-Twilio-Signature"}, status=403)
        response = VoiceResponse()
        handoff = _handoff(params.get("HandoffData"))
        if handoff is None:
            response.hangup()
        elif self._settings.agent_phone_number is not None:
            response.dial(self._settings.agent_phone_number)
        else:
            response.enqueue(self._settings.twilio_voice_queue)
        return _twiml(response)

    async def _language(self, caller: str) -> str:
        for channel in (self.name, "twilio"):
            conversation = await self._store.get_conversation(f"{channel}:{caller}")
            if conversation is not None and conversation.language:
                return conversation.language
        hint = language_for_phone(caller, self._settings.supported_languages)
        return hint or self._settings.default_language

    # -- the relay WebSocket ---------------------------------------------------------------

    async def _relay(self, request: web.Request) -> web.StreamResponse:
        url = _websocket(public_url(request, self._settings.public_url))
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self._validator.validate(url, {}, signature):
            return web.json_response({"error": "missing or wrong X-Twilio-Signature"}, status=403)
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
        await ws.prepare(request)
        call: _Call | None = None
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(message.data)
                except ValueError:
                    log.warning("voice: a relay frame that is not JSON")
                    continue
                if not isinstance(frame, dict):
                    continue
                kind = frame.get("type")
                if kind == "setup":
                    call = _Call(ws, str(frame.get("callSid", "")), str(frame.get("from", "")))
                    self._calls[call.caller] = call
                    await self._fanout.attach(_conversation(call.caller), _relay_sink(ws))
                elif call is None:
                    log.warning("voice: %s before setup", kind)
                elif kind == "prompt" and frame.get("last", True):
                    await self._prompt(call, str(frame.get("voicePrompt", "")), frame.get("lang"))
                elif kind == "dtmf" and str(frame.get("digit")) == "0":
                    await self._submit(call, "", command="human")
                elif kind == "interrupt":
                    call.heard = str(frame.get("utteranceUntilInterrupt", ""))
                    call.interrupted.set()
                elif kind == "error":
                    log.warning("voice: Twilio reported %s", frame.get("description"))
        finally:
            if call is not None and self._calls.get(call.caller) is call:
                del self._calls[call.caller]
                await self._fanout.detach(_conversation(call.caller))
        return ws

    async def _prompt(self, call: _Call, text: str, lang: Any) -> None:
        if text.strip():
            await self._submit(call, text.strip(), locale=str(lang) if lang else None)

    async def _submit(
        self, call: _Call, text: str, *, locale: str | None = None, command: str | None = None
    ) -> None:
        call.prompts += 1
        text, too_long = clipped(text, self._settings.max_message_chars)
        event = Inbound(
            address=Address(self.name, call.caller),
            text=text,
            too_long=too_long,
            message_id=f"{call.call_sid}:{call.prompts}",
            locale=locale or language_for_phone(call.caller, self._settings.supported_languages),
            command=command,
        )
        try:
            await self._inbox.submit(Entry.message(event))
        except InboxUnavailable:
            language = self._detector.from_hint(event.locale) or self._settings.default_language
            await _say(call.ws, self._catalog.text(language, "busy"))

    # -- delivery ------------------------------------------------------------------------------

    async def stream(self, address: Address, reply: Reply) -> None:
        if self._settings.twilio_voice_mode == "gather":
            await reply.text()  # <Say> speaks a whole reply
            return
        call = self._calls.get(address.id)
        if call is None:
            # The relay is held by another process (or the caller hung up).
            async for piece in reply:
                token = {"type": "text", "token": for_sms(piece), "last": False}
                await self._fanout.publish(address.conversation_id, token)
            self._streamed[reply.id] = False
            return
        call.interrupted.clear()
        call.heard = None
        async for piece in reply:
            if call.interrupted.is_set():
                break
            await call.ws.send_json({"type": "text", "token": for_sms(piece), "last": False})
        if call.interrupted.is_set():
            reply.spoken = call.heard or ""
        self._streamed[reply.id] = call.interrupted.is_set()

    async def send(self, address: Address, message: Message) -> None:
        cid = address.conversation_id
        if self._settings.twilio_voice_mode == "gather":
            await self._fanout.publish(cid, {"type": "said", "text": message.text})
            return
        interrupted = self._streamed.pop(message.id, None)
        if interrupted:
            return  # the caller talked over it; nothing more to say
        token = "" if interrupted is False else for_sms(message.text)
        await self._fanout.publish(cid, {"type": "text", "token": token, "last": True})

    async def state_changed(self, address: Address, state: State) -> None:
        if state is not State.WAITING_AGENT or self._settings.twilio_voice_mode == "gather":
            return
        # Twilio ends the session and calls the <Connect action> with this data.
        data = {"reason": "handoff", "conversation": address.conversation_id}
        end = {"type": "end", "handoffData": json.dumps(data)}
        await self._fanout.publish(address.conversation_id, end)

    # -- <Gather> mode ------------------------------------------------------------------------

    async def _gather(self, request: web.Request) -> web.Response:
        params = await form_params(request)
        if not is_from_twilio(self._validator, request, params, self._settings.public_url):
            return web.json_response({"error": "missing or wrong X-Twilio-Signature"}, status=403)
        caller = params.get("From", "")
        if not caller:
            return web.json_response({"error": "not a Twilio voice webhook"}, status=400)
        speech = params.get("SpeechResult", "").strip()
        language = await self._language(caller)
        tag = VOICE_TAGS.get(language, "en-US")
        base = _base(request, self._settings.public_url)
        response = VoiceResponse()
        if speech:
            answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            cid = _conversation(caller)
            await self._fanout.attach(cid, _gather_sink(answer))
            try:
                await self._inbox.submit(
                    Entry.message(
                        Inbound(
                            address=Address(self.name, caller),
                            text=speech,
                            # No dedupe key: Twilio does not retry voice webhooks, and a
                            # caller may well say the same words twice in one call.
                            locale=tag,
                        )
                    )
                )
                async with asyncio.timeout(_GATHER_WAIT):
                    said = await answer
            except (InboxUnavailable, TimeoutError):
                said = self._catalog.text(language, "fallback-unavailable")
            finally:
                await self._fanout.detach(cid)
            conversation = await self._store.load(f"{self.name}:{caller}")
            if conversation.ticket is not None and conversation.ticket.status in (
                State.WAITING_AGENT,
                State.WITH_AGENT,
            ):
                response.say(for_sms(said), language=tag)
                if self._settings.agent_phone_number is not None:
                    response.dial(self._settings.agent_phone_number)
                else:
                    response.enqueue(self._settings.twilio_voice_queue)
                return _twiml(response)
        else:
            said = ""
        gather = response.gather(
            input="speech",
            action=f"{base}/twilio/voice/gather",
            language=tag,
            speech_timeout="auto",
        )
        if said:
            gather.say(for_sms(said), language=tag)
        return _twiml(response)

    async def _hang_up_all(self, app: web.Application) -> None:
        for call in list(self._calls.values()):
            await call.ws.close()


def _conversation(caller: str) -> str:
    return Address(TwilioVoice.name, caller).conversation_id


def _relay_sink(ws: web.WebSocketResponse) -> Callable[[Frame], Awaitable[None]]:
    async def forward(frame: Frame) -> None:
        if frame.get("type") in ("text", "end") and not ws.closed:
            await ws.send_json(frame)

    return forward


def _gather_sink(answer: asyncio.Future[str]) -> Callable[[Frame], Awaitable[None]]:
    async def resolve(frame: Frame) -> None:
        if frame.get("type") == "said" and not answer.done():
            answer.set_result(str(frame.get("text", "")))

    return resolve


def _handoff(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) and data.get("reason") == "handoff" else None


def _base(request: web.Request, configured: str | None) -> str:
    url = public_url(request, configured)
    return url[: len(url) - len(request.path_qs)]


def _websocket(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


async def _say(ws: web.WebSocketResponse, text: str) -> None:
    await ws.send_json({"type": "text", "token": text, "last": True})


def _twiml(response: VoiceResponse) -> web.Response:
    return web.Response(text=str(response), content_type="text/xml")
