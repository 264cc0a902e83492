import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.catalog.loader import load_catalog
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation
from assistant.dialogue.reply import Status
from tests.factories import write_catalog

FRIDAY_AFTERNOON = dt.datetime(2026, 11, 20, 16, 10)  # a Friday, after the 15:00 cut-off


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    root = write_catalog(tmp_path_factory.mktemp("cat"), localities={
        "khanh-hoa": {"slug": "khanh-hoa", "name": "Tỉnh Khánh Hòa", "procedures": {
            "marriage-status-certification": {"time_limit": {"value": 1, "unit": "working_days"}}}},
    })
    catalog = load_catalog(root, "khanh-hoa")
    return Assistant(catalog, Settings(catalog_dir=root, locality="khanh-hoa"), clock=lambda: FRIDAY_AFTERNOON)


def test_confident_answer_with_facet_first(assistant):
    reply = assistant.handle("giay doc than mat bao lau")
    assert reply.status == Status.answer
    assert reply.procedure_id == "marriage-status-certification"
    assert reply.facet == "time"
    assert "01 ngày làm việc" in reply.text
    assert {b.label for b in reply.buttons} >= {"Giấy tờ", "Lệ phí", "Nơi nộp"}
    assert "Thời hạn" not in {b.label for b in reply.buttons}


def test_documents_answer_lists_papers(assistant):
    reply = assistant.handle("lam giay khai sinh can giay to gi")
    assert (reply.procedure_id, reply.facet) == ("birth-registration", "documents")
    assert "Tờ khai theo mẫu" in reply.text and "xuất trình" in reply.text


def test_ambiguous_question_asks_back(assistant):
    reply = assistant.handle("căn cước công dân")
    assert reply.status == Status.clarify
    assert {c.id for c in reply.candidates} >= {"id-card-renewal", "id-card-reissue"}
    assert len(reply.candidates) >= 2 and reply.procedure_id is None


def test_clarification_resolved_by_number_and_by_button(assistant):
    conv = Conversation()
    first = assistant.handle("căn cước công dân lệ phí", conv)
    assert first.status == Status.clarify
    picked = assistant.handle("2", conv)
    assert picked.status == Status.answer and picked.procedure_id == first.candidates[1].id
    assert picked.facet == "fee"
    conv2 = Conversation()
    again = assistant.handle("căn cước công dân", conv2)
    by_button = assistant.handle_action(again.buttons[0].action, conv2)
    assert by_button.procedure_id == again.candidates[0].id


def test_out_of_scope_is_honest(assistant):
    for text in ["giá xăng bao nhiêu", "mua vé máy bay đi Hà Nội", "!!!", ""]:
        reply = assistant.handle(text)
        assert reply.status == Status.not_found, text
        assert reply.procedure_id is None
        assert "1800 1096" in reply.text or "dichvucong" in reply.text


def test_smalltalk(assistant):
    assert assistant.handle("chào bạn").status == Status.smalltalk
    assert assistant.handle("cảm ơn nhé ad").status == Status.smalltalk
    assert assistant.handle("chào ad, làm giấy khai sinh cần gì").status == Status.answer


def test_follow_up_uses_last_procedure(assistant):
    conv = Conversation()
    assert assistant.handle("đăng ký tạm trú", conv).procedure_id == "temporary-residence-registration"
    fee = assistant.handle("còn lệ phí thì sao?", conv)
    assert (fee.status, fee.procedure_id, fee.facet) == (Status.answer, "temporary-residence-registration", "fee")
    assert "15.000" in fee.text
    where = assistant.handle("nộp ở đâu", conv)
    assert where.procedure_id == "temporary-residence-registration" and where.facet == "where"
    # The state survives a round trip through JSON-able dicts (channels store it anywhere).
    restored = Conversation.from_dict(conv.to_dict())
    assert assistant.handle("mất bao lâu", restored).procedure_id == "temporary-residence-registration"


def test_eta_uses_locality_time_limit_and_cutoff(assistant):
    reply = assistant.handle("giấy độc thân nếu nộp hôm nay thì khi nào có")
    assert reply.facet == "eta"
    # Friday 16:10 -> counted from Monday 23/11; 1 working day -> Tuesday 24/11... 24/11 is Vietnam Culture Day
    # only from 2026 on in the holidays package; accept the package's decision but require a weekday after Monday.
    assert "Sau 15:00" in reply.text
    assert "/11/2026" in reply.text


