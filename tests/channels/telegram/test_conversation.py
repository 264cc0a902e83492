"""A citizen's conversation end to end: real PTB Application ⇄ HTTP ⇄ fake Bot API server."""

from __future__ import annotations

from sqlalchemy import select

from assistant.channels.telegram import build_application, channel_of, start_polling, stop_application
from assistant.channels.telegram.render import MESSAGE_LIMIT
from assistant.dialogue.reply import Reply, Status
from assistant.store import ConversationStore
from assistant.store.models import Feedback
from tests.channels.telegram.conftest import FAST, say, tap

CHAT = 1001
MSC = "marriage-status-certification"


async def test_start_greets_with_fields_and_sets_the_command_menu(app, fake):
    reply = await say(fake, CHAT, "/start")
    assert "Xin chào" in reply.plain and "Tỉnh Khánh Hòa" in reply.plain and "Huyện Khánh Vĩnh" not in reply.plain
    actions = [b["callback_data"] for b in reply.buttons()]
    assert "field:ho-tich" in actions and all(a.startswith("field:") for a in actions)
    assert {c["command"] for c in fake.commands} >= {"start", "help", "tracuu", "theodoi", "huytheodoi", "lienhe"}

    # A field button lists its procedures, each a button.
    listing = await tap(fake, reply, "field:ho-tich")
    assert "Đăng ký khai sinh" in listing.plain
    assert any(b["callback_data"] == f"p:o:{MSC}" for b in listing.buttons())


async def test_bot_api_calls_are_json_with_native_types(app, fake):
    await say(fake, CHAT, "giay doc than mat bao lau")
    (delete,) = [c for c in fake.calls if c.method == "deleteWebhook"]
    assert delete.content_type == "application/json" and delete.params["drop_pending_updates"] is False
    (send,) = fake.sent(CHAT)
    assert send.content_type == "application/json"
    assert send.params["chat_id"] == CHAT and send.params["parse_mode"] == "HTML"
    assert isinstance(send.params["reply_markup"], dict)
    assert send.params["link_preview_options"] == {"is_disabled": True}


async def test_deep_link_opens_one_procedure(app, fake):
    reply = await say(fake, CHAT, f"/start proc_{MSC}")
    assert reply.text.startswith("<b>Xác nhận tình trạng hôn nhân</b>")
    assert reply.parse_mode == "HTML"
    unknown = await say(fake, CHAT, "/start proc_no-such-procedure")
    assert "không còn trong danh mục" in unknown.plain


async def test_full_conversation(app, fake, db):
    # A question typed without diacritics: the asked part first, the other parts as buttons.
    answer = await say(fake, CHAT, "giay doc than mat bao lau")
    assert answer.text.startswith("<b>Xác nhận tình trạng hôn nhân</b>")
    assert "01 ngày làm việc" in answer.plain
    labels = [b["text"] for b in answer.buttons()]
    assert {"Giấy tờ", "Lệ phí", "Nơi nộp", "Trực tuyến", "Các bước", "Ngày có kết quả"} <= set(labels)
    assert "Thời hạn" not in labels
    assert answer.reply_markup["inline_keyboard"][-1] == [
        {"text": "👍 Hữu ích", "callback_data": f"fb:+1:{MSC}"},
        {"text": "👎 Chưa hữu ích", "callback_data": f"fb:-1:{MSC}"}]
    assert all(len(row) <= 2 for row in answer.reply_markup["inline_keyboard"])

    # A facet button answers that part as a new message.
    fee = await tap(fake, answer, f"f:p:{MSC}")
    assert "Lệ phí" in fee.plain and fee.message_id != answer.message_id

    # An ambiguous question asks back with candidate buttons; a tap picks one.
    clarify = await say(fake, CHAT, "căn cước công dân")
    assert "Bạn muốn hỏi thủ tục nào" in clarify.plain
    candidates = [b["callback_data"] for b in clarify.buttons()]
    assert {"p:o:id-card-renewal", "p:o:id-card-reissue"} <= set(candidates)
    picked = await tap(fake, clarify, "p:o:id-card-renewal")
    assert picked.text.startswith("<b>Đổi thẻ căn cước</b>")

    # Follow-ups use the stored conversation: no procedure named, the last one is meant.
    follow = await say(fake, CHAT, "lệ phí bao nhiêu")
    assert follow.text.startswith("<b>Đổi thẻ căn cước</b>") and "Lệ phí" in follow.plain
    where = await say(fake, CHAT, "nộp ở đâu")
    assert where.text.startswith("<b>Đổi thẻ căn cước</b>") and "Nơi nộp" in where.plain
    state = ConversationStore(db).load(f"telegram:{CHAT}")
    assert state["last_procedure"] == "id-card-renewal" and state["last_facet"] == "where"

    # Feedback: a toast, the 👍/👎 row disappears, the vote is stored.
    before = len(fake.chat(CHAT))
    fake.press(where, "fb:+1:id-card-renewal")
    await fake.wait_until(lambda: fake.sent(method="answerCallbackQuery")
                          and any("Cảm ơn" in str(c.params.get("text")) for c in fake.sent(method="answerCallbackQuery")),
                          what="feedback toast")
    await fake.wait_until(lambda: not any(b["callback_data"].startswith("fb:") for b in where.buttons()),
                          what="feedback row removed")
    assert len(fake.chat(CHAT)) == before  # no new message for a vote
    with db.connect() as conn:
        rows = conn.execute(select(Feedback.channel, Feedback.procedure_id, Feedback.rating)).all()
    assert rows == [("telegram", "id-card-renewal", 1)]


