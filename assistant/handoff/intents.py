"""What a citizen's message means for the handoff: asking for a person, going back to the bot,
or asking where they are in the queue. Matched on the core's normalised text (lower case, no
diacritics), so "gặp cán bộ", "gap can bo" and "GẶP CÁN BỘ" agree."""

from __future__ import annotations

import re

_ASK_PERSON = re.compile(
    r"\b(?:"
    r"canbo|gap (?:truc tiep )?(?:can bo|cb|nguoi|nhan vien|chuyen vien)|"
    r"(?:noi chuyen|tro chuyen|nhan tin|chat|lam viec) (?:voi|cung) (?:nguoi that|nguoi|can bo|nhan vien)|"
    r"nguoi that|hoi truc tiep|chuyen (?:cho|toi|den) can bo|lien he (?:voi )?can bo|"
    r"can bo tra loi|cho (?:em|toi|minh|tui) (?:hoi|gap) can bo"
    r")\b")
_BACK = re.compile(r"\b(?:quay (?:lai|ve) (?:tro ly|bot|may)|ve (?:lai )?tro ly|huy yeu cau|khong can (?:gap )?can bo"
                   r"|ket thuc (?:yeu cau|hoi cham))\b")
_WHERE = re.compile(r"\b(?:vi tri|thu may|hang (?:doi|cho)|den luot|toi luot|may nguoi|bao lau nua|con bao lau"
                    r"|bao gio (?:co|duoc) (?:can bo|tra loi)|xep hang)\b")


def asks_for_person(normalised: str) -> bool:
    return bool(_ASK_PERSON.search(normalised))


def wants_bot_back(normalised: str) -> bool:
    """"Quay lại trợ lý" and the like: only read while a request is open."""
    return bool(_BACK.search(normalised))


def asks_queue_position(normalised: str) -> bool:
    return bool(_WHERE.search(normalised))


__all__ = ["asks_for_person", "asks_queue_position", "wants_bot_back"]