def test_eta_counts_from_the_day_the_citizen_says_they_file(assistant):
    # Friday 20/11 afternoon; "thứ 2" is Monday 23/11, before the cut-off since no hour is said.
    reply = assistant.handle("thứ 2 nộp giấy độc thân thì thứ mấy lấy được")
    assert reply.facet == "eta"
    assert "Nếu nộp Thứ Hai, 23/11/2026, trước 15:00:" in reply.text
    assert "Sau 15:00" not in reply.text
    # Already filed, with the appointment gone by: say so, and how to look the dossier up.
    past = assistant.handle("thứ 2 tuần trước em nộp giấy độc thân rồi khi nào lấy")
    assert "Nếu đã nộp Thứ Hai, 09/11/2026" in past.text and "Ngày này đã qua" in past.text
    # A follow-up about the procedure under discussion reads the day too.
    conv = Conversation()
    assistant.handle("giấy độc thân", conv)
    follow = assistant.handle("chủ nhật nộp online thì bao giờ có", conv)
    assert follow.facet == "eta" and "Nếu nộp Chủ nhật, 22/11/2026:" in follow.text
    assert "Thứ Bảy, Chủ nhật Bộ phận một cửa thường không nhận hồ sơ" in follow.text


def test_checklist_toggles_and_reports_missing(assistant):
    conv = Conversation()
    docs = assistant.handle("giấy độc thân cần giấy tờ gì", conv)
    open_action = next(b.action for b in docs.buttons if b.action.startswith("k:-1:"))
    opened = assistant.handle_action(open_action, conv)
    # The identity card is only shown ("present"): it is not a paper to bring and leave.
    assert "Còn thiếu 1 giấy tờ bắt buộc: Tờ khai theo mẫu" in opened.text
    assert [b.label for b in opened.buttons if b.action.startswith("k:")] == ["⬜ 1. Tờ khai theo mẫu"]
    tick = next(b.action for b in opened.buttons if b.action.startswith("k:0:"))
    ticked = assistant.handle_action(tick, conv)
    assert ticked.data["checklist"]["ticked"] == [0]
    assert ticked.data["checklist"]["missing"] == []
    assert "✅ 1. Tờ khai" in ticked.text and "đã có đủ giấy tờ" in ticked.text
    # A stale button for the shown card changes nothing.
    same = assistant.handle_action(tick.replace("k:0:", "k:1:"), conv)
    assert same.data["checklist"]["ticked"] == [0]
    # Asking for the documents again shows the ticks kept in the conversation.
    again = assistant.handle("giấy độc thân cần giấy tờ gì", conv)
    assert again.data["checklist"]["ticked"] == [0]
    unticked = assistant.handle_action(tick, conv)
    assert unticked.data["checklist"]["ticked"] == []


def test_stale_or_malicious_actions_are_polite(assistant):
    for action in ["", "f:x:y", "k:abc:birth-registration", "p:d:no-such-id", "x" * 500, "fb:+2:a"]:
        reply = assistant.handle_action(action)
        assert reply.status == Status.not_found and reply.text


def test_reload_keeps_last_good_catalogue(tmp_path):
    root = write_catalog(tmp_path)
    assistant = Assistant(load_catalog(root), Settings(catalog_dir=root, locality=None))
    broken = root / "ho-tich" / "birth-registration.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("level: commune", "level: village"), encoding="utf-8")
    problems = assistant.reload()
    assert problems and str(problems[0]).startswith(f"{broken}:")
    assert assistant.handle("khai sinh cho con").procedure_id == "birth-registration"
    broken.write_text(good, encoding="utf-8")
    assert assistant.reload() == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=20_000),
    st.sampled_from(["", "\x00\x01\x02", "🙂" * 5000, "'; DROP TABLE dossiers; --", "<b>x</b>", "a" * 20_000]),
))
def test_any_text_gets_a_reply(assistant, text):
    conv = Conversation()
    reply = assistant.handle(text, conv)
    assert reply.text and isinstance(reply.text, str)
    assert reply.to_json()["status"] in {"answer", "clarify", "not_found", "smalltalk", "dossier"}


def test_partial_dossier_code_asks_for_the_whole_code(assistant):
    reply = assistant.handle("hồ sơ 000.00.10.H32-2611 của em")
    assert reply.status == Status.dossier and "000.00.10.H32-231116-0001" in reply.text
    assert assistant.handle("sdt em 0905 123 456, làm giấy khai sinh cần gì").procedure_id == "birth-registration"


