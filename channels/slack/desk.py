"""The Slack agent console: handoff cards, ticket threads, and what agents do there.

One card per ticket in `SLACK_AGENTS_CHANNEL`; its thread is the ticket's
room. Customer messages (and what the bot tells the customer meanwhile) are
posted into the thread; agents' thread replies and button presses are journaled
in the inbox like customer messages, and the engine decides (the owner's replies
reach the customer, anything else stays internal, and the thread says so).

The store remembers which thread belongs to which ticket (`slack-thread`) and
what the card showed at handoff (`slack-card`), so any process can update the
card after a restart. That record is also what keeps it one card per ticket:
a handoff shown again (carried out twice, or the ticket handed back to the bot
and on to a person again) updates the card in place, and the model's briefing,
which arrives after the card is up, replaces the offline one on the same card.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.engine import AgentOutcome
from bot.events import AgentAction, AgentReply, Entry
from bot.handoff import RATED, Agent, Briefing, Handoff
from bot.inbox import Inbox
from bot.model import Role, Ticket, Turn
from bot.redact import mask_address, redact
from bot.statemachine import Event
from bot.store import Store
from channels.slack.card import CLAIM, RELEASE, RESOLVE, card, escape, fallback_text, stars

log = logging.getLogger(__name__)

THREAD_REF = "slack-thread"
CARD_REF = "slack-card"

ACTIONS = {CLAIM: Event.AGENT_CLAIM, RESOLVE: Event.AGENT_RESOLVE, RELEASE: Event.AGENT_RELEASE}

_KEPT_INTERNAL = {
    AgentOutcome.NOT_CLAIMED.value: "Kept internal: nobody has claimed this ticket yet. "
    "Press *Claim* on the card, then reply again.",
    AgentOutcome.NOT_OWNER.value: "Kept internal: only {owner} can write to the customer on "
    "this ticket.",
    AgentOutcome.CLOSED.value: "Kept internal: this ticket is no longer with an agent.",
    AgentOutcome.UNDELIVERED.value: ":warning: The customer's channel did not take a message "
    "({detail}). It is in the transcript; try again or reach the customer another way.",
}
_CHANGED = {
    str(Event.AGENT_CLAIM): "{agent} claimed the ticket: their replies in this thread now "
    "go to the customer.",
    str(Event.AGENT_RELEASE): "{agent} handed the conversation back to the bot.",
    str(Event.AGENT_RESOLVE): "{agent} resolved the ticket; the customer was asked for a rating.",
}


class SlackDesk:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        store: Store,
        channel: str,
        pii: str,
        note_prefix: str,
    ) -> None:
        self._client = client
        self._store = store
        self._channel = channel
        self._pii = pii
        self._note_prefix = note_prefix
        self._names: dict[str, str | None] = {}
        self.inbox: Inbox | None = None  # set by the app factory once the inbox exists

    @property
    def channel(self) -> str:
        return self._channel

    # -- AgentDesk: the engine tells the agents --------------------------------

    async def open(self, handoff: Handoff) -> str | None:
        ticket = handoff.ticket
        turns = [
            {"role": turn.role.value, "text": self._shown(turn.text)}
            for turn in handoff.transcript[-8:]
        ]
        shown: dict[str, Any] = {
            "reason": handoff.reason,
            "briefing": _shown_briefing(handoff.briefing, self._shown),
            "turns": turns,
            "at": handoff.at.isoformat(),  # which handoff the card shows, for `rebrief`
        }
        ts = await self._shown_again(ticket, shown)
        if ts is None:
            posted = await self._client.chat_postMessage(
                channel=self._channel,
                text=fallback_text(ticket, handoff.reason),
                blocks=self._card(ticket, shown),
                unfurl_links=False,
            )
            ts = str(posted["ts"])
            await self._store.put_ref(THREAD_REF, f"{self._channel}:{ts}", ticket.id)
        await self._store.put_ref(CARD_REF, ticket.id, json.dumps({"ts": ts, **shown}))
        return f"{self._channel}:{ts}"

    async def rebrief(self, handoff: Handoff, briefing: Briefing) -> None:
        ticket_id = handoff.ticket.id
        raw = await self._store.get_ref(CARD_REF, ticket_id)
        if raw is None:
            return  # the card was never posted: nothing to improve
        shown = json.loads(raw)
        if shown.get("at") != handoff.at.isoformat():
            return  # the card shows a later handoff of the ticket now
        shown["briefing"] = _shown_briefing(briefing, self._shown)
        await self._store.put_ref(CARD_REF, ticket_id, json.dumps(shown))
        # The card shows the ticket as it is now: it may have been claimed meanwhile.
        ticket = await self._store.get_ticket(ticket_id)
        if ticket is None:
            return
        await self._client.chat_update(
            channel=self._channel,
            ts=shown["ts"],
            text=fallback_text(ticket, shown["reason"]),
            blocks=self._card(ticket, shown),
        )

    async def relay(self, ticket: Ticket, turn: Turn) -> None:
        thread = await self._thread(ticket)
        if thread is None:
            return
        said = escape(self._shown(turn.text))
        if turn.role is not Role.CUSTOMER:
            await self._post(thread, f"_Told the customer:_ {said}")
            return
        text = f"*Customer:* {said}"
        translation = turn.meta.get("translation")
        if isinstance(translation, dict):
            text += f"\n_({translation['language']})_ {escape(self._shown(translation['text']))}"
        await self._post(thread, text)

    async def remind(self, ticket: Ticket) -> None:
        thread = await self._thread(ticket)
        if thread is None:
            return
        await self._client.chat_postMessage(
            channel=self._channel,
            thread_ts=thread,
            reply_broadcast=True,
            text=f"<!here> Ticket {ticket.id} is still waiting for an agent: the customer "
            "has been told it is taking longer than usual. Press *Claim* on the card.",
        )

    async def changed(self, ticket: Ticket, what: str, agent: Agent | None) -> None:
        thread = await self._thread(ticket)
        if thread is None:
            return
        raw = await self._store.get_ref(CARD_REF, ticket.id)
        if raw is not None:
            shown = json.loads(raw)
            await self._client.chat_update(
                channel=self._channel,
                ts=shown["ts"],
                text=fallback_text(ticket, shown["reason"]),
                blocks=self._card(ticket, shown),
            )
        if what == RATED and ticket.rating is not None:
            comment = ticket.fields.get("rating_comment")
            said = f": “{escape(self._shown(comment))}”" if comment else ""
            await self._post(thread, f"The customer rated the help {stars(ticket.rating)}{said}")
        elif what in _CHANGED:
            who = f"<@{agent.id}>" if agent is not None else "An operator"
            await self._post(thread, _CHANGED[what].format(agent=who))

    # -- what agents do in Slack ------------------------------------------------

    async def ticket_for_thread(self, thread_ts: str) -> str | None:
        return await self._store.get_ref(THREAD_REF, f"{self._channel}:{thread_ts}")

    async def tell(self, ticket: Ticket, agent: Agent, outcome: str, detail: str) -> None:
        thread = await self._thread(ticket)
        if thread is None:
            return
        if outcome == "rejected":
            await self._post(thread, f"<@{agent.id}>: not done, {escape(detail)}.")
            return
        owner = f"<@{ticket.agent}>" if ticket.agent else "its owner"
        text = _KEPT_INTERNAL.get(outcome)
        if text is not None:
            await self._post(thread, text.format(owner=owner, detail=escape(detail)))

    async def on_reply(self, *, user: str, thread_ts: str, text: str, key: str) -> None:
        """A person wrote in a ticket's thread: journal it for the engine to decide."""
        ticket_id = await self.ticket_for_thread(thread_ts)
        if ticket_id is None or self.inbox is None:
            return  # a thread that is not a ticket's: agents chatting among themselves
        ticket = await self._store.get_ticket(ticket_id)
        if ticket is None:
            await self._post(thread_ts, "Kept internal: this ticket has expired.")
            return
        # Compared after NFKC: CJK input methods type full-width slashes (U+FF0F) for "//",
        # and a note that slips through that way reaches the customer.
        note = _folded(text).lstrip().startswith(_folded(self._note_prefix))
        reply = AgentReply(ticket_id, await self.agent(user), text, note)
        await self.inbox.submit(Entry.about(ticket.conversation_id, reply, key=f"slack:{key}"))

    async def on_action(self, *, user: str, action_id: str, ticket_id: str, key: str) -> None:
        """Claim, Resolve or Back to bot was pressed on a card: journal it."""
        event = ACTIONS.get(action_id)
        if event is None or self.inbox is None:
            return
        ticket = await self._store.get_ticket(ticket_id)
        if ticket is None:
            log.info("slack: %s pressed %s on expired ticket %s", user, action_id, ticket_id)
            return
        action = AgentAction(ticket_id, event, await self.agent(user))
        entry = Entry.about(ticket.conversation_id, action, key=f"slack-action:{key}")
        await self.inbox.submit(entry)

    async def agent(self, user: str) -> Agent:
        """The agent behind a Slack user id, with their name (cached per process)."""
        if user not in self._names:
            try:
                found = await self._client.users_info(user=user)
                profile: dict[str, Any] = found["user"].get("profile") or {}
                name = (
                    profile.get("display_name")
                    or profile.get("real_name")
                    or found["user"].get("real_name")
                    or found["user"].get("name")
                )
                self._names[user] = str(name) if name else None
            except SlackApiError as exc:
                log.warning("slack: users.info %s failed: %s", user, exc.response.get("error"))
                return Agent(user)
        return Agent(user, self._names[user])

    # -- helpers -------------------------------------------------------------------

    async def _shown_again(self, ticket: Ticket, shown: dict[str, Any]) -> str | None:
        """Update the ticket's card, if it has one, to `shown`; its ts, or None if none.

        When the card said something else (a new reason, new turns: the ticket came back
        to the agents), the thread says so to the channel too, as an edit notifies nobody.
        """
        raw = await self._store.get_ref(CARD_REF, ticket.id)
        if raw is None:
            return None
        before = json.loads(raw)
        ts = str(before["ts"])
        try:
            await self._client.chat_update(
                channel=self._channel,
                ts=ts,
                text=fallback_text(ticket, shown["reason"]),
                blocks=self._card(ticket, shown),
            )
        except SlackApiError as exc:
            # Deleted in Slack, or posted to the agents' channel before it was changed.
            log.warning(
                "slack: the card of %s cannot be updated (%s): posting a new one",
                ticket.id,
                exc.response.get("error"),
            )
            return None
        if (before["reason"], before["turns"]) != (shown["reason"], shown["turns"]):
            await self._client.chat_postMessage(
                channel=self._channel,
                thread_ts=ts,
                reply_broadcast=True,
                text=f"Ticket {ticket.id} needs a person again: {escape(shown['reason'])}. "
                "Press *Claim* on the card.",
            )
        return ts

    def _card(self, ticket: Ticket, shown: dict[str, Any]) -> list[dict[str, Any]]:
        customer = ticket.address.id
        if self._pii == "masked":
            customer = mask_address(customer)
        return card(
            ticket,
            customer=customer,
            reason=shown["reason"],
            briefing=Briefing(**shown["briefing"]),
            turns=shown["turns"],
            ticket_fields={name: self._shown(value) for name, value in ticket.fields.items()},
            note_prefix=self._note_prefix,
        )

    def _shown(self, text: str) -> str:
        return redact(text) if self._pii == "masked" else text

    async def _thread(self, ticket: Ticket) -> str | None:
        ref = ticket.desk_ref
        if ref is None:
            raw = await self._store.get_ref(CARD_REF, ticket.id)
            return str(json.loads(raw)["ts"]) if raw is not None else None
        channel, _, ts = ref.partition(":")
        return ts if channel == self._channel else None

    async def _post(self, thread_ts: str, text: str) -> None:
        await self._client.chat_postMessage(
            channel=self._channel, thread_ts=thread_ts, text=text, unfurl_links=False
        )


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _shown_briefing(briefing: Briefing, shown: Callable[[str], str]) -> dict[str, Any]:
    data = briefing.to_json()
    data["summary"] = shown(briefing.summary)
    return data
