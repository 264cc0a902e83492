"""The citizens' lexicon (assistant.text.lexicon): only words and pairs several question sets use
count, it round-trips through its file, a missing or broken file leaves the corrector with the
catalogue's words, and with it a slip is read as the everyday word rather than pulled towards ours."""

from __future__ import annotations

import json
import logging

import pytest

from assistant.catalog.loader import load_catalog
from assistant.nlu.matcher import Matcher
from assistant.text.lexicon import LEXICON_PATH, Lexicon, build_lexicon, load_lexicon
from assistant.text.normalize import normalize
from tests.factories import procedure, write_catalog


def test_a_word_counts_when_enough_sets_use_it_however_often_one_set_repeats_it():
    sets = [["bị phạt bao nhiêu"], ["có bị phạt không"], ["phạt nguội ở đâu", "phạt phạt phạt"],
            ["tiêm phòng cho con"], ["tiêm phòng ở đâu"]]
    lexicon = build_lexicon(sets, min_sets=3)
    assert "phat" in lexicon.words and "tiem" not in lexicon.words  # 3 sets vs 2
    assert ("bi", "phat") not in lexicon.pairs  # two sets only
    assert build_lexicon(sets, min_sets=2).pairs >= {("bi", "phat"), ("tiem", "phong")}
    assert lexicon.meta == {"sets": 5, "min_sets": 3}


def test_words_are_folded_teencode_expanded_and_numbers_left_out():
    lexicon = build_lexicon([["Phạt 500k ko?"]] * 3, min_sets=3)
    assert {"phat", "khong"} <= lexicon.words
    assert not any(ch.isdigit() for w in lexicon.words for ch in w)


def test_a_short_run_of_letters_that_cannot_be_a_syllable_is_taken_for_a_slip():
    lexicon = build_lexicon([["mst của cty", "tài khoản vssid"]] * 3, min_sets=3)
    assert "vssid" in lexicon.words and "mst" not in lexicon.words and "cty" not in lexicon.words


def test_round_trip_through_the_file(tmp_path):
    lexicon = build_lexicon([["bị phạt"], ["bị phạt"], ["bị phạt"]], min_sets=3)
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(lexicon.to_json(), ensure_ascii=False), encoding="utf-8")
    assert load_lexicon(path) == lexicon


@pytest.mark.parametrize("content", [None, "{not json", '{"words": ["a"]}', '{"words": ["a"], "pairs": ["one"]}'])
def test_a_missing_or_broken_file_leaves_the_catalogue_words_and_says_why(tmp_path, caplog, content):
    path = tmp_path / "lexicon.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_lexicon(path) == Lexicon()
    assert "lexicon not loaded" in caplog.text


def test_the_shipped_lexicon_loads_and_knows_everyday_words():
    lexicon = load_lexicon(LEXICON_PATH)
    assert {"phat", "tiem", "ngan", "hang"} <= lexicon.words
    assert ("bi", "phat") in lexicon.pairs and ("phat", "bao") in lexicon.pairs
    assert lexicon.meta["min_sets"] >= 3 and "mst" not in lexicon.words


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    fee = procedure("contract-authentication", "Chứng thực hợp đồng, giao dịch",
                    keywords=["hủy hợp đồng đặt cọc", "lệ phí bao nhiêu"])
    birth = procedure("birth-registration", "Đăng ký khai sinh", aliases=["làm giấy khai sinh"])
    return load_catalog(write_catalog(tmp_path_factory.mktemp("cat"), [fee, birth]))


def corrected(matcher: Matcher, text: str) -> str:
    return matcher.correct(normalize(text), text).text


def test_with_the_lexicon_a_slip_becomes_the_everyday_word_its_neighbours_vouch_for(catalog):
    typed = "huy hop dong dat coc bi pht bn tien"
    plain = Matcher(catalog.procedures.values())
    assert "bi phi bao" in corrected(plain, typed)  # "phí bao nhiêu" is a phrase we know: a fee
    lexicon = Lexicon(frozenset({"phat"}), frozenset({("bi", "phat"), ("phat", "bao")}))
    assert "bi phat bao" in corrected(Matcher(catalog.procedures.values(), lexicon=lexicon), typed)


def test_an_everyday_pair_never_keeps_a_slip_from_the_catalogues_phrase(catalog):
    # "khi sinh con" is everyday Vietnamese, but "lam giay khi sinh" still means "làm giấy khai sinh".
    lexicon = Lexicon(frozenset({"khi", "sinh", "con"}), frozenset({("khi", "sinh"), ("sinh", "con")}))
    matcher = Matcher(catalog.procedures.values(), lexicon=lexicon)
    assert corrected(matcher, "lam giay khi sinh o dau") == "lam giay khai sinh o dau"
    # Nor does one turn a real word into another: "tiền phòng" stays though "tiêm phòng" is everyday.
    lexicon = Lexicon(frozenset({"tiem", "phong", "tien"}), frozenset({("tiem", "phong")}))
    assert corrected(Matcher(catalog.procedures.values(), lexicon=lexicon), "tien phong tro").startswith("tien")