def test_follow_up_with_leading_con_on_the_real_catalogue(shipped_catalog):
    assistant = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON)
    for follow_up in ["còn lệ phí thì sao", "con le phi thi sao", "thế còn nộp ở đâu?"]:
        conv = Conversation()
        assert assistant.handle("giay doc than mat bao lau", conv).procedure_id == "marriage-status-certification"
        reply = assistant.handle(follow_up, conv)
        assert reply.status == Status.answer and reply.procedure_id == "marriage-status-certification", follow_up
    # Without context "con" still means a child.
    assert assistant.handle("làm giấy nhận con").procedure_id == "parentage-recognition"


@pytest.mark.parametrize(("story", "facet"), [
    ("Tôi làm ở xưởng may ngoài chợ, chỉ được nghỉ chiều thứ bảy, vợ tôi mới sinh cháu, làm khai sinh cho cháu "
     "cần giấy tờ gì", "documents"),
    ("toi lam o xuong may ngoai cho, chi duoc nghi chieu thu bay, vo toi moi sinh chau, lam khai sinh cho chau "
     "mat bao lau", "time"),
])
def test_a_story_in_one_sentence_asks_what_its_last_clauses_ask(shipped_catalog, story, facet):
    # "làm ở ..." and "thứ bảy" describe the citizen; they ask neither where nor about Saturday hours.
    assistant = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON)
    reply = assistant.handle(story)
    offered = {reply.procedure_id, *(c.id for c in reply.candidates)}
    assert reply.status in (Status.answer, Status.clarify) and "birth-registration" in offered
    assert reply.facet == facet


@pytest.mark.parametrize(("story", "procedure"), [
    ("mình làm kế toán ở công ty trong khu công nghiệp, chỉ nghỉ được chiều thứ bảy, con mình sinh được 2 tháng "
     "chưa làm khai sinh", "birth-registration"),
    ("mk lam ke toan o cong ty trong khu cong nghiep, chi nghi dc chieu thu bay, di lam an xa co phai khai bao "
     "tam vang ko", "temporary-absence-declaration"),
])
def test_a_story_that_pulls_elsewhere_is_decided_by_its_last_clauses(shipped_catalog, story, procedure):
    # "công ty" in the story is where the citizen works, not a company to register: the procedure
    # asked about is answered, or offered alone for one tap when the look-alike check doubts a
    # story this long (how often it does is measured in benchmarks/lookalike_curve.py, not here).
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(story)
    if reply.status == Status.clarify and reply.data.get("confirm"):
        assert [c.id for c in reply.candidates] == [procedure]
    else:
        assert (reply.status, reply.procedure_id) == (Status.answer, procedure)


def test_a_story_that_tells_neighbours_apart_is_not_dropped(shipped_catalog):
    story = "chồng em là người Hàn Quốc, tụi em ở với nhau lâu rồi, giờ muốn đăng ký kết hôn thì làm ở đâu"
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(story)
    assert reply.procedure_id != "marriage-registration"


@pytest.mark.parametrize("question", ["căn cước bị gãy đôi, đổi thẻ mới ở đâu", "cccd bị hỏng chip muốn đổi thẻ cần mang gì"])
def test_a_broken_identity_card_gets_the_reissue_not_the_exchange(shipped_catalog, question):
    reply = Assistant(shipped_catalog, Settings()).handle(question, Conversation())
    assert reply.status is Status.answer and reply.procedure_id == "id-card-reissue"


@pytest.mark.parametrize(("question", "procedure"), [
    ("ban xe giu lai bien so", "vehicle-ownership-transfer"),  # the transfer tells the seller what to do first
    ("chứng thực bản sao giấy tờ tiếng nước ngoài ở phòng tư pháp", "certified-copy"),
    ("đăng ký tạm trú quy định ở văn bản nào", "temporary-residence-registration"),
    ("xin xác nhận hộ nghèo thì lên đâu làm", "poor-household-recognition"),
])
def test_what_the_catalogue_covers_is_answered_at_once(shipped_catalog, question, procedure):
    reply = Assistant(shipped_catalog, Settings()).handle(question, Conversation())
    assert (reply.status, reply.procedure_id) == (Status.answer, procedure)


@pytest.mark.parametrize("question", ["vợ em mới sinh bé, muốn làm khai sinh, nhập hộ khẩu và thẻ bhyt một lần luôn",
                                      "bé sinh ở Cần Thơ, làm ks hộ khẩu bhyt ở đâu"])
