"""SMS and WhatsApp through Twilio Messaging.

Inbound (`POST /twilio/messages`): the signature is checked against the public
URL (403 otherwise; 400 for a request without Twilio's fields; 413 from
aiohttp when oversized), the message is journaled in the inbox, and only then
Twilio gets an empty TwiML `<Response/>`: the answer goes out later through the
Messages API (the library's async client), so a slow answer never meets
Twilio's 15-second limit. When the inbox cannot take the message the webhook
answers 503 with `Retry-After`, never 200: Twilio retries it where the number's
webhook URL asks for retries (`#rc=3&rp=5xx`, see the README). Twilio may
deliver a webhook twice; the inbox recognises the second by `MessageSid`, and
opt-out keywords are claimed once too.

Outbound: SMS and WhatsApp cannot show a reply growing, so the whole reply is
sent once decided, split at sentence boundaries under Twilio's 1,600-character
body limit, with Markdown turned into WhatsApp's own marks (`*bold*`,
`_italic_`) or plain text for SMS. A send Twilio refuses raises `DeliveryError`,
retryable for 429, 5xx and network failures (the outbox tries again); the parts
of a long reply already sent are remembered, so a retry sends only the rest.
Delivery status callbacks (`POST /twilio/status`, signed like every webhook)
are recorded per message; `failed` and `undelivered` flag the ticket too.

Opt-out: STOP, UNSUBSCRIBE and the other carrier keywords stop every message
to that number until START. Twilio answers the keyword itself on SMS.

One customer, one ticket: with `TWILIO_SHARE_TICKETS=on` the conversation is
the phone number, so SMS then WhatsApp from the same number is one ticket;
replies go out on whichever the customer used last.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.config import Settings
from bot.effects import Message
from bot.errors import DeliveryError, InboxUnavailable
from bot.events import DeliveryFailed, Entry
from bot.inbox import Inbox
from bot.language import language_for_phone
from bot.model import Address, Inbound, clipped
from bot.reply import split_text
from bot.store import Store
from channels.base import Channel
from channels.twilio.signature import form_params, is_from_twilio

log = logging.getLogger(__name__)

MAX_BODY = 1600
WHATSAPP = "whatsapp:"
OPT_OUT = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke"}
)
OPT_IN = frozenset({"start", "unstop", "yes"})
FAILED = frozenset({"failed", "undelivered"})

# Where the customer last wrote from, and to which of our numbers.
MEDIUM_REF = "twilio-medium"
OURS_REF = "twilio-ours"
MESSAGE_REF = "twilio-message"
PART_REF = "twilio-part"  # a part of a reply Twilio took: reply id and part → message SID
STATUS_LOG = "deliveries"

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class TwilioMessaging(Channel):
    name = "twilio"

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        inbox: Inbox,
    ) -> None:
        assert settings.twilio_account_sid is not None
        assert settings.twilio_auth_token is not None
        self._settings = settings
        self._store = store
        self._inbox = inbox
        self._validator = RequestValidator(settings.twilio_auth_token.reveal())
        self._client: Client | None = None

    def setup(self, app: web.Application) -> None:
        app.router.add_post("/twilio/messages", self._incoming)
        app.router.add_post("/twilio/status", self._status)
        app.on_cleanup.append(self._close)

    # -- inbound -------------------------------------------------------------------------

    async def _incoming(self, request: web.Request) -> web.Response:
        params = await form_params(request)
        if not is_from_twilio(self._validator, request, params, self._settings.public_url):
            return web.json_response({"error": "missing or wrong X-Twilio-Signature"}, status=403)
        sid, sender = params.get("MessageSid"), params.get("From", "")
        if not sid or not sender or params.get("AccountSid") != self._settings.twilio_account_sid:
            return web.json_response({"error": "not a Twilio message webhook"}, status=400)
        whatsapp = sender.startswith(WHATSAPP)
        number = sender.removeprefix(WHATSAPP)
        address = self._address(number, whatsapp)
        text, too_long = clipped(params.get("Body", "").strip(), self._settings.max_message_chars)
        keyword = text.lower().strip(" .!")
        if keyword in OPT_OUT | OPT_IN:
            if await self._store.claim(f"twilio-keyword:{sid}", self._settings.dedupe_ttl_seconds):
                await self._opt(number, keyword in OPT_OUT)
            return _twiml()
        await self._store.put_ref(
            MEDIUM_REF, address.conversation_id, WHATSAPP if whatsapp else "sms"
        )
        ours = params.get("To", "").removeprefix(WHATSAPP)
        if ours:
            await self._store.put_ref(OURS_REF, address.conversation_id, ours)
        media = tuple(
            params.get(f"MediaContentType{i}") or "media"
            for i in range(_count(params.get("NumMedia")))
        )
        event = Inbound(
            address=address,
            text=text,
            message_id=sid,
            locale=language_for_phone(number, self._settings.supported_languages),
            media=media,
            too_long=too_long,
        )
        try:
            await self._inbox.submit(Entry.message(event))
        except InboxUnavailable as exc:
            return _unavailable(exc)
        return _twiml()

    def _address(self, number: str, whatsapp: bool) -> Address:
        if whatsapp and self._settings.twilio_share_tickets == "off":
            return Address(self.name, WHATSAPP + number)
        return Address(self.name, number)

    async def _opt(self, number: str, out: bool) -> None:
        await self._store.set_flag(f"optout:{number}", "1" if out else None)
        log.info("twilio: %s opted %s", _masked(number), "out" if out else "back in")

    # -- delivery status -------------------------------------------------------------------

    async def _status(self, request: web.Request) -> web.Response:
        params = await form_params(request)
        if not is_from_twilio(self._validator, request, params, self._settings.public_url):
            return web.json_response({"error": "missing or wrong X-Twilio-Signature"}, status=403)
        sid, status = params.get("MessageSid"), params.get("MessageStatus")
        if not sid or not status:
            return web.json_response({"error": "not a Twilio status callback"}, status=400)
        conversation = await self._store.get_ref(MESSAGE_REF, sid)
        await self._store.put_ref("twilio-status", sid, status)
        await self._store.append_log(
            STATUS_LOG,
            {
                "message": sid,
                "status": status,
                "error": params.get("ErrorCode"),
                "conversation": conversation,
            },
        )
        if status in FAILED and conversation is not None:
            channel, _, customer = conversation.partition(":")
            detail = f"Twilio reported {status} for {sid}"
            if params.get("ErrorCode"):
                detail += f" (error {params['ErrorCode']})"
            failed = DeliveryFailed(Address(channel, customer), detail)
            try:
                await self._inbox.submit(
                    Entry.about(conversation, failed, key=f"twilio-status:{sid}:{status}")
                )
            except InboxUnavailable as exc:
                return _unavailable(exc)
        return web.Response(status=204)

    # -- outbound --------------------------------------------------------------------------

    async def send(self, address: Address, message: Message) -> None:
        text = message.text
        if not text:
            return
        number = address.id.removeprefix(WHATSAPP)
        if await self._store.get_flag(f"optout:{number}"):
            log.info("twilio: not sending to %s, who opted out", _masked(number))
            return
        medium = (
            WHATSAPP
            if address.id.startswith(WHATSAPP)
            else (await self._store.get_ref(MEDIUM_REF, address.conversation_id) or "sms")
        )
        whatsapp = medium == WHATSAPP
        ours = await self._store.get_ref(OURS_REF, address.conversation_id) or (
            self._settings.twilio_whatsapp_from if whatsapp else self._settings.twilio_sms_from
        )
        if ours is None:
            log.error("twilio: no number to send from; set TWILIO_SMS_FROM / TWILIO_WHATSAPP_FROM")
            return
        body = for_whatsapp(text) if whatsapp else for_sms(text)
        if message.author:
            body = f"{message.author}: {body}"
        prefix = WHATSAPP if whatsapp else ""
        for index, part in enumerate(split_text(body, MAX_BODY)):
            sent = f"{message.id}:{index}"
            if await self._store.get_ref(PART_REF, sent) is not None:
                continue  # taken by Twilio on an earlier try of this message
            sid = await self._send(prefix + number, prefix + ours, part)
            await self._store.put_ref(PART_REF, sent, sid)
            await self._store.put_ref(MESSAGE_REF, sid, address.conversation_id)

    async def _send(self, to: str, sender: str, body: str) -> str:
        options: dict[str, Any] = {"to": to, "from_": sender, "body": body}
        if self._settings.public_url is not None:
            options["status_callback"] = f"{self._settings.public_url}/twilio/status"
        try:
            created = await self._api().messages.create_async(**options)
        except TwilioRestException as exc:
            raise DeliveryError(
                f"Twilio refused the message: {exc.msg}", retryable=_retryable(exc.status)
            ) from exc
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(f"Twilio could not be reached: {exc}", retryable=True) from exc
        return str(created.sid)

    def _api(self) -> Client:
        if self._client is None:
            # The async HTTP client needs a running loop, so it is made on first use.
            token = self._settings.twilio_auth_token
            assert token is not None
            self._client = Client(
                self._settings.twilio_account_sid,
                token.reveal(),
                http_client=AsyncTwilioHttpClient(),
            )
            self._client.api.base_url = self._settings.twilio_api_url
        return self._client

    async def _close(self, app: web.Application) -> None:
        if self._client is not None:
            http = self._client.http_client
            if isinstance(http, AsyncTwilioHttpClient):
                await http.close()


# -- text for phones ----------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
# Link text cannot hold a "[" and both parts are bounded: the unbounded form retried
# from every "[" of a long run of them (14 s for 50,000).
_LINK = re.compile(r"\[([^\[\]]{1,500})\]\((https?://[^)\s]{1,2000})\)")
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*]\s+", re.MULTILINE)


def for_whatsapp(text: str) -> str:
    """Markdown in WhatsApp's marks: **bold** → *bold*, links spelled out, headings bold."""
    text = _LINK.sub(r"\1 (\2)", text)
    text = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
    text = _HEADING.sub("", text)
    return _BULLET.sub("• ", text)


def for_sms(text: str) -> str:
    """Markdown as plain text: SMS shows every character as typed."""
    text = _LINK.sub(r"\1 (\2)", text)
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    text = _HEADING.sub("", text)
    return _BULLET.sub("- ", text)


def _twiml(message: str | None = None) -> web.Response:
    if message is None:
        body = _EMPTY_TWIML
    else:
        from xml.sax.saxutils import escape

        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Response><Message>{escape(message)}</Message></Response>"
        )
    return web.Response(text=body, content_type="text/xml")


def _unavailable(exc: InboxUnavailable) -> web.Response:
    # Not 200: Twilio must not think the message was taken. Retry-After says when.
    log.warning("twilio: message not journaled: %s", exc)
    return web.json_response(
        {"error": "busy, try again shortly"}, status=503, headers={"Retry-After": "5"}
    )


def _count(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or "0"), 10))
    except ValueError:
        return 0


def _retryable(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500


def _masked(number: str) -> str:
    return "*" * max(0, len(number) - 4) + number[-4:]
