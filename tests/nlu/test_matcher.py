import pytest

from assistant.catalog.loader import load_catalog
from assistant.nlu.matcher import Matcher, content_tokens
from assistant.text.normalize import normalize
from tests.factories import write_catalog


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    catalog = load_catalog(write_catalog(tmp_path_factory.mktemp("cat")))
    return Matcher(catalog.procedures.values())


def test_content_tokens_drop_facet_phrases_and_fillers():
    assert content_tokens(normalize("cho em hỏi giấy độc thân mất bao lâu ạ")) == ["giay", "doc", "than"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("giay doc than", "marriage-status-certification"),
        ("xác nhận tình trạng hôn nhân", "marriage-status-certification"),
        ("khai sinh cho con", "birth-registration"),
        ("khai sinhf cho con", "birth-registration"),  # Telex leftover
        ("dang ky tam tru", "temporary-residence-registration"),
        ("lam lai can cuoc bi mat", "id-card-reissue"),
        ("ddang kys ket hon", "marriage-registration"),
    ],
)
def test_best_match(matcher, question, expected):
    ranked = matcher.rank(question)
    assert ranked[0].id == expected
    assert ranked[0].score > 60


def test_typo_is_corrected(matcher):
    assert matcher.rank("dang ky tamm truu")[0].id == "temporary-residence-registration"


def test_shared_keyword_scores_tie(matcher):
    ranked = matcher.rank("căn cước công dân")
    assert {ranked[0].id, ranked[1].id} == {"id-card-renewal", "id-card-reissue"}
    assert abs(ranked[0].score - ranked[1].score) < 1


def test_out_of_scope_scores_low_or_nothing(matcher):
    for question in ["giá xăng bao nhiêu", "hôm nay trời mưa không", "!!!", ""]:
        ranked = matcher.rank(question)
        assert not ranked or ranked[0].score < 45, (question, ranked)


def test_an_abbreviation_typed_with_a_slip_stands_for_its_words(matcher):
    # "bhxh" is an abbreviation; "bhhx" (two letters swapped) must expand like it once corrected.
    corrected = matcher.correct(normalize("bhhx"), "bhhx")
    assert corrected.text == "bao hiem xa hoi"
    assert all(0 < corrected.similarity[w] < 1 for w in ("bao", "hiem"))


def test_a_three_letter_abbreviation_typed_with_a_slip(matcher):
    # "ntm": "ntn" (như thế nào) with n hit as m; three consonants cannot be a syllable.
    assert matcher.correct(normalize("lam ntm"), "lam ntm").text == "lam nhu the nao"


def test_rank_among_scores_only_the_given_procedures(matcher):
    everyone = matcher.rank("khai sinh cho con", limit=10)
    among = matcher.rank("khai sinh cho con", limit=10, among=[s.id for s in everyone[1:3]])
    assert [s.id for s in among] == [s.id for s in everyone[1:3]]
    assert matcher.rank("khai sinh cho con", among=["no-such-procedure"]) == []
