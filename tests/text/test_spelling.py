"""The Vietnamese-aware corrector: each test stands for a family of phone-typing slips."""

import pytest

from assistant.text.spelling import PLACE_ABBREVIATIONS, Speller, decode_keystrokes, distance, is_syllable

VOCAB = ["dang", "ky", "khai", "sinh", "ket", "hon", "tam", "tru", "can", "cuoc", "giay", "to", "bao", "lau",
         "tach", "thua", "ho", "khau", "nhieu", "ngay", "co", "con", "tom"]
PAIRS = [("dang", "ky"), ("khai", "sinh"), ("ket", "hon"), ("tam", "tru"), ("can", "cuoc"), ("giay", "to"),
         ("bao", "lau"), ("tach", "thua"), ("ho", "khau")]


@pytest.fixture(scope="module")
def speller():
    return Speller(VOCAB, PAIRS)


def words(speller, text):
    return [c.word for c in speller.correct(text.split())]


@pytest.mark.parametrize(("token", "folded"), [("ddaang", "dang"), ("d9a8ng", "dang"), ("sinhf", "sinh"),
                                                ("kys", "ky"), ("tw", "tu")])
def test_keystrokes_left_by_an_input_method_that_was_off(token, folded):
    assert folded in decode_keystrokes(token)


def test_syllable_structure():
    assert is_syllable("khai") and is_syllable("nghieng") and is_syllable("tom")
    assert not is_syllable("khsi") and not is_syllable("cob") and not is_syllable("tru0")
    assert all(is_syllable(w) for w in ("nguoi", "khuya", "nguyen", "ruou", "xoong", "giuong", "ngoeo", "khoe", "yeu"))


@pytest.mark.parametrize(("typed", "meant"), [("nouc", "nuoc"), ("moun", "muon"), ("vein", "vien"), ("hein", "hien"),
                                               ("thouc", "thuoc")])
def test_two_vowels_swapped_are_no_syllable(typed, meant):
    """Only the vowel sequences Vietnamese spells ("uô", "iê", not "ôu", "êi") make a syllable, so
    a swapped pair is corrected like any other slip instead of being kept as a word."""
    assert not is_syllable(typed) and is_syllable(meant)


def test_doubled_letter_costs_less_than_a_wrong_letter():
    assert distance("tamm", "tam") < distance("tab", "tam")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("khsi sinh", "khai sinh"),        # impossible syllable: a slip, corrected
        ("dangg kyy", "dang ky"),          # doubled letters
        ("ket hno", "ket hon"),            # swapped letters
        ("tamm truu", "tam tru"),
        ("ddaang kys ket hon", "dang ky ket hon"),
        ("can cuco", "can cuoc"),
    ],
)
def test_slips_are_corrected_to_catalogue_words(speller, typed, expected):
    assert " ".join(words(speller, typed)) == expected


def test_a_real_word_outside_the_vocabulary_is_left_alone(speller):
    # "tôm" is Vietnamese; without a neighbour that makes a known pair it must not become "tom"->"to"...
    assert words(speller, "ban tim") == ["ban", "tim"]


def test_context_chooses_between_equally_close_words(speller):
    # "tach thau": "thau" is one edit from "thua" and the pair "tach thua" is known.
    assert words(speller, "tach thau") == ["tach", "thua"]


def test_words_typed_without_a_space_are_split(speller):
    assert speller.split("khaisinh") == ["khai", "sinh"]
    assert speller.split("khai") is None


def test_first_letter_breaks_ties_between_equally_close_words():
    speller = Speller(["van", "lam", "tai"], [("van", "tai"), ("lam", "tai")])
    assert [c.word for c in speller.correct(["vam", "tai"])] == ["van", "tai"]


def test_a_neighbouring_key_costs_less_than_any_other_letter():
    assert distance("ham", "han") < distance("hak", "han")  # m is next to n on the keyboard


