"""Voice through Twilio: ConversationRelay with streamed speech, or plain `<Gather>`.

`POST /twilio/voice` (the number's "A call comes in" webhook, signature
checked) answers with `<Connect><ConversationRelay>`: the language is the
caller's conversation language (else their number's country), and the
welcome greeting comes from `locales/`. Twilio then opens the relay WebSocket
(`/twilio/relay`, its `X-Twilio-Signature` checked on the handshake) and sends
the caller's words as `prompt` messages; each becomes an inbound event, and
the reply is sent back as `text` tokens while it is produced, so Twilio starts
speaking before the answer is complete.

- A conversation is one call (`call_address`: its CallSid, then the caller's
  number), so two calls from one number at once (a company switchboard, a
  withheld caller ID) never hear each other. The number stays in the address
  for agents, exports and erasure; what a caller said in an earlier call is
  not carried into the next one.
- Every relay message is read by `parse_relay_message`, strictly: a frame it
  refuses is logged and ignored, and a socket whose first frame is not a
  `setup` (or that sends none in time) is closed with 1008.
- An `interrupt` (the caller spoke over the bot) stops the tokens of the answer
  being spoken, and nothing more of it is said. When the relay is held by the
  process that answers, the transcript records only what had been spoken
  (`utteranceUntilInterrupt`); tokens from a worker elsewhere reach the relay
  through `bot.fanout`, tagged with their answer, and the relay's process drops
  the rest of an interrupted one (the transcript keeps the whole reply).
- The final `send` speaks what the caller has not heard of the message: the end
  of the streamed text, or the whole message when it replaces what was streamed
  (an answer cut by a failure or a guard).
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
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeAlias

from aiohttp import WSCloseCode, WSMsgType, web
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
from bot.model import Address, Inbound, clipped, new_id
from bot.reply import Reply
from bot.statemachine import State
from bot.store import Store
from bot.web_input import too_deep
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
_SETUP_WAIT = 10.0  # Twilio sends `setup` as soon as the socket is open
MAX_RELAY_FRAME = 64 * 1024
"""The largest relay frame read, in UTF-8 bytes (a prompt is a sentence or two)."""
# Twilio's messages nest two deep (setup's customParameters); room for fields it may add.
_RELAY_DEPTH = 16
_CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
_MAX_CALLER = 128
# Replies streamed and not yet sent that one process remembers: a reply that is
# never sent (empty, or its turn abandoned) must not be kept for ever.
_KEPT_STREAMS = 1024


# -- relay messages ---------------------------------------------------------------------------
# What Twilio sends on the relay WebSocket, per /work/shared/specs/twilio/conversationrelay.md
# (https://www.twilio.com/docs/voice/conversationrelay/websocket-messages). Only the fields
# we read are checked; fields we do not know are ignored, so Twilio may add some.


class RelayFrameError(ValueError):
    """A relay frame that is not one of Twilio's messages as we read them; says why
    (never quoting the frame, which holds what the caller said)."""


@dataclass(frozen=True, slots=True)
class RelaySetup:
    """The first message: which call this socket carries."""

    call_sid: str
    caller: str  # `from`: a number, or what Twilio shows for a withheld one


@dataclass(frozen=True, slots=True)
class RelayPrompt:
    """What the caller said; `last=False` marks a partial transcript."""

    text: str
    lang: str | None = None
    last: bool = True


@dataclass(frozen=True, slots=True)
class RelayDtmf:
    digit: str


@dataclass(frozen=True, slots=True)
class RelayInterrupt:
    """The caller spoke over the app, having heard `heard` of it."""

    heard: str = ""
    duration_ms: float | None = None


@dataclass(frozen=True, slots=True)
class RelayProblem:
    """Twilio's `error` message: something the app sent was refused."""

    description: str = ""


RelayMessage: TypeAlias = RelaySetup | RelayPrompt | RelayDtmf | RelayInterrupt | RelayProblem


