"""Look-alike procedures on the shipped catalogue (issue 12): the words that tell them apart
decide, in either direction. Each case stands for a family of questions, not one sentence."""

import pytest

from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation


@pytest.fixture(scope="module")
def assistant(shipped_catalog):
    return Assistant(shipped_catalog, Settings())


def ask(assistant, text):
    return assistant.handle(text, Conversation()).to_json()


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        # A divorce abroad names two qualifiers plain marriage registration does not explain.
        ("em ly hôn ở Hàn Quốc, giờ về quê đăng ký kết hôn lại cần làm gì", "foreign-divorce-recording"),
        ("ly hon ben nhat roi ve nuoc muon lay chong moi", "foreign-divorce-recording"),
        # Losing the paper is asking for it again.
        ("mất giấy khai sinh bản chính, xã cũng không còn sổ gốc", "birth-re-registration"),
        # A look-alike that only applies once someone died is not asked about.
        ("trợ cấp người già làm ở đâu", "social-allowance-monthly"),
    ],
)
def test_the_distinguishing_words_decide(assistant, question, procedure):
    reply = ask(assistant, question)
    assert (reply["status"], reply["procedure_id"]) == ("answer", procedure), reply
