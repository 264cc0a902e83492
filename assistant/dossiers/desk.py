"""The dossier desk: status cards, subscriptions and the enumeration guard.

A status card answers "hồ sơ của tôi đến đâu rồi?" the way a good counter clerk would: which
procedure, when it was received, when it is due, where it is now in plain words, how many
working days are left (or how late it is, with an apology and the new date), what the citizen
must do next, and how to collect the result. It never shows personal data: only what the
receipt (phiếu tiếp nhận) already says. Anyone holding a code may see its card, so lookups of
codes that do not exist are throttled per chat: codes are sequential and must not be
enumerable.

Every method returns a `Reply` with `status=Status.dossier` and never raises for a database
outage: the citizen gets "thử lại sau" and the rest of the assistant keeps answering.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from assistant.catalog.loader import Catalog
from assistant.catalog.schema import Locality, Place, Procedure
from assistant.config import Settings
from assistant.dialogue.conversation import Requester
from assistant.dialogue.reply import Button, Reply, Status
from assistant.dossiers.codes import find_dossier_code
from assistant.dossiers.notes import citizen_note
from assistant.dossiers.statuses import CLOSED, LABELS, OPEN, RESOLVED, DossierStatus
from assistant.store.repos import DossierRecord, DossierStore, Subscriptions, user_hash
from assistant.store.throttle import Count, Limit, SharedCounters
from assistant.workdays import WorkCalendar

log = logging.getLogger(__name__)

UNAVAILABLE = "Hệ thống tạm thời chưa tra cứu được hồ sơ, vui lòng thử lại sau."
DEFAULT_PORTAL = "https://dichvucong.gov.vn"
CODE_EXAMPLE = "000.00.10.H32-231116-0001"
CHANNEL_LABELS = {
    "in_person": "nộp trực tiếp", "postal": "nộp qua bưu chính", "online_full": "nộp trực tuyến toàn trình",
    "online_partial": "nộp trực tuyến một phần",
}
FOLLOW_LABEL = "🔔 Theo dõi hồ sơ"
UNFOLLOW_LABEL = "🔕 Hủy theo dõi"
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def vn_date(day: dt.date) -> str:
    """"Thứ Tư, 25/11/2026": citizens plan their trip by the weekday."""
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


class UnknownCodeThrottle:
    """Limits lookups of codes that do not exist, per requester, so codes cannot be enumerated.

    Sliding window of `limit` misses per `window_seconds`. In memory, per process: enough to
    make enumeration through a chat impractical; memory stays bounded under abuse because the
    least recently seen requesters are forgotten first."""

    def __init__(self, limit: int = 5, window_seconds: float = 600.0, clock: Callable[[], float] = time.monotonic,
                 max_requesters: int = 50_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self.max_requesters = max_requesters
        self._misses: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        misses = self._misses.get(key)
        if misses is None:
            misses = self._misses[key] = deque()
            while len(self._misses) > self.max_requesters:
                self._misses.popitem(last=False)
        self._misses.move_to_end(key)
        while misses and now - misses[0] >= self.window:
            misses.popleft()
        return misses

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.limit

    def miss(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(key, now).append(now)

    def retry_after(self, key: str) -> float:
        """Seconds until the requester may look up again (0 when not blocked)."""
        with self._lock:
            now = self.clock()
            misses = self._recent(key, now)
            if len(misses) < self.limit:
                return 0.0
            return max(0.0, misses[len(misses) - self.limit] + self.window - now)


def _requester_key(requester: Requester) -> str:
    return f"{requester.channel}:{requester.chat_id}"


ORIGIN_MISSES = Settings.misses_per_address  # unknown codes per window from one client address
alerts = logging.getLogger("assistant.alerts")


@dataclass(frozen=True)
class LookupLimits:
    """Dossier lookups allowed per window: strict per chat or session, generous per client
    address (a commune office or a mobile carrier puts many citizens behind one address).
    Every lookup counts, found or not, so existing codes cannot be harvested either; codes
    that do not exist count once more, against a lower limit."""

    per_session: Limit
    per_address: Limit
    misses_per_session: Limit
    misses_per_address: Limit
    subscriptions_per_dossier: int
    subscriptions_per_session: int
    subscriptions_per_address: Limit  # new subscriptions per day

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> LookupLimits:
        settings = settings or Settings()
        window = settings.lookup_window_seconds
        return cls(Limit(settings.lookups_per_session, window), Limit(settings.lookups_per_address, window),
                   Limit(settings.misses_per_session, window), Limit(settings.misses_per_address, window),
                   settings.subscriptions_per_dossier, settings.subscriptions_per_session,
                   Limit(settings.subscriptions_per_address, 86_400))


def session_key(requester: Requester) -> str:
    """A chat or session as the shared counters name it (salted hash: no chat ids in clear)."""
    return user_hash(requester.channel, str(requester.chat_id))[:24]


def address_key(requester: Requester) -> str | None:
    return user_hash("address", requester.origin)[:24] if requester.origin else None


class DossierDesk:
    """Status cards and subscriptions over the dossier store.

    `catalog` is the loaded catalogue or a callable returning the current one (so a hot reload
    is picked up); without a catalogue, pass `procedure_name` and `locality`. Without an explicit
    `calendar`, the working-day calendar follows the catalogue's locality (its extra days off).
    """

    def __init__(
        self,
        engine: Engine,
        catalog: Catalog | Callable[[], Catalog] | None = None,
        calendar: WorkCalendar | None = None,
        throttle: UnknownCodeThrottle | None = None,
        *,
        procedure_name: Callable[[str], str | None] | None = None,
        locality: Locality | None = None,
        portal_url: str = DEFAULT_PORTAL,
        hotline: str | None = None,
        limits: LookupLimits | None = None,
        on_burst: Callable[[str, str], None] | None = None,
    ) -> None:
        if not isinstance(engine, Engine) and hasattr(engine, "kw"):  # a sessionmaker
            engine = engine.kw["bind"]
        self.engine = engine
        self._catalog = catalog
        self._calendar = calendar
        self._calendars: dict[frozenset[dt.date], WorkCalendar] = {}
        # `throttle`: an in-process guard for unknown codes per chat, instead of the shared one
        # (tests with a fake clock); everything else is counted in the database, for all workers.
        self.throttle = throttle
        self.limits = limits or LookupLimits.from_settings()
        self.counters = SharedCounters(engine)
        self.on_burst = on_burst
        self._procedure_name = procedure_name
        self._locality = locality
        self.portal_url = portal_url
        self.hotline = hotline
        self.dossiers = DossierStore(engine)
        self.subscriptions = Subscriptions(engine)

    # -- public ------------------------------------------------------------------------------

    def lookup(self, code: str, requester: Requester, now: dt.datetime) -> Reply:
        """The status card for `code`, or a polite "not found" / "wait a little" / "try later"."""
        checked = self._admit(code, requester)
        if isinstance(checked, Reply):
            return checked
        code = checked
        try:
            record, subscribed = self.dossiers.get_for(code, requester.channel, str(requester.chat_id))
        except SQLAlchemyError as exc:
            log.warning("dossier lookup failed, database unavailable: %s", exc.__class__.__name__)
            return self.unavailable_reply()
        if record is None:
            self._miss(requester)
            return self._not_found(code)
        return self.card(record, now, subscribed=subscribed)

    def subscribe(self, code: str, requester: Requester, now: dt.datetime) -> Reply:
        """Follow a dossier: every status change recorded by an import is sent to this chat."""
        checked = self._admit(code, requester)
        if isinstance(checked, Reply):
            return checked
        code = checked
        try:
            record = self.dossiers.get(code)
            if record is None:
                self._miss(requester)
                return self._not_found(code)
            status = DossierStatus(record.status)
            if status in CLOSED:
                return Reply(
                    status=Status.dossier, title=f"Hồ sơ {record.code}",
                    text=f"Hồ sơ {record.code} đã kết thúc ({LABELS[status].lower()}) nên không còn thay đổi "
                         "để theo dõi. Bạn gửi mã hồ sơ nếu muốn xem lại tình trạng.",
                    data={"dossier": {"code": record.code, "found": True, "status": status.value,
                                      "subscribed": False}},
                )
            capped = self._subscription_cap(record.code, requester)
            if capped is not None:
                return capped
            added = self.subscriptions.add(record.code, requester.channel, str(requester.chat_id), now)
            address = address_key(requester)
            if added and address is not None:
                self.counters.count([(f"sub:a:{address}", self.limits.subscriptions_per_address)])
        except SQLAlchemyError as exc:
            log.warning("dossier subscribe failed, database unavailable: %s", exc.__class__.__name__)
            return self.unavailable_reply()
        text = (f"Đã đăng ký theo dõi hồ sơ {record.code}. Mình sẽ nhắn cho bạn mỗi khi hồ sơ thay đổi "
                "trạng thái." if added else
                f"Bạn đã theo dõi hồ sơ {record.code} rồi. Mình sẽ nhắn khi hồ sơ có thay đổi.")
        return Reply(status=Status.dossier, title=f"Hồ sơ {record.code}", text=text,
                     buttons=[Button(UNFOLLOW_LABEL, f"unsub:{record.code}")],
                     data={"dossier": {"code": record.code, "found": True, "status": record.status,
                                       "subscribed": True, "newly_subscribed": added}})

    def unsubscribe(self, code: str, requester: Requester, now: dt.datetime) -> Reply:
        canonical = self._canonical(code)
        if canonical is None:  # a forged button payload: nothing of ours to remove
            return self._malformed()
        code = canonical
        try:
            removed = self.subscriptions.remove(code, requester.channel, str(requester.chat_id))
        except SQLAlchemyError as exc:
            log.warning("dossier unsubscribe failed, database unavailable: %s", exc.__class__.__name__)
            return self.unavailable_reply()
        if removed:
            text = f"Đã hủy theo dõi hồ sơ {code}. Mình sẽ không nhắn về hồ sơ này nữa."
            buttons = [Button("🔔 Theo dõi lại", f"sub:{code}")]
        else:
            text = f"Bạn chưa theo dõi hồ sơ {code} nên không cần hủy."
            buttons = []
        return Reply(status=Status.dossier, title=f"Hồ sơ {code}", text=text, buttons=buttons,
                     data={"dossier": {"code": code, "subscribed": False, "was_subscribed": removed}})

    def unavailable_reply(self) -> Reply:
        return Reply(status=Status.dossier, text=UNAVAILABLE, data={"dossier": {"unavailable": True}})

    def find(self, code: str) -> DossierRecord | None:
        """The stored dossier (staff tools); raises SQLAlchemyError when the database is down."""
        canonical = self._canonical(code)
        return self.dossiers.get(canonical) if canonical is not None else None

    # -- the card ----------------------------------------------------------------------------

    def card(self, d: DossierRecord, now: dt.datetime, subscribed: bool = False) -> Reply:
        """The status card of a stored dossier as of `now` (Vietnam local time)."""
        status = DossierStatus(d.status)
        calendar = self.calendar()
        proc = self._procedure(d.procedure_id)
        name = proc.display_name if proc else (self._name(d.procedure_id) or d.procedure_id)
        today = now.date()
        late_days = calendar.working_days_between(d.due_date, today) if today > d.due_date else 0
        target = d.new_due_date or d.due_date  # the date the citizen is now waiting for
        days_left = calendar.working_days_between(today, target) if target >= today else None

        label = LABELS[status]
        if status in (DossierStatus.received, DossierStatus.in_progress):
            label += " – trễ hạn" if late_days > 0 else " – trong hạn"

        lines = [
            f"Hồ sơ {d.code}",  # the title, first: plain-text channels show only the text
            f"Thủ tục: {name}",
            f"Ngày tiếp nhận: {d.received_at:%d/%m/%Y} ({CHANNEL_LABELS.get(d.channel, d.channel)})",
            f"Ngày hẹn trả: {vn_date(d.due_date)}",
        ]
        if d.new_due_date and d.new_due_date != d.due_date and not (status in OPEN and late_days > 0):
            lines.append(f"Ngày hẹn trả mới: {vn_date(d.new_due_date)}")  # when late, the apology gives it
        lines.append(f"Tình trạng: {label}")
        lines.extend(self._progress_lines(d, status, today, late_days, days_left))
        lines.extend(self._next_steps(d, status, proc, subscribed))

        data: dict[str, Any] = {
            "code": d.code, "found": True, "procedure_id": d.procedure_id, "procedure_name": name,
            "status": status.value, "label": label, "received": d.received_at.date().isoformat(),
            "channel": d.channel, "due": d.due_date.isoformat(),
            "new_due": d.new_due_date.isoformat() if d.new_due_date else None,
            "late_working_days": late_days if status in OPEN else 0,
            "working_days_left": days_left if status in OPEN else None,
            "resolved": d.resolved_at.date().isoformat() if d.resolved_at else None,
            "returned": d.returned_at.date().isoformat() if d.returned_at else None,
            "result_delivery": d.result_delivery, "subscribed": subscribed,
        }
        if status in CLOSED:
            buttons = []
        elif subscribed:
            buttons = [Button(UNFOLLOW_LABEL, f"unsub:{d.code}")]
        else:
            buttons = [Button(FOLLOW_LABEL, f"sub:{d.code}")]
        return Reply(status=Status.dossier, title=f"Hồ sơ {d.code}", text="\n".join(lines), buttons=buttons,
                     data={"dossier": data})

    def _progress_lines(self, d: DossierRecord, status: DossierStatus, today: dt.date, late_days: int,
                        days_left: int | None) -> list[str]:
        if status not in OPEN:
            return []
        if status == DossierStatus.supplement_requested:
            return ["Thời hạn giải quyết được tính lại từ ngày cơ quan nhận đủ giấy tờ bổ sung."]
        if late_days <= 0:
            if days_left == 0:
                return ["Hôm nay là ngày hẹn trả kết quả."]
            return [f"Còn {days_left} ngày làm việc nữa là đến ngày hẹn trả."]
        lines = [f"Chúng tôi thành thật xin lỗi: hồ sơ của bạn đã quá hạn {late_days} ngày làm việc."]
        if d.new_due_date and d.new_due_date >= today:
            left = "hôm nay" if not days_left else f"còn {days_left} ngày làm việc"
            lines.append(f"Ngày hẹn trả mới: {vn_date(d.new_due_date)} ({left}).")
        elif d.new_due_date:
            lines.append(f"Ngày hẹn trả mới ({d.new_due_date:%d/%m/%Y}) cũng đã qua. "
                         + self._contact_sentence())
        else:
            lines.append("Cơ quan giải quyết sẽ gửi Phiếu xin lỗi và hẹn lại ngày trả kết quả. "
                         + self._contact_sentence())
        return lines

    def _next_steps(self, d: DossierRecord, status: DossierStatus, proc: Procedure | None,
                    subscribed: bool) -> list[str]:
        place = self._place(proc)
        if status == DossierStatus.supplement_requested:
            note = citizen_note(d.note)  # masked on import too; rows stored before that are masked here
            what = (f"theo yêu cầu của cơ quan giải quyết: “{note.rstrip('.')}”" if note
                    else "theo Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
            if d.channel in ("online_full", "online_partial"):
                how = (f"Bạn nộp bổ sung trực tuyến trên {self.portal_url} (mục quản lý hồ sơ của bạn) "
                       "hoặc mang đến nơi đã nộp hồ sơ.")
            else:
                how = f"Bạn mang giấy tờ bổ sung cùng Phiếu tiếp nhận và hẹn trả kết quả đến {self._place_phrase(place)}"
            return [f"Việc cần làm: bổ sung hồ sơ {what}.", how]
        if status in OPEN:
            if subscribed:
                return ["Việc cần làm: bạn chưa cần làm gì thêm. Bạn đang theo dõi hồ sơ này, mình sẽ nhắn "
                        "ngay khi có thay đổi."]
            return ["Việc cần làm: bạn chưa cần làm gì thêm. Bấm «Theo dõi hồ sơ» để được nhắn khi có kết quả."]
        if status in RESOLVED:
            lines = []
            if status == DossierStatus.resolved_late:
                lines.append("Chúng tôi thành thật xin lỗi vì kết quả có trễ so với ngày hẹn.")
            elif status == DossierStatus.resolved_early:
                lines.append("Hồ sơ đã được giải quyết trước ngày hẹn.")
            lines.append(self._collect(d, place))
            return lines
        if status == DossierStatus.returned:
            when = f" ngày {d.returned_at:%d/%m/%Y}" if d.returned_at else ""
            return [f"Kết quả đã được trả{when}. Hồ sơ đã hoàn tất, bạn không cần làm gì thêm."]
        # Notes on other statuses are written for colleagues, not for whoever has the code.
        if status == DossierStatus.withdrawn:
            return ["Hồ sơ đã được rút theo đề nghị của người nộp. Nếu cần, bạn có thể nộp hồ sơ mới."]
        if status == DossierStatus.stopped:
            return ["Cơ quan giải quyết đã dừng giải quyết hồ sơ này. " + self._contact_sentence()]
        return ["Hồ sơ đã bị hủy. Nếu cần, bạn có thể nộp hồ sơ mới."]

    def _collect(self, d: DossierRecord, place: Place | None) -> str:
        if d.result_delivery == "post":
            return ("Kết quả được gửi qua bưu điện đến địa chỉ bạn đã đăng ký khi nộp hồ sơ; nếu vài ngày nữa "
                    "chưa nhận được, " + self._contact_sentence(lower=True))
        if d.result_delivery == "online":
            return (f"Kết quả điện tử đã được gửi vào tài khoản của bạn trên {self.portal_url} (hoặc ứng dụng "
                    "VNeID); bạn đăng nhập để xem và tải về.")
        return (f"Mời bạn đến nhận kết quả tại {self._place_phrase(place)} Khi đi, bạn mang theo Phiếu tiếp nhận "
                "và hẹn trả kết quả cùng thẻ căn cước; nếu nhờ người khác nhận thay thì cần giấy ủy quyền.")

    @staticmethod
    def _place_phrase(place: Place | None) -> str:
        """"nơi đã nộp hồ sơ: <place>, <address>. Giờ làm việc: <hours>." (a whole sentence end)."""
        if place is None:
            return "nơi đã nộp hồ sơ."
        phrase = f"nơi đã nộp hồ sơ: {place.name}" + (f", {place.address}" if place.address else "")
        phrase = phrase.rstrip(".") + "."
        if place.hours:
            phrase += f" Giờ làm việc: {place.hours.rstrip('.')}."
        return phrase

    def _contact_sentence(self, lower: bool = False) -> str:
        text = "Bạn có thể liên hệ nơi đã nộp hồ sơ" + (f" hoặc gọi {self.hotline}" if self.hotline else "")
        text += " để được hướng dẫn."
        return text[0].lower() + text[1:] if lower else text

    # -- context -----------------------------------------------------------------------------

    def catalog(self) -> Catalog | None:
        source = self._catalog
        return source() if callable(source) else source

    def calendar(self) -> WorkCalendar:
        if self._calendar is not None:
            return self._calendar
        locality = self.locality()
        days_off = frozenset(locality.extra_days_off) if locality else frozenset()
        if days_off not in self._calendars:
            self._calendars[days_off] = WorkCalendar(days_off)
        return self._calendars[days_off]

    def locality(self) -> Locality | None:
        if self._locality is not None:
            return self._locality
        catalog = self.catalog()
        return catalog.locality if catalog is not None else None

    def _procedure(self, procedure_id: str) -> Procedure | None:
        catalog = self.catalog()
        return catalog.get(procedure_id) if catalog is not None else None

    def _name(self, procedure_id: str) -> str | None:
        return self._procedure_name(procedure_id) if self._procedure_name else None

    def _place(self, proc: Procedure | None) -> Place | None:
        if proc is not None and proc.where:
            return proc.where[0]
        locality = self.locality()
        return locality.one_stop if locality is not None else None

    @staticmethod
    def _canonical(code: str) -> str | None:
        """The code in its stored form, or None when `code` is not a dossier code at all (a forged
        button payload): such text is neither queried nor echoed back."""
        return find_dossier_code(str(code))

    # -- throttling ----------------------------------------------------------------------------

    def _admit(self, code: str, requester: Requester) -> str | Reply:
        """The canonical code to query, or the reply refusing it: the requester is throttled, or
        the text is no dossier code at all (counted as a miss, so probing with junk is throttled too)."""
        refusal = self._refusal(requester)
        if refusal is not None:
            return refusal
        canonical = self._canonical(code)
        if canonical is None:
            self._miss(requester)
            return self._malformed()
        return canonical

    def _refusal(self, requester: Requester) -> Reply | None:
        """Count this lookup for the chat and the address, and refuse it when either is over its
        limit or has looked up too many codes that do not exist (one database transaction)."""
        if self.throttle is not None and self.throttle.blocked(_requester_key(requester)):
            minutes = max(1, round(self.throttle.retry_after(_requester_key(requester)) / 60))
            return self._throttled(minutes)
        session, address, limits = session_key(requester), address_key(requester), self.limits
        add = [(f"lookup:s:{session}", limits.per_session)]
        check = [] if self.throttle is not None else [(f"miss:s:{session}", limits.misses_per_session)]
        if address is not None:
            add.append((f"lookup:a:{address}", limits.per_address))
            check.append((f"miss:a:{address}", limits.misses_per_address))
        try:
            counts = self.counters.count(add, check)
        except SQLAlchemyError as exc:
            log.warning("lookup throttle unavailable, database unavailable: %s", exc.__class__.__name__)
            return self.unavailable_reply()
        for count in counts[:len(add)]:
            if count.first_excess:
                self._burst("lookups", count)
        over = [c for c in counts[:len(add)] if c.exceeded] + [c for c in counts[len(add):]
                                                               if c.total >= c.limit.limit]
        if not over:
            return None
        try:
            wait = max(self.counters.retry_after(c.name, c.limit) for c in over)
        except SQLAlchemyError:
            wait = max(c.limit.window for c in over)
        return self._throttled(max(1, round(wait / 60)), misses=over[0].name.startswith("miss:"))

    def _miss(self, requester: Requester) -> None:
        if self.throttle is not None:
            self.throttle.miss(_requester_key(requester))
        session, address, limits = session_key(requester), address_key(requester), self.limits
        add = [] if self.throttle is not None else [(f"miss:s:{session}", limits.misses_per_session)]
        if address is not None:
            add.append((f"miss:a:{address}", limits.misses_per_address))
        if not add:
            return
        try:
            counts = self.counters.count(add)
        except SQLAlchemyError as exc:
            log.warning("miss not counted, database unavailable: %s", exc.__class__.__name__)
            return
        for count in counts:
            if count.total == count.limit.limit:  # the miss that closes the door
                self._burst("unknown codes", count)

    def _burst(self, what: str, count: Count) -> None:
        """Tell staff: a log line on `assistant.alerts` (no address or chat id in it, only the
        salted key) and, through `on_burst`, a metric."""
        scope = "address" if ":a:" in count.name else "session"
        alerts.warning("burst of dossier %s: one %s reached %d per %d minutes (key %s); it is throttled",
                       what, "client address" if scope == "address" else "chat/session", count.limit.limit,
                       round(count.limit.window / 60), count.name.rsplit(":", 1)[-1])
        if self.on_burst is not None:
            self.on_burst(what.replace(" ", "_"), scope)

    def _subscription_cap(self, code: str, requester: Requester) -> Reply | None:
        """Refuse a new subscription beyond the caps per dossier, per chat and per address."""
        limits = self.limits
        if self.subscriptions.is_subscribed(code, requester.channel, str(requester.chat_id)):
            return None  # idempotent: already following
        per_dossier, per_chat = self.subscriptions.counts(code, requester.channel, str(requester.chat_id))
        address = address_key(requester)
        per_address = 0
        if address is not None:
            (count,) = self.counters.count([], [(f"sub:a:{address}", limits.subscriptions_per_address)])
            per_address = count.total
        if per_dossier >= limits.subscriptions_per_dossier:
            text = (f"Hồ sơ {code} đã có nhiều người theo dõi nên không nhận thêm. Bạn có thể gửi mã hồ sơ "
                    "bất cứ lúc nào để xem tình trạng mới nhất.")
        elif per_chat >= limits.subscriptions_per_session:
            text = (f"Bạn đang theo dõi {per_chat} hồ sơ, mức tối đa cho một cuộc trò chuyện. Bạn hủy theo dõi "
                    "hồ sơ đã xong rồi đăng ký hồ sơ mới nhé.")
        elif address is not None and per_address >= limits.subscriptions_per_address.limit:
            text = ("Có quá nhiều đăng ký theo dõi từ cùng một mạng trong hôm nay. Bạn vui lòng thử lại vào ngày "
                    "mai, hoặc gửi mã hồ sơ để xem tình trạng.")
        else:
            return None
        return Reply(status=Status.dossier, title=f"Hồ sơ {code}", text=text,
                     data={"dossier": {"code": code, "subscribed": False, "capped": True}})

    # -- refusals ----------------------------------------------------------------------------

    def _not_found(self, code: str) -> Reply:
        text = (f"Không tìm thấy hồ sơ có mã {code}. Bạn vui lòng kiểm tra lại mã in trên Phiếu tiếp nhận và hẹn "
                f"trả kết quả (dạng {CODE_EXAMPLE}). Hồ sơ vừa nộp có thể cần đến một ngày làm việc mới được "
                "cập nhật; nếu vẫn không thấy, " + self._contact_sentence(lower=True))
        return Reply(status=Status.dossier, text=text, data={"dossier": {"code": code, "found": False}})

    def _malformed(self) -> Reply:
        return Reply(
            status=Status.dossier,
            text=f"Mã hồ sơ không đúng định dạng. Mã in trên Phiếu tiếp nhận và hẹn trả kết quả có dạng "
                 f"{CODE_EXAMPLE}; bạn gửi lại đúng mã đó nhé.",
            data={"dossier": {"found": False, "malformed": True}},
        )

    def _throttled(self, minutes: int, misses: bool = True) -> Reply:
        what = "nhiều mã hồ sơ không tồn tại" if misses else "nhiều hồ sơ"
        return Reply(
            status=Status.dossier,
            text=f"Bạn đã tra cứu {what} trong thời gian ngắn. Vui lòng đợi ít phút "
                 f"(khoảng {minutes} phút) rồi thử lại, hoặc liên hệ Bộ phận một cửa để được hỗ trợ.",
            data={"dossier": {"throttled": True, "retry_after_minutes": minutes}},
        )
