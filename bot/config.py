"""Settings: read from the environment once, validated, frozen, passed down.

Every variable is declared once, in `VARIABLES`, with its default and meaning;
the README's configuration table is printed from the same list
(`switchboard config --markdown`), so the two cannot drift apart.
A bad value stops start-up with one line that names the variable.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A variable holds a value Switchboard cannot use; the message names it."""


class Secret:
    """A string that never shows itself in `repr`, `str` or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


N = TypeVar("N", int, float)


def _ranged(cast: Callable[[str], N], low: N, high: N, what: str) -> Callable[[str], N]:
    """A parser for a number of type `cast` between `low` and `high`, both included."""

    def show(value: N) -> str:
        return str(value) if isinstance(value, int) else f"{value:g}"

    expected = f"expected {what} from {show(low)} to {show(high)}"

    def parse(raw: str) -> N:
        try:
            value = cast(raw)
        except ValueError:
            raise ValueError(expected) from None
        if not low <= value <= high:
            raise ValueError(expected)
        return value

    return parse


def _integer(low: int, high: int) -> Callable[[str], int]:
    return _ranged(int, low, high, "a whole number")


def _seconds(low: float, high: float) -> Callable[[str], float]:
    return _ranged(float, low, high, "seconds")


_fraction = _ranged(float, 0.0, 1.0, "a number")


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _language(raw: str) -> str:
    value = raw.strip().lower()
    if not _LANGUAGE.match(value):
        raise ValueError("expected a language code such as en or es")
    return value


def _languages(raw: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(_language(part) for part in raw.split(",") if part.strip()))
    if not codes:
        raise ValueError("expected a comma-separated list of language codes such as en,es")
    return codes


def _directory(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = ROOT / path
    if not path.is_dir():
        raise ValueError(f"no such folder: {path}")
    return path


def _file(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = ROOT / path
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return path


def _redis_url(raw: str) -> str:
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("expected a URL starting with redis://, rediss:// or unix://")
    return raw


def _prefix(raw: str) -> str:
    if not raw or any(ch.isspace() for ch in raw):
        raise ValueError("expected a non-empty key prefix without spaces")
    return raw


def _host(raw: str) -> str:
    if not raw.strip():
        raise ValueError("expected an interface address such as 0.0.0.0 or 127.0.0.1")
    return raw.strip()


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("expected a non-empty text")
    return raw.strip()


def _amount(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("expected an amount such as 500 or 249.99") from None
    if value < 0:
        raise ValueError("expected an amount of 0 or more")
    return value


_MODEL = re.compile(r"^[\w.:/@+-]+$")


def _model(raw: str) -> str:
    value = raw.strip()
    if not _MODEL.match(value):
        raise ValueError("expected a litellm model name such as openai/gpt-4o-mini")
    return value


def _models(raw: str) -> tuple[str, ...]:
    return tuple(_model(part) for part in raw.split(",") if part.strip())


def _url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return value


def origin_of(url: str) -> str:
    """The origin of `url` as a browser writes it in `Origin`: `scheme://host[:port]`,
    lower-cased, without the scheme's default port. ValueError when it has none."""
    parts = urlsplit(url.strip())
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("expected an http:// or https:// origin")
    port = parts.port  # ValueError for a port that is not one
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def _origins(raw: str) -> tuple[str, ...]:
    found = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        parts = urlsplit(part)
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError(f"expected an origin (scheme and host, no path), not {part!r}")
        found.append(origin_of(part))
    return tuple(found)


def _key(raw: str) -> Secret:
    return Secret(raw.strip())


def _secret(raw: str) -> Secret:
    if len(raw) < 16:
        raise ValueError("expected at least 16 characters")
    return Secret(raw)


_SLACK_CHANNEL = re.compile(r"^[CG][A-Z0-9]{6,}$")


def _slack_channel(raw: str) -> str:
    value = raw.strip()
    if not _SLACK_CHANNEL.match(value):
        raise ValueError("expected a Slack channel id such as C0123456789 (not its #name)")
    return value