async def test_checklist_edits_the_same_message(app, fake, assistant):
    await say(fake, CHAT, "giay doc than mat bao lau")
    documents = await tap(fake, fake.chat(CHAT)[-1], f"f:d:{MSC}")
    assert "Giấy tờ cần chuẩn bị" in documents.plain
    count = len(fake.chat(CHAT))

    # Only papers handed in are counted (a card that is only shown is not), whatever the catalogue lists.
    proc = assistant.catalog.get(MSC)
    required = [i for i, d in proc.checklist if d.required]
    fake.press(documents, f"k:-1:{MSC}")  # "☑️ Đánh dấu giấy tờ đã có"
    await fake.wait_until(lambda: documents.edits == 1, what="checklist opened in place")
    assert "⬜ 1." in documents.plain and f"Còn thiếu {len(required)} giấy tờ bắt buộc" in documents.plain
    first = documents.button(f"k:{required[0]}:")
    assert first["text"].startswith("⬜ ")
    assert not any(b["callback_data"].startswith("fb:") for b in documents.buttons())
    assert len([b for b in documents.buttons() if b["callback_data"].startswith("k:")]) == len(proc.checklist)

    for ticks, index in enumerate(required, 1):
        fake.press(documents, f"k:{index}:")
        await fake.wait_until(lambda n=ticks: documents.edits == 1 + n, what=f"document {index} ticked")
        assert documents.button(f"k:{index}:")["text"].startswith("✅ ")
        left = len(required) - ticks
        assert (f"Còn thiếu {left} giấy tờ bắt buộc" in documents.plain) if left else \
            ("Còn thiếu" not in documents.plain and "đã có đủ giấy tờ bắt buộc" in documents.plain)
    assert len(fake.chat(CHAT)) == count  # every tick edited the same message

    # The ticks are part of the stored conversation: asking for the papers again shows them.
    again = await say(fake, CHAT, "giấy độc thân cần giấy tờ gì")
    assert again.plain.count("✅ ") == len(required)


async def test_state_lives_in_the_database_not_the_process(fake, settings, assistant, db):
    """A second bot process (same database) continues the conversation the first one started."""
    first = build_application(settings, assistant, db, base_url=fake.base_url, **FAST)
    await start_polling(first, poll_timeout=1)
    try:
        await say(fake, CHAT, "giay doc than mat bao lau")
    finally:
        await stop_application(first)
    second = build_application(settings, assistant, db, base_url=fake.base_url, **FAST)
    await start_polling(second, poll_timeout=1)
    try:
        follow = await say(fake, CHAT, "nộp ở đâu")
    finally:
        await stop_application(second)
    assert follow.text.startswith("<b>Xác nhận tình trạng hôn nhân</b>") and "Nơi nộp" in follow.plain


