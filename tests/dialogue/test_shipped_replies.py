"""Every reply the shipped catalogue can give, in every facet and for communes with and without a local rule:
no internal marker reaches a citizen and no sentence is said twice."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation
from assistant.dialogue.reply import Status
from assistant.nlu.facets import Facet
from tests.conftest import SHIPPED_CATALOG

MARKERS = ("(verify)", "verify", "TODO", "(?)")


@pytest.fixture(scope="module")
def assistant(shipped_catalog):
    return Assistant(shipped_catalog, Settings(catalog_dir=SHIPPED_CATALOG, locality="khanh-hoa"),
                     clock=lambda: dt.datetime(2026, 11, 30, 9, 0))


def test_no_marker_and_no_repeated_sentence(assistant):
    catalog = assistant.catalog
    communes = [None, *(c.slug for c in catalog.locality.communes[:1]),
                *(slug for slug in catalog.commune_procedures)][:3]
    checked = 0
    for proc_id in catalog.procedures:
        for commune in communes:
            for facet in Facet:
                reply = assistant.open_procedure(proc_id, Conversation(commune=commune), facet)
                lines = [" ".join(line.split()) for line in reply.text.splitlines() if line.strip()]
                assert not [m for m in MARKERS if m in reply.text], (proc_id, facet, reply.text)
                assert len(lines) == len(set(lines)), (proc_id, facet, reply.text)
                checked += 1
    assert checked >= 37 * len(Facet)


def test_a_weak_lone_candidate_is_asked_about_not_answered(assistant):
    # "chiếu" (tonight's film) is the only word shared with "hộ chiếu": no fee of a passport.
    reply = assistant.handle("tối nay chiếu phim gì hay ko ad", Conversation())
    assert reply.status == Status.clarify and reply.procedure_id is None
    assert "Có phải bạn hỏi về thủ tục" in reply.text and "Lệ phí" not in reply.text


@pytest.mark.parametrize(("question", "procedure"), [
    ("căn cước bị gãy, ngân hàng không quét được chip, làm lại thẻ tốn bao nhiêu", "id-card-reissue"),
    ("dk thi bang lai a1 cho e trai sinh vien o dau", "driving-license-test"),
])
def test_why_a_paper_is_needed_does_not_outweigh_a_procedure_named_in_full(assistant, question, procedure):
    reply = assistant.handle(question, Conversation())
    assert (reply.status, reply.procedure_id) == (Status.answer, procedure)


@pytest.mark.parametrize("question", ["mở tài khoản ngân hàng cần giấy gì", "vay vốn ngân hàng lãi suất bao nhiêu"])
def test_the_bank_as_the_matter_still_gets_no_procedure(assistant, question):
    assert assistant.handle(question, Conversation()).status != Status.answer
