"""Who owns a conversation: the one table of legal transitions.

```
          trigger / router says human            agent claims
   BOT ───────────────────────────► WAITING_AGENT ───────────► WITH_AGENT
    ▲  ◄────────── agent: "back to bot" ──────────────────────────┘ │
    │                                                               │ agent resolves
    └────── next customer message opens a new ticket ◄── RESOLVED ◄─┘
```

Inside a state, what the conversation waits for is its sub-state (`Pending`):

```
   BOT            nothing · answer (a flow asked: an order number, a yes) · person_offer
   WAITING_AGENT  nothing
   WITH_AGENT     nothing
   RESOLVED       nothing · rating (asked how the help was)
```

`transition` is pure: it takes a state, an event and the sub-state, and returns
the next state, the effects the engine must carry out and the next sub-state, or a
`Rejected` saying why the event does not apply. It never raises and performs no
I/O; the engine logs rejections. States are `StrEnum`s because they are
persisted: their text is the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    BOT = "BOT"
    WAITING_AGENT = "WAITING_AGENT"
    WITH_AGENT = "WITH_AGENT"
    RESOLVED = "RESOLVED"


class Pending(StrEnum):
    """What the conversation waits for inside its state."""

    NOTHING = "nothing"
    ANSWER = "answer"  # a flow asked the customer something; the ticket names which flow
    PERSON_OFFER = "person_offer"  # the bot offered a person: a yes or a no is expected
    RATING = "rating"  # the customer was asked how the help was


SUBSTATES: dict[State, frozenset[Pending]] = {
    State.BOT: frozenset({Pending.NOTHING, Pending.ANSWER, Pending.PERSON_OFFER}),
    State.WAITING_AGENT: frozenset({Pending.NOTHING}),
    State.WITH_AGENT: frozenset({Pending.NOTHING}),
    State.RESOLVED: frozenset({Pending.NOTHING, Pending.RATING}),
}


class Event(StrEnum):
    CUSTOMER_MESSAGE = "customer_message"
    HANDOFF = "handoff"  # a trigger, the router or the kill switch says a person must answer
    BOT_ANSWERED = "bot_answered"  # the bot answered and waits for nothing in particular
    BOT_ASKED = "bot_asked"  # a flow asked the customer something
    BOT_OFFERED_PERSON = "bot_offered_person"  # "shall I get you a person?"
    AGENT_CLAIM = "agent_claim"
    AGENT_RELEASE = "agent_release"  # "back to bot"
    AGENT_RESOLVE = "agent_resolve"
    SLA_EXPIRED = "sla_expired"
    IDLE_TIMEOUT = "idle_timeout"
    RATED = "rated"  # the customer answered the rating question


class Effect(StrEnum):
    OPEN_TICKET = "open_ticket"
    BOT_ANSWERS = "bot_answers"
    RELAY_TO_AGENT = "relay_to_agent"
    NOTIFY_AGENTS = "notify_agents"
    TELL_HANDOFF = "tell_handoff"
    START_SLA_TIMER = "start_sla_timer"
    STOP_SLA_TIMER = "stop_sla_timer"
    TELL_SLA_MISSED = "tell_sla_missed"
    TELL_AGENT_JOINED = "tell_agent_joined"
    TELL_BACK_TO_BOT = "tell_back_to_bot"
    TELL_RESOLVED = "tell_resolved"
    CLOSE_TICKET = "close_ticket"
    ASK_RATING = "ask_rating"
    THANK_FOR_RATING = "thank_for_rating"


@dataclass(frozen=True, slots=True)
class Transition:
    state: State
    effects: tuple[Effect, ...]
    pending: Pending | None = Pending.NOTHING  # the next sub-state; None keeps the current one


@dataclass(frozen=True, slots=True)
class Rejected:
    state: State
    event: Event
    reason: str


_S = State
_E = Event
_F = Effect

_KEEP = None
_P = Pending

# Every legal (state, event) pair; anything absent is rejected.
_TABLE: dict[tuple[State, Event], Transition] = {
    (_S.BOT, _E.CUSTOMER_MESSAGE): Transition(_S.BOT, (_F.BOT_ANSWERS,), _KEEP),
    (_S.BOT, _E.BOT_ANSWERED): Transition(_S.BOT, (), _P.NOTHING),
    (_S.BOT, _E.BOT_ASKED): Transition(_S.BOT, (), _P.ANSWER),
    (_S.BOT, _E.BOT_OFFERED_PERSON): Transition(_S.BOT, (), _P.PERSON_OFFER),
    (_S.BOT, _E.HANDOFF): Transition(
        _S.WAITING_AGENT, (_F.TELL_HANDOFF, _F.NOTIFY_AGENTS, _F.START_SLA_TIMER)
    ),
    (_S.BOT, _E.IDLE_TIMEOUT): Transition(_S.RESOLVED, (_F.CLOSE_TICKET,)),
    (_S.WAITING_AGENT, _E.CUSTOMER_MESSAGE): Transition(
        _S.WAITING_AGENT, (_F.RELAY_TO_AGENT,), _KEEP
    ),
    (_S.WAITING_AGENT, _E.AGENT_CLAIM): Transition(
        _S.WITH_AGENT, (_F.STOP_SLA_TIMER, _F.TELL_AGENT_JOINED)
    ),
    (_S.WAITING_AGENT, _E.AGENT_RELEASE): Transition(
        _S.BOT, (_F.STOP_SLA_TIMER, _F.TELL_BACK_TO_BOT)
    ),
    (_S.WAITING_AGENT, _E.AGENT_RESOLVE): Transition(
        _S.RESOLVED,
        (_F.STOP_SLA_TIMER, _F.TELL_RESOLVED, _F.CLOSE_TICKET, _F.ASK_RATING),
        _P.RATING,
    ),
    (_S.WAITING_AGENT, _E.SLA_EXPIRED): Transition(
        _S.WAITING_AGENT, (_F.TELL_SLA_MISSED, _F.NOTIFY_AGENTS), _KEEP
    ),
    (_S.WITH_AGENT, _E.CUSTOMER_MESSAGE): Transition(_S.WITH_AGENT, (_F.RELAY_TO_AGENT,), _KEEP),
    (_S.WITH_AGENT, _E.AGENT_RELEASE): Transition(_S.BOT, (_F.TELL_BACK_TO_BOT,)),
    (_S.WITH_AGENT, _E.AGENT_RESOLVE): Transition(
        _S.RESOLVED, (_F.TELL_RESOLVED, _F.CLOSE_TICKET, _F.ASK_RATING), _P.RATING
    ),
    (_S.RESOLVED, _E.CUSTOMER_MESSAGE): Transition(_S.BOT, (_F.OPEN_TICKET, _F.BOT_ANSWERS)),
    (_S.RESOLVED, _E.RATED): Transition(_S.RESOLVED, (_F.THANK_FOR_RATING,)),
}

# Events that apply only in one sub-state of their state.
_NEEDS: dict[Event, Pending] = {Event.RATED: Pending.RATING}

_WHY: dict[Event, str] = {
    Event.CUSTOMER_MESSAGE: "a customer message always has a handler",
    Event.HANDOFF: "only a bot-owned conversation can be handed to a person",
    Event.AGENT_CLAIM: "only a conversation waiting for an agent can be claimed",
    Event.AGENT_RELEASE: "the conversation is not with a person",
    Event.AGENT_RESOLVE: "the conversation is not with a person",
    Event.SLA_EXPIRED: "nobody is waiting for an agent any more",
    Event.IDLE_TIMEOUT: "only a bot-owned ticket closes when idle",
    Event.BOT_ANSWERED: "only the bot answers in its own conversation",
    Event.BOT_ASKED: "only the bot asks in its own conversation",
    Event.BOT_OFFERED_PERSON: "only the bot offers a person in its own conversation",
    Event.RATED: "nobody was asked to rate the help",
}


def transition(
    state: State, event: Event, pending: Pending = Pending.NOTHING
) -> Transition | Rejected:
    """The next state, effects and sub-state for `event` in `state` (and sub-state
    `pending`), or why it does not apply."""
    found = _TABLE.get((state, event))
    needed = _NEEDS.get(event)
    if found is not None and (needed is None or needed is pending):
        return found
    return Rejected(state, event, f"{event} in {state}: {_WHY[event]}")
