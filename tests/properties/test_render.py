"""Telegram rendering of any text: valid HTML Telegram accepts, only our own bold title as markup,
every part within the limit, and the citizen reads exactly the text the core wrote."""

from __future__ import annotations

import html
import re

from hypothesis import example, given
from hypothesis import strategies as st

from assistant.channels.telegram.render import MESSAGE_LIMIT, render_reply
from assistant.channels.text import utf16_length
from assistant.dialogue.reply import Button, Reply, Status
from tests.channels.telegram.fake_bot_api import _check_text
from tests.properties.strategies import INJECTION, PROPS, hostile_text

TEXT = st.one_of(hostile_text(allow_surrogates=False), st.sampled_from(INJECTION),
                 st.lists(st.sampled_from([*INJECTION, "\n", "\n\n", " ", "giấy tờ"]), max_size=400).map("".join))


@PROPS
@given(text=TEXT, title=st.one_of(st.none(), st.sampled_from(INJECTION), hostile_text(allow_surrogates=False, long=False)),
       labels=st.lists(st.tuples(hostile_text(allow_surrogates=False, long=False), st.text(max_size=80)), max_size=8))
@example(text="<script>alert(1)</script>", title="<b>", labels=[])
@example(text="&" * 5000, title=None, labels=[])
def test_any_text_renders_as_safe_telegram_html(text, title, labels):
    reply = Reply(status=Status.answer, text=text, title=title, procedure_id="p",
                  buttons=[Button(label or "x", action) for label, action in labels])
    parts = render_reply(reply)
    assert parts
    for part in parts:
        assert _check_text(part.text, "HTML") is None, part.text[:200]
        assert set(re.findall(r"</?([a-zA-Z][\w-]*)", part.text)) <= {"b"}
        plain = html.unescape(re.sub(r"</?b>", "", part.text))
        assert utf16_length(plain) <= MESSAGE_LIMIT or len(plain) == 1
    shown = "".join(html.unescape(re.sub(r"</?b>", "", p.text)) for p in parts)
    source = text if not title or text.startswith(title) else f"{title}\n{text}"
    assert re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", source) or not source.strip()
