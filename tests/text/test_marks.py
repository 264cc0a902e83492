"""A word typed with diacritics tells which word was meant (assistant.text.marks)."""

import pytest

from assistant.text.marks import compatible, contradicted, marked_words


@pytest.mark.parametrize(
    ("typed", "known", "ok"),
    [
        ("cưới", "cưới", True),
        ("cuoi", "cưới", True),  # no marks: could be anything
        ("cươi", "cưới", True),  # the tone left out
        ("cười", "cưới", False),  # another tone: another word
        ("cuối", "cưới", False),  # another vowel shape
        ("chuyện", "chuyển", False),
        ("hoà", "hòa", True),  # old and new tone placement are one spelling
        ("dăng", "đăng", True),  # "đ" typed as "d"
        ("đi", "di", False),
    ],
)
def test_marks_left_out_are_fine_marks_typed_differently_are_not(typed, known, ok):
    assert compatible(typed, known) is ok


def test_only_words_with_marks_are_checked_and_a_compatible_use_wins():
    forms = {"cuoi": frozenset({"cưới"}), "ket": frozenset({"kết"})}
    assert marked_words("Kể chuyện cười ket hon") == ["kể", "chuyện", "cười"]
    assert contradicted("kể chuyện cười đi", forms) == {"cuoi"}
    assert contradicted("ke chuyen cuoi di", forms) == frozenset()
    assert contradicted("cười rồi mới cưới", forms) == frozenset()
