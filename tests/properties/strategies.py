"""Hypothesis strategies for hostile input: every kind of Unicode a chat app can deliver.

Text is built from pieces that each stress something different (emoji and astral characters,
C0/C1 control characters and NUL, bidirectional overrides, combining marks piled on a letter,
lone surrogates as JSON escapes produce them, invisible characters, Vietnamese words with and
without diacritics, dossier-code fragments), and sometimes repeated into 10,000+ characters.

`PROPS` is the settings every property test uses: derandomised (the same examples on every
run, so CI is stable and a failure is reproducible), no deadline (a slow CI machine must not
fail a test), and a modest number of examples so the whole package stays well under a minute.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PROPS = settings(derandomize=True, database=None, deadline=None, max_examples=60,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large])

EMOJI = ["🙂", "👍🏽", "👨‍👩‍👧‍👦", "🇻🇳", "❤️", "🧧", "\U0001f9d1\u200d\U0001f4bb", "😀" * 3]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\x9f", "\r\n", "\t"]
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069",
        "\u061c"]
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u3164"]
COMBINING = ["\u0301", "\u0300", "\u0309", "\u0303", "\u0323", "\u0316", "\u0f73", "\u0344", "\u20dd"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
VIETNAMESE = ["giấy", "độc thân", "mất bao lâu", "giay khai sinh", "lệ phí", "nộp ở đâu", "cccd het han lam j",
              "hộ chiếu", "xin chào", "cảm ơn", "còn", "theo dõi", "hủy theo dõi", "1", "2", "bn tiền",
              "Đăng ký kết hôn", "ĐĂNG KÝ THƯỜNG TRÚ"]
CODE_BITS = ["000.00.10.H32-231116-0001", "000.00.10.H32-2311", "H32-2311", "231116-0001", "000.00.10.H32",
             "０００．００．１０．Ｈ３２－２３１１１６－０００１", "999.99.99.Z99-991231-999999", "sub:", "unsub:",
             "f:t:", "k:-1:", "fb:+1:", "field:"]
INJECTION = ["'; DROP TABLE dossiers;--", "\" OR 1=1 --", "<script>alert(1)</script>", "<b>", "</b>", "&amp;",
             "&#0;", "*bold* [x](javascript:alert(1))", "`code`", "_x_", "${jndi:ldap://x}", "{{7*7}}", "%s%n",
             "\\", "\\u0000", "../../etc/passwd", "<a href=\"javascript:alert(1)\">x</a>"]


@functools.cache
def _pieces(allow_surrogates: bool) -> st.SearchStrategy[str]:
    options = [
        st.text(max_size=40),  # arbitrary Unicode (no surrogates)
        st.sampled_from(EMOJI), st.sampled_from(CONTROL), st.sampled_from(BIDI), st.sampled_from(INVISIBLE),
        st.builds(lambda base, marks: base + "".join(marks), st.sampled_from("aeoAuyđ0H"),
                  st.lists(st.sampled_from(COMBINING), max_size=30)),
        st.sampled_from(VIETNAMESE), st.sampled_from(CODE_BITS), st.sampled_from(INJECTION),
        st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF).map(str),
        st.just(" "), st.just("\n"),
    ]
    if allow_surrogates:
        options.append(st.sampled_from(SURROGATES))
    return st.one_of(*options)


@functools.cache
def hostile_text(*, allow_surrogates: bool = True, long: bool = True) -> st.SearchStrategy[str]:
    """Arbitrary text a client may send; with `long`, sometimes repeated past 10,000 characters."""
    short = st.lists(_pieces(allow_surrogates), max_size=12).map("".join)
    if not long:
        return short
    huge = st.builds(lambda chunk, times: (chunk or "x") * max(1, 10_001 // max(1, len(chunk or "x")) + times),
                     short, st.integers(0, 3))
    return st.one_of(short, short, short, huge)
