"""The Slack and Telegram fakes answer like the real APIs, driven by the real client libraries.

Slack tests call `FakeSlack` through slack_sdk's ``AsyncWebClient(token, base_url=...)``,
which (with no retry handler for 429 attached) makes one request per call. Telegram tests
call `FakeTelegram` through python-telegram-bot's ``telegram.Bot(token, base_url=...)``, used
as ``async with bot:`` (which calls getMe, and so checks the token, on entry). A few tests
speak raw HTTP with aiohttp to reach what the libraries never send. The payload builders are
checked against Slack's envelope schema and ``telegram.Update.de_json``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import jsonschema  # type: ignore[import-untyped]  # jsonschema ships no types or py.typed
import pytest
import telegram
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

from tests.fakes.slack_api import (
    FakeSlack,
    app_mention_event,
    block_action,
    bot_message_event,
    event_callback,
    form_body,
    message_event,
    signed_headers,
)
from tests.fakes.telegram_api import (
    FakeTelegram,
    command_update,
    photo_update,
    secret_headers,
    sticker_update,
    text_update,
)

SLACK_TOKEN = "xoxb-test-0000-switchboard"
SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
CHANNEL = "C0SUPPORT"
DM = "D0CUSTOMER"
CUSTOMER = "U0CUSTOMER"
THREAD = "1700000000.000100"
TEAM = "T0TEST"
SECTION: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": "*Order* 42"}}

TG_TOKEN = "123456:TEST-token"
CHAT = 777


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(token=SLACK_TOKEN) as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=SLACK_TOKEN, base_url=slack.base_url)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TG_TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TG_TOKEN, base_url=tg.base_url) as bot:
        yield bot


async def _slack_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


# --- Slack: the Web API -------------------------------------------------------------------


async def test_auth_test_names_the_bot(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["ok"] is True
    assert response["user_id"] == "U0BOT"
    assert response["team_id"] == "T0TEST"


async def test_post_message_with_blocks_is_kept_and_answered_like_slack(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel=CHANNEL, text="Order 42", blocks=[SECTION])
    second = await client.chat_postMessage(channel=CHANNEL, text="Anything else?")

    assert first["channel"] == CHANNEL
    assert first["message"]["text"] == "Order 42"
    assert first["message"]["blocks"] == [SECTION]
    assert first["message"]["bot_id"] == "B0BOT"
    assert first["ts"] != second["ts"]
    assert float(first["ts"]) < float(second["ts"])
    assert [m.text for m in slack.messages(CHANNEL)] == ["Order 42", "Anything else?"]
    assert slack.calls("chat.postMessage")[0] == {
        "channel": CHANNEL,
        "text": "Order 42",
        "blocks": [SECTION],
    }


async def test_form_arguments_are_parsed_like_json_ones(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.api_call(
        "chat.postMessage",
        data={"channel": CHANNEL, "text": "hi", "blocks": json.dumps([SECTION])},
    )
    assert slack.calls("chat.postMessage") == [
        {"channel": CHANNEL, "text": "hi", "blocks": [SECTION]}
    ]
    assert slack.requests[-1].headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_replies_are_kept_per_thread_in_ts_order(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(channel=CHANNEL, text="parent")
    for text in ("one", "two"):
        await client.chat_postMessage(channel=CHANNEL, text=text, thread_ts=parent["ts"])
    await client.chat_postMessage(
        channel=CHANNEL, text="three", thread_ts=parent["ts"], reply_broadcast=True
    )

    assert [m.text for m in slack.messages(CHANNEL)] == ["parent"]
    replies = slack.messages(CHANNEL, thread_ts=parent["ts"])
    assert [m.text for m in replies] == ["one", "two", "three"]
    assert [m.reply_broadcast for m in replies] == [False, False, True]
    assert slack.calls("chat.postMessage")[-1]["reply_broadcast"] is True


async def test_update_replaces_the_text_and_records_the_edit(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=CHANNEL, text="Thinking…", blocks=[SECTION])
    updated = await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="Order 42 shipped")

    assert updated["text"] == "Order 42 shipped"
    assert "edited" in updated["message"]
    message = slack.message(CHANNEL, posted["ts"])
    assert message is not None
    assert message.text == "Order 42 shipped"
    assert message.blocks == [SECTION]  # what an update leaves out, Slack keeps
    assert [edit.text for edit in message.edits] == ["Order 42 shipped"]


async def test_update_of_an_unknown_message_is_message_not_found(
    client: AsyncWebClient,
) -> None:
    error = await _slack_error(client.chat_update(channel=CHANNEL, ts=THREAD, text="x"))
    assert error.response["error"] == "message_not_found"


async def test_stream_methods_build_one_message(slack: FakeSlack, client: AsyncWebClient) -> None:
    started = await client.chat_startStream(
        channel=CHANNEL,
        thread_ts=THREAD,
        markdown_text="Your order ",
        recipient_user_id=CUSTOMER,
        recipient_team_id=TEAM,
    )
    ts = started["ts"]
    assert started["channel"] == CHANNEL
    message = slack.message(CHANNEL, ts)
    assert message is not None
    assert message.streaming
    assert message.thread_ts == THREAD

    await client.chat_appendStream(channel=CHANNEL, ts=ts, markdown_text="has ")
    await client.chat_appendStream(channel=CHANNEL, ts=ts, markdown_text="shipped")
    error = await _slack_error(client.chat_update(channel=CHANNEL, ts=ts, text="no"))
    assert error.response["error"] == "streaming_state_conflict"

    stopped = await client.chat_stopStream(channel=CHANNEL, ts=ts, markdown_text=".")
    assert stopped["ok"] is True
    assert not message.streaming
    assert message.text == "Your order has shipped."
    assert [m.text for m in slack.messages(CHANNEL, thread_ts=THREAD)] == [message.text]

    error = await _slack_error(client.chat_appendStream(channel=CHANNEL, ts=ts, markdown_text="x"))
    assert error.response["error"] == "message_not_in_streaming_state"
    error = await _slack_error(client.chat_stopStream(channel=CHANNEL, ts=THREAD))
    assert error.response["error"] == "message_not_found"


async def test_chat_stream_helper_streams_chunks(slack: FakeSlack, client: AsyncWebClient) -> None:
    stream = await client.chat_stream(
        channel=CHANNEL,
        thread_ts=THREAD,
        buffer_size=8,
        recipient_user_id=CUSTOMER,
        recipient_team_id=TEAM,
    )
    for piece in ("Your order ", "42 has ", "shipped", "."):
        await stream.append(markdown_text=piece)
    await stream.stop()

    assert stream.ts is not None
    message = slack.message(CHANNEL, stream.ts)
    assert message is not None
    assert message.text == "Your order 42 has shipped."
    assert not message.streaming
    # The helper sends its text as markdown_text chunks, never as the markdown_text argument.
    appended = slack.calls("chat.appendStream")
    assert appended
    assert all("markdown_text" not in call for call in appended)
    # It buffers: a flush happens once at least `buffer_size` characters are waiting.
    assert appended == [
        {
            "channel": CHANNEL,
            "ts": stream.ts,
            "chunks": [{"type": "markdown_text", "text": "42 has shipped"}],
        }
    ]
    assert slack.calls("chat.stopStream")[0]["chunks"] == [{"type": "markdown_text", "text": "."}]


async def test_start_stream_to_a_channel_needs_the_recipient(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    error = await _slack_error(client.chat_startStream(channel=CHANNEL, thread_ts=THREAD))
    assert error.response["error"] == "missing_recipient_user_id"
    error = await _slack_error(
        client.chat_startStream(channel=CHANNEL, thread_ts=THREAD, recipient_user_id=CUSTOMER)
    )
    assert error.response["error"] == "missing_recipient_team_id"

    in_dm = await client.chat_startStream(channel=DM, thread_ts=THREAD, markdown_text="Hi")
    assert slack.message(DM, in_dm["ts"]) is not None


async def test_missing_required_argument_is_invalid_arguments(client: AsyncWebClient) -> None:
    error = await _slack_error(client.api_call("chat.postMessage", json={"text": "hello"}))
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: channel"
    ]


async def test_an_argument_not_in_the_method_list_is_rejected(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    # A typo of `thread_ts`: Slack itself would post to the channel instead of the thread.
    error = await _slack_error(
        client.chat_postMessage(channel=CHANNEL, text="hello", thread=THREAD)
    )
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == ["[ERROR] unknown field: thread"]
    assert slack.calls("chat.postMessage") == []
    assert slack.requests[-1].args["thread"] == THREAD


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"channel": CHANNEL}, "no_text"),
        ({"channel": CHANNEL, "text": ""}, "no_text"),
        ({"channel": CHANNEL, "text": "a", "markdown_text": "**a**"}, "markdown_text_conflict"),
        ({"channel": CHANNEL, "blocks": [{"text": "no type"}]}, "invalid_blocks"),
        ({"channel": CHANNEL, "blocks": ["section"]}, "invalid_blocks"),
        ({"channel": CHANNEL, "blocks": "[{not json"}, "invalid_blocks_format"),
        ({"channel": CHANNEL, "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"channel": CHANNEL, "markdown_text": "x" * 12_001}, "invalid_arguments"),
        ({"channel": [CHANNEL], "text": "a"}, "invalid_array_arg"),
        ({"channel": CHANNEL, "text": "a", "reply_broadcast": "maybe"}, "invalid_arguments"),
    ],
)
async def test_invalid_messages_get_slacks_error(
    client: AsyncWebClient, arguments: dict[str, Any], error: str
) -> None:
    failure = await _slack_error(client.api_call("chat.postMessage", json=arguments))
    assert failure.response["error"] == error


async def test_markdown_text_alone_is_a_message(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel=CHANNEL, markdown_text="**Order 42** shipped")
    [message] = slack.messages(CHANNEL)
    assert message.text == message.markdown_text == "**Order 42** shipped"


async def test_users_info_gives_the_locale_only_when_asked(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.add_user(CUSTOMER, "ada", real_name="Ada Lovelace", locale="es-ES", tz="Europe/Madrid")

    plain = await client.users_info(user=CUSTOMER)
    with_locale = await client.users_info(user=CUSTOMER, include_locale=True)

    assert plain["user"]["real_name"] == "Ada Lovelace"
    assert plain["user"]["profile"]["display_name"] == "ada"
    assert plain["user"]["tz"] == "Europe/Madrid"
    assert "locale" not in plain["user"]
    assert with_locale["user"]["locale"] == "es-ES"
    assert slack.requests[-1].http_method == "GET"
    error = await _slack_error(client.users_info(user="U0NOBODY"))
    assert error.response["error"] == "user_not_found"


async def test_conversations_info(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.add_channel(CHANNEL, "support", locale="de-DE")
    channel = (await client.conversations_info(channel=CHANNEL, include_locale=True))["channel"]
    assert (channel["name"], channel["locale"], channel["is_channel"]) == (
        "support",
        "de-DE",
        True,
    )
    dm = (await client.conversations_info(channel=DM))["channel"]
    assert dm["is_im"] is True
    error = await _slack_error(client.conversations_info(channel="U0NOTACHANNEL"))
    assert error.response["error"] == "channel_not_found"


async def test_wrong_or_missing_token_is_refused(slack: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=slack.base_url)
    error = await _slack_error(wrong.chat_postMessage(channel=CHANNEL, text="hi"))
    assert error.response.status_code == 200
    assert error.response["error"] == "invalid_auth"

    anonymous = AsyncWebClient(base_url=slack.base_url)
    error = await _slack_error(anonymous.auth_test())
    assert error.response["error"] == "not_authed"

    # A form argument is another way to send the token; Slack accepts it.
    in_form = await anonymous.api_call("auth.test", data={"token": SLACK_TOKEN})
    assert in_form["ok"] is True
    assert slack.calls("chat.postMessage") == []


async def test_raw_http_bodies_as_slack_reads_them(slack: FakeSlack) -> None:
    url = f"{slack.base_url}chat.postMessage"
    bearer = {"Authorization": f"Bearer {SLACK_TOKEN}"}
    async with aiohttp.ClientSession() as session:
        # Slack takes the token of a JSON call from the header only.
        async with session.post(
            url, json={"token": SLACK_TOKEN, "channel": CHANNEL, "text": "hi"}
        ) as response:
            assert (await response.json())["error"] == "not_authed"
        async with session.post(
            url, data=b'{"channel": "C1"}', headers=bearer, skip_auto_headers=["Content-Type"]
        ) as response:
            assert (await response.json())["error"] == "missing_post_type"
        async with session.post(url, data=b'{"channel": "C1"}', headers=bearer) as response:
            assert (await response.json())["error"] == "invalid_post_type"  # octet-stream
        async with session.post(
            url, data=b"{not json", headers={**bearer, "Content-Type": "application/json"}
        ) as response:
            assert (await response.json())["error"] == "invalid_json"
        async with session.get(
            f"{slack.base_url}users.info",
            params={"token": SLACK_TOKEN, "user": "U0NOBODY"},
        ) as response:
            assert (await response.json())["error"] == "user_not_found"
    assert [r.http_method for r in slack.requests] == ["POST"] * 4 + ["GET"]
    assert slack.requests[-1].args == {"user": "U0NOBODY"}  # the token is never recorded


async def test_unknown_method(client: AsyncWebClient) -> None:
    error = await _slack_error(client.api_call("chat.postEphemeralish", json={"channel": "C"}))
    assert error.response["error"] == "unknown_method"


async def test_fail_answers_the_next_calls_with_the_error(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.fail("chat.startStream", "not_allowed_token_type", times=2)
    for _ in range(2):
        error = await _slack_error(client.chat_startStream(channel=DM, thread_ts=THREAD))
        assert error.response["error"] == "not_allowed_token_type"
    await client.chat_startStream(channel=DM, thread_ts=THREAD)

    assert len(slack.calls("chat.startStream")) == 1
    assert [r.response["ok"] for r in slack.requests] == [False, False, True]
    with pytest.raises(ValueError, match="does not implement"):
        slack.fail("chat.startstream", "x")


async def test_rate_limit_answers_429_with_retry_after(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=3)
    error = await _slack_error(client.chat_postMessage(channel=CHANNEL, text="hi"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "3"
    assert error.response["error"] == "ratelimited"

    await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert [m.text for m in slack.messages(CHANNEL)] == ["hi"]


async def test_wait_for_sees_background_work(slack: FakeSlack, client: AsyncWebClient) -> None:
    async def reply_later() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel=CHANNEL, text="done")

    task = asyncio.create_task(reply_later())
    messages = await slack.wait_for(lambda fake: fake.messages(CHANNEL), timeout=2)
    await task
    assert [m.text for m in messages] == ["done"]


async def test_wait_for_times_out_naming_the_predicate(slack: FakeSlack) -> None:
    def never_posted(fake: FakeSlack) -> bool:
        return bool(fake.messages(CHANNEL))

    with pytest.raises(TimeoutError, match=r"never_posted .* still false after 0.1 s"):
        await slack.wait_for(never_posted, timeout=0.1)


# --- Slack: what it sends us --------------------------------------------------------------


def test_signed_headers_pass_slacks_verifier() -> None:
    body = json.dumps(event_callback(message_event(DM, CUSTOMER, "hi", channel_type="im")))
    headers = signed_headers(body, SIGNING_SECRET)
    verifier = SignatureVerifier(SIGNING_SECRET)

    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + " ", headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/json"
    assert "X-Slack-Retry-Num" not in headers


def test_signed_headers_for_a_stale_retry_of_a_form() -> None:
    body = form_body(block_action("order_confirm", "yes", CUSTOMER, CHANNEL, THREAD))
    stale = int(time.time()) - 600
    headers = signed_headers(
        body, SIGNING_SECRET, timestamp=stale, retry_num=1, content_type="form"
    )

    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["X-Slack-Retry-Num"] == "1"
    assert headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert headers["X-Slack-Request-Timestamp"] == str(stale)
    verifier = SignatureVerifier(SIGNING_SECRET)
    assert not verifier.is_valid_request(body, headers)  # older than five minutes
    assert headers["X-Slack-Signature"] == verifier.generate_signature(
        timestamp=str(stale), body=body
    )


@pytest.mark.parametrize(
    "event",
    [
        message_event(CHANNEL, CUSTOMER, "Where is my order?", thread_ts=THREAD),
        message_event(DM, CUSTOMER, "hola", channel_type="im"),
        app_mention_event(CHANNEL, CUSTOMER, "<@U0BOT> where is my order?"),
        bot_message_event(CHANNEL, "Your order shipped."),
    ],
)
def test_event_envelopes_match_slacks_schema(event: dict[str, Any]) -> None:
    envelope = event_callback(event, event_id="Ev0TEST0001")
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "Ev0TEST0001"
    assert envelope["event"]["event_ts"] == envelope["event"]["ts"]


def test_an_envelope_of_a_bad_event_fails_the_schema() -> None:
    with pytest.raises(jsonschema.ValidationError, match="event_ts"):
        event_callback({"type": "message", "text": "no event_ts"})


def test_event_builders_shape() -> None:
    mention = app_mention_event(CHANNEL, CUSTOMER, "<@U0BOT> help")
    section = mention["blocks"][0]["elements"][0]["elements"]
    assert section == [{"type": "user", "user_id": "U0BOT"}, {"type": "text", "text": " help"}]
    assert "channel_type" not in mention

    dm = message_event(DM, CUSTOMER, "hi", channel_type="im")
    assert (dm["type"], dm["channel_type"], "subtype" in dm) == ("message", "im", False)

    bot = bot_message_event(CHANNEL, "done")
    assert (bot["subtype"], bot["bot_id"], "user" in bot) == ("bot_message", "B0BOT", False)


def test_block_action_travels_as_the_payload_form_field() -> None:
    payload = block_action("order_confirm", "yes", CUSTOMER, CHANNEL, THREAD, trigger_id="1.2.3")
    fields = parse_qs(form_body(payload))

    assert list(fields) == ["payload"]
    parsed = json.loads(fields["payload"][0])
    assert parsed == payload
    assert parsed["type"] == "block_actions"
    assert parsed["trigger_id"] == "1.2.3"
    assert parsed["container"] == {
        "type": "message",
        "message_ts": THREAD,
        "channel_id": CHANNEL,
        "is_ephemeral": False,
    }
    [action] = parsed["actions"]
    assert (action["action_id"], action["value"], action["type"]) == (
        "order_confirm",
        "yes",
        "button",
    )


# --- Telegram: the Bot API ----------------------------------------------------------------


async def test_get_me_is_the_bot(tg: FakeTelegram, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.id == 123456
    assert bot.username == "switchboard_test_bot"
    assert me.api_kwargs == {}
    assert tg.requests[0].method == "getMe"


async def test_send_message_answers_a_message(tg: FakeTelegram, bot: telegram.Bot) -> None:
    first = await bot.send_message(CHAT, "Your order shipped.")
    second = await bot.send_message(CHAT, "Anything else?")

    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == CHAT
    assert first.chat.type == "private"
    assert first.from_user is not None
    assert first.from_user.id == 123456
    assert first.text == "Your order shipped."
    assert tg.sent(CHAT) == ["Your order shipped.", "Anything else?"]
    # PTB posts a form; the fake converts each field to its documented type.
    assert tg.calls("sendMessage")[0] == {"chat_id": CHAT, "text": "Your order shipped."}
    assert tg.requests[-1].headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_markup_is_parsed_before_counting(tg: FakeTelegram, bot: telegram.Bot) -> None:
    html = await bot.send_message(CHAT, "<b>Order 42</b> &amp; co", parse_mode=ParseMode.HTML)
    markdown = await bot.send_message(
        CHAT, "*Order 42* shipped\\. [Track](https://t.me/x)", parse_mode=ParseMode.MARKDOWN_V2
    )
    assert html.text == "Order 42 & co"
    assert markdown.text == "Order 42 shipped. Track"
    long_markup = "<b>" + "x" * 4096 + "</b>"
    assert (await bot.send_message(CHAT, long_markup, parse_mode=ParseMode.HTML)).text
    assert tg.messages(CHAT)[0].sent_text == "<b>Order 42</b> &amp; co"


@pytest.mark.parametrize(
    ("text", "parse_mode", "message"),
    [
        ("x" * 4097, None, "Message is too long"),
        ("   \n", None, "Message text is empty"),
        ("<b></b>", ParseMode.HTML, "Message text is empty"),
        ("Shipped.", ParseMode.MARKDOWN_V2, "Can't parse entities: character '.' is reserved"),
        ("*bold", ParseMode.MARKDOWN_V2, "Can't parse entities: can't find end of the entity"),
        ("<b>bold", ParseMode.HTML, "Can't parse entities: can't find end tag"),
        ("<div>x</div>", ParseMode.HTML, 'Can\'t parse entities: unsupported start tag "div"'),
        ("_italic", ParseMode.MARKDOWN, "Can't parse entities: can't find end of the entity"),
    ],
)
async def test_bad_text_is_a_bad_request(
    tg: FakeTelegram, bot: telegram.Bot, text: str, parse_mode: str | None, message: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(CHAT, text, parse_mode=parse_mode)
    assert caught.value.message.startswith(message)
    assert tg.sent(CHAT) == []


async def test_drafts_are_recorded_and_need_a_non_zero_id(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    assert await bot.send_message_draft(CHAT, 7, "")
    assert await bot.send_message_draft(CHAT, 7, "Your order")
    assert await bot.send_message_draft(CHAT, 7, "Your order shipped")
    with pytest.raises(BadRequest, match="Draft_id must be non-zero"):
        await bot.send_message_draft(CHAT, 0, "x")
    assert tg.drafts(CHAT) == [(7, ""), (7, "Your order"), (7, "Your order shipped")]


async def test_chat_actions(tg: FakeTelegram, bot: telegram.Bot) -> None:
    assert await bot.send_chat_action(CHAT, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(CHAT, "dancing")
    assert tg.actions(CHAT) == ["typing"]


async def test_webhook_lifecycle(tg: FakeTelegram, bot: telegram.Bot) -> None:
    assert await bot.set_webhook(
        "https://bot.example.com/telegram",
        secret_token="s3cret_-TOKEN",
        allowed_updates=["message"],
    )
    assert tg.webhook is not None
    assert tg.webhook.secret_token == "s3cret_-TOKEN"
    assert tg.requests[-1].response["description"] == "Webhook was set"

    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.com/telegram"
    assert info.allowed_updates == ("message",)

    # Leaving allowed_updates out keeps the previous setting, as Telegram documents.
    await bot.set_webhook("https://bot.example.com/telegram2")
    assert tg.webhook.allowed_updates == ["message"]

    assert await bot.delete_webhook(drop_pending_updates=True)
    assert tg.webhook is None
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize(
    ("url", "secret", "message"),
    [
        ("http://bot.example.com/hook", None, "Bad webhook: an https url must be provided"),
        ("https://bot.example.com:8080/hook", None, "Bad webhook: webhook can be set up only"),
        ("https://bot.example.com/hook", "not allowed!", "Secret token contains unallowed"),
    ],
)
async def test_bad_webhooks_are_refused(
    bot: telegram.Bot, url: str, secret: str | None, message: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.set_webhook(url, secret_token=secret)
    assert caught.value.message.startswith(message)


async def test_edit_message_text(tg: FakeTelegram, bot: telegram.Bot) -> None:
    sent = await bot.send_message(CHAT, "Thinking…")
    edited = await bot.edit_message_text("Your order shipped.", CHAT, sent.message_id)

    assert isinstance(edited, telegram.Message)
    assert edited.text == "Your order shipped."
    assert edited.edit_date is not None
    assert tg.sent(CHAT) == ["Your order shipped."]
    assert tg.messages(CHAT)[0].edits == ["Your order shipped."]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Your order shipped.", CHAT, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, 99)


async def test_a_field_not_in_the_method_list_is_refused(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    with pytest.raises(BadRequest, match='Unknown parameter "reply_to"'):
        await bot.send_message(CHAT, "hi", api_kwargs={"reply_to": 5})
    assert tg.calls("sendMessage") == []
    assert tg.requests[-1].args["reply_to"] == "5"


async def test_wrong_token_is_invalid_token(tg: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("123456:WRONG", base_url=tg.base_url):
            pass
    assert tg.requests[-1].status == 401
    assert tg.requests[-1].response == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }


async def test_fail_and_retry_after(
    tg: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22's RetryAfter reads its own deprecated int `retry_after` while being built, which
    # warns (an error here) unless PTB_TIMEDELTA opts in to the coming timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    tg.fail("sendMessage", times=2)
    tg.retry_after("sendChatAction", 7)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(CHAT, "hi")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_chat_action(CHAT, "typing")
    assert caught.value.retry_after == timedelta(seconds=7)
    assert tg.requests[-1].status == 429
    assert tg.requests[-1].response["parameters"] == {"retry_after": 7}

    await bot.send_message(CHAT, "hi")
    assert tg.sent(CHAT) == ["hi"]
    assert tg.actions(CHAT) == []


async def test_raw_http_json_bodies_and_errors(tg: FakeTelegram) -> None:
    base = f"{tg.base_url}{TG_TOKEN}"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/sendmessage", json={"chat_id": str(CHAT), "text": "json"}
        ) as response:
            assert response.status == 200
            assert (await response.json())["result"]["text"] == "json"
        async with session.post(
            f"{base}/sendMessage", json={"chat_id": CHAT, "text": {"not": "text"}}
        ) as response:
            assert response.status == 400
            assert (await response.json())["description"] == (
                'Bad Request: field "text" must be of type String'
            )
        async with session.post(f"{base}/sendMessage", json={"text": "x"}) as response:
            assert (await response.json())["description"] == "Bad Request: chat_id is empty"
        async with session.post(
            f"{base}/sendMessage", json={"chat_id": "@somechannel", "text": "x"}
        ) as response:
            assert (await response.json())["description"] == "Bad Request: chat not found"
        async with session.get(f"{base}/sendSticker") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
    assert tg.sent(CHAT) == ["json"]
    assert tg.calls("sendMessage") == [{"chat_id": CHAT, "text": "json"}]


async def test_telegram_wait_for_sees_background_work(tg: FakeTelegram, bot: telegram.Bot) -> None:
    async def reply_later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(CHAT, "done")

    task = asyncio.create_task(reply_later())
    assert await tg.wait_for(lambda fake: fake.sent(CHAT), timeout=2) == ["done"]
    await task
    with pytest.raises(TimeoutError, match=r"FakeTelegram: .*<lambda> \(test_fake_providers"):
        await tg.wait_for(lambda fake: fake.drafts(CHAT), timeout=0.05)


# --- Telegram: what it sends us -----------------------------------------------------------


def _no_unknown_fields(obj: telegram.TelegramObject) -> None:
    """PTB keeps fields it does not know in `api_kwargs`; a builder should make none."""
    assert obj.api_kwargs == {}, obj
    # Fields live in the __slots__ of every class in the MRO (Message's chat is in a base).
    names = {name for cls in type(obj).__mro__ for name in getattr(cls, "__slots__", ())}
    for name in names - {"_bot", "api_kwargs"}:
        value = getattr(obj, name, None)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, telegram.TelegramObject):
                _no_unknown_fields(child)


def _message_of(update: telegram.Update) -> telegram.Message:
    assert update.message is not None
    _no_unknown_fields(update.message)
    return update.message


async def test_update_builders_parse_with_ptb() -> None:
    bot = telegram.Bot(TG_TOKEN)
    text = telegram.Update.de_json(text_update(1, CHAT, "¿Dónde está mi pedido?"), bot)
    photo = telegram.Update.de_json(photo_update(2, CHAT, caption="the box"), bot)
    sticker = telegram.Update.de_json(sticker_update(3, CHAT), bot)
    command = telegram.Update.de_json(command_update(4, CHAT, "/start", "order42"), bot)
    group = telegram.Update.de_json(text_update(5, -1001234567890, "hi", user_id=55), bot)
    assert [u.update_id for u in (text, photo, sticker, command, group)] == [1, 2, 3, 4, 5]

    said = _message_of(text)
    assert said.text == "¿Dónde está mi pedido?"
    assert said.from_user is not None
    assert (said.from_user.id, said.from_user.language_code) == (CHAT, "en")
    assert (said.chat.id, said.chat.type) == (CHAT, "private")

    pictured = _message_of(photo)
    assert (pictured.text, pictured.caption, len(pictured.photo)) == (None, "the box", 3)

    stuck = _message_of(sticker)
    assert stuck.text is None
    assert stuck.sticker is not None
    assert stuck.sticker.emoji == "👍"

    commanded = _message_of(command)
    assert commanded.text == "/start order42"
    assert commanded.parse_entities([telegram.MessageEntity.BOT_COMMAND]) == {
        commanded.entities[0]: "/start"
    }

    in_group = _message_of(group)
    assert in_group.chat.type == "supergroup"
    assert in_group.from_user is not None
    assert in_group.from_user.id == 55


def test_secret_headers() -> None:
    assert secret_headers("abc") == {
        "X-Telegram-Bot-Api-Secret-Token": "abc",
        "Content-Type": "application/json",
    }
