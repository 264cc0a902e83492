"""Whether a question asks yes or no about the citizen's own case ("chưa đủ 18 tuổi có đăng ký kết
hôn được không", "người khiếm thính có được thi bằng lái không").

Why: with no part of the procedure asked (papers, fee, place...), such a question gets the
procedure's overview, which rarely says yes or no to that case. The reply then says so first,
instead of reading as a "yes" (tuning sets: about half of the look-alikes still answered are such
questions, and as many questions that do mean the procedure are asked the same way, so the
procedure is still shown: the general rules help either way).
"""

from __future__ import annotations

import re

_END = r"(?:khong|ko|k|hok|hong|kg|khg|chua)(?:\s+(?:a|ad|ak|mn|vay|nhi|ha|nhe|ta))?\s*$"
_YES_NO = re.compile(
    rf"\b(?:duoc|dc|bi|phai|can|bat buoc)\b(?:\s+\S+){{0,12}}?\s+{_END}"
    r"|\bco (?:duoc|dc)\b.*\b(?:khong|ko|k|hok|hong|kg|khg)\b")


def asks_yes_no(normalised: str) -> bool:
    """The (normalised) question asks whether something is allowed, required or penalised."""
    return bool(_YES_NO.search(normalised))
