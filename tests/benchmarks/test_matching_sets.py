"""benchmarks/matching.py's held-out-unseen set: held-out questions some tuning set, the dev set or
a catalogue example asks word for word are left out of it (short questions coincide across
authors), and the look-alike trainer leaves such tuning rows out of its data; the corrector's lexicon is
built from the tuning questions as written."""

from __future__ import annotations

from benchmarks.matching import UNSEEN, Row, question_key, unseen_rows
from benchmarks.train_lookalike import lexicon_of


def row(question: str, ids: str = "-") -> Row:
    return Row(frozenset({ids}), "neighbour", question)


def test_the_key_ignores_case_marks_punctuation_and_spacing():
    assert question_key("Giá hỏa táng  bao nhiêu?") == question_key("gia hoa tang bao nhieu") == "gia hoa tang bao nhieu"
    assert question_key("giá hỏa táng bao nhiêu") != question_key("giá hỏa táng ở huế bao nhiêu")


def test_only_questions_no_tuning_set_asks_stay_unseen():
    sets = {
        "neighbours-a-tune": [row("giá hỏa táng bao nhiêu")],
        "dev": [row("giay doc than mat bao lau", "marriage-status-certification")],
        "examples": [row("làm căn cước ở đâu", "id-card-issuance")],
        "neighbours-b-holdout": [row("Giá hỏa táng bao nhiêu?"), row("phí hỏa táng ở Huế"),
                                 row("giấy độc thân làm ở xã nào", "marriage-status-certification")],
        "neighbours-b-holdout-noisy": [row("gia hoa tang bn")],
        "holdout": [row("lam can cuoc o dau", "id-card-issuance"), row("GIAY DOC THAN MAT BAO LAU")],
        UNSEEN: [row("phí hỏa táng ở Huế")],
    }
    assert [r.question for r in unseen_rows(sets)] == ["phí hỏa táng ở Huế", "giấy độc thân làm ở xã nào"]


def test_the_lexicon_is_built_from_the_tuning_questions_as_written_only():
    rows = [(name, row("bị phạt nguội"))
            for name in ("neighbours-a-tune", "neighbours-b-tune", "neighbours-c-tune", "neighbours-d-tune",
                         "neighbours-e-tune", "neighbours-f-tune")]
    assert ("bi", "phat") in lexicon_of(rows).pairs
    # The catalogue's examples and the phone-typed copies are not other authors.
    rows[5] = ("examples", row("bị phạt nguội"))
    rows.append(("neighbours-a-tune-noisy", row("bị phạt nguội")))
    assert "phat" not in lexicon_of(rows).words
