"""The handoff card: one Block Kit message per ticket, the root of the ticket's thread.

Pure functions from a ticket and what was known at handoff to blocks; the
desk re-renders the card after every change (claim, release, resolve,
rating), so the card always shows the ticket's current owner and state.
Block Kit limits respected here: section text 3000 characters, field text
2000, at most 10 fields, header 150; text is escaped for Slack's mrkdwn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.handoff import Briefing
from bot.model import Ticket
from bot.statemachine import State

CLAIM = "sb_claim"
RESOLVE = "sb_resolve"
RELEASE = "sb_release"

_SECTION = 3000
_FIELD = 2000
_TURN_CHARS = 400
_TURNS = 8

_STATE_LABEL = {
    State.WAITING_AGENT: ":hourglass_flowing_sand: Waiting for an agent",
    State.WITH_AGENT: ":speech_balloon: With {agent}",
    State.BOT: ":robot_face: Back with the bot",
    State.RESOLVED: ":white_check_mark: Resolved",
}
_MOOD = {
    "negative": ":rage: negative",
    "neutral": "neutral",
    "positive": ":slightly_smiling_face: positive",
}
_ROLE = {"customer": "Customer", "bot": "Bot", "agent": "Agent", "system": "Notice"}

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's mrkdwn control characters, so a customer cannot mention @channel or fake a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def card(
    ticket: Ticket,
    *,
    customer: str,
    reason: str,
    briefing: Briefing,
    turns: Sequence[Mapping[str, str]],
    ticket_fields: Mapping[str, str],
    note_prefix: str,
) -> list[Block]:
    """The card for `ticket` as it stands now. `turns` are the last turns at handoff
    (role and already-redacted text); `customer` and `ticket_fields` are as agents may
    see them (masked with AGENT_PII=masked)."""
    state = _STATE_LABEL.get(ticket.status, ticket.status.value)
    state = state.format(agent=f"<@{ticket.agent}>" if ticket.agent else "an agent")
    confidence = f" ({briefing.confidence:.0%})" if briefing.confidence is not None else ""
    fields = [
        ("Customer", escape(customer)),
        ("Channel", ticket.address.channel),
        ("Language", ticket.language),
        ("Intent", f"{briefing.intent or 'unknown'}{confidence}"),
        ("Sentiment", _MOOD.get(briefing.sentiment, briefing.sentiment)),
        ("Why", escape(reason)),
    ]
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"Ticket {ticket.id}"[:150]},
        },
        {"type": "section", "text": _md(f"*{state}*")},
        {
            "type": "section",
            "fields": [_md(f"*{name}*\n{value}"[:_FIELD]) for name, value in fields],
        },
        {"type": "section", "text": _md(f"*Summary*\n{escape(briefing.summary)}")},
    ]
    if ticket_fields:
        facts = "\n".join(f"• {escape(k)}: {escape(v)}" for k, v in ticket_fields.items())
        blocks.append({"type": "section", "text": _md(f"*Ticket fields*\n{facts}")})
    if turns:
        blocks.append({"type": "section", "text": _md(_transcript(turns))})
    if briefing.suggested_reply:
        suggested = "\n".join(
            f"> {line}" for line in escape(briefing.suggested_reply).splitlines()
        )
        blocks.append({"type": "section", "text": _md(f"*Suggested reply*\n{suggested}")})
    if ticket.rating is not None:
        blocks.append(
            {"type": "section", "text": _md(f"*Customer rating* {stars(ticket.rating)}")}
        )
    buttons = _buttons(ticket)
    if buttons:
        blocks.append({"type": "actions", "block_id": f"ticket:{ticket.id}", "elements": buttons})
    blocks.append(
        {
            "type": "context",
            "elements": [
                _md(
                    "Claim the ticket, then reply in this thread to write to the customer. "
                    f"Replies starting with `{escape(note_prefix)}` stay internal."
                )
            ],
        }
    )
    return blocks


def fallback_text(ticket: Ticket, reason: str) -> str:
    """The notification text (shown where blocks are not: push notifications, search)."""
    return f"Ticket {ticket.id} needs a person: {reason}"


def stars(score: int) -> str:
    return ":star:" * score + f" ({score}/5)"


def _buttons(ticket: Ticket) -> list[Block]:
    buttons: list[Block] = []
    if ticket.status is State.WAITING_AGENT:
        buttons.append(_button("Claim", CLAIM, ticket.id, style="primary"))
    if ticket.status in (State.WAITING_AGENT, State.WITH_AGENT):
        buttons.append(_button("Resolve", RESOLVE, ticket.id))
        buttons.append(_button("Back to bot", RELEASE, ticket.id))
    return buttons


def _button(label: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        button["style"] = style
    return button


def _transcript(turns: Sequence[Mapping[str, str]]) -> str:
    lines = []
    for turn in turns[-_TURNS:]:
        text = turn["text"]
        if len(text) > _TURN_CHARS:
            text = text[: _TURN_CHARS - 1] + "…"
        who = _ROLE.get(turn["role"], turn["role"])
        lines.append(f"*{who}:* {escape(text)}".replace("\n", " "))
    body = "*Last turns*\n" + "\n".join(lines)
    # Keep the newest turns when the section would overflow.
    while len(body) > _SECTION and len(lines) > 1:
        lines.pop(0)
        body = "*Last turns*\n…\n" + "\n".join(lines)
    return body[:_SECTION]


def _md(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}
