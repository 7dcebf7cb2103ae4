"""Who owns a conversation: the one table of legal transitions.

```
          trigger / router says human            agent claims
   BOT ───────────────────────────► WAITING_AGENT ───────────► WITH_AGENT
    ▲  ◄────────── agent: "back to bot" ──────────────────────────┘ │
    │                                                               │ agent resolves
    └────── next customer message opens a new ticket ◄── RESOLVED ◄─┘
```

`transition` is pure: it takes a state and an event and returns the next state
and the effects the engine must carry out, or a `Rejected` saying why the event
does not apply. It never raises and performs no I/O; the engine logs rejections.
States are `StrEnum`s because they are persisted: their text is the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    BOT = "BOT"
    WAITING_AGENT = "WAITING_AGENT"
    WITH_AGENT = "WITH_AGENT"
    RESOLVED = "RESOLVED"


class Event(StrEnum):
    CUSTOMER_MESSAGE = "customer_message"
    HANDOFF = "handoff"  # a trigger, the router or the kill switch says a person must answer
    AGENT_CLAIM = "agent_claim"
    AGENT_RELEASE = "agent_release"  # "back to bot"
    AGENT_RESOLVE = "agent_resolve"
    SLA_EXPIRED = "sla_expired"
    IDLE_TIMEOUT = "idle_timeout"


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


@dataclass(frozen=True, slots=True)
class Transition:
    state: State
    effects: tuple[Effect, ...]


@dataclass(frozen=True, slots=True)
class Rejected:
    state: State
    event: Event
    reason: str


_S = State
_E = Event
_F = Effect

# Every legal (state, event) pair; anything absent is rejected.
_TABLE: dict[tuple[State, Event], Transition] = {
    (_S.BOT, _E.CUSTOMER_MESSAGE): Transition(_S.BOT, (_F.BOT_ANSWERS,)),
    (_S.BOT, _E.HANDOFF): Transition(
        _S.WAITING_AGENT, (_F.TELL_HANDOFF, _F.NOTIFY_AGENTS, _F.START_SLA_TIMER)
    ),
    (_S.BOT, _E.IDLE_TIMEOUT): Transition(_S.RESOLVED, (_F.CLOSE_TICKET,)),
    (_S.WAITING_AGENT, _E.CUSTOMER_MESSAGE): Transition(_S.WAITING_AGENT, (_F.RELAY_TO_AGENT,)),
    (_S.WAITING_AGENT, _E.AGENT_CLAIM): Transition(
        _S.WITH_AGENT, (_F.STOP_SLA_TIMER, _F.TELL_AGENT_JOINED)
    ),
    (_S.WAITING_AGENT, _E.AGENT_RELEASE): Transition(
        _S.BOT, (_F.STOP_SLA_TIMER, _F.TELL_BACK_TO_BOT)
    ),
    (_S.WAITING_AGENT, _E.AGENT_RESOLVE): Transition(
        _S.RESOLVED, (_F.STOP_SLA_TIMER, _F.TELL_RESOLVED, _F.CLOSE_TICKET)
    ),
    (_S.WAITING_AGENT, _E.SLA_EXPIRED): Transition(
        _S.WAITING_AGENT, (_F.TELL_SLA_MISSED, _F.NOTIFY_AGENTS)
    ),
    (_S.WITH_AGENT, _E.CUSTOMER_MESSAGE): Transition(_S.WITH_AGENT, (_F.RELAY_TO_AGENT,)),
    (_S.WITH_AGENT, _E.AGENT_RELEASE): Transition(_S.BOT, (_F.TELL_BACK_TO_BOT,)),
    (_S.WITH_AGENT, _E.AGENT_RESOLVE): Transition(
        _S.RESOLVED, (_F.TELL_RESOLVED, _F.CLOSE_TICKET)
    ),
    (_S.RESOLVED, _E.CUSTOMER_MESSAGE): Transition(_S.BOT, (_F.OPEN_TICKET, _F.BOT_ANSWERS)),
}

_WHY: dict[Event, str] = {
    Event.CUSTOMER_MESSAGE: "a customer message always has a handler",
    Event.HANDOFF: "only a bot-owned conversation can be handed to a person",
    Event.AGENT_CLAIM: "only a conversation waiting for an agent can be claimed",
    Event.AGENT_RELEASE: "the conversation is not with a person",
    Event.AGENT_RESOLVE: "the conversation is not with a person",
    Event.SLA_EXPIRED: "nobody is waiting for an agent any more",
    Event.IDLE_TIMEOUT: "only a bot-owned ticket closes when idle",
}


def transition(state: State, event: Event) -> Transition | Rejected:
    """The next state and effects for `event` in `state`, or why it does not apply."""
    found = _TABLE.get((state, event))
    if found is not None:
        return found
    return Rejected(state, event, f"{event} in {state}: {_WHY[event]}")
