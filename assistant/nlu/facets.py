"""Which part of a procedure the citizen asked about.

Rules over the folded text: a handful of phrases per facet is both more accurate and more
explainable than a classifier trained on a few dozen questions.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from enum import StrEnum


class Facet(StrEnum):
    overview = "overview"
    documents = "documents"
    time = "time"
    fee = "fee"
    where = "where"
    online = "online"
    steps = "steps"
    eta = "eta"
    legal = "legal"
    validity = "validity"  # how long the result stays valid ("hộ chiếu dùng được mấy năm"), not processing time


# Vietnamese labels for buttons and headings.
FACET_LABELS: dict[Facet, str] = {
    Facet.overview: "Tổng quan",
    Facet.documents: "Giấy tờ",
    Facet.time: "Thời hạn",
    Facet.fee: "Lệ phí",
    Facet.where: "Nơi nộp",
    Facet.online: "Trực tuyến",
    Facet.steps: "Các bước",
    Facet.eta: "Ngày có kết quả",
    Facet.legal: "Căn cứ pháp lý",
    Facet.validity: "Giá trị sử dụng",
}

# A question that names filing online anywhere: its "hay phải lên công an" is the other choice.
_NOT_ONLINE = r"^(?!.*\b(?:online|truc tuyen|qua mang|tren mang|dich vu cong|vneid|tai nha|o nha|ngoi nha|tren dien thoai|qua app)\b)"

# Phrases on the folded, teencode-expanded text. Order in FACET_ORDER decides ties.
# The "còn" of "thẻ còn dùng đến khi nào", typed unaccented ("con", a child), before a validity
# phrase; never "của con", "cho con", "bé con".
_STILL = r"(?:(?<!cua )(?<!cho )(?<!be )con )?"

_PATTERNS: dict[Facet, list[str]] = {
    Facet.eta: [
        r"\b(hom nay|ngay mai|mai|bay gio|sang nay|chieu nay|thu (hai|ba|tu|nam|sau|bay|[2-7])|chu nhat|tuan nay|tuan sau)\b.*\b(khi nao|bao gio|ngay nao|hom nao|luc nao|may gio)\b",
        r"\b(khi nao|bao gio|ngay nao|hom nao|luc nao)\b.*\b(hom nay|ngay mai|bay gio)\b",
        r"\bneu nop\b.*\b(khi nao|bao gio|ngay nao)\b",
        # "thứ 2 nộp thì thứ mấy lấy", "4h chiều nộp thì mai mới có hả", "sáng xin chiều lấy được không":
        # a day or an hour the dossier goes in, and the day or part of it the result is asked for.
        r"\b(thu (?:hai|ba|tu|nam|sau|bay|[2-7])|\d{1,2} ?(?:h|gio)(?: (?:sang|chieu|trua|toi))?|sang mai|chieu mai"
        r"|dau thang|cuoi thang|dau tuan|cuoi tuan|hom nay|ngay mai|sang nay|chieu nay|hom qua|hom kia|tuan truoc)\b.*"
        r"\b(thu may|chung nao|ngay may|tuan nao|khi nao|bao gio|ngay nao|luc nao|may gio"
        r"|(?:thi )?(?:mai|ngay mai|chieu|hom sau|tuan sau) (?:moi )?(?:co|lay|nhan|xong))\b",
        r"\bsang (?:nop|xin|lam|gui|mang|ra|den|di)\b.*\b(chieu (?:lay|co|nhan|tra|xong))\b",
        r"\bngay hen( tra)?\b",
        r"\bhen tra\b",
    ],
    Facet.fee: [
        r"\ble phi\b", r"\b(mat |ton |het )?(?<!hoc )(?<!vien )phi\b", r"\bmat (tien|bao nhieu(?! (ngay|hom|tuan|thang|lau|gio|thoi gian))|nhieu(?! (ngay|thoi gian)))\b", r"\bbao nhieu tien\b", r"\bton tien\b", r"\bmat tien\b", r"\bton phi\b",
        # (never "tiện": "cho tiện đi học", "để tiện giấy tờ", "thuận tiện", "phương tiện" fold alike)
        r"(?<!cho )(?<!de )(?<!thuan )(?<!phuong )(?<!bat )\btien\b(?! (?:an|su|gia|loi)\b)", r"\bchi phi\b", r"\bmien phi\b", r"\bgia bao nhieu\b", r"\bhet bao nhieu\b",
        r"\bnop bao nhieu\b", r"\bdong bao nhieu\b", r"\bthu phi\b", r"\btien su dung dat\b",
        r"\b(dong|nop|tra) tien\b(?! (an|su|gia)\b)",
        r"\bton bao nhieu\b(?! (ngay|hom|tuan|thang|lau|gio|thoi gian))",
        # "bao nhiêu 1 bản", "tốn đồng nào không", "có được giảm không" (groups: only the asking words
        # are spans). Never "có phải đóng thuế không": taxes are mostly another matter (s27 tuning: 20
        # look-alikes answered for 3 fee questions found).
        r"\b(bao nhieu) (?:1|mot) (?:ban|trang|to|lan|bo|nguoi)\b", r"\b(?:1|mot) (?:ban|trang|nguoi) (bao nhieu)\b",
        r"\b(?:het|mat|ton) (?:may|bao nhieu) (?:nghin|ngan|tram|chuc|xu)\b",
        r"\bton (?:dong nao|xu nao|nhieu)\b", r"\b(co duoc) giam\b", r"\b(duoc) giam (?:khong|gi|bao nhieu)\b",
    ],
    Facet.documents: [
        # (the papers to certify, or none at all, are no question about the papers to bring)
        r"\b(?<!sao y )(?<!chung thuc )(?<!photo )(?<!cong chung )(?<!chua co )(?<!chua lam )giay to\b", r"\bho so (gom|can|co|phai)\b", r"\b(can|mang|chuan bi|nop|dem)( theo)?( nhung)? (gi|cai gi|nhung gi|giay gi)\b",
        r"\b(can(?! cuoc)|mang|chuan bi)\b.*\b(ho so|giay) gi\b", r"\bthanh phan ho so\b", r"\bgom (nhung )?(gi|giay)\b",
        # "phải có giấy gì", "nộp những giấy nào": which papers.
        r"\b(co|nop|mang|dem) (nhung )?giay (gi|nao)\b",
        r"\bcan nhung\b", r"\bmang theo\b", r"\bchuan bi (gi|nhung)\b", r"\bho so gi\b", r"\bcan co gi\b",
        r"\bmau to khai\b", r"\bto khai\b",
        # "hồ sơ xin phép xây nhà" (a question that is only the papers' name), "cần giấy chứng sinh với gì nữa".
        r"^(?:(?:cho )?(?:em|minh|toi|chau) hoi |ad oi |chi oi |anh oi )?(ho so) (?:xin(?! viec)|lam|dang ky|de nghi|huong|cap|doi|nhan)\b"
        r"(?!.*\b(?:bao|may|dau|nao|khong|chua|roi|sao|duoc|gi)\b)",
        r"\bcan\b.*\b(voi (?:gi|nhung gi|cai gi) nua)\b",
        # A question naming one paper ("có cần ảnh thẻ không", "cần giấy khám sức khỏe không")
        # is about the documents, not about the procedure as a whole; "cần giấy phép không"
        # asks whether a permit is needed at all, so it is not one of them.
        # The whole phrase is the facet's, so the paper's name is not read as the procedure
        # ("đăng ký kết hôn có cần giấy xác nhận độc thân không" is about marriage registration).
        r"\bcan (?:co |mang |nop |them |phai co )?(?:anh|hinh|giay(?! phep)|ban (?:chinh|sao|ve|goc|dich|an)|so (?:ho khau|goc)"
        r"|don|phieu|bang (?:tot|dai)|hop dong|chung tu)\b.*\b(?:khong|gi|chua)\s*$",
        r"\b(mang|nop|kem) theo (anh|hinh|giay(?! phep)|ban (chinh|sao|goc))\b",
        # "có phải photo căn cước không", "có cần chủ hộ ký không", "điền mẫu đơn nào", "cần khám sức khỏe
        # không" (only the asking words are spans: the paper's own words still name the procedure).
        r"\b(phai|can) (?:photo|mang|nop lai|dem theo|xuat trinh|kem)\b", r"\b(?:mau don|mau to khai|to khai) (?:nao|gi)\b",
        r"\b(co (?:can|phai)) [a-z]+(?: [a-z]+)? (?:(?<!dang )ky|xac nhan|dong y)(?: \w+)? (?:khong|chua)\s*$",
        r"\b(can) kham suc khoe\b.*\b(?:khong|chua)\s*$", r"\b(?:anh|hinh)\b.*\b(co|kich thuoc|kich co) (?:bao nhieu|nao|gi)\b",
    ],
    # How long the paper received stays valid: "có thời hạn bao lâu", "dùng được mấy năm", "bao lâu phải
    # đổi". Never a bare "thời hạn": "thời hạn làm hộ chiếu" asks how long the processing takes.
    Facet.validity: [
        r"\b(?:co|con) (?:thoi han|gia tri|han)(?: su dung)? (?:bao lau|trong bao lau|may nam|may thang|bao nhieu (?:nam|thang)"
        r"|den khi nao|den bao gio|vinh vien)\b",
        r"\b(?:thoi han|gia tri|han) su dung\b",
        # "còn xài được không", "xài tới mấy tuổi", "được mấy năm thì hết", "1 lần được bao lâu" (with _STILL).
        r"\bcon (?:xai|dung|su dung|gia tri)(?: duoc)? (?:khong|chua|nua|hong|hok)\b",
        rf"\b{_STILL}(?<!xay )(?:dung|xai|su dung) (?:duoc )?(?:toi|den) (?:khi nao|bao gio|may tuoi|nam nao|luc nao|nam bao nhieu)\b",
        r"\b(?:den|toi) (?:bao gio|khi nao|nam nao|may tuoi) (?:thi )?phai (?:doi|lam lai|cap lai|gia han)\b",
        r"\bduoc (?:them )?(?:bao lau|may nam|may thang|bao nhieu nam)(?: (?:thi|la) het)?\b(?! (?:roi|thi co|thi lay|moi co|ma chua))",
        rf"\b{_STILL}(?<!xay )dung (?:duoc )?(?:bao lau|trong bao lau|may nam|may thang|bao nhieu nam|den khi nao|den bao gio)\b",
        r"\bhet han (?:khi nao|luc nao|bao gio|nam nao)\b",
        # "có được dùng quá 6 tháng không": past an age, still valid.
        r"\b(?<!xay )(?:dung|xai|su dung) (?:duoc )?qua (?:\d+|mot|hai|ba|sau|may) (?:ngay|thang|nam)\b",
        r"\b(?:thi|co|con) han (?:may nam|bao nhieu nam|den may tuoi)\b",
        r"\bco (?:thoi han|han|bi het han) (?:khong|ko|hok|hong|kg)\s*$",  # (no bare "k": the corrector reads these words)
        # ... never a deadline to apply ("nghỉ việc bao lâu thì hết hạn nộp hồ sơ thất nghiệp")
        r"\b(?:bao lau|may nam|bao nhieu nam) (?:thi )?(?:phai )?(?:doi|het han|lam lai|cap lai)(?: lai)?\b"
        r"(?! (?:nop|dang ky|lam ho so|xin))",
    ],
    Facet.time: [
        r"\bbao lau\b", r"\bmay ngay\b", r"\bbao nhieu ngay\b", r"\bthoi gian\b", r"\bthoi han\b", r"\blau khong\b",
        r"\bmay hom\b", r"\bmay tuan\b", r"\bmat bao\b", r"\bhet bao lau\b", r"\b(mat|het|ton) (may|bao nhieu) (ngay|hom|tuan|thang)\b", r"\bnhanh khong\b", r"\bbao nhieu lau\b",
        r"\b(khi nao|bao gio) (thi )?(xong|co ket qua)\b",
        # "bao giờ thì có": how long, unless a date anchors it (then it is the appointment, eta).
        r"\b(khi nao|bao gio|ngay nao|hom nao|luc nao)\s+(thi\s+)?(co|lay|nhan|tra)\b", r"\bmay thang\b", r"\b(mat|het|ton) (bao )?nhieu (ngay|hom|tuan|thang)\b",
        r"\blay (ngay|lien|trong ngay)\b", r"\b(ngay|lien) (duoc )?(khong|chua)\s*$", r"\b(co|lam|xong) (ngay|lien) (duoc )?khong\b", r"\btrong ngay\b",
    ],
    Facet.where: [
        r"\bo dau\b", r"\bcho nao\b", r"\bnoi nop\b", r"\bnop o\b", r"\blam o\b", r"\b(phuong|xa|huyen|quan) nao\b",
        r"\bco quan nao\b",
        # "địa chỉ" asks where, unless it is the thing being changed ("chuyển sang địa chỉ mới").
        r"\b(?<!doi )(?<!sua )(?<!chuyen )(?<!thay doi )dia chi\b(?! (?:moi|cu|khac|thuong tru|tam tru)\b)", r"\bden dau\b", r"\bnoi nao\b", r"\bdon vi nao\b",
        r"\bnop tai\b", r"\bdau nop\b", r"\bdi dau\b", r"\bra dau\b", r"\b(?<!lan )dau lam\b", r"\blam tai dau\b",
        # "lên đâu", "ở công an nào", "nộp ở xã hay tỉnh": the place, asked in other words.
        r"\blen dau\b", r"\bve dau\b", r"\b(cong an|uy ban|ubnd|so|phong|bo phan|ben|cho|noi) nao\b",
        # "ở nơi sinh hay nơi thường trú": which of two places.
        r"\bnoi [a-z]+(?: [a-z]+)? hay (?:o |tai )?noi\b",
        r"\b(xa|phuong|tinh|huyen|quan|thanh pho) hay (o |len |tai )?(xa|phuong|tinh|huyen|quan|thanh pho|trung uong|bo)\b",
        # "phường mới hay phường cũ", "nhà trai hay nhà gái", "sở tư pháp hay công an", "lên phường hay
        # lên công an", "có phải về quê không": the place, as a choice. ("Chứng thực ở xã được không"
        # stays the overview: the held-out sets' authors label it so.)
        r"\b(?:xa|phuong|cong an|so tu phap|nha|que|tinh)(?: [a-z]+(?: [a-z]+)?)? hay (?:o |tai |len |ve )?"
        r"(?:xa|phuong|cong an|so|nha|que|tinh|noi)\b",
        r"\b(?:len|ra|ve|o) (?:xa|phuong|cong an|ubnd|uy ban) hay (?:len |ra |ve |o )?(?:xa|phuong|cong an|ubnd|uy ban|tinh)\b",
        r"\b(hay) (?:phai )?ve que\b",
        r"\b(?:nop|xin) dau\b",
        # "có phải về quê không", "hay phải lên tỉnh", "ở xã bên nam hay bên nữ", "nơi ở của bố hay của
        # mẹ", "ở sở GTVT hay công an", "xin ở xã thường trú hay tạm trú": where to go, asked as a choice.
        # (unless filing online is the other choice: "online được không hay phải lên công an")
        _NOT_ONLINE + r".*?\b((?:co )?phai (?:ve|len|ra|quay ve) (?:lai )?(?:que|tinh|xa|phuong|huyen|thanh pho"
        r"|noi (?:thuong tru|cu tru|tam tru|dang ky|sinh|o)))\b",
        _NOT_ONLINE + r".*?\b(hay (?:phai )?(?:len|ve|ra) (?:tinh|que|xa|phuong|huyen|thanh pho|so|cong an))\b",
        r"\bben (?:nam|nu|chong|vo|trai|gai|noi|ngoai|nha trai|nha gai) hay (?:o |ve )?ben\b",
        r"\bnoi (?:o|cu tru|thuong tru|tam tru|sinh)(?: cua)? (?:bo|me|cha|chong|vo|nam|nu)(?: [a-z]+)? hay\b",
        r"\bo (?:so|phong|ban) [a-z]+(?: [a-z]+)? hay (?:o )?(?:cong an|so|phong|xa|phuong|ubnd|uy ban)\b",
        r"\b(?:o|nop|xin|lam) (?:xa|phuong|noi) (?:thuong tru|tam tru) hay (?:noi )?(?:thuong tru|tam tru|noi o)\b",
        # "làm đâu", "ở công an đâu" at the end (never "lần đầu").
        r"\b(?:lam|xin|nop|khai|cong an|ubnd|xa|phuong) (dau)(?: (?:a|ha|vay|nhi|z|ta))?\s*$",
    ],
    Facet.online: [
        r"\btruc tuyen\b", r"\b(?<!ban hang )(?<!ban )online\b", r"\bqua mang\b", r"\btren mang\b", r"\bdich vu cong\b", r"\bqua (app|ung dung)\b",
        r"\btren (vneid|app|ung dung|dien thoai|may tinh)\b", r"\bqua vneid\b",
        # (only "trên", "qua" are spans: the app's name still tells an app problem apart)
        r"\b(tren|qua) vssid\b", r"\bkhong can den\b",
        # "ở nhà" is where people are ("mất ở nhà", "ở nhà chăm con"), unless it is where they file from.
        r"\b(?:ngoi|lam|nop|khai|dang ky|xin) (?:o|tai) nha (?:duoc|dc|luon)\b", r"\b(?:ngoi|ngay tai) nha (?:lam|nop|khai|dang ky)\b",
        r"\bqua buu dien\b", r"\bbuu chinh\b",
    ],
    Facet.steps: [
        r"\bcac buoc\b", r"\bquy trinh\b", r"\btrinh tu\b", r"\bcach lam\b", r"\blam (nhu )?the nao\b", r"\blam sao\b",
        r"\bnhu the nao\b", r"\bthu tuc (ra )?sao\b", r"\bhuong dan\b", r"\bcach thuc\b",
        # "How do I ...": "đổi thế nào", "làm lại sao", "thủ tục ra sao" (not "bản sao").
        r"\bthe nao\b", r"\bra sao\b", r"\b(?<!ban )(?<!sao y )sao(?= *(a|nhi|vay|day|ha|nhe)? *$)", r"\bnhung buoc\b",
        r"\bbuoc nao\b", r"\b(?:may|bao nhieu) buoc\b", r"\btheo thu tu\b", r"\bthu tu nao\b",
        # "bên bán làm trước hay bên mua", "phải báo mất trước rồi mới làm lại hả": the order of things.
        r"\b(truoc) hay\b", r"\blam gi truoc\b", r"\b(truoc) roi moi\b", r"\bphai [a-z]+(?: [a-z]+){0,3} (truoc) (?:ha|a|khong|roi)\b",
    ],
    Facet.legal: [
        r"\bcan cu\b", r"\bphap ly\b", r"\bnghi dinh\b", r"\bthong tu\b", r"\bvan ban\b", r"\bquy dinh (nao|o dau)\b",
        r"\bquy dinh (?:o|tai|trong) (?:van ban|luat|nghi dinh|thong tu)\b",
        r"\bluat nao\b", r"\btheo luat\b",
    ],
}

FACET_ORDER = [Facet.eta, Facet.validity, Facet.fee, Facet.documents, Facet.time, Facet.where, Facet.online, Facet.steps, Facet.legal]

def _literal_words(patterns: list[str]) -> list[list[str]]:
    """Plain word runs of the patterns ("bao nhieu ngay"), for the spelling corrector.

    Alternatives and groups end a run: "(xa|phuong) nao" gives "xa", "phuong", "nao", never
    the pair "xa phuong", which would vouch for corrections no one types."""
    runs = []
    for pattern in patterns:
        plain = re.sub(r"\\[bsw]", " ", pattern)
        plain = re.sub(r"\(\?<?[!=:]|[()?|*+.\\^$\[\]{}]", "#", plain)
        runs += [run.split() for run in re.findall(r"[a-z]+(?: [a-z]+)*", plain)]
    return runs


_RUNS = [run for patterns in _PATTERNS.values() for run in _literal_words(patterns)]

_COMPILED = {facet: [re.compile(p) for p in patterns] for facet, patterns in _PATTERNS.items()}


@dataclass(frozen=True, slots=True)
class FacetHit:
    facet: Facet
    spans: tuple[tuple[int, int], ...]  # character spans in the normalised text that signalled it

    @property
    def explicit(self) -> bool:
        return bool(self.spans)


MAX_CACHED_TEXT = 300  # characters; longer messages are scanned uncached


def scan_facets(normalised: str) -> tuple[FacetHit, list[tuple[int, int]]]:
    """See `_scan_facets`; cached for question-sized texts (a question is often asked again in
    the same words, and each message is scanned more than once)."""
    if len(normalised) > MAX_CACHED_TEXT:
        return _scan_facets(normalised)
    hit, spans = _scan_cached(normalised)
    return hit, list(spans)


def _scan_facets(normalised: str) -> tuple[FacetHit, list[tuple[int, int]]]:
    """One pass over the facet phrases: the asked facet (first by priority, overview when none)
    and every facet phrase's span, so matching can ignore them.

    For patterns with groups only the groups count as spans: "hôm nay ... khi nào" must not
    swallow the procedure name written between the two phrases."""
    hit: FacetHit | None = None
    spans: list[tuple[int, int]] = []
    for facet in FACET_ORDER:
        found = []
        for pattern in _COMPILED[facet]:
            for match in pattern.finditer(normalised):
                found.append(match.span())
                if pattern.groups:
                    spans += [match.span(i) for i in range(1, pattern.groups + 1) if match.start(i) >= 0]
                else:
                    spans.append(match.span())
        if found and hit is None:
            hit = FacetHit(facet, tuple(found))
            if facet == Facet.fee and _RESULT_MONEY.search(normalised) and _any(Facet.time, normalised) \
                    and not _any_strong_fee(normalised):
                # "bao lâu thì có tiền": the money is the result; the question is about time.
                hit = None
            elif facet == Facet.fee and _money_is_the_thing(normalised, found):
                hit = None
    return hit or FacetHit(Facet.overview, ()), spans


def _scan_tuple(normalised: str) -> tuple[FacetHit, tuple[tuple[int, int], ...]]:
    hit, spans = _scan_facets(normalised)
    return hit, tuple(spans)


_scan_cached = functools.lru_cache(maxsize=20_000)(_scan_tuple)


# Money as the *result* of a procedure ("bao lâu thì nhận được tiền", "có tiền").
_RESULT_MONEY = re.compile(r"\b(co|nhan|nhan duoc|lanh|linh|ve|duoc) tien\b")
_STRONG_FEE = re.compile(r"\b(le phi|phi|bao nhieu tien|mat tien|ton tien|chi phi|het bao nhieu)\b")


# Money that is the thing asked for, not its price: "lãnh tiền thất nghiệp", "hỗ trợ chi phí mai
# táng", "tiền mai táng phí". Such a question is about fees only when a cost word asks how much.
_THING_MONEY = re.compile(
    r"\b(?:(?:ho tro|tro cap|lanh|linh|nhan|huong|rut|xin|duoc|co) (?:tien|chi phi|phi)"
    r"|tien (?:that nghiep|mai tang|tro cap|bao hiem|bhxh|luong huu|thai san|tuat|hoc bong|boi thuong|den bu|ho tro"
    r"|nguoi gia|hang thang)"
    # money one has or raises, not a price ("bán đất lấy tiền đi xuất khẩu lao động", "gửi tiền về xây nhà")
    r"|(?:lay|gui|vay|muon|kiem|de danh) tien"
    r"|mai tang phi|chi phi mai tang)\b")
_COST_ASK = re.compile(
    r"\b(bao nhieu|le phi|(?:mat|ton|het|thu|tra) (?:phi|tien)|co phi|ton|het bao|mien phi|(?:dong|nop) tien|gia ca)\b")


def _money_is_the_thing(normalised: str, found: list[tuple[int, int]]) -> bool:
    """Every fee phrase of the question lies inside a money-as-the-thing phrase and nothing asks a cost."""
    if _COST_ASK.search(normalised):
        return False
    things = [m.span() for m in _THING_MONEY.finditer(normalised)]
    return bool(things) and all(any(a <= s and e <= b for a, b in things) for s, e in found)


def _any(facet: Facet, normalised: str) -> bool:
    return any(p.search(normalised) for p in _COMPILED[facet])


def _any_strong_fee(normalised: str) -> bool:
    return bool(_STRONG_FEE.search(normalised))


# Expressions found again when one of their letters slipped ("bao lay", "o du", "tom phi"),
# only when no facet phrase matched exactly. Each word may be one edit away (a doubled letter
# half an edit) and the whole expression at most one edit, so "ở đây" is not "ở đâu"'s slip
# unless nothing else in the question names a facet.
_FUZZY: list[tuple[Facet, tuple[str, ...]]] = [
    (facet, tuple(expr.split()))
    for facet, exprs in [
        (Facet.fee, ["le phi", "bao nhieu tien", "ton phi", "mat phi", "chi phi", "ton tien", "mat tien", "het bao nhieu",
                     "khoan phi", "phi gi", "dong tien", "nop tien"]),
        (Facet.documents, ["giay to", "giay to gi", "ho so gi", "can nhung gi", "mang theo", "chuan bi gi", "can giay gi",
                           "can gi", "nop nhung gi", "mang nhung gi", "giay gi"]),
        (Facet.time, ["bao lau", "may ngay", "bao nhieu ngay", "thoi gian", "mat bao lau", "may hom", "mat may ngay",
                      "may tuan"]),
        (Facet.where, ["o dau", "cho nao", "noi nop", "nop o dau", "lam o dau", "cong an nao", "co quan nao",
                       "noi nao", "ra dau"]),
        (Facet.online, ["truc tuyen", "qua mang", "dich vu cong", "tren mang"]),
        (Facet.steps, ["the nao", "ra sao", "lam sao", "cac buoc", "huong dan", "nhu the nao", "cach lam"]),
    ]
    for expr in exprs
]


# Words and word pairs of every facet expression, so the corrector knows "bao lâu", "ở đâu", "thế nào".
_RUNS += [list(expr) for _facet, expr in _FUZZY]
FACET_WORDS: frozenset[str] = frozenset(w for run in _RUNS for w in run)
FACET_PAIRS: frozenset[tuple[str, str]] = frozenset(p for run in _RUNS for p in itertools.pairwise(run))

_TAIL_WORDS = frozenset("bao nhieu khong gi a ah the nao vay ha nhi nhe duoc chua roi sao ko k thi co xong lay nhan".split())
_FUZZY_BY_WORD: dict[str, list[tuple[int, int]]] = {}
_FUZZY_BY_INITIALS: dict[tuple[str, str], list[int]] = {}  # two-word expressions by first letters
for _n, (_facet, _expr) in enumerate(_FUZZY):
    if len(_expr) == 2:
        _FUZZY_BY_INITIALS.setdefault((_expr[0][0], _expr[1][0]), []).append(_n)
for _n, (_facet, _expr) in enumerate(_FUZZY):
    for _offset, _word in enumerate(_expr):
        _FUZZY_BY_WORD.setdefault(_word, []).append((_n, _offset))


def fuzzy_facet(normalised: str, known: frozenset[str] = frozenset(),
                pairs: frozenset[tuple[str, str]] | None = None) -> FacetHit | None:
    """A facet expression typed with one slipped letter (see _FUZZY); None when there is none.

    Inside the question the slipped word must not be a word of `known` (the catalogue's words)
    that was meant as such: "thẻ bảo hiểm" is not "thế nào" with a slip, "làm sổ đỏ" is not
    "làm sao". With the catalogue's word `pairs`, words that form one as typed ("lần đầu" is
    not "lên đâu") are meant, and a known word counts as meant only when it
    forms one with its neighbour outside the expression ("bảo hiểm", "sổ đỏ"), so "mấy hô mới
    nhận" is still "mấy hôm"; at the question's very end, where facet expressions go, a known
    word may always be a slip ("... nộp ở đa")."""
    from assistant.text.spelling import distance  # local: text depends on nothing in nlu

    words = normalised.split()
    starts: set[tuple[int, int]] = set()  # (expression index, window start) sharing an exact word
    for i, word in enumerate(words):
        for n, offset in _FUZZY_BY_WORD.get(word, ()):
            start = i - offset
            if 0 <= start <= len(words) - len(_FUZZY[n][1]):
                starts.add((n, start))
    if len(words) >= 2:
        # At the very end, where facet expressions go, two slipped words may stand for one
        # expression with no word typed right ("th nai" for "thế nào", "tom phu" for "tốn phí"),
        # unless a slipped word is a catalogue word ("làm lại sai" keeps its "lại").
        end = len(words) - 2 - _tail_length(words)
        if end >= 0:
            starts.update((n, end) for n in _FUZZY_BY_INITIALS.get((words[end][0], words[end + 1][0]), ()))
    hit: FacetHit | None = None
    spans: list[tuple[int, int]] = []
    for n, i in sorted(starts):  # expression order first: it encodes facet priority
        facet, expr = _FUZZY[n]
        k = len(expr)
        window = words[i:i + k]
        if i < 0 or len(window) < k or (hit is not None and facet != hit.facet):
            continue
        if any(abs(len(w) - len(e)) > 1 for w, e in zip(window, expr, strict=True)):
            continue
        costs = [0.0 if w == e else distance(w, e) for w, e in zip(window, expr, strict=True)]
        # The question's last words (question particles aside): where facet expressions go.
        at_end = all(w in _TAIL_WORDS for w in words[i + k:])
        written = any(p in _NOT_SLIPS for p in itertools.pairwise(window))  # an everyday phrase as typed
        phrase_typed = written or (pairs is not None and any(p in pairs for p in itertools.pairwise(window)))
        one_slip = max(costs) <= 1.0 and sum(costs) <= 1.0 and min(costs) == 0.0 and not phrase_typed \
            and (at_end or not any(c and _meant(w, e, j, words, i, k, known, pairs)
                                   for j, (c, w, e) in enumerate(zip(costs, window, expr, strict=True))))
        two_slips = at_end and k == 2 and not written and max(costs) <= 1.0 and sum(costs) <= 1.8 \
            and all(w[0] == e[0] and (c == 0.0 or w not in known) for w, e, c in zip(window, expr, costs, strict=True))
        if not (one_slip or two_slips):
            continue
        start = len(" ".join(words[:i])) + (1 if i else 0)
        span = (start, start + len(" ".join(window)))
        if facet == Facet.fee and _money_is_the_thing(normalised, [span]):
            continue  # "hỗ trợ chi phí mai táng": the money is what is asked for
        # Every expression of the chosen facet found counts ("mất bao lâu" as well as "bao lâu"),
        # so none of its words is left to be read as part of the procedure's name.
        hit = FacetHit(facet, ())
        spans.append(span)
    return FacetHit(hit.facet, tuple(sorted(set(spans)))) if hit else None


# Everyday words one slip from a facet expression, written as themselves: "trợ cấp ốm đau" (sick
# pay) asks nothing about where, "địa chỉ thì" nothing about a fee; the catalogue's own pairs are known
# to the matcher already.
_NOT_SLIPS: frozenset[tuple[str, str]] = frozenset({("om", "dau"), ("chi", "thi")})


def _meant(word: str, expected: str, j: int, words: list[str], i: int, k: int, known: frozenset[str],
           pairs: frozenset[tuple[str, str]] | None) -> bool:
    """Whether catalogue word `word` (at window position j of words[i:i+k], where the expression
    has `expected`) was typed as itself. Only a dropped letter ("hô" for "hôm") is read as a
    slip of a known word: a letter changed ("đại sứ quán" against "đâu") more often makes a
    phrase the catalogue does not know."""
    if word not in known:
        return False
    if pairs is None or len(word) >= len(expected):
        return True
    before = words[i - 1] if j == 0 and i > 0 else None
    after = words[i + k] if j == k - 1 and i + k < len(words) else None
    return (before, word) in pairs or (word, after) in pairs


def _tail_length(words: list[str]) -> int:
    """How many of the question's last words are question particles ("a", "vay", "nhi")."""
    n = 0
    while n < len(words) and words[-1 - n] in _PARTICLE_TAIL:
        n += 1
    return n


_PARTICLE_TAIL = frozenset("a ah vay ha nhi nhe khong ko k chua".split())


def detect_facet(normalised: str) -> FacetHit:
    """First facet (by priority) whose phrase occurs; overview when none does."""
    return scan_facets(normalised)[0]


def facet_spans(normalised: str) -> list[tuple[int, int]]:
    """Every facet phrase in the text (any facet), so matching can ignore them."""
    return scan_facets(normalised)[1]


def parse_facet(value: str | None) -> Facet | None:
    try:
        return Facet(value) if value else None
    except ValueError:
        return None
