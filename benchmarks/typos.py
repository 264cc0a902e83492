"""Seeded phone-typing noise for benchmark questions.

Turns a clean question into what people actually send from a phone: diacritics dropped,
a slipped letter in about one word in three (dropped, doubled, swapped with a neighbour,
a neighbouring key), Telex/VNI keystrokes left in the text when the keyboard's Vietnamese
input was off ("khai sinhf", "ddaang", "dda9ng"), teencode ("ko", "j", "bn", "dc", "hs",
"e", "a"), decomposed Unicode (NFD), no space after punctuation, and a story before
the question. Abbreviations replace only the words they stand for ("a" for the pronoun "anh",
never for "ảnh"): people abbreviate words, not letter strings. The same seed always gives the same text, so a run can be compared with
another run.

Usage as a script: python benchmarks/typos.py IN.tsv [--seed 17] > OUT.tsv
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections.abc import Iterable

# Keys next to each other on a phone QWERTY keyboard (a slipped finger).
_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS: dict[str, str] = {}
for _row in _ROWS:
    for _i, _ch in enumerate(_row):
        NEIGHBOURS[_ch] = _row[max(0, _i - 1):_i] + _row[_i + 1:_i + 2]

# Whole-word abbreviations people type (folded forms on the left).
TEENCODE = {
    "khong": ["ko", "k", "hok", "kh"], "gi": ["j", "gj"], "duoc": ["dc", "đc"], "ho so": ["hs"],
    "bao nhieu": ["bn", "bnhieu"], "em": ["e"], "anh": ["a"], "vay": ["v", "z"], "roi": ["r"],
    "voi": ["vs"], "nguoi": ["ng"], "minh": ["mk", "mik"], "nhu the nao": ["ntn"], "dang ky": ["dk", "dky"],
    "can cuoc cong dan": ["cccd"], "bao hiem y te": ["bhyt"], "bao hiem xa hoi": ["bhxh"],
    "giay phep lai xe": ["gplx"], "bao gio": ["bh"],
}

# The words each abbreviation stands for, as they are spelled: "a" is written for the pronoun
# "anh", never for "ảnh" (photo); "mk" for "mình", never for the "minh" of "chứng minh"; "r" for
# "rồi", not "rời". Matching the folded text alone would abbreviate words no one abbreviates.
SPELLED = {
    "khong": ["không"], "gi": ["gì"], "duoc": ["được"], "ho so": ["hồ sơ"], "bao nhieu": ["bao nhiêu"],
    "em": ["em"], "anh": ["anh"], "vay": ["vậy"], "roi": ["rồi"], "voi": ["với"], "nguoi": ["người"],
    "minh": ["mình"], "nhu the nao": ["như thế nào"], "dang ky": ["đăng ký", "đăng kí"],
    "can cuoc cong dan": ["căn cước công dân"], "bao hiem y te": ["bảo hiểm y tế"],
    "bao hiem xa hoi": ["bảo hiểm xã hội"], "giay phep lai xe": ["giấy phép lái xe"], "bao gio": ["bao giờ"],
}

# A story before the question: people explain their situation first.
STORIES = [
    "Chào ad, em ở quê lên thành phố làm công nhân được mấy năm nay, hôm trước em có hỏi mấy người quen mà mỗi người nói một kiểu nên em nhắn hỏi luôn ạ.",
    "Dạ cho em hỏi chút, nhà em ở xa, đi lại khó khăn, con nhỏ lại hay ốm nên em muốn hỏi kỹ trước khi lên ủy ban cho khỏi mất công đi lại nhiều lần.",
    "Xin chào, tôi năm nay 62 tuổi, mắt kém không đọc được nhiều, con cháu đi làm cả, nhờ cán bộ chỉ giúp cho rõ.",
    "Mình đang làm ở công ty bên khu công nghiệp, chỉ nghỉ được sáng thứ bảy thôi,",
    "Hôm qua em lên phường hỏi thì đông quá, chờ cả buổi không tới lượt, về nhà em lên mạng tìm cũng không hiểu lắm.",
    "Anh chị ơi, em là người dân ở thôn 3, em không rành mấy chuyện giấy tờ này lắm, mong được hướng dẫn.",
]

_TELEX_TONES = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_VNI_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_TELEX_MARKS = {"\u0302": lambda v: v + v, "\u0306": lambda v: v + "w", "\u031b": lambda v: v + "w"}
_VNI_MARKS = {"\u0302": "6", "\u0306": "8", "\u031b": "7"}
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "d")


def keystrokes(word: str, scheme: str = "telex") -> str:
    """The keys a Vietnamese word is typed with, as they appear when the input method is off."""
    tone = ""
    out = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TELEX_TONES:
            tone = _TELEX_TONES[ch] if scheme == "telex" else _VNI_TONES[ch]
        elif ch in _TELEX_MARKS and out:
            base = out.pop()
            out.append(_TELEX_MARKS[ch](base) if scheme == "telex" else base + _VNI_MARKS[ch])
        elif ch == "đ":
            out.append("dd" if scheme == "telex" else "d9")
        else:
            out.append(ch)
    return "".join(out) + tone


def slip(word: str, rng: random.Random) -> str:
    """One typing slip in a word: a letter dropped, doubled, swapped or hit next to."""
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))  # the first letter is rarely wrong
    kind = rng.choice(["drop", "double", "swap", "near"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    ch = word[i]
    near = NEIGHBOURS.get(ch)
    return word[:i] + rng.choice(near) + word[i + 1:] if near else word


def noisy(question: str, rng: random.Random, slip_rate: float = 0.25) -> str:
    """A phone-typed version of `question` (see the module docstring)."""
    text = question
    if rng.random() < 0.15:
        text = rng.choice(STORIES) + " " + text
    keep_marks = rng.random() < 0.2  # most phone questions come without diacritics
    scheme = rng.choice(["telex", "telex", "vni"])
    lowered = unicodedata.normalize("NFC", text.lower())
    inserted: list[str] = []  # abbreviations as typed ("đc" keeps its đ), put back after folding
    for phrase, short in sorted(TEENCODE.items(), key=lambda kv: -len(kv[0])):
        if rng.random() < 0.5:
            # Only the words the abbreviation stands for, as spelled (a question written without
            # diacritics in the first place is abbreviated on its folded words).
            forms = SPELLED[phrase] + ([phrase] if lowered.isascii() else [])
            inserted.append(rng.choice(short))
            lowered = re.sub(rf"(?<!\w)(?:{'|'.join(forms)})(?!\w)", f"\x00{len(inserted) - 1}\x00", lowered)
    folded_text = re.sub(r"\x00(\d+)\x00", lambda m: inserted[int(m.group(1))], fold(lowered))
    # Work word by word on the folded text, using the original word for Telex/VNI keys.
    originals = _WORD.findall(text.lower())
    originals_folded = {fold(w): w for w in originals}
    words = folded_text.split(" ")
    out = []
    for token in words:
        core = token.strip(".,?!:;")
        tail = token[len(core):] if token.endswith(tuple(".,?!:;")) else ""
        original = originals_folded.get(core)
        r = rng.random()
        if original and original != core and r < 0.06:
            core = keystrokes(original, scheme)  # input method off for this word
        elif original and original != core and r < 0.1:
            core = core + keystrokes(original, "telex")[-1]  # a stray tone key: "sinhf"
        elif keep_marks and original:
            core = original
        if r > 1 - slip_rate and core.isalpha() and len(core) >= 3:
            core = slip(core, rng)
        out.append(core + tail)
    text = " ".join(out)
    if rng.random() < 0.3:
        text = re.sub(r"([,.?!])\s+", r"\1", text)
    if rng.random() < 0.1:
        text = unicodedata.normalize("NFD", text)
    return text


def noisy_rows(rows: Iterable[tuple[str, str, str]], seed: int = 17) -> list[tuple[str, str, str]]:
    """(ids, facet, question) rows with noisy questions.

    Each row's noise is drawn from the seed and the question itself (and how many times the
    same question came before it), never from its position: adding or dropping other rows
    must not re-type the rest, or two runs on almost the same set stop being comparable.
    """
    out = []
    seen: dict[str, int] = {}
    for ids, facet, question in rows:
        repeat = seen[question] = seen.get(question, -1) + 1
        rng = random.Random(f"{seed}:{repeat}:{question}")
        out.append((ids, facet, noisy(question, rng)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tsv")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rows = []
    with open(args.tsv, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                ids, facet, question = line.split("\t", 2)
                rows.append((ids, facet, question))
    for ids, facet, question in noisy_rows(rows, args.seed):
        sys.stdout.write(f"{ids}\t{facet}\t{question}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