def test_a_swap_or_a_dropped_letter_beats_another_letter():
    # With no neighbour to decide, the slips a thumb makes win over an arbitrary letter (the
    # first word in alphabetical order used to win: "smi" was "sai", "noai" was "nai").
    speller = Speller(["sai", "sim", "nai", "ngoai", "nuoc", "muc", "o"], [("nuoc", "ngoai"), ("o", "nai")])
    assert words(speller, "smi") == ["sim"]  # not a syllable: corrected freely
    # Real syllables ("nuc", "noai") change only when a neighbour vouches, as "nước ngoài" does.
    assert words(speller, "nuc ngoai") == ["nuoc", "ngoai"]
    assert words(speller, "nuoc noai") == ["nuoc", "ngoai"]
    assert distance("smi", "sim") < distance("smi", "sai")
    assert distance("nuc", "nuoc") < distance("nuc", "luc")  # (m is next to n: "muc" costs 0.8)


def test_a_two_letter_abbreviation_is_no_dropped_letter():
    # "vn", "hn" are Việt Nam, Hà Nội: no letter-left-out discount turns them into "van", "han".
    assert distance("vn", "van") == distance("vn", "va") == 1.0


def test_context_on_both_sides_beats_context_on_one():
    speller = Speller(["mat", "ca", "can", "cuoc"], [("mat", "ca"), ("mat", "can"), ("can", "cuoc")])
    assert [c.word for c in speller.correct(["mat", "cna", "cuuoc"])] == ["mat", "can", "cuoc"]


def test_a_run_of_letters_longer_than_any_word_is_left_alone(speller):
    run = "a" * 3000
    assert speller.options(run) == ()
    assert words(speller, f"khai {run} sinh") == ["khai", run, "sinh"]


@pytest.fixture(scope="module")
def real_word_speller():
    vocab = ["bao", "bo", "lau", "xay", "xa", "dung", "gia", "gai", "han", "thua", "dat", "da", "tam", "tru", "tu",
             "sua", "sai", "sao", "me", "con"]
    pairs = [("bao", "lau"), ("xay", "dung"), ("gia", "han"), ("thua", "dat"), ("tam", "tru"), ("sua", "sai"),
             ("bo", "me"), ("con", "gai")]
    return Speller(vocab, pairs)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("bo lau", "bao lau"),     # a dropped letter made another real word
        ("xa dung", "xay dung"),
        ("gai han", "gia han"),    # two letters swapped
    ],
)
def test_a_real_word_slip_is_corrected_when_a_neighbour_vouches(real_word_speller, typed, expected):
    assert " ".join(words(real_word_speller, typed)) == expected


@pytest.mark.parametrize("typed", ["bo me", "con gai", "xa", "bo roi"])
def test_a_real_word_that_fits_its_neighbours_stays(real_word_speller, typed):
    assert " ".join(words(real_word_speller, typed)) == typed


def test_a_question_word_that_ends_the_message_is_never_taken_for_a_slip(real_word_speller):
    # "sửa sao" (how to fix) is not "sửa sai" though that pair is known.
    assert words(real_word_speller, "sua sao") == ["sua", "sao"]


@pytest.fixture(scope="module")
def particle_speller():
    vocab = ["cap", "lai", "la", "lau", "bao", "dang", "ky", "ket", "hon", "nguoi", "co", "the", "ghi", "sai", "sao",
             "ten", "toi"]
    pairs = [("cap", "lai"), ("ky", "lai"), ("lai", "ket"), ("ket", "hon"), ("bao", "lau"), ("dang", "ky"),
             ("ghi", "sai"), ("sai", "ten")]
    return Speller(vocab, pairs, weak_pairs=[("toi", "la"), ("la", "nguoi")])


@pytest.mark.parametrize(("typed", "expected"), [
    ("cap la", "cap lai"),                    # "cấp lại" with the i left out: "là" is a particle
    ("dang ky lau ket hon", "dang ky lai ket hon"),   # a question word one slip from "lại"
    ("ghi sao ten", "ghi sai ten"),           # mid-sentence, "sao" asks nothing
    ("toi la nguoi", "toi la nguoi"),         # everyday "tôi là người": the particle stays
    ("bao lau", "bao lau"),
])
def test_a_particle_or_question_word_may_be_a_slip_for_a_catalogue_word(particle_speller, typed, expected):
    assert " ".join(words(particle_speller, typed)) == expected


