"""Button payloads round-trip, fit Telegram's 64-byte callback_data, and anything else is refused."""

from __future__ import annotations

import pytest

from assistant.dialogue.actions import (
    candidate_action,
    checklist_action,
    facet_action,
    feedback_action,
    parse_action,
)
from assistant.dialogue.conversation import Conversation
from assistant.nlu.facets import Facet

PROC = "marriage-status-certification"


def test_every_action_round_trips_within_64_bytes():
    for facet in Facet:
        for build, kind in ((facet_action, "facet"), (candidate_action, "pick")):
            payload = build(PROC, facet)
            assert len(payload.encode()) <= 64
            action = parse_action(payload)
            assert (action.kind, action.procedure_id, action.facet) == (kind, PROC, facet)
    assert parse_action(checklist_action(PROC, 3)).index == 3
    assert parse_action(feedback_action(PROC, -5)).rating == -1
    assert parse_action("sub:000.00.10.H32-231116-0001").code == "000.00.10.H32-231116-0001"


@pytest.mark.parametrize("raw", ["", "f:", "f:zz:" + PROC, "k:one:" + PROC, "fb:+2:" + PROC, "sub:", "x" * 200,
                                 None, 42])
def test_malformed_payloads_are_refused(raw):
    assert parse_action(raw) is None


def test_conversation_state_survives_unknown_or_broken_fields():
    assert Conversation.from_dict(None) == Conversation()
    kept = Conversation.from_dict({"last_procedure": PROC, "from_a_newer_version": 1})
    assert kept.last_procedure == PROC
    assert Conversation.from_dict({"checklist": {PROC: [0]}, "turns": 2}).to_dict()["checklist"] == {PROC: [0]}