def parse_relay_message(raw: str) -> RelayMessage:
    """One relay text frame as a typed message; `RelayFrameError` for anything else.

    Refused: more than `MAX_RELAY_FRAME` bytes, JSON nested more than 16 deep (Python's
    parser recurses; Twilio's messages nest two deep), text that is not JSON (NaN and
    Infinity included), a value that is not an object, a missing or unknown `type`, a
    field of the wrong type, text that is not valid Unicode (a lone surrogate), and a
    `callSid` or `from` that could not key a conversation. A field that may be absent
    may also be null.
    """
    if len(raw) > MAX_RELAY_FRAME or len(raw.encode("utf-8", "surrogatepass")) > MAX_RELAY_FRAME:
        _refuse(f"larger than {MAX_RELAY_FRAME} bytes")
    if too_deep(raw, _RELAY_DEPTH):
        _refuse("nested too deep")
    try:
        frame = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # too_deep rules the second out; kept as a seatbelt
        _refuse("not JSON")
    if not isinstance(frame, dict):
        _refuse("not a JSON object")
    match frame.get("type"):
        case "setup":
            return _setup(frame)
        case "prompt":
            return RelayPrompt(
                _text(frame, "voicePrompt"),
                _optional_text(frame, "lang"),
                _flag(frame, "last", default=True),
            )
        case "dtmf":
            return RelayDtmf(_text(frame, "digit"))
        case "interrupt":
            heard = _optional_text(frame, "utteranceUntilInterrupt") or ""
            return RelayInterrupt(heard, _duration(frame))
        case "error":
            return RelayProblem(_optional_text(frame, "description") or "")
        case _:
            _refuse("missing or unknown type")


def _refuse(reason: str) -> NoReturn:
    raise RelayFrameError(reason)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _setup(frame: dict[str, Any]) -> RelaySetup:
    call_sid = _text(frame, "callSid")
    if not _CALL_SID.fullmatch(call_sid):
        _refuse("callSid is not a call SID")
    caller = _optional_text(frame, "from") or ""
    if not _caller_ok(caller):
        _refuse("from is not a caller")
    return RelaySetup(call_sid, caller)


def _text(frame: dict[str, Any], name: str) -> str:
    value = _optional_text(frame, name)
    if value is None:
        _refuse(f"{name} is missing")
    return value


