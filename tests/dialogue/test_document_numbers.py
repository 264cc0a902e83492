"""Document lists are numbered in the order shown, and checklist buttons carry the same numbers
with labels that end on a whole word."""

from __future__ import annotations

import re

from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.wording import short_label
from assistant.nlu.facets import Facet

NUMBERED = re.compile(r"^(?:[✅⬜] )?(\d+)\. (.*)$")


def numbers(text: str) -> list[int]:
    return [int(m.group(1)) for line in text.splitlines() if (m := NUMBERED.match(line))]


def test_every_documents_answer_counts_1_2_3_in_the_order_shown(shipped_catalog):
    composer = Assistant(shipped_catalog, Settings()).brain.composer
    mixed = 0
    for proc in shipped_catalog.procedures.values():
        handed_in = [d for _, d in proc.checklist]  # papers shown only for checking are not numbered
        flags = [d.required for d in handed_in]
        mixed += flags != sorted(flags, reverse=True)  # a conditional paper before a required one
        answer = composer.answer(proc, Facet.documents, 100.0, [], None)
        assert numbers(answer.text) == list(range(1, len(handed_in) + 1)), proc.id
        checklist = composer.checklist(proc, [])
        labels = [b.label for b in checklist.buttons if b.action.startswith("k:") and not b.action.startswith("k:-1")]
        assert [int(label.split(". ")[0][2:]) for label in labels] == list(range(1, len(handed_in) + 1))
        # Button n ticks the document the text shows as n.
        shown = [m.group(2) for line in checklist.text.splitlines() if (m := NUMBERED.match(line))]
        for label, button, line in zip(labels, checklist.buttons, shown, strict=False):
            index = int(button.action.split(":")[1])
            assert proc.documents[index].name in line, (proc.id, label, line)
    assert mixed > 0, "the catalogue should have a procedure whose conditional document comes first"


def test_short_labels_end_on_a_whole_word():
    long = "Bản án, quyết định ly hôn có hiệu lực hoặc giấy chứng tử của vợ/chồng"
    label = short_label(long)
    assert label == "Bản án, quyết định ly hôn có hiệu lực…"
    assert long.startswith(label[:-1]) and long[len(label) - 1] == " "
    assert short_label("Giấy khai sinh") == "Giấy khai sinh"
    assert len(short_label("x" * 80)) <= 44


def test_no_answer_says_the_same_sentence_twice(shipped_catalog):
    import datetime as dt

    from assistant.dialogue.wording import sentence_key, without_repeats

    composer = Assistant(shipped_catalog, Settings()).brain.composer
    for proc in shipped_catalog.procedures.values():
        for facet in Facet:
            text = composer.answer(proc, facet, 100.0, [], dt.datetime(2026, 11, 30, 9)).text
            keys = [k for line in text.splitlines() for s in re.split(r"(?<=[.!?])\s+", line)
                    if len((k := sentence_key(s)).split()) >= 3]
            assert len(keys) == len(set(keys)), (proc.id, facet)
    repeated = "Lệ phí: 8.000 đồng.\nMức thu do HĐND tỉnh quy định. Mức thu do HĐND tỉnh quy định.\n• a\n• a"
    assert without_repeats(repeated) == "Lệ phí: 8.000 đồng.\nMức thu do HĐND tỉnh quy định.\n• a\n• a"
    two_offices = "Nơi nộp:\n• A\n  Giờ làm việc: sáng thứ Hai đến thứ Sáu\n• B\n  Giờ làm việc: sáng thứ Hai đến thứ Sáu"
    assert without_repeats(two_offices) == two_offices
