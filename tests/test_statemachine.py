"""The state machine, exhaustively: every state against every event."""

from __future__ import annotations

import itertools

import pytest

from bot.statemachine import Effect, Event, Rejected, State, Transition, transition

S, E, F = State, Event, Effect

# Written out independently of the implementation's table: what support
# expects in each case. Anything not listed must be rejected.
EXPECTED: dict[tuple[State, Event], tuple[State, set[Effect]]] = {
    (S.BOT, E.CUSTOMER_MESSAGE): (S.BOT, {F.BOT_ANSWERS}),
    (S.BOT, E.HANDOFF): (S.WAITING_AGENT, {F.TELL_HANDOFF, F.NOTIFY_AGENTS, F.START_SLA_TIMER}),
    (S.BOT, E.IDLE_TIMEOUT): (S.RESOLVED, {F.CLOSE_TICKET}),
    (S.WAITING_AGENT, E.CUSTOMER_MESSAGE): (S.WAITING_AGENT, {F.RELAY_TO_AGENT}),
    (S.WAITING_AGENT, E.AGENT_CLAIM): (S.WITH_AGENT, {F.STOP_SLA_TIMER, F.TELL_AGENT_JOINED}),
    (S.WAITING_AGENT, E.AGENT_RELEASE): (S.BOT, {F.STOP_SLA_TIMER, F.TELL_BACK_TO_BOT}),
    (S.WAITING_AGENT, E.AGENT_RESOLVE): (
        S.RESOLVED,
        {F.STOP_SLA_TIMER, F.TELL_RESOLVED, F.CLOSE_TICKET},
    ),
    (S.WAITING_AGENT, E.SLA_EXPIRED): (S.WAITING_AGENT, {F.TELL_SLA_MISSED, F.NOTIFY_AGENTS}),
    (S.WITH_AGENT, E.CUSTOMER_MESSAGE): (S.WITH_AGENT, {F.RELAY_TO_AGENT}),
    (S.WITH_AGENT, E.AGENT_RELEASE): (S.BOT, {F.TELL_BACK_TO_BOT}),
    (S.WITH_AGENT, E.AGENT_RESOLVE): (S.RESOLVED, {F.TELL_RESOLVED, F.CLOSE_TICKET}),
    (S.RESOLVED, E.CUSTOMER_MESSAGE): (S.BOT, {F.OPEN_TICKET, F.BOT_ANSWERS}),
}

ALL_PAIRS = list(itertools.product(State, Event))


@pytest.mark.parametrize(("state", "event"), ALL_PAIRS, ids=lambda v: str(v))
def test_every_state_and_event(state: State, event: Event) -> None:
    result = transition(state, event)
    expected = EXPECTED.get((state, event))
    if expected is None:
        assert isinstance(result, Rejected)
        assert result.state is state
        assert result.event is event
        assert str(state) in result.reason
        assert str(event) in result.reason
    else:
        assert isinstance(result, Transition)
        assert (result.state, set(result.effects)) == expected


def test_bot_never_answers_while_a_person_owns_the_conversation() -> None:
    for state in (S.WAITING_AGENT, S.WITH_AGENT):
        result = transition(state, E.CUSTOMER_MESSAGE)
        assert isinstance(result, Transition)
        assert F.BOT_ANSWERS not in result.effects


def test_a_second_claim_is_rejected_so_one_agent_owns_a_ticket() -> None:
    assert isinstance(transition(S.WITH_AGENT, E.AGENT_CLAIM), Rejected)


def test_states_persist_as_their_names() -> None:
    # Stored conversations hold these strings; renaming one breaks them.
    assert [s.value for s in State] == ["BOT", "WAITING_AGENT", "WITH_AGENT", "RESOLVED"]