def test_a_particle_beside_another_particle_stays(particle_speller):
    # Only a neighbour that says something vouches: "co la" is no evidence for "co lai".
    assert words(particle_speller, "co la") == ["co", "la"]


def test_a_tie_between_two_slips_goes_to_what_citizens_say():
    # "ha quoc": "hàn quốc" and the catalogue's "hai quốc tịch" are one letter away each.
    speller = Speller(["ha", "hai", "han", "quoc", "tich", "o"], [("hai", "quoc"), ("han", "quoc"), ("quoc", "tich")],
                      weak_pairs=[("han", "quoc"), ("o", "han")])
    assert words(speller, "o ha quoc") == ["o", "han", "quoc"]


def test_a_word_the_citizen_typed_with_marks_is_kept(real_word_speller):
    assert [c.word for c in real_word_speller.correct(["bo", "lau"], keep=frozenset({"bo"}))] == ["bo", "lau"]


@pytest.mark.parametrize(("typed", "expected"), [("thua dar", "thua dat"), ("tam tur", "tam tru")])
def test_a_tone_key_at_the_end_may_be_a_slipped_finger(real_word_speller, typed, expected):
    # "dar" is "đả" typed in Telex or "đất" with t hit as r: the neighbour decides.
    assert " ".join(words(real_word_speller, typed)) == expected


def test_a_tone_key_leftover_without_context_is_decoded(real_word_speller):
    assert words(real_word_speller, "tur") == ["tu"]


def test_another_letter_anywhere_is_no_thumb_slip():
    # "cuu" (tra cứu) is one letter from "chu", but u and h are far apart on the keyboard.
    speller = Speller(["tra", "cuu", "chu"], [("tra", "chu")])
    assert words(speller, "tra cuu") == ["tra", "cuu"]


def test_a_telex_vowel_and_tone_left_on_a_one_letter_word():
    # "ở" typed in Telex with the input method off: o + w (horn) + r (hỏi).
    assert "o" in decode_keystrokes("owr")


def test_a_doubled_letter_and_a_slipped_key_are_both_readings():
    # "hopp" / "hoo": one letter doubled, or "p" hit as "o"? The neighbour decides.
    speller = Speller(["ho", "hop", "dong", "ten"], [("hop", "dong"), ("ho", "ten")])
    assert words(speller, "hopp dong") == ["hop", "dong"]
    assert words(speller, "hopp ten")[0] in {"hop", "ho"}
    assert words(speller, "hhop dong") == ["hop", "dong"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("thay doo", "thay doi"),       # "đổi" with i hit as o, not Telex "đô"
    ("bangf lai", "bang lai"),      # Telex f after "bang"
    ("banf lai", "bang lai"),       # or g hit as f: the pair "bằng lái" decides
])
def test_a_doubled_vowel_or_a_tone_key_may_be_a_slip(typed, expected):
    speller = Speller(["thay", "doi", "do", "bang", "ban", "lai"], [("thay", "doi"), ("bang", "lai")])
    assert " ".join(words(speller, typed)) == expected


def test_sure_keystroke_signs_are_decoded_whatever_the_neighbours():
    speller = Speller(["dang", "dung", "tu", "ky"], [("dung", "ky")])
    assert words(speller, "ddaang ky") == ["dang", "ky"]
    assert words(speller, "tw") == ["tu"]



def test_a_neighbour_that_only_ever_follows_one_word_outweighs_a_generic_pair():
    # "cước" only comes after "căn": "làm ca cước" is "làm căn cước", though "làm cà" is a pair.
    speller = Speller(["lam", "ca", "can", "cuoc", "vet", "so", "do", "di"],
                      [("lam", "ca"), ("ca", "vet"), ("can", "cuoc"), ("so", "do"), ("di", "lam"), ("do", "lam")])
    assert words(speller, "lam ca cuoc") == ["lam", "can", "cuoc"]
    assert words(speller, "lam ca vet") == ["lam", "ca", "vet"]
    # "lam" follows several words: "sổ đỏ làm" keeps its "đỏ".
    assert words(speller, "so do lam") == ["so", "do", "lam"]