def _optional_text(frame: dict[str, Any], name: str) -> str | None:
    value = frame.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        _refuse(f"{name} is not a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which "\ud800" in JSON can make
        _refuse(f"{name} is not valid Unicode")
    return value


def _flag(frame: dict[str, Any], name: str, *, default: bool) -> bool:
    value = frame.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        _refuse(f"{name} is not a boolean")
    return value


_NUMERAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?")
_LONGEST_MS = 24 * 3600 * 1000  # no one speaks over a day-long answer


def _duration(frame: dict[str, Any]) -> float | None:
    # A number on Twilio's current page, a string on an older one: both are read.
    value = frame.get("durationUntilInterruptMs")
    if value is None:
        return None
    if isinstance(value, str) and _NUMERAL.fullmatch(value):
        return float(value)
    if isinstance(value, bool):
        _refuse("durationUntilInterruptMs is not a duration")
    # An int is bounded before it becomes a float: 1e400 written out would overflow.
    if isinstance(value, int) and 0 <= value <= _LONGEST_MS:
        return float(value)
    if isinstance(value, float) and 0 <= value <= _LONGEST_MS:
        return value
    _refuse("durationUntilInterruptMs is not a duration")


def _caller_ok(caller: str) -> bool:
    """Whether `caller` (Twilio's `From`) can be part of a conversation's address: short,
    printable, no braces (they would end a Redis hash tag early)."""
    return (
        len(caller) <= _MAX_CALLER
        and caller.isprintable()
        and "{" not in caller
        and "}" not in caller
    )


def call_address(call_sid: str, caller: str) -> Address:
    """A call's address: the call itself (its CallSid), then the caller's number.

    Keyed by the call, two calls from one number at once are two conversations, and
    neither hears the other. The number comes last, as in WhatsApp's `whatsapp:+1…`: the
    agents see it, a masked id still ends in its last digits, and the number alone names
    every call in an export or an erasure (`bot.store.base.names_conversation`).
    """
    return Address(TwilioVoice.name, f"{call_sid}:{caller}" if caller else call_sid)


# -- the channel ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Call:
    """One live relay session."""

    ws: web.WebSocketResponse
    address: Address
    call_sid: str
    caller: str
    prompts: int = 0
    # Which answer's tokens went to Twilio last, and which one the caller talked over
    # (with what they had heard of it). An answer is one `stream`, so a retried turn
    # that repeats a reply's id is not taken for the one interrupted.
    speaking: str | None = None
    cut: str | None = None
    heard: str = ""


@dataclass(frozen=True, slots=True)
class _Streamed:
    """What `stream` showed of a reply, for `send` to finish it."""

    speech: str
    text: str
    interrupted: bool


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
        self._calls: dict[str, _Call] = {}  # by address id: one per call
        # Replies this process streamed, until `send` finishes them (oldest first).
        self._streamed: dict[str, _Streamed] = {}

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
        address = _webhook_call(params)
        if address is None:
            return web.json_response({"error": "not a Twilio voice webhook"}, status=400)
        caller = params["From"]
        language = await self._language(address, caller)
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

    async def _language(self, address: Address, caller: str) -> str:
        # The call's own conversation (a language switched in an earlier <Gather> turn),
        # then the caller's SMS one; a voice conversation is one call, so an earlier
        # call's language is not found.
        places = [address.conversation_id] + ([f"twilio:{caller}"] if caller else [])
        for conversation_id in places:
            conversation = await self._store.get_conversation(conversation_id)
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
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_RELAY_FRAME)
        await ws.prepare(request)
        call: _Call | None = None
        try:
            while not ws.closed:
                try:
                    message = await ws.receive(timeout=_SETUP_WAIT if call is None else None)
                except TimeoutError:
                    await _refuse_session(ws, f"no setup in {_SETUP_WAIT:.0f} s")
                    break
                if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                    break
                if message.type is WSMsgType.ERROR:
                    # aiohttp has closed the socket already, with 1009 for a frame over
                    # MAX_RELAY_FRAME and 1007 for one that is not UTF-8.
                    log.info("voice: relay socket error: %s", ws.exception())
                    break
                if message.type is not WSMsgType.TEXT:
                    if call is None:
                        await _refuse_session(ws, "the first relay frame is not text")
                        break
                    log.info("voice: a relay frame on call %s is not text", call.call_sid)
                    continue
                try:
                    parsed = parse_relay_message(message.data)
                except RelayFrameError as exc:
                    if call is None:
                        await _refuse_session(ws, f"the first relay frame is refused: {exc}")
                        break
                    log.info("voice: a relay frame on call %s refused: %s", call.call_sid, exc)
                    continue
                if call is not None:
                    await self._on(call, parsed)
                elif isinstance(parsed, RelaySetup):
                    call = await self._open(ws, parsed)
                else:
                    await _refuse_session(ws, "the first relay frame is not a setup")
                    break
        finally:
            if call is not None and self._calls.get(call.address.id) is call:
                del self._calls[call.address.id]
                await self._fanout.detach(call.address.conversation_id)
        return ws

    async def _open(self, ws: web.WebSocketResponse, setup: RelaySetup) -> _Call:
        address = call_address(setup.call_sid, setup.caller)
        call = _Call(ws, address, setup.call_sid, setup.caller)
        # A second socket for the same call (Twilio reconnecting) takes over from the first.
        self._calls[address.id] = call
        await self._fanout.attach(address.conversation_id, _relay_sink(call))
        return call

    async def _on(self, call: _Call, message: RelayMessage) -> None:
        match message:
            case RelayPrompt(text=text, lang=lang, last=True):
                await self._prompt(call, text, lang)
            case RelayDtmf(digit="0"):
                await self._submit(call, "", command="human")
            case RelayInterrupt(heard=heard):
                call.cut, call.heard = call.speaking, heard
            case RelayProblem(description=description):
                log.warning("voice: Twilio reported on %s: %s", call.call_sid, description[:300])
            case RelaySetup():
                log.info("voice: a second setup on call %s, ignored", call.call_sid)

    async def _prompt(self, call: _Call, text: str, lang: str | None) -> None:
        if text.strip():
            await self._submit(call, text.strip(), locale=lang or None)

    async def _submit(
        self, call: _Call, text: str, *, locale: str | None = None, command: str | None = None
    ) -> None:
        call.prompts += 1
        text, too_long = clipped(text, self._settings.max_message_chars)
        event = Inbound(
            address=call.address,
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
        speech = new_id()
        streamed: list[str] = []
        interrupted = False
        call = self._calls.get(address.id)
        try:
            if call is None:
                # The relay is held by another process (or the caller hung up); that
                # process drops the rest of this speech if the caller talks over it.
                cid = address.conversation_id
                async for piece in reply:
                    await self._fanout.publish(cid, _token(for_sms(piece), False, speech))
                    streamed.append(piece)
                return
            async for piece in reply:
                if call.cut == speech or call.ws.closed:
                    break
                call.speaking = speech
                await call.ws.send_json(_token(for_sms(piece), False))
                streamed.append(piece)
            interrupted = call.cut == speech
            if interrupted:
                reply.spoken = call.heard
        finally:
            # Kept even when the reply fails half way, so `send` knows what was heard.
            self._remember(reply.id, _Streamed(speech, "".join(streamed), interrupted))

    def _remember(self, reply_id: str, streamed: _Streamed) -> None:
        self._streamed.pop(reply_id, None)
        self._streamed[reply_id] = streamed
        while len(self._streamed) > _KEPT_STREAMS:
            del self._streamed[next(iter(self._streamed))]

    async def send(self, address: Address, message: Message) -> None:
        cid = address.conversation_id
        if self._settings.twilio_voice_mode == "gather":
            await self._fanout.publish(cid, {"type": "said", "text": message.text})
            return
        streamed = self._streamed.pop(message.id, None)
        if streamed is None:
            await self._fanout.publish(cid, _token(for_sms(message.text), True))
            return
        if streamed.interrupted:
            return  # the caller talked over it; nothing more to say
        # The caller heard the streamed text: say the rest of the message, or the whole
        # of one that replaces it (an answer cut by a failure or a guard).
        text = message.text
        if text.startswith(streamed.text):
            text = text[len(streamed.text) :]
        await self._fanout.publish(cid, _token(for_sms(text), True, streamed.speech))

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
        address = _webhook_call(params)
        if address is None:
            return web.json_response({"error": "not a Twilio voice webhook"}, status=400)
        speech = params.get("SpeechResult", "").strip()
        language = await self._language(address, params["From"])
        tag = VOICE_TAGS.get(language, "en-US")
        base = _base(request, self._settings.public_url)
        response = VoiceResponse()
        if speech:
            answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            cid = address.conversation_id
            await self._fanout.attach(cid, _gather_sink(answer))
            try:
                await self._inbox.submit(
                    Entry.message(
                        Inbound(
                            address=address,
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
            conversation = await self._store.load(cid)
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


def _webhook_call(params: dict[str, str]) -> Address | None:
    """The call a voice webhook is about (`CallSid` and `From`), or None."""
    call_sid, caller = params.get("CallSid", ""), params.get("From", "")
    if not _CALL_SID.fullmatch(call_sid) or not caller or not _caller_ok(caller):
        return None
    return call_address(call_sid, caller)


def _token(text: str, last: bool, speech: str | None = None) -> Frame:
    """A `text` message for Twilio; `speech` (for the relay's process, never sent to
    Twilio) names the answer it belongs to, so an interrupted one can be dropped."""
    frame: Frame = {"type": "text", "token": text, "last": last}
    if speech is not None:
        frame["speech"] = speech
    return frame


def _relay_sink(call: _Call) -> Callable[[Frame], Awaitable[None]]:
    async def forward(frame: Frame) -> None:
        kind = frame.get("type")
        if call.ws.closed or kind not in ("text", "end"):
            return
        if kind == "end":
            await call.ws.send_json(frame)
            return
        speech = frame.get("speech")
        if speech is not None and speech == call.cut:
            return  # the caller talked over this answer: nothing more of it
        call.speaking = speech if isinstance(speech, str) else None
        last = frame.get("last") is True
        await call.ws.send_json(_token(str(frame.get("token", "")), last))

    return forward


def _gather_sink(answer: asyncio.Future[str]) -> Callable[[Frame], Awaitable[None]]:
    async def resolve(frame: Frame) -> None:
        if frame.get("type") == "said" and not answer.done():
            answer.set_result(str(frame.get("text", "")))

    return resolve


async def _refuse_session(ws: web.WebSocketResponse, reason: str) -> None:
    # Without a setup there is no call to answer: closing ends Twilio's session (its
    # <Connect action> then hangs up) instead of leaving the caller in silence.
    log.info("voice: relay socket closed: %s", reason)
    await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"setup expected")


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
    await ws.send_json(_token(text, True))


def _twiml(response: VoiceResponse) -> web.Response:
    return web.Response(text=str(response), content_type="text/xml")
