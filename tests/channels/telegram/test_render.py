"""Message splitting (assistant.channels.text) and Reply → Telegram HTML/keyboard rendering."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.channels.telegram.render import keyboard, render_reply, render_text, without_feedback
from assistant.channels.text import split_message, utf16_length
from assistant.dialogue.reply import Button, Reply, Status


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- split_message ------------------------------------------------------------------------------

def test_short_text_is_one_part_and_blank_text_none():
    assert split_message("Xin chào", 4096) == ["Xin chào"]
    assert split_message("  \n\n ", 10) == []
    assert split_message("", 10) == []
    with pytest.raises(ValueError):
        split_message("x", 0)


def test_prefers_paragraphs_then_lines_then_words():
    text = "Đoạn một dòng một.\nĐoạn một dòng hai.\n\nĐoạn hai."
    assert split_message(text, 40) == ["Đoạn một dòng một.\nĐoạn một dòng hai.", "Đoạn hai."]
    assert split_message(text, 20) == ["Đoạn một dòng một.", "Đoạn một dòng hai.", "Đoạn hai."]
    words = "giấy tờ cần chuẩn bị gồm tờ khai và căn cước"
    parts = split_message(words, 12)
    assert all(len(p) <= 12 for p in parts)
    assert " ".join(parts) == words  # cut only between words


def test_unbreakable_run_is_cut_without_separating_combining_marks():
    decomposed = unicodedata.normalize("NFD", "Việt") * 10  # base letters followed by combining marks
    parts = split_message(decomposed, 7)
    assert "".join(parts) == decomposed
    assert all(len(p) <= 7 for p in parts)
    assert not any(unicodedata.combining(p[0]) for p in parts)
    piled = "👍" + "\u0301" * 5  # one "character" longer than the limit: the limit still holds
    assert all(utf16_length(p) <= 2 for p in split_message(piled * 3, 2, length=utf16_length))


def test_utf16_length_counts_emoji_as_two():
    assert utf16_length("✅") == 1 and utf16_length("👍") == 2 and utf16_length("Việt") == 4
    parts = split_message("👍" * 10, 4, length=utf16_length)
    assert parts == ["👍👍"] * 5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aăâđêôơư  á\n\n\n👍.,<&\u0301", max_size=600),
       st.integers(min_value=2, max_value=80))
def test_parts_fit_keep_every_character_and_are_never_empty(text, limit):
    parts = split_message(text, limit, length=utf16_length)
    assert all(part and part.strip() == part for part in parts)
    assert all(utf16_length(part) <= limit for part in parts)
    assert squash("".join(parts)) == squash(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abcdeđơư", min_size=1, max_size=10), min_size=1, max_size=80))
def test_words_that_fit_are_never_cut(words):
    parts = split_message(" ".join(words), 12)
    assert [w for p in parts for w in p.split()] == words


# -- rendering ------------------------------------------------------------------------------------

def test_everything_is_escaped_and_only_the_title_is_bold():
    [text] = render_text('Tiêu đề <i>\nMã <b>x</b> & "y" \'z\'', title="Tiêu đề <i>")
    assert text == "<b>Tiêu đề &lt;i&gt;</b>\nMã &lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; &#x27;z&#x27;"
    assert html.unescape(re.sub(r"</?b>", "", text)) == 'Tiêu đề <i>\nMã <b>x</b> & "y" \'z\''


def test_title_missing_from_text_is_prepended():
    assert render_text("Nội dung", title="Hồ sơ") == ["<b>Hồ sơ</b>\nNội dung"]
    assert render_text("Nội dung") == ["Nội dung"]


def test_split_counts_visible_characters_not_escapes():
    text = "&" * 5000  # 25,000 characters once escaped, 5,000 visible
    parts = render_text(text)
    assert [len(html.unescape(p)) for p in parts] == [4096, 904]


def test_keyboard_two_per_row_long_labels_alone_and_feedback_last():
    buttons = [Button("Giấy tờ", "f:d:x"), Button("Lệ phí", "f:p:x"), Button("Nơi nộp", "f:w:x"),
               Button("Cấp Giấy xác nhận tình trạng hôn nhân", "p:o:x"), Button("Các bước", "f:s:x")]
    markup = keyboard(buttons, feedback_for="x")
    rows = [[b.text for b in row] for row in markup.inline_keyboard]
    assert rows == [["Giấy tờ", "Lệ phí"], ["Nơi nộp"], ["Cấp Giấy xác nhận tình trạng hôn nhân"], ["Các bước"],
                    ["👍 Hữu ích", "👎 Chưa hữu ích"]]
    assert markup.inline_keyboard[-1][0].callback_data == "fb:+1:x"
    assert keyboard([]) is None


def test_callback_data_over_64_bytes_is_dropped():
    markup = keyboard([Button("ok", "f:d:short"), Button("quá dài", "f:d:" + "đ" * 40)])
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == ["f:d:short"]


def test_feedback_only_on_procedure_answers():
    answer = Reply(status=Status.answer, text="T\nx", title="T", procedure_id="p", buttons=[Button("a", "f:d:p")])
    checklist = Reply(status=Status.answer, text="T\nx", title="T", procedure_id="p", data={"checklist": {}})
    clarify = Reply(status=Status.clarify, text="Bạn hỏi thủ tục nào?", buttons=[Button("a", "p:o:a")])
    has_fb = lambda r: any(b.callback_data.startswith("fb:")  # noqa: E731
                           for m in render_reply(r) if m.markup for row in m.markup.inline_keyboard for b in row)
    assert has_fb(answer) and not has_fb(checklist) and not has_fb(clarify)


def test_without_feedback_removes_only_the_vote_row():
    markup = keyboard([Button("Giấy tờ", "f:d:x")], feedback_for="x")
    assert [[b.text for b in row] for row in without_feedback(markup).inline_keyboard] == [["Giấy tờ"]]
    assert without_feedback(keyboard([], feedback_for="x")) is None
    assert without_feedback(None) is None


def test_empty_reply_still_renders_one_message():
    [message] = render_reply(Reply(status=Status.not_found, text="   "))
    assert message.text == "…"


def test_the_same_buttons_share_one_built_keyboard_and_others_get_their_own():
    buttons = [Button("Giấy tờ", "f:d:x"), Button("Lệ phí", "f:p:x")]
    first = keyboard(buttons, feedback_for="x")
    assert keyboard(list(buttons), feedback_for="x") is first  # PTB keyboards are immutable: shared
    assert keyboard(buttons) is not first and keyboard(buttons[:1], feedback_for="x") is not first
    assert [[b.text for b in row] for row in keyboard(buttons).inline_keyboard] == [["Giấy tờ", "Lệ phí"]]


def test_a_cached_keyboard_serialises_like_ptb_and_each_caller_gets_its_own_dict():
    from telegram import InlineKeyboardMarkup

    markup = keyboard([Button("Giấy tờ", "f:d:y"), Button("Lệ phí", "f:p:y")], feedback_for="y")
    plain = InlineKeyboardMarkup(markup.inline_keyboard).to_dict()
    first = markup.to_dict()
    assert first == plain and markup.to_dict(recursive=False).keys() == plain.keys()
    first["inline_keyboard"] = []  # a caller changing its copy does not change the next send
    assert markup.to_dict() == plain