def test_two_slips_side_by_side_settle_each_other():
    # "gis hna": "hna" becomes "han" only after "gis" was first read as "gi" (Telex s);
    # a third look then makes "gis" the "gia" of "gia han".
    speller = Speller(["gi", "gia", "ha", "han", "tam"], [("gia", "han"), ("han", "tam")])
    assert words(speller, "gis hna tsm") == ["gia", "han", "tam"]


def test_the_more_particular_neighbour_decides_between_equally_close_words():
    # "lại ba lâu": "bản" pairs with "lại" (which goes with many words), "bao" with "lâu"
    # (which goes with few): the slip is "bao lâu".
    pairs = [("lai", w) for w in ("ban", "xe", "sinh", "nha")] + [("bao", "lau")]
    speller = Speller(["lai", "ba", "ban", "bao", "lau", "xe", "sinh", "nha"], pairs)
    assert words(speller, "lai ba lau") == ["lai", "bao", "lau"]


def test_everyday_time_phrases_are_not_taken_for_a_slip():
    """"từ hồi nhỏ" is not "thu hồi" (a revocation): a story's time phrase keeps its words."""
    from assistant.text.spelling import EVERYDAY_PAIRS

    vocab, pairs = [*VOCAB, "thu", "hoi", "tu", "nho", "mat"], [*PAIRS, ("thu", "hoi")]
    without = Speller(vocab, pairs)
    assert words(without, "mat tu hoi nho") == ["mat", "thu", "hoi", "nho"]  # what it did before
    speller = Speller(vocab, [*pairs, *EVERYDAY_PAIRS])
    assert words(speller, "mat tu hoi nho") == ["mat", "tu", "hoi", "nho"]
    assert words(speller, "thu hoi giay to") == ["thu", "hoi", "giay", "to"]


def test_people_and_thanks_stay_as_typed(shipped_catalog):
    # "người ta" is not "người Tây", nor "em gái, cảm ơn" poultry.
    from assistant.nlu.matcher import Matcher

    matcher = Matcher(shipped_catalog.procedures.values())
    assert "nguoi ta roi" in matcher.parse("bán xe máy cho người ta rồi").masked
    assert "em gai cam on" in matcher.parse("cho em gai, cam on ad").masked
    assert "nguoi tay" in matcher.parse("lấy chồng người Tây").masked


def test_the_likeliest_word_of_a_token_left_as_typed():
    speller = Speller(["trung", "gian", "nuoc", "ngoai"], [("nuoc", "ngoai")])
    # "guan" is a syllable no neighbour vouches for: the corrector keeps it...
    assert words(speller, "trung guan") == ["trung", "guan"]
    # ...though it is most likely "gian", one letter off.
    assert speller.likeliest("guan") == "gian"
    assert speller.likeliest("nuoc") == "nuoc"  # a known word is itself
    assert speller.likeliest("xyzwq") == "xyzwq"  # nothing one slip away
    assert speller.likeliest("0905") == "0905"


def test_an_abbreviated_place_is_left_as_typed():
    """"tp hcm" after "ở" is a city, not the "ô tô" that "o to" would make of it."""
    speller = Speller({"o", "to", "lam", *PLACE_ABBREVIATIONS}, pairs=[("o", "to")])
    assert [c.word for c in speller.correct(["o", "tp", "hcm", "lam"])] == ["o", "tp", "hcm", "lam"]


def test_a_real_word_in_everyday_pairs_is_no_slip_for_a_catalogue_pair():
    # "du học" is the catalogue's, "đi học" only everyday: "em đi học lại" keeps its "đi".
    speller = Speller(["em", "di", "du", "hoc", "lai"], [("du", "hoc"), ("hoc", "lai")],
                      weak_pairs=[("em", "di"), ("di", "hoc")])
    assert words(speller, "em di hoc lai") == ["em", "di", "hoc", "lai"]


def test_an_hour_and_a_weekday_are_kept():
    speller = Speller(["nop", "thu", "thue", "chieu", "a", "ha"], [("nop", "thue")])
    assert words(speller, "nop thu 2") == ["nop", "thu", "2"]
    assert words(speller, "4h chieu") == ["4h", "chieu"]
