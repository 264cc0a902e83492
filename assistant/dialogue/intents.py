"""Everyday requests that are not a procedure: "how do I reach the one-stop" and "look up my
dossier" without a code.

Citizens ask "hotline", "số điện thoại bộ phận một cửa", "ủy ban xã làm việc thứ 7 không",
"tra cứu hồ sơ" or "hồ sơ 123456 của tôi sao rồi" as often as they ask about procedures.
Matched as procedures these end in "not found" with unrelated buttons; here they get a
short, honest answer instead.

Contact details come only from the locality file (`procedures_catalog/localities/<slug>.yaml`):
a value that is missing or named in the locality's `unverified` list is never shown as
fact; the reply says calmly where to check it (the national portal and its hotline). The
core calls `detect_intent` on the folded text and `EverydayDesk.reply` to answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.catalog.schema import Commune, Locality, Place
from assistant.dialogue.actions import candidate_action
from assistant.dialogue.reply import Button, Reply, Status
from assistant.nlu.facets import Facet

# The shape of a receipt code (see assistant.dossiers.codes): agency, receipt date, sequence.
EXAMPLE_CODE = "000.00.10.H32-231116-0001"


class Intent(StrEnum):
    contact = "contact"
    dossier_help = "dossier_help"


class Topic(StrEnum):
    """What the citizen wants to know about the one-stop."""

    hotline = "hotline"
    phone = "phone"
    address = "address"
    hours = "hours"
    saturday = "saturday"
    general = "general"


# Topics that stay a contact question even when a procedure is named too ("làm khai sinh thứ 7
# được không"): the answer about the office comes first, with a button to the procedure.
STRONG_TOPICS = frozenset({Topic.hotline, Topic.phone, Topic.hours, Topic.saturday})


@dataclass(frozen=True, slots=True)
class IntentHit:
    intent: Intent
    spans: tuple[tuple[int, int], ...]  # in the normalised text; not procedure words
    topics: frozenset[Topic] = frozenset()
    strong: bool = True  # False: only when no procedure is confidently named
    number: str | None = None  # a number the citizen took for a dossier code


# -- detection on the folded text (no diacritics, teencode expanded) ------------------------------

_OFFICE = (
    r"(?:bo phan (?:tiep nhan )?(?:mot cua|tiep nhan(?: va tra ket qua)?)|mot cua"
    r"|trung tam (?:phuc vu )?hanh chinh cong|hanh chinh cong|uy ban(?: nhan dan)?(?: (?:xa|phuong|tinh))?"
    r"|tru so(?: uy ban)?|(?:van phong|nha van hoa) (?:xa|phuong))"
)
_WEEKEND = r"(?:thu (?:7|bay)|t7|cuoi tuan|chu nhat|ngay nghi)"
# "trên điện thoại", "qua điện thoại": how to apply (the online facet), not whom to call.
_PHONE_WORD = r"(?<!tren )(?<!qua )(?<!bang )(?<!doi )(?:so dien thoai|so dt|dien thoai)"
_CONTACT: list[tuple[Topic, re.Pattern[str]]] = [
    (Topic.hotline, re.compile(r"\b(?:hotline|hot line|duong day nong|tong dai(?: vien)?)\b")),
    (Topic.phone, re.compile(
        rf"\b(?:{_PHONE_WORD}|so de goi|goi (?:so nao|dau|cho ai|ai)|so lien lac|zalo cua)\b")),
    (Topic.saturday, re.compile(
        rf"\b({_WEEKEND})\b.{{0,40}}\b(lam viec|lam|mo cua|tiep nhan|nhan ho so|nop|co ai|truc)\b"
        rf"|\b(lam viec|lam|mo cua|tiep nhan|nhan ho so|nop)\b.{{0,40}}\b({_WEEKEND})\b")),
    (Topic.hours, re.compile(
        r"\b(?:gio (?:lam viec|hanh chinh|mo cua|dong cua|tiep dan|tiep nhan)|may gio (?:mo|dong|lam|nghi|tiep)"
        r"|mo cua (?:luc|tu|may)|dong cua (?:luc|may)|nghi trua|lam viec (?:luc|tu|den) may gio"
        r"|thoi gian lam viec|lich lam viec|gio giac(?: lam viec)?|(?:buoi )?trua (?:co )?(?:lam|nghi|lam viec|nhan ho so)"
        r"|lam viec den may gio|lam den may gio)\b"
        r"|\b(may gio|luc nao)\b.{0,30}\b(mo cua|dong cua|lam viec|nghi trua)\b")),
    (Topic.address, re.compile(
        rf"\b(dia chi)(?: cua)? ({_OFFICE})\b"
        rf"|\b({_OFFICE})\b.{{0,30}}\b(o dau|cho nao|dia chi|nam o|duong nao)\b")),
    (Topic.general, re.compile(rf"\b(lien he|lien lac)\b(?:.{{0,30}}\b({_OFFICE})\b)?|\b({_OFFICE})\b")),
]
_OFFICE_RE = re.compile(rf"\b{_OFFICE}\b")
# A phone word asks for a number when it comes with an office, a request or a question word, or
# stands (almost) alone: "số điện thoại?", "cho xin sđt ủy ban"; not "đổi số điện thoại trên VNeID".
_ASKS_NUMBER = re.compile(rf"\b(?:{_OFFICE}|xin|cho (?:em|minh|toi|tui|con)|la (?:gi|bao nhieu|so nao)|bao nhieu"
                          r"|nao|o dau|lien he|lien lac|goi|hoi|cong an)\b")
# Questions about the result date ("nộp thứ 7 thì khi nào có"): a named procedure answers them.
_ETA_WORDS = re.compile(r"\b(?:khi nao|bao gio|ngay nao|hen tra|ngay hen|may ngay|bao lau)\b")

_STATUS_WORDS = (r"(?:den dau|toi dau|sao roi|the nao roi|ra sao|xong chua|da xong|co chua|duoc chua|co ket qua chua"
                 r"|giai quyet chua|xu ly chua|dang o dau|o khau nao|bi gi|lau qua|chua xong|bi tra (?:ve|lai)|bi tu choi"
                 r"|chua thay|chua co (?:gi|tin|ket qua)|chua nhan duoc)")
_DOSSIER_STRONG = re.compile(
    r"\b(?:tra cuu|tinh trang|tien do|trang thai)(?: (?:tinh trang|tien do|trang thai|ket qua))?"
    r" (?:giai quyet |xu ly )?(?:cua )?(?:ho so|ma ho so)\b"
    r"|\b(?:kiem tra|xem|theo doi) (?:tinh trang|tien do|trang thai|ket qua) (?:giai quyet |xu ly )?(?:cua )?ho so\b"
    r"|\bma (?:so )?ho so\b|\bma (?:tren )?(?:phieu|giay) hen\b|\bphieu (?:tiep nhan|hen)\b|\bgiay hen\b"
    rf"|\bho so\b.{{0,40}}\b{_STATUS_WORDS}\b"
    r"|\b(?:khi nao|bao gio|ngay nao) (?:thi )?(?:co |lay |nhan )?ket qua (?:cua )?ho so\b"
    r"|\bho so cua (?:toi|em|minh|tui|tao|anh|chi|con|bo|me|ba|ong)\b(?! (?:can|gom|co can|phai))"
)
# "kiểm tra hồ sơ", "xem hồ sơ", "tra cứu": only when no procedure is named ("xem hồ sơ khai
# sinh cần gì" asks about the procedure's papers).
_DOSSIER_WEAK = re.compile(r"\b(?:(?:kiem tra|xem|theo doi|check) (?:lai )?ho so|tra cuu)\b")
_NUMBER = re.compile(r"(?<![0-9.])([0-9][0-9 .\-]{3,}[0-9])(?![0-9])")
_PHONE_GIVEN = re.compile(r"(?<![0-9])0[0-9](?:[ .]?[0-9]){7,9}(?![0-9])")
# Numbers that are something else: a phone, an ID card, a tax or insurance number, an account.
_OTHER_NUMBER = re.compile(r"\b(?:dien thoai|so dt|goi|can cuoc|chung minh|dinh danh|ma so thue|thue|bao hiem"
                           r"|so so|tai khoan|stk|bien so|ho chieu)\b")
_CONTEXT_WORDS = re.compile(r"\b(?:ho so|ma|tra cuu|so phieu|phieu)\b")


def detect_intent(normalised: str) -> IntentHit | None:
    """The everyday intent of a folded message, or None. Cheap enough for every message."""
    number = _dossier_number(normalised)
    strong = _DOSSIER_STRONG.search(normalised)
    if number is not None or strong is not None:
        spans = [m.span() for m in (_DOSSIER_STRONG.finditer(normalised))]
        return IntentHit(Intent.dossier_help, tuple(spans), number=number)
    topics: set[Topic] = set()
    spans: list[tuple[int, int]] = []
    # "sđt em 0905 123 456, ...": a citizen giving their own number is not asking for ours.
    gives_number = _PHONE_GIVEN.search(normalised) is not None
    for topic, pattern in _CONTACT:
        if topic in (Topic.phone, Topic.hotline) and (gives_number or not _asks_number(normalised, topic)):
            continue
        for match in pattern.finditer(normalised):
            topics.add(topic)
            # Only the groups count ("làm lý lịch tư pháp thứ 7": the name in between is not ours).
            groups = [match.span(i) for i in range(1, pattern.groups + 1) if match.start(i) >= 0]
            spans += groups or [match.span()]
    if topics - {Topic.general} or (Topic.general in topics and _asks_contact_only(normalised)):
        spans += [m.span() for m in _OFFICE_RE.finditer(normalised)]
        found = frozenset(topics - {Topic.general}) or frozenset({Topic.general})
        strong = bool(found & STRONG_TOPICS) and not (found <= {Topic.saturday} and _ETA_WORDS.search(normalised))
        return IntentHit(Intent.contact, tuple(spans), found, strong=strong)
    weak = _DOSSIER_WEAK.search(normalised)
    if weak is not None:
        return IntentHit(Intent.dossier_help, (weak.span(),), strong=False)
    return None


def _asks_number(normalised: str, topic: Topic) -> bool:
    return topic == Topic.hotline or len(normalised.split()) <= 4 or _ASKS_NUMBER.search(normalised) is not None


def _asks_contact_only(normalised: str) -> bool:
    """"liên hệ bộ phận một cửa" or just "một cửa": the office word is the whole request."""
    return bool(re.search(r"\b(?:lien he|lien lac)\b", normalised)) or len(normalised.split()) <= 6


def _dossier_number(normalised: str) -> str | None:
    """A run of at least five digits where a dossier code was meant ("hồ sơ 123456"), or a
    message that is only such a number. Phone, ID-card, tax and insurance numbers are not."""
    match = _NUMBER.search(normalised)
    if match is None:
        return None
    digits = re.sub(r"[^0-9]", "", match.group(1))
    if len(digits) < 5 or _OTHER_NUMBER.search(normalised):
        return None
    alone = not normalised.replace(match.group(1), " ").strip()
    return match.group(1).strip() if (alone or _CONTEXT_WORDS.search(normalised)) else None


# -- answers -----------------------------------------------------------------------------------


def is_unverified(locality: Locality | None, *path: str) -> bool:
    """True when the locality names this value, or anything containing it, as unverified
    ("one_stop" covers "one_stop.phone"; "communes.cam-lam" covers that commune's office)."""
    if locality is None:
        return True
    marked = set(locality.unverified)
    return any(".".join(path[:i]) in marked for i in range(1, len(path) + 1))


_KINDS = ("Xã ", "Phường ", "Đặc khu ", "Tỉnh ", "Thành phố ")


def _of(name: str) -> str:
    """"Xã Cam Lâm" -> "xã Cam Lâm" inside a sentence; other names keep their capitals."""
    return name[:1].lower() + name[1:] if name.startswith(_KINDS) else name


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """Only what may be shown as fact, for one office."""

    office: str  # name of the one-stop
    address: str | None = None
    phone: str | None = None
    hours: str | None = None
    saturday: str | None = None
    hotline: str | None = None  # the locality's own hotline
    commune: bool = False  # the office of a commune (else the province's centre)


class EverydayDesk:
    """Answers the everyday intents from one locality and the national portal settings."""

    def __init__(self, locality: Locality | None, hotline: str, portal_url: str) -> None:
        self.locality = locality
        self.hotline = hotline
        self.portal_url = portal_url

    # -- contact ------------------------------------------------------------------------------

    def facts(self, commune: Commune | None = None) -> ContactFacts | None:
        """The verified contact of the commune's office (when known) or of the province's centre."""
        loc = self.locality
        if loc is None:
            return None
        hotline = loc.hotline if loc.hotline and not is_unverified(loc, "hotline") else None
        saturday = loc.saturday if loc.saturday and not is_unverified(loc, "saturday") else None
        if commune is not None:
            place = commune.one_stop
            path = ("communes", commune.slug, "one_stop")
            name = place.name if place else f"Trung tâm Phục vụ hành chính công {_of(commune.name)}"
            return ContactFacts(name, *self._place(place, path), saturday=saturday, hotline=hotline, commune=True)
        place = loc.one_stop
        if place is None:
            return ContactFacts(f"Trung tâm Phục vụ hành chính công {_of(loc.name)}", saturday=saturday,
                                hotline=hotline)
        return ContactFacts(place.name, *self._place(place, ("one_stop",)), saturday=saturday, hotline=hotline)

    def _place(self, place: Place | None, path: tuple[str, ...]) -> tuple[str | None, str | None, str | None]:
        if place is None:
            return None, None, None
        values = []
        for key in ("address", "phone", "hours"):
            value = getattr(place, key)
            values.append(value if value and not is_unverified(self.locality, *path, key) else None)
        return values[0], values[1], values[2]

    def contact(self, hit: IntentHit, commune: Commune | None, procedure: tuple[str, str] | None = None) -> Reply:
        """The asked part first (or a calm "not verified, check here"), then the office and the
        national hotline. `procedure` (id, name): a procedure the message named, as a button."""
        loc = self.locality
        place = self.facts(commune)
        national = (f"Tổng đài hỗ trợ Cổng Dịch vụ công quốc gia: {self.hotline}. "
                    f"Nộp hồ sơ trực tuyến: {self.portal_url} hoặc ứng dụng VNeID.")
        asks_number = bool(hit.topics & {Topic.hotline, Topic.phone})
        lines: list[str] = [national] if asks_number else []
        if place is None:
            lines.append(f"Mình chưa có dữ liệu liên hệ của địa phương bạn; bạn xem nơi nộp hồ sơ trên {self.portal_url}.")
        else:
            missing = self._missing(place, hit.topics)
            if missing:
                lines.append(missing)
            lines += self._office_lines(place)
            if commune is None and loc is not None and loc.communes:
                lines.append("Thủ tục cấp xã nộp tại Trung tâm Phục vụ hành chính công của xã, phường nơi bạn ở. "
                             "Bạn ở xã, phường nào? Nhắn ví dụ: \"em ở phường Nha Trang\" để mình chỉ đúng nơi.")
            elif commune is not None and loc is not None:
                lines.append(f"Thủ tục thuộc cấp tỉnh nộp tại Trung tâm Phục vụ hành chính công {_of(loc.name)} "
                             "hoặc trực tuyến.")
            lines.append("Nơi nộp của từng thủ tục, bạn hỏi kèm tên thủ tục, ví dụ: \"khai sinh nộp ở đâu\".")
        if not asks_number:
            lines.append(national)
        buttons = [Button(procedure[1][:60], candidate_action(procedure[0], Facet.where))] if procedure else []
        title = "Liên hệ nơi tiếp nhận hồ sơ"
        data = {"intent": Intent.contact.value, "topics": sorted(t.value for t in hit.topics),
                "commune": commune.slug if commune else None}
        return Reply(status=Status.smalltalk, title=title, text=title + "\n" + "\n".join(lines),
                     buttons=buttons, data=data)

    def _office_lines(self, place: ContactFacts) -> list[str]:
        lines = [f"• {place.office}"]
        if place.address:
            lines.append(f"• Địa chỉ: {place.address}")
        if place.phone:
            lines.append(f"• Điện thoại: {place.phone}")
        if place.hours:
            lines.append(f"• Giờ làm việc: {place.hours}")
        if place.saturday:
            lines.append(f"• Thứ Bảy: {place.saturday}")
        if place.hotline:
            lines.append(f"• Đường dây nóng của {self.locality.name if self.locality else 'địa phương'}: "
                         f"{place.hotline}")
        return lines

    def _missing(self, place: ContactFacts, topics: frozenset[Topic]) -> str | None:
        """One calm sentence for what was asked but is not known for sure."""
        wanted = set(topics) if topics - {Topic.general} else {Topic.address, Topic.phone, Topic.hours}
        absent = []
        if Topic.address in wanted and not place.address:
            absent.append("địa chỉ")
        if wanted & {Topic.phone, Topic.hotline} and not (place.phone or place.hotline):
            absent.append("số điện thoại")
        if Topic.hours in wanted and not place.hours:
            absent.append("giờ làm việc")
        saturday = ""
        if Topic.saturday in wanted and not place.saturday:
            saturday = (f"Mình chưa có thông tin đã kiểm chứng về việc {_of(place.office)} có tiếp nhận hồ sơ "
                        "vào thứ Bảy hay không. Thông thường cơ quan hành chính làm việc từ thứ Hai đến thứ Sáu, "
                        "một số nơi nhận hồ sơ sáng thứ Bảy; bạn nên hỏi trước khi đến. ")
        if not absent:
            return saturday.strip() or None
        what = ", ".join(absent[:-1]) + (" và " if len(absent) > 1 else "") + absent[-1]
        return (saturday + f"Mình chưa có {what} đã kiểm chứng của {_of(place.office)} nên không ghi ra để tránh sai; "
                f"bạn xem trên {self.portal_url} hoặc trang thông tin điện tử của địa phương trước khi đến.")

    def card(self) -> dict[str, object]:
        """The locality's contact for the web page header: verified values only."""
        place = self.facts()
        lines = [place.office] if place else []
        if place:
            lines += [v for v in (place.address, place.phone and f"ĐT {place.phone}", place.hours) if v]
            if place.hotline:
                lines.append(f"Đường dây nóng {place.hotline}")
        lines.append(f"Tổng đài Cổng DVC quốc gia {self.hotline}")
        return {"office": place.office if place else None, "address": place.address if place else None,
                "phone": place.phone if place else None, "hours": place.hours if place else None,
                "saturday": place.saturday if place else None, "hotline": place.hotline if place else None,
                "national_hotline": self.hotline, "portal_url": self.portal_url, "text": " · ".join(lines)}

    # -- "tra cứu hồ sơ" without a code ---------------------------------------------------------

    def dossier_help(self, hit: IntentHit) -> Reply:
        title = "Tra cứu hồ sơ"
        lines = [title]
        if hit.number:
            lines.append(f"\"{hit.number}\" chưa phải là mã hồ sơ nên mình chưa tra cứu được.")
        lines += [
            "Để xem hồ sơ đã giải quyết đến đâu, bạn cần mã hồ sơ in trên Phiếu tiếp nhận hồ sơ và hẹn trả kết quả "
            "(có nơi gọi là giấy hẹn) mà cơ quan đưa khi bạn nộp hồ sơ.",
            f"Mã có dạng {EXAMPLE_CODE}: mã cơ quan tiếp nhận, ngày nhận (năm, tháng, ngày) và số thứ tự.",
            f"Nếu nộp trực tuyến, mã hồ sơ có trong tài khoản của bạn trên {self.portal_url} (mục quản lý hồ sơ).",
            "Bạn nhắn mã đó cho mình (hoặc nhập vào ô Tra cứu hồ sơ) để xem tình trạng và ngày hẹn trả.",
        ]
        data = {"intent": Intent.dossier_help.value, "dossier": {"need_code": True, "example": EXAMPLE_CODE}}
        return Reply(status=Status.dossier, title=title, text="\n".join(lines), data=data)


__all__ = ["EXAMPLE_CODE", "ContactFacts", "EverydayDesk", "Intent", "IntentHit", "Topic", "detect_intent",
             "is_unverified"]
