import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.dossiers.codes import canonical_form, find_dossier_code, looks_like_code_attempt

CODE = "000.00.10.H32-231116-0001"


@pytest.mark.parametrize(
    "text",
    [
        CODE,
        f"hồ sơ {CODE} của em đến đâu rồi ạ",
        "000 00 10 H32 - 231116 - 0001",
        "000.00.10.h32-231116-0001",
        "00000.10.H32-231116-0001",  # a missing dot
        "000.00.10H32-231116-0001",  # another missing dot
        "000.00.10.H32 231116 0001",  # spaces for dashes
        "000.00.10.H32–231116–0001",  # en dashes from a word processor
        "000. 00. 10. H 32 -231116- 0001",
        "０００.００.１０.Ｈ３２－２３１１１６－０００１",  # full-width, typed with a CJK keyboard
        "000.00.10.H\u200b32-231116-0001",  # a zero-width space pasted from a chat app
        "mã\u00a0000.00.10.H32-231116-0001",  # a no-break space
        f"tra cuu:{CODE}.",
        f"Mã hồ sơ: {CODE}\nSĐT: 0912 345 678",
        f"{CODE}'; DROP TABLE dossiers; --",
        "x" * 19_000 + f" {CODE} " + "y" * 900,  # 20,000 characters, the code near the end
    ],
)
def test_recognised(text):
    assert find_dossier_code(text) == CODE


def test_longer_sequence_numbers_and_first_code_wins():
    assert find_dossier_code("000.00.10.H32-231116-000123") == "000.00.10.H32-231116-000123"
    assert find_dossier_code(f"{CODE} và 000.00.10.H32-231116-0002") == CODE


@pytest.mark.parametrize(
    "text",
    [
        "", "khai sinh", "0912345678", "000.00.10.H32", "000.00.10.H32-231116", "000.00.10.H32-2311-0001",
        "'; DROP TABLE dossiers; --", "SELECT * FROM dossiers WHERE code LIKE '%'",
        "1000.00.10.H32-231116-0001",  # part of a longer number
        "000.00.10.H32-231116-0001x",
        "000.00.10.H32-231116-0001234",  # too many digits
        "🙂" * 100, "\x00\x01", "000.00.10.Ħ32-231116-0001", "000.00.10.H32-٢٣١١١٦-0001",  # Arabic-Indic digits
        "000" + " " * 20_000 + "00", "0 " * 10_000,
    ],
)
def test_not_a_code(text):
    assert find_dossier_code(text) is None


@pytest.mark.parametrize("bad", [None, 123, b"000.00.10.H32-231116-0001", ["x"]])
def test_non_strings_never_raise(bad):
    assert find_dossier_code(bad) is None
    assert looks_like_code_attempt(bad) is False


def test_adversarial_inputs_are_fast():
    for text in ["000" + " " * 20_000, "000.00.10.H32-231116-" * 1000, "0" * 20_000, ". 0" * 7000]:
        start = time.perf_counter()
        find_dossier_code(text)
        looks_like_code_attempt(text)
        assert time.perf_counter() - start < 0.25


def test_attempts():
    assert looks_like_code_attempt("000.00.10.H32-2311")
    assert looks_like_code_attempt("mã của em là H32-231116-01")
    assert not looks_like_code_attempt(CODE)  # a whole code is not an "attempt"
    assert not looks_like_code_attempt("giấy độc thân")
    assert not looks_like_code_attempt("số điện thoại 0912345678")


# -- properties ------------------------------------------------------------------------------

CODES = st.builds(
    lambda a, b, c, letter, region, date, seq: f"{a:03d}.{b:02d}.{c:02d}.{letter}{region:02d}-{date:06d}-{seq}",
    st.integers(0, 999), st.integers(0, 99), st.integers(0, 99), st.sampled_from("ABCGHKTXZ"),
    st.integers(0, 99), st.integers(0, 999_999), st.from_regex(r"[0-9]{4,6}", fullmatch=True),
)
# Words around a code in a message: Vietnamese letters, punctuation, emoji; no digits or Latin
# letters that could glue onto the code.
FILLER = st.text(alphabet=st.sampled_from(list("ăâđêôơưạảấầẩẫậ àáãèéẹ,.?!:;()\"'\n🙂📄 ")), max_size=60)


@given(st.text(max_size=3000))
@settings(max_examples=300)
def test_any_text_gives_none_or_a_canonical_code(text):
    result = find_dossier_code(text)
    assert result is None or (canonical_form(result) and find_dossier_code(result) == result)


@given(CODES, FILLER, FILLER)
def test_a_code_inside_a_message_is_found(code, before, after):
    assert find_dossier_code(f"{before} {code} {after}") == code


@given(CODES, st.sampled_from([" ", "", ". ", " . "]), st.sampled_from(["-", " - ", " ", "–"]), st.booleans())
def test_retyped_codes_are_found(code, dot, dash, lower):
    agency, date, seq = code.split("-")
    retyped = dot.join(agency.split(".")) + dash + date + dash + seq
    assert find_dossier_code(retyped.lower() if lower else retyped) == code
