import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.dossiers.codes import find_dossier_code, looks_like_code_attempt

CODE = "000.00.10.H32-231116-0001"


@pytest.mark.parametrize(
    "text",
    [
        CODE,
        f"hồ sơ {CODE} của em đến đâu rồi ạ",
        "000 00 10 H32 - 231116 - 0001",
        "000.00.10.h32-231116-0001",
        "00000.10.H32-231116-0001",  # a missing dot
        f"tra cuu:{CODE}.",
    ],
)
def test_recognised(text):
    assert find_dossier_code(text) == CODE


@pytest.mark.parametrize(
    "text",
    ["", "khai sinh", "0912345678", "000.00.10.H32", "'; DROP TABLE dossiers; --", "1000.00.10.H32-231116-0001x",
     "🙂" * 100, "\x00\x01"],
)
def test_not_a_code(text):
    assert find_dossier_code(text) is None


def test_sql_around_a_code_yields_only_the_code():
    assert find_dossier_code(f"{CODE}'; DROP TABLE dossiers; --") == CODE


def test_attempts():
    assert looks_like_code_attempt("000.00.10.H32-2311")
    assert not looks_like_code_attempt("giấy độc thân")


@given(st.text(max_size=5000))
def test_never_raises(text):
    result = find_dossier_code(text)
    assert result is None or result == find_dossier_code(result)