_TWILIO_ACCOUNT = re.compile(r"^AC[0-9a-f]{32}$")


def _twilio_account(raw: str) -> str:
    value = raw.strip()
    if not _TWILIO_ACCOUNT.match(value):
        raise ValueError("expected an account SID: AC and 32 hexadecimal digits")
    return value


_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


def _telegram_secret(raw: str) -> Secret:
    # Telegram's own rule for secret_token is 1-256 of these characters; 16 is ours.
    if not _TELEGRAM_SECRET.match(raw):
        raise ValueError("expected 16 to 256 characters from A-Z, a-z, 0-9, _ and -")
    return Secret(raw)


@dataclass(frozen=True, slots=True)
class Variable:
    """One environment variable: its name, its default as text, how to read it."""

    name: str
    default: str | None
    parse: Callable[[str], Any]
    doc: str
    secret: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable("HOST", "0.0.0.0", _host, "Interface `switchboard serve` listens on."),  # noqa: S104 - a Heroku dyno must listen on every interface
    Variable("PORT", "8080", _integer(1, 65535), "TCP port (Heroku-style platforms set it)."),
    Variable(
        "REDIS_URL",
        None,
        _redis_url,
        "Redis for conversations, tickets, locks and dedupe. Unset: an in-memory store "
        "(one process, lost on restart).",
    ),
    Variable(
        "REDIS_PREFIX", "switchboard:", _prefix, "Prefix of every Redis key Switchboard writes."
    ),
    Variable(
        "REDIS_CLUSTER",
        "off",
        _choice("on", "off"),
        "`on` when `REDIS_URL` is a node of a Redis Cluster: the keys of one conversation, "
        "and those of the inbox, share a hash tag, so each step stays on one node.",
    ),
    Variable(
        "REDIS_TLS_VERIFY",
        "on",
        _choice("on", "off"),
        "With a `rediss://` URL: `off` accepts a certificate no authority signed, as managed "
        "Redis on Heroku-style platforms presents (the connection is still encrypted).",
    ),
    Variable(
        "REDIS_MAX_CONNECTIONS",
        "20",
        _integer(1, 10_000),
        "Connections to Redis one process opens at most. Keep processes × this under your "
        "Redis plan's client limit (e.g. 20 on Heroku's Mini). Turns share them: each holds "
        "one only for a command's round trip.",
    ),
    Variable(
        "REDIS_POOL_TIMEOUT_SECONDS",
        "5",
        _seconds(0.1, 60),
        "When every Redis connection is busy, a command waits this long for one before it "
        "fails like an unreachable Redis.",
    ),
    Variable("KB_DIR", "kb/demo", _directory, "Folder of Markdown knowledge-base articles."),
    Variable(
        "KB_MIN_SCORE",
        "0.6",
        _fraction,
        "Share of the question a passage must cover (0-1) before the bot answers with it; "
        "below it the bot says it is not sure and offers a person.",
    ),
    Variable("LOCALES_DIR", "locales", _directory, "Folder of the `<language>.ftl` catalogues."),
    Variable(
        "DEFAULT_LANGUAGE", "en", _language, "Language used until a conversation shows its own."
    ),
    Variable(
        "SUPPORTED_LANGUAGES",
        "en,es,fr,de,pt,it,nl,tr,id,pl",
        _languages,
        "Languages the bot speaks and detects (no other is ever chosen); each needs "
        "`locales/<code>.ftl`.",
    ),
    Variable("BOT_NAME", "Switchboard", _text, "Name the bot introduces itself with."),
    Variable(
        "ORDERS_FILE",
        "flows/demo_orders.json",
        _file,
        "JSON file of orders for the demo order-status flow.",
    ),
    Variable(
        "AGENT_MODE",
        "enabled",
        _choice("enabled", "disabled"),
        "`disabled` starts with the kill switch on: no model calls, a static auto-reply, "
        "every ticket to a person. Flip it at run time with `switchboard killswitch`.",
    ),
    Variable(
        "ROUTER_THRESHOLD",
        "0.70",
        _fraction,
        "Below this confidence of the local router, the commodity model routes the turn "
        "(when configured) and the reasoning tier answers it.",
    ),
    Variable(
        "COMMODITY_MODEL",
        None,
        _model,
        "litellm model for routing help and knowledge-base answers, e.g. `openai/gpt-4o-mini` "
        "or `hosted_vllm/qwen2.5-7b`. Unset: offline answers only.",
    ),
    Variable("COMMODITY_FALLBACKS", "", _models, "Comma-separated models tried when it fails."),
    Variable(
        "COMMODITY_API_BASE",
        None,
        _url,
        "API base for the commodity tier (a self-hosted OpenAI-compatible server).",
    ),
    Variable(
        "COMMODITY_API_KEY",
        None,
        _key,
        "API key for the commodity tier (else the provider's usual variable, e.g. "
        "`OPENAI_API_KEY`).",
        secret=True,
    ),
    Variable(
        "REASONING_MODEL",
        None,
        _model,
        "litellm model for complex or uncertain turns, with the flows as tools. "
        "Unset: such turns get the deterministic flows and the knowledge base.",
    ),
    Variable("REASONING_FALLBACKS", "", _models, "Comma-separated models tried when it fails."),
    Variable("REASONING_API_BASE", None, _url, "API base for the reasoning tier."),
    Variable("REASONING_API_KEY", None, _key, "API key for the reasoning tier.", secret=True),
    Variable(
        "LLM_FIRST_TOKEN_TIMEOUT_SECONDS",
        "10",
        _seconds(0.1, 300),
        "The first-token budget of one model call, fallbacks included: each model may use "
        "its share of what is left (a tier with one fallback gives the first model half), "
        "and when none has started answering by then the customer gets the apology and a "
        "person.",
    ),
    Variable(
        "LLM_TOTAL_TIMEOUT_SECONDS",
        "60",
        _seconds(1, 600),
        "Longest a model answer may take from the request to its last token.",
    ),
    Variable(
        "LLM_MAX_TOOL_ROUNDS",
        "3",
        _integer(1, 10),
        "Tool calls the reasoning tier may chain in one turn.",
    ),
    Variable(
        "MODEL_PRICES_FILE",
        None,
        _file,
        "JSON prices for models litellm does not know (self-hosted): "
        '`{"model": {"input_per_million": 0.1, "output_per_million": 0.3}}`.',
    ),
    Variable(
        "EVAL_JUDGE_MODEL",
        None,
        _model,
        "`switchboard eval` only: a litellm model that judges groundedness sentence by "
        "sentence, in addition to the offline check.",
    ),
    Variable("EVAL_JUDGE_API_BASE", None, _url, "API base for the judge model."),
    Variable("EVAL_JUDGE_API_KEY", None, _key, "API key for the judge model.", secret=True),
    Variable(
        "BOT_CONFIG",
        "bot.yaml",
        _file,
        "Operator file: company, tone and rules the model answers by.",
    ),
    Variable(
        "REFUND_HUMAN_LIMIT",
        "500",
        _amount,
        "Refunds above this amount always go to a person.",
    ),
    Variable(
        "REFUND_WINDOW_DAYS",
        "30",
        _integer(0, 3650),
        "Days after delivery within which an order may be refunded.",
    ),
    Variable(
        "ORDERS_URL",
        None,
        _url,
        "The shop's orders API (`GET {url}/orders/{number}`, "
        "`POST {url}/orders/{number}/cancel`). Unset: `ORDERS_FILE`.",
    ),
    Variable("ORDERS_API_KEY", None, _key, "Bearer token for `ORDERS_URL`.", secret=True),
    Variable(
        "TRANSCRIPT_MAX_TURNS",
        "200",
        _integer(10, 10_000),
        "Turns kept per ticket; older ones are dropped.",
    ),
    Variable(
        "MAX_MESSAGE_CHARS",
        "4000",
        _integer(100, 100_000),
        "Longest customer message read, on every channel: a longer one is cut before "
        "anything reads it and the customer is asked, in their language, to write less (the "
        "web-chat widget refuses it with that message before it is sent).",
    ),
    Variable(
        "RATE_LIMIT_MESSAGES",
        "20",
        _integer(0, 100_000),
        "Messages one customer may send per RATE_LIMIT_WINDOW_SECONDS, on any channel, before "
        "the bot stops answering until the window ends: the first message over the limit gets "
        "a polite reply in their language, later ones are kept in the transcript (and reach "
        "an agent who owns the ticket) but call no model. Counted in the store, so it holds "
        "across processes. 0 turns the limit off.",
    ),
    Variable(
        "RATE_LIMIT_WINDOW_SECONDS",
        "60",
        _integer(1, 86_400),
        "The window RATE_LIMIT_MESSAGES counts in.",
    ),
    Variable(
        "TICKET_IDLE_MINUTES",
        "1440",
        _integer(1, 525_600),
        "A bot-owned ticket idle this long is resolved; the next message opens a new one.",
    ),
    Variable(
        "UNRESOLVED_TURNS_LIMIT",
        "3",
        _integer(1, 100),
        "Consecutive turns the bot could not answer before it hands over to a person.",
    ),
    Variable(
        "DEDUPE_TTL_SECONDS",
        "86400",
        _integer(60, 30 * 86400),
        "How long a provider's message id is remembered to drop re-deliveries.",
    ),
    Variable(
        "LOCK_TIMEOUT_SECONDS",
        "120",
        _integer(5, 3600),
        "Longest a turn waits for its conversation's lock before it fails (and is retried).",
    ),
    Variable(
        "LOCK_LEASE_SECONDS",
        "15",
        _seconds(3, 600),
        "A conversation's lock is a lease its holder renews while it works; a holder that "
        "dies frees it after this long, and what it had not committed is decided again.",
    ),
    Variable(
        "RETENTION_DAYS",
        "90",
        _integer(1, 3650),
        "Days conversations, tickets and transcripts are kept in Redis after their last change.",
    ),
    Variable(
        "INBOX_MAX_PENDING",
        "10000",
        _integer(1, 10_000_000),
        "Inbound events waiting at most; beyond it channels answer 503 and providers retry.",
    ),
    Variable(
        "INBOX_PARTITIONS",
        "16",
        _integer(1, 1024),
        "With Redis: streams the inbox is split into. A conversation always lands in the "
        "same one, and one worker at a time reads each, so more workers than this sit idle.",
    ),
    Variable(
        "INBOX_LEASE_SECONDS",
        "10",
        _seconds(2, 300),
        "With Redis: a worker that stops renewing its partitions for this long is taken "
        "for dead, and others take its unfinished events over.",
    ),
    Variable(
        "INBOX_MAX_ATTEMPTS",
        "5",
        _integer(1, 100),
        "With Redis: tries at one event before it goes to the dead letters (`switchboard "
        "inbox dead`) and the customer is told; the waits between tries double from 1 s.",
    ),
    Variable(
        "WORKER_CONCURRENCY",
        "64",
        _integer(1, 10_000),
        "Conversations processed at the same time by one process.",
    ),
    Variable(
        "DELIVERY_RETRY_SECONDS",
        "120",
        _seconds(0.5, 3600),
        "A reply a provider did not take (429, 5xx, timeout) is offered again, with backoff "
        "and its Retry-After, for this long; then it goes to the dead letters and the ticket "
        "is flagged.",
    ),
    Variable(
        "STREAM_CHUNK_DELAY_MS",
        "25",
        _integer(0, 1000),
        "Pause between the pieces of an offline (knowledge-base) answer, so it reads as typed.",
    ),
    Variable(
        "SHUTDOWN_GRACE_SECONDS",
        "25",
        _integer(1, 300),
        "Time given to turns in progress on SIGTERM (Heroku allows 30 s).",
    ),
    Variable(
        "HANDOFF_SLA_SECONDS",
        "300",
        _integer(1, 86400),
        "A handoff nobody claims within this time: the customer is told and the agents "
        "are pinged again. The timer lives in the store, so it survives a restart.",
    ),
    Variable(
        "AGENT_LANGUAGE",
        "en",
        _language,
        "Language the agents read. With `COMMODITY_MODEL` set, customer messages in "
        "another language are translated for them, and their replies for the customer.",
    ),
    Variable(
        "AGENT_PII",
        "masked",
        _choice("masked", "visible"),
        "`masked`: agents see the customer's id masked and emails, cards, IBANs and phone "
        "numbers redacted: in cards (summary, fields, last turns), relayed messages and "
        "`/admin/handoffs`. `visible`: shown as written.",
    ),
    Variable(
        "SLACK_BOT_TOKEN",
        None,
        _key,
        "Slack bot token (`xoxb-…`). With `SLACK_SIGNING_SECRET`, turns on the Slack agent "
        "console and Slack as a customer channel (`/slack/events`).",
        secret=True,
    ),
    Variable(
        "SLACK_SIGNING_SECRET",
        None,
        _key,
        "Slack app signing secret; every request to `/slack/events` is checked with it.",
        secret=True,
    ),
    Variable(
        "SLACK_APP_TOKEN",
        None,
        _key,
        "Slack app-level token (`xapp-…`): use Socket Mode instead of public HTTP "
        "(local development).",
        secret=True,
    ),
    Variable(
        "SLACK_AGENTS_CHANNEL",
        None,
        _slack_channel,
        "Channel id (`C…`) where handoff cards are posted, one thread per ticket.",
    ),
    Variable("SLACK_API_URL", "https://slack.com/api", _url, "Slack Web API base URL."),
    Variable(
        "SLACK_NOTE_PREFIX",
        "//",
        _text,
        "A thread reply starting with this stays internal, even from the ticket's owner.",
    ),
    Variable(
        "TELEGRAM_BOT_TOKEN",
        None,
        _key,
        "Telegram bot token from @BotFather: turns on `/telegram/webhook`.",
        secret=True,
    ),
    Variable(
        "TELEGRAM_WEBHOOK_SECRET",
        None,
        _telegram_secret,
        "Secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (given to `setWebhook`); "
        "required with `TELEGRAM_BOT_TOKEN`.",
        secret=True,
    ),
    Variable("TELEGRAM_API_URL", "https://api.telegram.org", _url, "Telegram Bot API base URL."),
    Variable(
        "TWILIO_ACCOUNT_SID",
        None,
        _twilio_account,
        "Twilio account SID (`AC…`). With `TWILIO_AUTH_TOKEN`, turns on SMS and WhatsApp "
        "(`/twilio/messages`, `/twilio/status`).",
    ),
    Variable(
        "TWILIO_AUTH_TOKEN",
        None,
        _key,
        "Twilio auth token: signs Twilio's webhooks (checked on every one) and our API calls.",
        secret=True,
    ),
    Variable("TWILIO_API_URL", "https://api.twilio.com", _url, "Twilio REST API base URL."),
    Variable(
        "TWILIO_SMS_FROM",
        None,
        _text,
        "Number replies are sent from when the customer's own message did not say which of "
        "your numbers they wrote to (E.164, e.g. `+15550100`).",
    ),
    Variable(
        "TWILIO_WHATSAPP_FROM",
        None,
        _text,
        "Same, for WhatsApp (`+15550100`, without the `whatsapp:` prefix).",
    ),
    Variable(
        "TWILIO_SHARE_TICKETS",
        "on",
        _choice("on", "off"),
        "`on`: a customer who writes by SMS and then on WhatsApp from the same number "
        "continues the same ticket. `off`: each is its own conversation.",
    ),
    Variable(
        "TWILIO_VOICE_MODE",
        "relay",
        _choice("relay", "gather"),
        "`relay`: calls use ConversationRelay (streamed speech). `gather`: plain "
        '`<Gather input="speech">` turns, for accounts without ConversationRelay.',
    ),
    Variable(
        "AGENT_PHONE_NUMBER",
        None,
        _text,
        "Where a call is put through (`<Dial>`) when the bot hands it to a person.",
    ),
    Variable(
        "TWILIO_VOICE_QUEUE",
        "support",
        _text,
        "Without `AGENT_PHONE_NUMBER`, handed-off calls wait in this Twilio queue (`<Enqueue>`).",
    ),
    Variable(
        "PUBLIC_URL",
        None,
        _url,
        "The address providers reach this app at (`https://…`): Twilio's signatures are "
        "checked against it (else the request's forwarded host and scheme), delivery "
        "callbacks point at it, and `switchboard telegram set-webhook` registers it.",
    ),
    Variable(
        "WEBCHAT_ALLOWED_ORIGINS",
        "",
        _origins,
        "Comma-separated origins (`https://shop.example.com`) whose pages may open the web "
        "chat; a socket from a page on any other origin is refused with 403 at the upgrade, "
        "before it can read a conversation. The app's own pages and PUBLIC_URL's origin are "
        "always allowed, so empty means same-origin only. A client that sends no `Origin` "
        "is not a browser and is let through: it still needs a token the server issued.",
    ),
    Variable(
        "WEBCHAT_SECRET",
        None,
        _secret,
        "Key that signs web-chat session tokens (HMAC-SHA256; 16+ characters). Unset: one "
        "is generated at the first start and kept in the store, so every process shares it "
        "(the in-memory store keeps it until the process stops). Changing it starts every "
        "customer on a new, empty session.",
        secret=True,
    ),
    Variable(
        "ADMIN_TOKEN",
        None,
        _secret,
        "Bearer token for `/admin/*` (16+ characters). Unset: the admin API answers 403.",
        secret=True,
    ),
    Variable(
        "LOG_LEVEL", "INFO", _choice("debug", "info", "warning", "error"), "Logging threshold."
    ),
    Variable(
        "LOG_FORMAT", "text", _choice("text", "json"), "`json` for log drains, one object a line."
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated configuration of one process. Build it with `Settings.from_env()`."""

    host: str
    port: int
    redis_url: str | None
    redis_prefix: str
    redis_cluster: str
    redis_tls_verify: str
    redis_max_connections: int
    redis_pool_timeout_seconds: float
    kb_dir: Path
    kb_min_score: float
    locales_dir: Path
    default_language: str
    supported_languages: tuple[str, ...]
    bot_name: str
    orders_file: Path
    agent_mode: str
    router_threshold: float
    commodity_model: str | None
    commodity_fallbacks: tuple[str, ...]
    commodity_api_base: str | None
    commodity_api_key: Secret | None = field(repr=False)
    reasoning_model: str | None
    reasoning_fallbacks: tuple[str, ...]
    reasoning_api_base: str | None
    reasoning_api_key: Secret | None = field(repr=False)
    llm_first_token_timeout_seconds: float
    llm_total_timeout_seconds: float
    llm_max_tool_rounds: int
    model_prices_file: Path | None
    eval_judge_model: str | None
    eval_judge_api_base: str | None
    eval_judge_api_key: Secret | None = field(repr=False)
    bot_config: Path
    refund_human_limit: float
    refund_window_days: int
    orders_url: str | None
    orders_api_key: Secret | None = field(repr=False)
    transcript_max_turns: int
    max_message_chars: int
    rate_limit_messages: int
    rate_limit_window_seconds: int
    ticket_idle_minutes: int
    unresolved_turns_limit: int
    dedupe_ttl_seconds: int
    lock_timeout_seconds: int
    lock_lease_seconds: float
    retention_days: int
    inbox_max_pending: int
    inbox_partitions: int
    inbox_lease_seconds: float
    inbox_max_attempts: int
    delivery_retry_seconds: float
    worker_concurrency: int
    stream_chunk_delay_ms: int
    shutdown_grace_seconds: int
    handoff_sla_seconds: int
    agent_language: str
    agent_pii: str
    slack_bot_token: Secret | None = field(repr=False)
    slack_signing_secret: Secret | None = field(repr=False)
    slack_app_token: Secret | None = field(repr=False)
    slack_agents_channel: str | None
    slack_api_url: str
    slack_note_prefix: str
    telegram_bot_token: Secret | None = field(repr=False)
    telegram_webhook_secret: Secret | None = field(repr=False)
    telegram_api_url: str
    twilio_account_sid: str | None
    twilio_auth_token: Secret | None = field(repr=False)
    twilio_api_url: str
    twilio_sms_from: str | None
    twilio_whatsapp_from: str | None
    twilio_share_tickets: str
    twilio_voice_mode: str
    agent_phone_number: str | None
    twilio_voice_queue: str
    public_url: str | None
    admin_token: Secret | None = field(repr=False)
    webchat_allowed_origins: tuple[str, ...]
    webchat_secret: Secret | None = field(repr=False)
    log_level: str
    log_format: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every variable; raise `ConfigError` naming the first bad one.

        `overrides` (by field name) win over the environment: the CLI's
        `--host`/`--port` and the tests use them.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var in VARIABLES:
            key = var.name.lower()
            if key in overrides:
                values[key] = overrides.pop(key)
                continue
            raw = env.get(var.name)
            if raw is None or raw == "":
                raw = var.default
            if raw is None:
                values[key] = None
                continue
            try:
                values[key] = var.parse(raw)
            except ValueError as exc:
                shown = "(hidden)" if var.secret else repr(raw)
                raise ConfigError(f"{var.name}={shown}: {exc}") from None
        if overrides:
            raise TypeError(f"unknown settings: {', '.join(sorted(overrides))}")
        settings = cls(**values)
        settings._check_consistency()
        return settings

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def twilio_enabled(self) -> bool:
        return self.twilio_account_sid is not None

    def _check_consistency(self) -> None:
        if self.slack_bot_token is not None and (
            self.slack_signing_secret is None and self.slack_app_token is None
        ):
            raise ConfigError(
                "SLACK_BOT_TOKEN is set: set SLACK_SIGNING_SECRET too (or SLACK_APP_TOKEN "
                "for Socket Mode), so Slack's requests can be verified"
            )
        if self.slack_agents_channel is not None and self.slack_bot_token is None:
            raise ConfigError("SLACK_AGENTS_CHANNEL is set: set SLACK_BOT_TOKEN too")
        if (self.twilio_account_sid is None) != (self.twilio_auth_token is None):
            raise ConfigError(
                "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together: set both or neither"
            )
        if self.telegram_bot_token is not None and self.telegram_webhook_secret is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is set: set TELEGRAM_WEBHOOK_SECRET too, so forged "
                "updates can be refused"
            )
        if self.default_language not in self.supported_languages:
            raise ConfigError(
                f"DEFAULT_LANGUAGE={self.default_language!r}: not in SUPPORTED_LANGUAGES "
                f"({','.join(self.supported_languages)})"
            )
        for code in self.supported_languages:
            if not (self.locales_dir / f"{code}.ftl").is_file():
                raise ConfigError(
                    f"SUPPORTED_LANGUAGES={','.join(self.supported_languages)!r}: "
                    f"no catalogue {self.locales_dir / f'{code}.ftl'}"
                )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed (by field name), e.g. for an evaluation run."""
        return dataclasses.replace(self, **changes)

    def describe(self) -> dict[str, str]:
        """Effective values for display, with secrets masked."""
        shown: dict[str, str] = {}
        for var in VARIABLES:
            value = getattr(self, var.name.lower())
            if value is None:
                shown[var.name] = "(unset)"
            elif var.secret:
                shown[var.name] = "(set)"
            elif isinstance(value, tuple):
                shown[var.name] = ",".join(value)
            else:
                shown[var.name] = str(value)
        return shown


def markdown_table() -> str:
    """The README's configuration table."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for var in VARIABLES:
        default = "(unset)" if var.default is None else f"`{var.default}`"
        lines.append(f"| `{var.name}` | {default} | {var.doc} |")
    return "\n".join(lines)
