"""The dossier desk: status cards, subscriptions and the enumeration guard.

A status card never shows personal data: only what the receipt already says (procedure,
dates, status) and what the citizen must do next.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from assistant.catalog.loader import Catalog
from assistant.dialogue.compose import vn_date
from assistant.dialogue.conversation import Requester
from assistant.dialogue.reply import Button, Reply, Status
from assistant.dossiers.statuses import CLOSED, LABELS, OPEN, RESOLVED, DossierStatus
from assistant.store.models import Dossier
from assistant.store.repos import Subscriptions
from assistant.workdays import WorkCalendar

log = logging.getLogger(__name__)

UNAVAILABLE = "Hệ thống tạm thời chưa tra cứu được hồ sơ, vui lòng thử lại sau."
CHANNEL_LABELS = {
    "in_person": "trực tiếp", "postal": "qua bưu chính", "online_full": "trực tuyến toàn trình",
    "online_partial": "trực tuyến một phần",
}


class UnknownCodeThrottle:
    """Limits lookups of codes that do not exist, per requester, so codes cannot be enumerated."""

    def __init__(self, limit: int = 5, window_seconds: float = 600.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._misses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        misses = self._misses.setdefault(key, deque())
        while misses and now - misses[0] > self.window:
            misses.popleft()
        return misses

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.limit

    def miss(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(key, now).append(now)
            if len(self._misses) > 50_000:  # bounded memory under abuse
                self._misses = {k: v for k, v in self._misses.items() if v and now - v[-1] <= self.window}


class DossierDesk:
    def __init__(self, engine: Engine, catalog: Callable[[], Catalog], calendar: WorkCalendar | None = None,
                 throttle: UnknownCodeThrottle | None = None) -> None:
        self.engine = engine
        self.catalog = catalog
        self.calendar = calendar or WorkCalendar()
        self.throttle = throttle or UnknownCodeThrottle()
        self.subscriptions = Subscriptions(engine)

    # -- public ------------------------------------------------------------------------------

    def lookup(self, code: str, requester: Requester, now: dt.datetime) -> Reply:
        key = f"{requester.channel}:{requester.chat_id}"
        if self.throttle.blocked(key):
            return self._throttled()
        try:
            dossier = self._find(code)
        except SQLAlchemyError:
            log.warning("dossier lookup failed: database unavailable")
            return self.unavailable_reply()
        if dossier is None:
            self.throttle.miss(key)
            return self._not_found(code)
        return self.card(dossier, now)

    def subscribe(self, code: str, requester: Requester, now: dt.datetime) -> Reply:
        try:
            dossier = self._find(code)
            if dossier is None:
                self.throttle.miss(f"{requester.channel}:{requester.chat_id}")
                return self._not_found(code)
            added = self.subscriptions.add(dossier.code, requester.channel, requester.chat_id)
        except SQLAlchemyError:
            return self.unavailable_reply()
        text = (f"Đã đăng ký theo dõi hồ sơ {dossier.code}. Mình sẽ nhắn cho bạn mỗi khi hồ sơ thay đổi trạng thái."
                if added else f"Bạn đã theo dõi hồ sơ {dossier.code} rồi. Mình sẽ báo khi có thay đổi.")
        return Reply(status=Status.dossier, text=text, buttons=[Button("Hủy theo dõi", f"unsub:{dossier.code}")],
                     data={"dossier": {"code": dossier.code, "subscribed": True}})

    def unsubscribe(self, code: str, requester: Requester, now: dt.datetime) -> Reply:
        try:
            removed = self.subscriptions.remove(code, requester.channel, requester.chat_id)
        except SQLAlchemyError:
            return self.unavailable_reply()
        text = (f"Đã hủy theo dõi hồ sơ {code}." if removed else f"Bạn chưa theo dõi hồ sơ {code}.")
        return Reply(status=Status.dossier, text=text, data={"dossier": {"code": code, "subscribed": False}})

    def unavailable_reply(self) -> Reply:
        return Reply(status=Status.dossier, text=UNAVAILABLE, data={"dossier": {"unavailable": True}})

    # -- card --------------------------------------------------------------------------------

    def card(self, d: Dossier, now: dt.datetime) -> Reply:
        status = DossierStatus(d.status)
        catalog = self.catalog()
        proc = catalog.get(d.procedure_id)
        today = now.date()
        due = d.new_due_date or d.due_date
        lines = [f"Hồ sơ {d.code}"]
        lines.append(f"Thủ tục: {proc.display_name if proc else d.procedure_id}")
        lines.append(f"Ngày tiếp nhận: {d.received_at:%d/%m/%Y} ({CHANNEL_LABELS.get(d.channel, d.channel)})")
        lines.append(f"Ngày hẹn trả: {vn_date(d.due_date)}")
        label = LABELS[status]
        late_days = self.calendar.working_days_between(d.due_date, today) if today > d.due_date else 0
        if status in OPEN and status != DossierStatus.supplement_requested:
            if late_days > 0:
                label += " – trễ hạn"
            else:
                label += " – trong hạn"
        lines.append(f"Tình trạng: {label}")

        if status in OPEN:
            if late_days > 0:
                lines.append(f"Chúng tôi thành thật xin lỗi: hồ sơ đã quá hạn {late_days} ngày làm việc.")
                if d.new_due_date and d.new_due_date >= today:
                    lines.append(f"Ngày hẹn trả mới: {vn_date(d.new_due_date)}.")
                else:
                    lines.append("Cơ quan giải quyết sẽ gửi phiếu xin lỗi và hẹn lại ngày trả kết quả.")
            elif status != DossierStatus.supplement_requested:
                left = self.calendar.working_days_between(today, due)
                lines.append("Hẹn trả hôm nay." if left == 0 else f"Còn {left} ngày làm việc đến ngày hẹn trả.")
        if status == DossierStatus.supplement_requested:
            lines.append("Việc cần làm: bổ sung giấy tờ theo phiếu yêu cầu bổ sung của cơ quan giải quyết"
                         + (f": {d.note}" if d.note else "") + ".")
            lines.append("Thời hạn giải quyết được tính lại từ khi nhận đủ hồ sơ bổ sung.")
        elif status in OPEN:
            lines.append("Bạn chưa cần làm gì thêm; mình sẽ báo khi có kết quả nếu bạn bấm Theo dõi.")
        elif status in RESOLVED:
            lines.append(self._collect(d, proc))
        elif status == DossierStatus.returned:
            lines.append(f"Kết quả đã được trả ngày {d.returned_at:%d/%m/%Y}." if d.returned_at
                         else "Kết quả đã được trả.")
        elif status in CLOSED:
            lines.append("Hồ sơ đã kết thúc" + (f": {d.note}." if d.note else ".")
                         + " Nếu cần, bạn có thể nộp hồ sơ mới.")
        data = {
            "code": d.code, "procedure_id": d.procedure_id, "status": status.value, "label": label,
            "received": d.received_at.date().isoformat(), "due": d.due_date.isoformat(),
            "new_due": d.new_due_date.isoformat() if d.new_due_date else None, "late_working_days": late_days,
        }
        buttons = [] if status in CLOSED else [Button("🔔 Theo dõi hồ sơ", f"sub:{d.code}")]
        return Reply(status=Status.dossier, title=f"Hồ sơ {d.code}", text="\n".join(lines), procedure_id=None,
                     buttons=buttons, data={"dossier": data})

    def _collect(self, d: Dossier, proc) -> str:
        if d.result_delivery == "post":
            return "Kết quả đã có và sẽ được gửi qua bưu điện đến địa chỉ bạn đăng ký."
        place = None
        locality = self.catalog().locality
        if proc and proc.where:
            place = proc.where[0].name
        elif locality and locality.one_stop:
            place = locality.one_stop.name
        where = f" tại {place}" if place else " tại nơi đã nộp hồ sơ"
        return f"Kết quả đã có. Mời bạn mang phiếu tiếp nhận và giấy tờ tùy thân đến nhận{where}."

    # -- internals -----------------------------------------------------------------------------

    def _find(self, code: str) -> Dossier | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(Dossier.__table__).where(Dossier.code == code)).first()
        if row is None:
            return None
        return Dossier(**row._mapping)

    def _not_found(self, code: str) -> Reply:
        return Reply(
            status=Status.dossier,
            text=f"Không tìm thấy hồ sơ có mã {code}. Bạn kiểm tra lại mã trên phiếu tiếp nhận (ví dụ "
                 "000.00.10.H32-231116-0001). Hồ sơ mới nộp có thể cần vài giờ để cập nhật.",
            data={"dossier": {"code": code, "found": False}},
        )

    def _throttled(self) -> Reply:
        return Reply(
            status=Status.dossier,
            text="Bạn đã tra cứu nhiều mã không tồn tại trong thời gian ngắn. Vui lòng đợi ít phút rồi thử lại, "
                 "hoặc liên hệ Bộ phận một cửa để được hỗ trợ.",
            data={"dossier": {"throttled": True}},
        )
