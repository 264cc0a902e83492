"""A word typed with diacritics tells which word was meant (assistant.text.marks)."""

import pytest

from assistant.text.marks import compatible, contradicted, kept_words, marked_words, plausible


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


@pytest.mark.parametrize(
    ("word", "ok"),
    [("cười", True), ("nghiệp", True), ("giấu", True), ("ghế", True),
     ("phíí", False), ("kẩu", False), ("ngiệp", False), ("gể", False)],
)
def test_a_marked_word_spelled_as_vietnamese_is_kept_a_misspelt_one_is_not(word, ok):
    assert plausible(word) is ok


def test_kept_words_are_the_plausible_marked_ones():
    assert kept_words("kể chuyện cười, phíí khẩu") == {"ke", "chuyen", "cuoi", "khau"}


def test_the_speller_never_changes_a_kept_syllable():
    from assistant.text.spelling import Speller

    speller = Speller({"cuoi", "ket", "hon", "phap", "ly", "lich", "tu"}, {("tu", "phap")})
    typed = ["ly", "lich", "tu", "phao"]
    assert [c.word for c in speller.correct(typed)][-1] == "phap"  # no marks: a slip
    assert [c.word for c in speller.correct(typed, frozenset({"phao"}))][-1] == "phao"  # "pháo" as typed