def test_the_three_papers_of_a_newborn_together_are_the_bundle(shipped_catalog, question):
    # Not the child's health-insurance card alone, which the words "bhyt cho bé" would suggest.
    reply = Assistant(shipped_catalog, Settings()).handle(question, Conversation())
    assert (reply.status, reply.procedure_id) == (Status.answer, "birth-residence-insurance-bundle")


@pytest.mark.parametrize(("question", "procedure"), [
    ("xin ct07 tren vneid de nop ho so mua nha o xa hoi", "residence-information-confirmation"),
    ("xin CT07 để nộp hồ sơ tuyển sinh lớp 1 cho con", "residence-information-confirmation"),
])
def test_what_the_paper_is_for_is_no_uncovered_procedure(shipped_catalog, question, procedure):
    # Social housing and school enrolment are not in the catalogue, but here they are only the
    # purpose: the paper asked for is ours.
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(question)
    assert (reply.status, reply.procedure_id) == (Status.answer, procedure)


def test_an_uncovered_procedure_asked_about_through_its_purpose_is_still_not_ours(shipped_catalog):
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle("xin giấy gì để mua nhà ở xã hội")
    assert reply.status != Status.answer


_REPLY_IN_A_FRESH_PROCESS = """
import sys
from assistant.catalog.loader import load_catalog
from assistant.config import DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY, Settings
from assistant.core import Assistant
reply = Assistant(load_catalog(DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY), Settings()).handle(sys.argv[1])
print(reply.status.value, reply.procedure_id)
"""


def test_the_same_question_gets_the_same_reply_whatever_the_hash_seed():
    # Sums over sets of words once depended on the order a process's hash seed gave the set: at
    # an exact tie, seeds 4 and 30 asked back where every other seed answered (session 28).
    question = "đi rẫy làm rớt bằng lái xe máy, xin cấp lại sao"
    root = Path(__file__).resolve().parents[1]
    replies = set()
    for seed in ("4", "30", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _REPLY_IN_A_FRESH_PROCESS, question], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        replies.add(done.stdout.strip())
    assert replies == {"answer driving-license-reissue"}


def test_a_paper_already_held_is_not_the_matter(shipped_catalog):
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(
        "ông em bị liệt hai chân đã có giấy xác nhận khuyết tật nặng, giờ làm hồ sơ nhận trợ cấp hằng tháng ở đâu")
    assert (reply.status, reply.procedure_id, reply.facet) == (Status.answer, "social-allowance-monthly", "where")


def test_a_paper_asked_about_is_one_of_the_matters_papers(shipped_catalog):
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(
        "dkkh có cần giấy xác nhận độc thân ko ạ")
    assert (reply.status, reply.procedure_id, reply.facet) == (Status.answer, "marriage-registration", "documents")


def test_a_passport_renewed_abroad_is_named_as_not_ours(shipped_catalog):
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(
        "em dang o Han, ho chieu sap het han thi gia han o dau ben nay")
    assert reply.status == Status.not_found and reply.procedure_id is None
    assert reply.data["named"] == "Cấp hộ chiếu phổ thông ở nước ngoài"
    assert "Cấp hộ chiếu phổ thông ở nước ngoài" in reply.text


def test_a_death_told_before_another_matter_is_its_story(shipped_catalog):
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(
        "bố mẹ cháu đều mất rồi, bà ngoại đăng ký giám hộ cho cháu ở đâu")
    assert (reply.status, reply.procedure_id) == (Status.answer, "guardianship-registration")


def test_a_question_back_after_a_prior_step_leaves_nothing_to_rate(shipped_catalog):
    # The step asked about matched first and was answered inside the decision; the citizen only
    # sees the question back, so no rating may count for the step (session 30).
    conv = Conversation()
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(
        "chuyển khẩu về nhà chồng có phải cắt khẩu bên nhà mẹ đẻ trước không", conv)
    assert reply.status == Status.clarify and len(conv.pending_candidates) == 2
    assert conv.rateable == [] and conv.last_procedure is None


def test_a_residence_already_deleted_is_not_the_matter(shipped_catalog):
    reply = Assistant(shipped_catalog, Settings(), clock=lambda: FRIDAY_AFTERNOON).handle(
        "ra tù về hộ khẩu cũ bị xóa rồi, giờ nhập lại hộ khẩu nhà mẹ cần những gì")
    assert reply.status == Status.clarify and reply.procedure_id is None
    assert reply.candidates[0].id == "permanent-residence-registration"
