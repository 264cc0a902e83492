"""Turn what citizens type on a phone into something comparable.

Matching works on a *folded* form (no diacritics, đ → d, lower case, teencode expanded)
because many people type without diacritics; replies never use the folded form.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.text.bytecache import byte_bounded

MAX_INPUT_CHARS = 2000  # a question longer than this is a story; its head and tail carry the question

# Old-style tone placement ("hoà", "thuỷ") -> the style the catalogue uses ("hòa", "thủy").
_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}
_OLD_STYLE = re.compile(r"(?<![a-zđ])([a-zđ]*?)(o|u)([aeyăâêơ])([\u0300\u0301\u0309\u0303\u0323])(?![a-zđ\u0300-\u036f])")

# Teencode and abbreviations, on folded tokens.
TEENCODE: dict[str, str] = {
    "ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "hong": "khong", "khg": "khong", "kg": "khong",
    "j": "gi", "ji": "gi", "gj": "gi",
    "bn": "bao nhieu", "bnh": "bao nhieu", "bnhieu": "bao nhieu",
    "ntn": "nhu the nao", "ntn?": "nhu the nao",
    "dc": "duoc", "dk": "dang ky", "ddk": "dang ky", "dky": "dang ky",
    "ki": "ky",  # "đăng kí", "chữ kí": the i-spelling of ký/kỳ
    "hs": "ho so", "cty": "cong ty", "ubnd": "uy ban nhan dan",
    "cccd": "can cuoc cong dan", "cmnd": "chung minh nhan dan", "cmt": "chung minh nhan dan",
    "gplx": "giay phep lai xe", "bhxh": "bao hiem xa hoi", "bhyt": "bao hiem y te",
    "dkkd": "dang ky kinh doanh", "kd": "kinh doanh", "hk": "ho khau", "xn": "xac nhan", "tthn": "tinh trang hon nhan",
    "gcn": "giay chung nhan", "qsdd": "quyen su dung dat",
    "gks": "giay khai sinh", "ks": "khai sinh", "sdt": "so dien thoai", "tthc": "thu tuc hanh chinh",
    "r": "roi", "vs": "voi", "mk": "minh", "mik": "minh", "bh": "bao gio", "bg": "bao gio",
    "ng": "nguoi", "ns": "noi", "thi": "thi", "z": "vay", "v": "vay", "ak": "a", "ah": "a",
    "oke": "ok", "okie": "ok", "tks": "cam on", "thanks": "cam on", "thank": "cam on", "thx": "cam on",
    "hnay": "hom nay", "hqua": "hom qua", "mai": "mai", "sn": "sinh",
    # Words citizens shorten (each seen in several authors' questions, and read as another word
    # before: "xe oto" as "ớt", "ck" as "cũ", "bv" as "bố", "mn" as "mà"). Not "mst": a slip in
    # "mất" ("mst") is at least as common as "mã số thuế"; not "hd" or "gd": "hợp đồng" or
    # "hướng dẫn", "gia đình" or "giáo dục"; not "sv": the "sinh" of "sinh viên" then reads as a
    # birth ("sv ở ký túc xá gia hạn tạm trú" was turned away as not ours).
    "oto": "o to", "ck": "chong", "vk": "vo", "mn": "moi nguoi", "bv": "benh vien", "dvc": "dich vu cong",
    "tk": "tai khoan", "nv": "nhan vien", "xh": "xa hoi", "dzay": "vay",
}

_TOKEN = re.compile(r"[a-z0-9]+")
# Teencode that is also an ordinary word right after these words: "hong" is "không" in
# "biết hong", but "hồng" in "sổ hồng" (the pink land title), "bìa hồng", "hoa hồng", and "hỏng"
# in "bị hỏng", "hư hỏng" (no one says "bị không").
_LITERAL_AFTER: dict[str, frozenset[str]] = {"hong": frozenset({"so", "bia", "hoa", "mau", "bi", "hu"})}
# ... and right before a "không" (the word or its teencode): "xe hong k dung nua", "co hong ko" say
# "hỏng" (broken) and then "không"; no one types "không" twice.
_KHONG = frozenset({k for k, v in TEENCODE.items() if v == "khong"} | {"khong"})
_LITERAL_BEFORE: dict[str, frozenset[str]] = {"hong": _KHONG - {"hong"}}
# Every spelling of a word that folds to the token "hong" (letters and digits bound a token, as
# in `tokens`), and those that are words in their own right.
_HONG = re.compile(r"(?<![^\W_])h[oóòỏõọôốồổỗộơớờởỡợ]ng(?![^\W_])")
_HONG_LITERAL = frozenset({"hỏng", "hồng"})
# Abbreviations that mean something else before these words: "dkkh" is "đăng ký kết hôn", but
# "dkkh thường trú" is "đăng ký hộ khẩu thường trú" and "dkkh tạm trú" a temporary residence.
_BEFORE: dict[str, dict[str, str]] = {"dkkh": {"thuong": "dang ky ho khau", "tam": "dang ky"},
                                      "xn": {"adn": "xet nghiem"},  # "xn" is "xác nhận", but "xn adn" a DNA test
                                      # "hd" is "hợp đồng" before the kind of contract ("hđ chuyển nhượng đất
                                      # chứng thực ở phường"), otherwise it may be "hướng dẫn"
                                      "hd": dict.fromkeys(("chuyen", "tang", "mua", "uy", "thue", "vay", "lao"), "hop dong")}
_RUNS = re.compile(r"(.)\1+")
_NOT_DOUBLED = frozenset({"ok", "thi", "mai"})  # "okk", "thii" are these words, not abbreviations


# Letters an abbreviation is made of (consonants): the one left out of "bhh" for "bhxh".
_ABBREVIATION_LETTERS = "bcdghklmnpqrstvxy"


def _first_of_run(match: re.Match[str]) -> str:
    return match.group(1)


def collapse_repeats(token: str) -> str:
    """Every run of one letter kept once: "tamm" -> "tam", "dkky" -> "dky" (Vietnamese rarely
    doubles a letter, phone typing often does). A function replacement, not r"\1", because
    this runs for every unknown token and a template is parsed on each call."""
    return _RUNS.sub(_first_of_run, token)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_TELEX_TAIL = re.compile(r"^([a-z]{2,})([fsrxj])$")


def clean(text: str) -> str:
    """NFC, control characters removed, whitespace collapsed, length bounded."""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_INPUT_CHARS + 64:
        # Trim before normalising: NFC is quadratic on long runs of combining marks, and only
        # this much of the text is kept anyway (the margin lets edge characters compose).
        half = MAX_INPUT_CHARS // 2 + 32
        text = text[:half] + " " + text[-half:]
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    if len(text) > MAX_INPUT_CHARS:
        half = MAX_INPUT_CHARS // 2
        text = text[:half] + " " + text[-half:]
    return " ".join(text.split())


def to_catalogue_tone_style(text: str) -> str:
    """Move the tone mark of open "oa/oe/uy" syllables onto the first vowel: "hoà" -> "hòa"."""
    decomposed = unicodedata.normalize("NFD", text)

    def fix(match: re.Match[str]) -> str:
        head, first, second, tone = match.groups()
        if first == "u" and head.endswith("q"):  # "quý": u belongs to the consonant "qu"
            return match.group(0)
        return f"{head}{first}{tone}{second}"

    # NFD keeps vowel-quality marks (circumflex, breve, horn) attached before the tone mark,
    # so reorder only when the tone sits on the last letter of the syllable.
    lowered_tail = _OLD_STYLE.sub(fix, decomposed)
    return unicodedata.normalize("NFC", lowered_tail)


@byte_bounded(max_key_chars=512)
def fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d. 'Đăng Ký' -> 'dang ky'."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", "d").replace("ð", "d")


def tokens(folded: str) -> list[str]:
    return _TOKEN.findall(folded)


def expand_token(token: str) -> list[str]:
    """One typed token -> the words it stands for (teencode, abbreviations, Telex leftovers)."""
    if token in TEENCODE:
        return TEENCODE[token].split()
    single = collapse_repeats(token)
    if single != token and len(token) <= 5:
        # "bhh" is "bhxh" with its x left out before it is "bh" (bao giờ) with an h typed twice:
        # a letter missing between two equal letters makes a longer abbreviation.
        for i in range(1, len(token)):
            if token[i] == token[i - 1]:
                for letter in _ABBREVIATION_LETTERS:
                    longer = token[:i] + letter + token[i:]
                    if longer in TEENCODE and len(longer) >= 4:
                        return TEENCODE[longer].split()
    if len(single) >= 2 and single != token and single in TEENCODE and single not in _NOT_DOUBLED:
        return TEENCODE[single].split()  # "dkky", "koo": an abbreviation with a letter typed twice
    if token.startswith("dd") and len(token) > 2:
        token = token[1:]
    return [token]


def strip_telex_tail(token: str, vocabulary: frozenset[str] | set[str]) -> str:
    """'sinhf' -> 'sinh' when the stem is a known word (a Telex tone key left in the text)."""
    if token in vocabulary:
        return token
    match = _TELEX_TAIL.match(token)
    if match and match.group(1) in vocabulary:
        return match.group(1)
    return token


@byte_bounded(max_key_chars=512)
def normalize(text: str) -> str:
    """The full matching form of a message: cleaned, folded, teencode expanded."""
    cleaned = clean(text)
    folded = fold(cleaned)
    # "hong" typed as "hỏng" (broken) or "hồng" (pink) is that word, never the teencode "hông"
    # (không): the k-th folded "hong" is the k-th word spelled h-o-ng in the message.
    marked = iter(_HONG.findall(cleaned.lower())) if "hong" in folded else None
    out: list[str] = []
    typed = tokens(folded)
    for i, token in enumerate(typed):
        literal = token == "hong" and marked is not None and next(marked, "hong") in _HONG_LITERAL
        if literal or (out and out[-1] in _LITERAL_AFTER.get(token, ())) or \
                (i + 1 < len(typed) and typed[i + 1] in _LITERAL_BEFORE.get(token, ())):
            out.append(token)  # "sổ hồng" is a land title, not "sổ không"
        elif token in _BEFORE and i + 1 < len(typed) and typed[i + 1] in _BEFORE[token]:
            out.extend(_BEFORE[token][typed[i + 1]].split())
        else:
            out.extend(expand_token(token))
    return " ".join(out)
