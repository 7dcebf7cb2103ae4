"""The state machine, exhaustively: every state and sub-state against every event."""

from __future__ import annotations

import itertools

import pytest

from bot.statemachine import (
    SUBSTATES,
    Effect,
    Event,
    Pending,
    Rejected,
    State,
    Transition,
    transition,
)

S, E, F, P = State, Event, Effect, Pending
KEEP = None  # the sub-state stays what it was

# Written out independently of the implementation's table: what support
# expects in each case. Anything not listed must be rejected.
EXPECTED: dict[tuple[State, Event], tuple[State, set[Effect], Pending | None]] = {
    (S.BOT, E.CUSTOMER_MESSAGE): (S.BOT, {F.BOT_ANSWERS}, KEEP),
    (S.BOT, E.BOT_ANSWERED): (S.BOT, set(), P.NOTHING),
    (S.BOT, E.BOT_ASKED): (S.BOT, set(), P.ANSWER),
    (S.BOT, E.BOT_OFFERED_PERSON): (S.BOT, set(), P.PERSON_OFFER),
    (S.BOT, E.HANDOFF): (
        S.WAITING_AGENT,
        {F.TELL_HANDOFF, F.NOTIFY_AGENTS, F.START_SLA_TIMER},
        P.NOTHING,
    ),
    (S.BOT, E.IDLE_TIMEOUT): (S.RESOLVED, {F.CLOSE_TICKET}, P.NOTHING),
    (S.WAITING_AGENT, E.CUSTOMER_MESSAGE): (S.WAITING_AGENT, {F.RELAY_TO_AGENT}, KEEP),
    (S.WAITING_AGENT, E.AGENT_CLAIM): (
        S.WITH_AGENT,
        {F.STOP_SLA_TIMER, F.TELL_AGENT_JOINED},
        P.NOTHING,
    ),
    (S.WAITING_AGENT, E.AGENT_RELEASE): (S.BOT, {F.STOP_SLA_TIMER, F.TELL_BACK_TO_BOT}, P.NOTHING),
    (S.WAITING_AGENT, E.AGENT_RESOLVE): (
        S.RESOLVED,
        {F.STOP_SLA_TIMER, F.TELL_RESOLVED, F.CLOSE_TICKET, F.ASK_RATING},
        P.RATING,
    ),
    (S.WAITING_AGENT, E.SLA_EXPIRED): (
        S.WAITING_AGENT,
        {F.TELL_SLA_MISSED, F.NOTIFY_AGENTS},
        KEEP,
    ),
    (S.WITH_AGENT, E.CUSTOMER_MESSAGE): (S.WITH_AGENT, {F.RELAY_TO_AGENT}, KEEP),
    (S.WITH_AGENT, E.AGENT_RELEASE): (S.BOT, {F.TELL_BACK_TO_BOT}, P.NOTHING),
    (S.WITH_AGENT, E.AGENT_RESOLVE): (
        S.RESOLVED,
        {F.TELL_RESOLVED, F.CLOSE_TICKET, F.ASK_RATING},
        P.RATING,
    ),
    (S.RESOLVED, E.CUSTOMER_MESSAGE): (S.BOT, {F.OPEN_TICKET, F.BOT_ANSWERS}, P.NOTHING),
    (S.RESOLVED, E.RATED): (S.RESOLVED, {F.THANK_FOR_RATING}, P.NOTHING),
}
# Events that apply only in one sub-state of their state.
ONLY_IN = {E.RATED: P.RATING}

ALL = [
    (state, pending, event)
    for state, event in itertools.product(State, Event)
    for pending in sorted(SUBSTATES[state])
]


@pytest.mark.parametrize(("state", "pending", "event"), ALL, ids=lambda v: str(v))
def test_every_state_sub_state_and_event(state: State, pending: Pending, event: Event) -> None:
    result = transition(state, event, pending)
    expected = EXPECTED.get((state, event))
    if expected is not None and ONLY_IN.get(event, pending) is not pending:
        expected = None
    if expected is None:
        assert isinstance(result, Rejected)
        assert (result.state, result.event) == (state, event)
        assert str(state) in result.reason
        assert str(event) in result.reason
        return
    assert isinstance(result, Transition)
    assert (result.state, set(result.effects), result.pending) == expected
    after = pending if result.pending is None else result.pending
    assert after in SUBSTATES[result.state]  # never a sub-state its state cannot have


def test_bot_never_answers_while_a_person_owns_the_conversation() -> None:
    for state in (S.WAITING_AGENT, S.WITH_AGENT):
        result = transition(state, E.CUSTOMER_MESSAGE)
        assert isinstance(result, Transition)
        assert F.BOT_ANSWERS not in result.effects


def test_a_second_claim_is_rejected_so_one_agent_owns_a_ticket() -> None:
    assert isinstance(transition(S.WITH_AGENT, E.AGENT_CLAIM), Rejected)


def test_a_rating_is_taken_only_after_it_was_asked_for() -> None:
    assert isinstance(transition(S.RESOLVED, E.RATED, P.NOTHING), Rejected)
    resolved = transition(S.WITH_AGENT, E.AGENT_RESOLVE)
    assert isinstance(resolved, Transition)
    assert resolved.pending is P.RATING
    assert isinstance(transition(resolved.state, E.RATED, P.RATING), Transition)


def test_states_and_sub_states_persist_as_their_names() -> None:
    # Stored conversations hold these strings; renaming one breaks them.
    assert [s.value for s in State] == ["BOT", "WAITING_AGENT", "WITH_AGENT", "RESOLVED"]
    assert [p.value for p in Pending] == ["nothing", "answer", "person_offer", "rating"]
