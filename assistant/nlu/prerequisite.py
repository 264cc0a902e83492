"""A question whether one step must come before another ("chuyển khẩu về nhà mới có phải cắt khẩu
ở nơi cũ trước không").

Why: both steps are named, and the one asked about ("cắt khẩu") carries the question words, so it
matches best, while the citizen's matter may be the other ("chuyển khẩu", whose answer says no
separate deletion is needed). Authors of the tuning sets mostly meant the main step (22 questions
answered with the prior one), a few the prior one, so neither answer is sure: the core asks back
between the two when the part before the question names a different procedure on its own (s26
tuning, clean: 22 wrong answers become a question back, no right one does).
"""

from __future__ import annotations

import re

# "<head> (thì) có cần/phải <step> ... trước (không)": the step before the head's matter.
_BEFORE = re.compile(
    r"^(?P<head>.+?)\s+(?:thi\s+)?(?:co\s+)?(?:can|phai|bat buoc|can phai)\s+(?!cuoc\b)"
    r"(?P<step>(?:\S+\s+){0,9}?\S+?)\s+truoc\s*(?:khong|ko|k|hok|hong|kg|khg|chua)?(?:\s+(?:a|mn|ad|ha|nhi|vay))?\s*$")
# ... without its own question words ("sang tên được không hay phải đổi sổ trước")
_TRAILING = re.compile(r"\s+(?:(?:thi\s+)?co|(?:duoc\s+)?(?:khong|ko|k)\s+hay|hay)$")


def prior_step_question(normalised: str) -> str | None:
    """The head of a question asking whether a step must come first, or None."""
    m = _BEFORE.match(normalised.strip())
    if m is None:
        return None
    head = _TRAILING.sub("", m["head"]).strip()
    return head if len(head.split()) >= 2 else None


# "<someone> đã có <paper> (rồi), giờ <matter>": the paper is held, the matter comes after it; so is a
# residence already deleted ("bị xóa hộ khẩu rồi, giờ nhập lại").
# Only a paper ("đã có con chung" is no paper held), and never a question about using it ("giờ dùng nộp hồ sơ
# kết hôn"); nor a deed or a notarised statement, which is what the transfer after it registers.
_PAPER_HELD = (r"(?:(?:co|duoc cap|duoc xac nhan|lam xong|xin duoc|nhan duoc) (?:\S+ )?(?:giay|the|so|bang|quyet dinh)"
               r"|duoc xac nhan (?:muc do )?khuyet tat)")
_NOT_USING = r"(?!(?:dung|su dung|nop|mang|lay)\b)"
_HELD = re.compile(
    rf"\b(?:(?:da|vua|moi) {_PAPER_HELD}"
    r"|(?:bi|da) (?:xoa|cat) (?:dang ky )?(?:ho khau|khau|thuong tru))\b(?:\s+\S+){0,10}?"
    rf"\s+(?:roi\s+)?(?:gio|bay gio|nay|thi gio)\s+{_NOT_USING}(?P<rest>(?:\S+\s+){{2,}}\S+)\s*$"
    # ... or held without "đã", told by "rồi" ("con có giấy xác nhận khuyết tật nặng rồi, xin trợ cấp hằng tháng ở đâu")
    rf"|\b{_PAPER_HELD}\b(?:\s+\S+){{0,8}}?\s+roi\s+(?:thi\s+|gio\s+|nay\s+)?{_NOT_USING}(?P<rest2>(?:\S+\s+){{2,}}\S+)\s*$")


def after_held_paper(normalised: str) -> str | None:
    """What is asked after a paper the citizen says they already hold ("con em đã có giấy khuyết tật
    nặng, giờ làm hồ sơ nhận trợ cấp hằng tháng"), or None.

    Why: the held paper's name matches its own procedure best, while the matter is what comes next
    (s29 tuning, clean: 21 questions about the monthly allowance answered with the disability
    certificate they already had)."""
    m = _HELD.search(normalised.strip())
    return (m["rest"] or m["rest2"]) if m else None


# "<matter> (có) cần <paper> không": whether a paper is among the matter's papers ("dkkh có cần giấy
# xác nhận độc thân không", "hưởng tctn cần sổ bhxh không").
_PAPER_NEEDED = re.compile(
    r"^(?P<head>(?:\S+\s+){0,5}?\S+)\s+(?:thi\s+)?(?:co\s+)?(?:can|phai co|phai nop|phai mang|can co|can nop|can mang)\s+(?:them\s+)?"
    r"(?:giay|ban|trich luc|phieu|so|the|to khai|quyet dinh)\b(?:\s+\S+){0,6}?\s+(?:khong|ko|k|hok)(?:\s+(?:a|ad|mn|vay|nhi|ha))?\s*$")


def paper_needed_for(normalised: str) -> str | None:
    """The matter of a short question whether it needs a paper, or None.

    Why: the paper's name matches the procedure that issues it, while the citizen asks about the
    papers of the matter named first (s29 tuning: "đăng ký kết hôn có cần giấy xác nhận độc thân
    không" answered with the marital status certificate)."""
    m = _PAPER_NEEDED.match(normalised.strip())
    return m["head"] if m else None
