"""The core never raises and always answers in Vietnamese, whatever a client sends."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

from hypothesis import example, given
from hypothesis import strategies as st

from assistant.channels.telegram.render import render_reply
from assistant.channels.zalo.render import render_reply as render_zalo
from assistant.dialogue.conversation import Conversation, Requester
from assistant.dialogue.reply import Reply, Status
from tests.properties.strategies import PROPS, hostile_text

VIETNAMESE_LETTER = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")
NOW = dt.datetime(2026, 11, 18, 9, 30)
PROC = "marriage-status-certification"
_chats = itertools.count()


def requester() -> Requester:
    """A new chat per example: the unknown-code throttle must not make examples depend on each other."""
    return Requester("props", str(next(_chats)))


def check_reply(reply: Reply) -> None:
    assert isinstance(reply, Reply)
    assert isinstance(reply.status, Status)
    assert isinstance(reply.text, str) and reply.text.strip(), reply
    assert VIETNAMESE_LETTER.search(reply.text.lower()), reply.text
    json.dumps(reply.to_json(), ensure_ascii=False)  # serialisable for the web API and the CLI
    assert all(isinstance(b.label, str) and isinstance(b.action, str) for b in reply.buttons)
    assert render_reply(reply) and render_zalo(reply)  # every channel can render it


def actions() -> st.SearchStrategy[str]:
    """Button payloads: well-formed, almost well-formed and garbage."""
    facet = st.sampled_from(["o", "d", "t", "p", "w", "n", "s", "e", "l", "x", "", "::"])
    proc = st.one_of(st.just(PROC), st.sampled_from(["birth-registration", "nope", ""]),
                     hostile_text(long=False))
    return st.one_of(
        hostile_text(),
        st.builds(lambda h, f, p: f"{h}:{f}:{p}", st.sampled_from(["f", "p"]), facet, proc),
        st.builds(lambda i, p: f"k:{i}:{p}", st.one_of(st.integers(-5, 40), st.just(10**30), hostile_text(long=False)),
                  proc),
        st.builds(lambda h, c: f"{h}:{c}", st.sampled_from(["sub", "unsub"]), hostile_text(long=False)),
        st.builds(lambda r, p: f"fb:{r}:{p}", st.sampled_from(["+1", "-1", "0", "+2", ""]), proc),
        st.builds(lambda f: f"field:{f}", st.one_of(st.sampled_from(["ho-tich", "cu-tru"]), hostile_text(long=False))),
    )


@PROPS
@given(text=hostile_text())
@example(text="")
@example(text="\x00" * 10_001)
@example(text="\u0f73" * 10_001)
@example(text="a" + "\u0301\u0316" * 6_000)
@example(text="🙂" * 12_000)
@example(text="\u202egiấy độc thân mất bao lâu\u202c")
@example(text="'; DROP TABLE dossiers;--")
@example(text="000.00.10.H32-231116-0001 theo dõi")
def test_handle_always_answers(wired_assistant, text):
    conversation, chat = Conversation(), requester()
    reply = wired_assistant.handle(text, conversation, chat, now=NOW)
    check_reply(reply)
    follow_up = wired_assistant.handle("còn lệ phí thì sao?", conversation, chat, now=NOW)
    check_reply(follow_up)


@PROPS
@given(action=actions(), ticked=st.lists(st.integers(-3, 12), max_size=5))
@example(action="k:99999999999999999999999:" + PROC, ticked=[])
@example(action="sub:'; DROP TABLE dossiers;--", ticked=[])
@example(action="x" * 10_001, ticked=[])
def test_handle_action_always_answers(wired_assistant, action, ticked):
    conversation = Conversation(last_procedure=PROC, checklist={PROC: ticked})
    reply = wired_assistant.handle_action(action, conversation, requester(), now=NOW)
    check_reply(reply)


@PROPS
@given(texts=st.lists(hostile_text(long=False), min_size=2, max_size=6))
def test_conversation_survives_a_hostile_sequence(wired_assistant, texts):
    """State left by one odd message never breaks the next one (follow-ups, clarification numbers)."""
    conversation, chat = Conversation(), requester()
    for text in [*texts, "1", "2", "còn giấy tờ?"]:
        check_reply(wired_assistant.handle(text, conversation, chat, now=NOW))
        conversation = Conversation.from_dict(json.loads(json.dumps(conversation.to_dict())))