async def test_polling_owns_its_chats_and_still_writes_every_turn_to_the_database(app, fake, db):
    """Telegram hands a bot's updates to one poller: the polling process keeps each chat's state
    and skips reading it back (channels.turns), but every turn is saved before the reply."""
    assert channel_of(app).turns.exclusive == {"telegram"}
    await say(fake, CHAT, "giay doc than mat bao lau")
    await say(fake, CHAT, "còn lệ phí thì sao")
    assert ConversationStore(db).load(f"telegram:{CHAT}")["last_facet"] == "fee"


async def test_follow_up_with_con_le_phi_thi_sao(app, fake):
    await say(fake, CHAT, "giay doc than mat bao lau")
    follow = await say(fake, CHAT, "còn lệ phí thì sao")
    assert follow.text.startswith("<b>Xác nhận tình trạng hôn nhân</b>") and "Lệ phí" in follow.plain


async def test_help_contact_unknown_command_and_non_text(app, fake):
    help_text = await say(fake, CHAT, "/help")
    assert "/tracuu" in help_text.plain and "/theodoi" in help_text.plain
    contact = await say(fake, CHAT, "/lienhe")
    assert "1800 1096" in contact.plain and "dichvucong.gov.vn" in contact.plain
    assert "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa" in contact.plain  # the locality's one-stop
    await say(fake, CHAT, "em ở phường Ninh Hòa")  # answers the contact's "Bạn ở xã, phường nào?"
    commune = await say(fake, CHAT, "/lienhe")
    assert "Trung tâm Phục vụ hành chính công phường Ninh Hòa" in commune.plain
    unknown = await say(fake, CHAT, "/abc")
    assert "/help" in unknown.plain
    seen = len(fake.chat(CHAT))
    update = fake.make_message(CHAT, "")
    del update["message"]["text"]
    update["message"]["location"] = {"latitude": 12.2, "longitude": 108.9}
    fake.push(update)
    located = await fake.next_reply(CHAT, seen)
    assert "chỉ đọc được tin nhắn chữ" in located.plain


async def test_group_chats_only_answer_commands(app, fake):
    group = -100200300
    fake.message(group, "giay doc than mat bao lau", chat_type="supergroup", user_id=55)
    reply = await say(fake, group, "/help", timeout=5)
    assert "/tracuu" in reply.plain
    assert len(fake.chat(group)) == 1  # the free text in the group was ignored


async def test_markup_in_citizen_text_is_escaped(app, fake):
    reply = await say(fake, CHAT, "/tracuu <b>000.00.10.H32-231116-0001</b> & <script>")
    # The fake server rejects HTML Telegram could not parse; a reply arriving proves it was escaped.
    assert "<script>" not in reply.text
    for message in fake.chat(CHAT):
        assert "&" not in message.text.replace("&amp;", "").replace("&quot;", "").replace("&lt;", "").replace(
            "&gt;", "").replace("&#x27;", "")


async def test_long_replies_are_split_with_the_keyboard_on_the_last_part(app, fake, channel):
    paragraph = ("Đoạn văn dài về thủ tục hành chính, có dấu đầy đủ và không bị cắt giữa chữ. " * 12).strip()
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(12))
    assert len(text) > 2 * MESSAGE_LIMIT
    reply = Reply(status=Status.answer, text="Tiêu đề\n" + text, title="Tiêu đề", procedure_id=MSC)
    await channel.send_reply(CHAT, reply)
    parts = fake.chat(CHAT)
    assert len(parts) == 3
    assert all(len(p.plain) <= MESSAGE_LIMIT for p in parts)
    assert parts[0].text.startswith("<b>Tiêu đề</b>")
    assert [p.reply_markup is not None for p in parts] == [False, False, True]
    assert "".join(p.plain for p in parts).replace("\n", "").replace(" ", "") == (
        ("Tiêu đề\n" + text).replace("\n", "").replace(" ", ""))
