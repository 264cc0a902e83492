"""The look-alike check (assistant.nlu.lookalike): words a question uses that its best procedure never
says make the assistant ask "is it this procedure?" instead of answering; the words the procedure
says never count; the model trains deterministically and a missing or broken model turns the check off."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation
from assistant.dialogue.reply import Status
from assistant.nlu.lookalike import COUNTED, WEIGHTS_PATH, Model, fit, load_model
from assistant.nlu.lookalike import features as lookalike_features
from tests.nlu.helpers import ask

FINE = "căn cước hết hạn có bị phạt không"


@pytest.fixture(scope="module")
def shipped(shipped_catalog):
    return Assistant(shipped_catalog, Settings())


def with_model(catalog, weights: dict[str, float], bias: float = -3.0) -> Assistant:
    return Assistant(catalog, Settings(), lookalike=Model(weights, bias, threshold=0.9))


def features(assistant: Assistant, text: str, procedure_id: str) -> set[str]:
    brain = assistant.brain
    return brain.lookalike.features(brain.matcher.parse(text), procedure_id)


def test_features_are_the_words_the_procedure_never_says(shipped):
    feats = features(shipped, FINE, "id-card-renewal")
    assert "u:phat" in feats and "b:han_phat" in feats  # "bị" is a little word: the pair skips it
    # Its own words ("căn cước", "hết hạn") and little words ("có", "không") are not evidence.
    assert not {"u:can", "u:cuoc", "u:het", "u:han", "u:co", "u:khong"} & feats


def test_numbers_are_no_evidence(shipped):
    feats = features(shipped, "sdt em 0905 123 456, làm giấy khai sinh cần gì", "birth-registration")
    assert not {f for f in feats if any(ch.isdigit() for ch in f) and not f.startswith("k:")}, feats


def test_a_doubtful_match_is_asked_back_and_one_tap_answers_it(shipped_catalog):
    assistant = with_model(shipped_catalog, {"u:phat": 6.0})
    conv = Conversation()
    reply = assistant.handle(FINE, conv)
    assert reply.status == Status.clarify and reply.data["confirm"] is True
    assert [c.id for c in reply.candidates] == ["id-card-renewal"] and reply.procedure_id is None
    assert "Có phải bạn hỏi về thủ tục" in reply.text and "dichvucong.gov.vn" in reply.text
    assert "(verify)" not in reply.text
    # "1" (as the reply invites) or the button answers the procedure.
    assert assistant.handle("1", conv).procedure_id == "id-card-renewal"
    pressed = assistant.handle_action(reply.buttons[0].action, Conversation())
    assert pressed.status == Status.answer and pressed.procedure_id == "id-card-renewal"


def test_a_weak_match_is_asked_about_at_less_doubt(shipped_catalog):
    # A doubt of 0.4 (weight 2.6 with bias -3) is below the model's threshold but above WEAK_DOUBT:
    # a strong match is answered, a weak one (score < WEAK_SCORE) is asked about (session 30: 0.5 -> 0.3).
    assistant = with_model(shipped_catalog, {"u:phat": 2.6})
    strong = assistant.handle("nhà trọ tạm trú phạt ko", Conversation())
    assert strong.status == Status.answer and strong.score >= 70
    weak = assistant.handle("tạm trú phạt", Conversation())
    assert weak.status == Status.clarify and weak.data["confirm"] is True and weak.score < 70
    assert [c.id for c in weak.candidates] == ["temporary-residence-registration"]


def test_without_the_doubtful_word_the_question_is_answered(shipped_catalog):
    assistant = with_model(shipped_catalog, {"u:phat": 6.0})
    reply = ask(assistant, "căn cước hết hạn đổi ở đâu")
    assert (reply["status"], reply["procedure_id"]) == ("answer", "id-card-renewal"), reply


def test_a_story_before_a_plain_question_raises_no_doubt(shipped_catalog):
    # "phường" is a word of the story: the last sentence alone asks plainly.
    assistant = with_model(shipped_catalog, {"u:phuong": 7.0})
    story = "Hôm qua em lên phường hỏi thì đông quá, chờ cả buổi không tới lượt."
    reply = ask(assistant, f"{story} Căn cước hết hạn thì đổi ở đâu ạ?")
    assert (reply["status"], reply["procedure_id"]) == ("answer", "id-card-renewal"), reply
    # A story that names what tells neighbours apart (a foreign spouse) keeps the doubt.
    foreign = ask(assistant, "Vợ tôi người Lào, hôm qua lên phường hỏi thì đông quá. Khai báo tạm trú cho vợ ở đâu?")
    assert foreign["status"] == "clarify" and foreign["procedure_id"] is None, foreign
    # The same words in the question itself still doubt it.
    doubtful = ask(assistant, f"{story} Căn cước hết hạn lên phường đông quá thì đổi ở đâu?")
    assert doubtful["status"] == "clarify" and doubtful["procedure_id"] is None, doubtful


def test_a_story_does_not_vouch_for_the_question_after_it(shipped_catalog):
    # Words of the story that make answers likelier ("khu công nghiệp" here) do not clear a last
    # sentence that asks about something else: the question is weighed alone.
    assistant = with_model(shipped_catalog, {"u:phat": 6.0, "u:nghiep": -12.0})
    story = "Mình đang làm ở công ty bên khu công nghiệp, chỉ nghỉ được sáng thứ bảy thôi."
    reply = ask(assistant, f"{story} Căn cước hết hạn có bị phạt không?")
    assert reply["status"] == "clarify" and reply["procedure_id"] is None, reply
    # (the whole message alone would have been answered: the story's word outweighs the fine)
    assert ask(assistant, f"{story[:-1]}, căn cước hết hạn có bị phạt không")["status"] == "answer"


def test_a_word_the_procedure_says_never_counts_against_it(shipped_catalog):
    assistant = with_model(shipped_catalog, {"u:cuoc": 9.0, "u:han": 9.0})
    reply = ask(assistant, "căn cước hết hạn đổi ở đâu")
    assert (reply["status"], reply["procedure_id"]) == ("answer", "id-card-renewal"), reply


def test_a_deployment_may_ask_back_sooner(shipped_catalog):
    """ASSISTANT_LOOKALIKE_THRESHOLD: a locality that prefers one more tap to a wasted trip."""
    model = Model({"u:phat": 2.0}, -3.0, threshold=0.9)  # doubt about FINE: 1 / (1 + e) = 0.27
    assert ask(Assistant(shipped_catalog, Settings(), lookalike=model), FINE)["status"] == "answer"
    strict = Assistant(shipped_catalog, Settings(lookalike_threshold=0.25), lookalike=model)
    assert strict.lookalike_model.threshold == 0.25
    reply = ask(strict, FINE)
    assert reply["status"] == "clarify" and reply["data"]["confirm"], reply
    # Without a model there is nothing to weigh: the setting does not turn the check on.
    assert not Assistant(shipped_catalog, Settings(lookalike_threshold=0.25), lookalike=Model()).brain.lookalike.enabled


def test_a_word_only_the_papers_or_examples_say_is_weaker_evidence(shipped):
    text = "chi phí thiết kế bản vẽ xin phép xây dựng thuê kiến trúc sư bao nhiêu"
    feats = features(shipped, text, "construction-permit-house")
    # "bản vẽ thiết kế" is among the permit's papers: said, not named, so "w:", not "u:".
    assert {"w:thiet", "w:ke"} <= feats and not {"u:thiet", "u:ke"} & feats
    assert "u:truc" in feats  # "kiến trúc sư" is said nowhere in the procedure
    # The words of its name ("giấy phép xây dựng") are neither.
    assert not {p + w for p in ("u:", "w:") for w in ("xay", "dung", "phep")} & feats


def test_now_is_a_time_not_a_flight(shipped):
    # "bây giờ" folds to "bay gio" and "giờ" is a stopword: "bay" must not read as "máy bay".
    now = features(shipped, "thi bằng lái bây giờ do công an tổ chức à", "driving-license-test")
    assert not {"u:bay", "w:bay"} & now
    flight = features(shipped, "mất bằng lái trên máy bay giờ làm lại ở đâu", "driving-license-reissue")
    assert {"u:bay", "w:bay"} & flight


def test_a_word_left_as_typed_counts_as_the_word_it_most_likely_was(shipped):
    # The corrector keeps "guan" (a syllable no neighbour vouches for); the check reads "gian",
    # the word that says a go-between, and a slip of a word the procedure says is no doubt.
    brain = shipped.brain
    query = brain.matcher.parse("nhận nuôi trẻ qua trung guan")
    assert "guan" in query.content
    none: frozenset[str] = frozenset()
    read = brain.matcher.speller.likeliest
    assert "u:gian" in lookalike_features(query, none, frozenset(), none, read)
    assert "u:guan" in lookalike_features(query, none, frozenset(), none)  # without `read`: as typed
    said = frozenset({"nhan", "nuoi", "tre", "qua", "trung", "gian"})
    assert not {f for f in lookalike_features(query, said, frozenset(), said, read) if f.startswith("u:")}
    # The core's check reads it so too: adoption never says "gian" ("trung gian").
    assert {"u:gian", "b:trung_gian"} <= features(shipped, "nhận nuôi trẻ qua trung guan", "adoption-domestic")


def test_naming_a_word_silences_it_and_saying_it_only_weakens_it(shipped):
    query = shipped.brain.matcher.parse("thuê kiến trúc sư")
    none: frozenset[str] = frozenset()
    assert {"u:kien", "u:truc"} <= lookalike_features(query, none, frozenset(), none)
    said = frozenset({"thue", "kien", "truc", "su"})
    assert {"w:kien", "w:truc"} <= lookalike_features(query, said, frozenset(), none)
    assert not lookalike_features(query, said, frozenset(), said)  # named: no evidence at all
    assert not {f for f in lookalike_features(query, said, frozenset()) if f.startswith("w:")}  # no names given


def test_the_shipped_model_asks_back_on_look_alikes_and_answers_plain_questions(shipped):
    assert shipped.brain.lookalike.enabled and shipped.lookalike_model.threshold == pytest.approx(0.79)
    for text in ("Công chứng hợp đồng mua bán nhà tại văn phòng công chứng tư thì cần mang gì?",
                 "dich vu mai tang tron goi o Ha Noi gia bao nhieu", "xem quá trình đóng bhxh trên app VssID"):
        reply = ask(shipped, text)
        assert reply["status"] != "answer", reply
    for text, proc in (("làm giấy khai sinh cần gì", "birth-registration"),
                       ("giay doc than mat bao lau", "marriage-status-certification"),
                       ("thi bằng lái xe máy", "driving-license-test")):
        reply = ask(shipped, text)
        assert (reply["status"], reply["procedure_id"]) == ("answer", proc), reply


def test_a_missing_model_turns_the_check_off_and_says_why(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="assistant.nlu.lookalike"):
        model = load_model(tmp_path / "nowhere.json")
    assert model.threshold > 1 and "the check is off" in caplog.text


@pytest.mark.parametrize("content", ["{not json", '{"weights": []}', '{"bias": 0, "threshold": 0.9}',
                                     '{"weights": {"u:khai": 9}, "bias": 0, "threshold": 0}'])
def test_a_broken_model_turns_the_check_off(tmp_path, shipped_catalog, content):
    path = tmp_path / "lookalike.json"
    path.write_text(content, encoding="utf-8")
    model = load_model(path)
    assistant = Assistant(shipped_catalog, Settings(), lookalike=model)
    assert not assistant.brain.lookalike.enabled
    assert ask(assistant, "làm giấy khai sinh cần gì")["procedure_id"] == "birth-registration"


def test_the_model_file_round_trips(tmp_path):
    model = Model({"u:phat": 2.5, "b:bi_phat": 1.0}, -1.5, 0.9, {"rows": 3})
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    again = load_model(path)
    assert again == model and again.probability({"u:phat"}) == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_the_shipped_model_file_loads():
    model = load_model(WEIGHTS_PATH)
    assert len(model.weights) > 1000 and 0.5 < model.threshold <= 1.0
    assert "tune" in " ".join(model.meta["sets"]) and not any("holdout" in s for s in model.meta["sets"])


def test_training_learns_which_words_speak_for_another_matter():
    feats = [{"u:phat", "u:be"}] * 5 + [{"u:phat"}] * 15 + [{"u:be"}] * 20
    labels = np.array([1] * 20 + [0] * 20, dtype=float)
    weights, bias = fit(feats, labels, np.ones(40))
    assert weights["u:phat"] > 1.0 > 0 > weights["u:be"]
    assert fit(feats, labels, np.ones(40)) == (weights, bias)  # deterministic


def test_rows_read_alike_weigh_as_one_row_with_their_summed_weight():
    """Phone-typed copies whose slips were all corrected read like their clean row: the fit
    counts them once with their summed weight, and learns the same weights."""
    feats = [{"u:phat", "u:be"}] * 5 + [{"u:phat"}] * 15 + [{"u:be"}] * 20
    labels = np.array([1] * 20 + [0] * 20, dtype=float)
    once = fit([{"u:phat", "u:be"}, {"u:phat"}, {"u:be"}], np.array([1.0, 1.0, 0.0]), np.array([5.0, 15.0, 20.0]))
    assert fit(feats, labels, np.ones(40)) == once
    # the same features under another label stay apart
    assert fit([{"u:be"}, {"u:be"}], np.array([1.0, 0.0]), np.ones(2))[0].get("u:be", 0.0) == 0.0


def test_a_scaled_feature_kind_is_regularised_more_and_returned_at_full_value():
    feats = [{"w:gia"}] * 12 + [{"w:gia"}] * 4 + [set()] * 16
    labels = np.array([1] * 12 + [0] * 4 + [0] * 12 + [1] * 4, dtype=float)
    full, _ = fit(feats, labels, np.ones(32), l2=3.0)
    half, bias_half = fit(feats, labels, np.ones(32), l2=3.0, scale={"w": 0.5})
    assert 0 < half["w:gia"] < full["w:gia"]
    # The returned weight is what a present feature adds: the model's probability uses it as is.
    assert Model(half, bias_half).probability({"w:gia"}) > Model(half, bias_half).probability(set())


def test_unsaid_words_are_counted_so_a_word_never_seen_in_training_still_counts(shipped):
    query = shipped.brain.matcher.parse("thuê kiến trúc sư")
    none: frozenset[str] = frozenset()
    assert {"k:1", "k:2", "k:3"} <= lookalike_features(query, none, frozenset(), none)
    assert not {f for f in lookalike_features(query, frozenset({"thue", "kien", "truc", "su"}), frozenset())
                if f.startswith("k:")}
    # The count is capped: a long story adds no more than a few.
    long = shipped.brain.matcher.parse("chăn nuôi gà vịt heo bò trâu dê cừu thỏ")
    assert {f for f in lookalike_features(long, none, frozenset(), none) if f.startswith("k:")} == \
        {f"k:{n}" for n in range(1, COUNTED + 1)}
    # With only its count known, a word the model has no weight for still raises the doubt.
    model = Model({"k:1": 1.5}, -1.0, threshold=0.5)
    assert model.probability({"u:flycam", "k:1"}) > 0.5 > model.probability(set())
