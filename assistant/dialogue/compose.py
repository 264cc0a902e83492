"""Write the Vietnamese a citizen reads: the asked part first, short enough for a phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from assistant.catalog.loader import Catalog
from assistant.catalog.schema import Document, DocumentKind, OnlineLevel, Procedure
from assistant.dialogue.actions import candidate_action, checklist_action, facet_action
from assistant.dialogue.reply import Button, Candidate, Reply, Status
from assistant.nlu.facets import FACET_LABELS, Facet
from assistant.nlu.smalltalk import SmallTalk
from assistant.text.normalize import fold

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
KIND_LABELS = {
    DocumentKind.original: "bản chính",
    DocumentKind.copy: "bản sao",
    DocumentKind.certified_copy: "bản sao có chứng thực",
    DocumentKind.present: "xuất trình để đối chiếu",
}
LEVEL_LABELS = {"commune": "cấp xã", "district": "cấp huyện", "province": "cấp tỉnh", "central": "cấp trung ương"}
FOLLOW_FACETS = [Facet.documents, Facet.time, Facet.fee, Facet.where, Facet.online, Facet.steps, Facet.eta]


def vn_date(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def _doc_line(index: int, doc: Document, ticked: bool | None = None) -> str:
    parts = []
    if doc.kind == DocumentKind.present:
        parts.append(KIND_LABELS[doc.kind])
    elif doc.copies:
        parts.append(f"{doc.copies:02d} {KIND_LABELS[doc.kind]}")
    else:
        parts.append(KIND_LABELS[doc.kind])
    if doc.form:
        parts.append(doc.form)
    mark = "" if ticked is None else ("✅ " if ticked else "⬜ ")
    line = f"{mark}{index}. {doc.name} ({'; '.join(parts)})"
    if doc.condition:
        line += f" — {doc.condition}"
    return line


def facet_buttons(proc: Procedure, current: Facet | None) -> list[Button]:
    buttons = [Button(FACET_LABELS[f], facet_action(proc.id, f)) for f in FOLLOW_FACETS if f != current]
    if current == Facet.documents:
        buttons.insert(0, Button("☑️ Đánh dấu giấy tờ đã có", checklist_action(proc.id, -1)))
    return buttons


def _more_hint() -> str:
    return "Bạn có thể hỏi thêm về giấy tờ, thời hạn, lệ phí, nơi nộp, nộp trực tuyến hoặc các bước."


def _sentence_key(sentence: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(sentence)).split())


def without_repeats(text: str) -> str:
    """The text without any sentence said a second time (catalogue notes often restate the
    summary: "Mức thu do HĐND tỉnh quy định." twice reads as a broken bot). Short fragments
    (under three words) and list items, where repeating is legitimate, are never dropped."""
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):
        if line[:1] in ("•", " ", "-", "⬜", "✅") or line[:1].isdigit():
            lines.append(line)  # list items (two offices may share opening hours) are kept as written
            continue
        kept = []
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            key = _sentence_key(sentence)
            if len(key.split()) >= 3 and key in seen:
                continue
            seen.add(key)
            kept.append(sentence)
        if kept or not line.strip():
            lines.append(" ".join(kept))
    return "\n".join(lines)


def shown_order(proc: Procedure) -> list[tuple[int, Document]]:
    """(catalogue index, document) in the order a documents answer shows them: required first."""
    indexed = list(enumerate(proc.documents))
    return [x for x in indexed if x[1].required] + [x for x in indexed if not x[1].required]


def short_label(text: str, limit: int = 44) -> str:
    """A button label that ends on a whole word, with "…" when shortened (Telegram and Zalo
    buttons have little room; a label cut mid-word, "…cần điều ch", reads as a bug)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(—-") + "…"


class Composer:
    """Builds replies from the catalogue. `due_date` computes appointment dates (working days)."""

    def __init__(
        self,
        catalog: Catalog,
        due_date: Callable[[dt.datetime, Procedure], dt.date | None],
        hotline: str,
        portal_url: str,
    ) -> None:
        self.catalog = catalog
        self.due_date = due_date
        self.hotline = hotline
        self.portal_url = portal_url

    @property
    def place_name(self) -> str | None:
        return self.catalog.locality.name if self.catalog.locality else None

    # -- procedure answers --------------------------------------------------------------

    def answer(self, proc: Procedure, facet: Facet, score: float, candidates: list[Candidate],
               now: dt.datetime, ticked: list[int] | None = None) -> Reply:
        body = {
            Facet.overview: self._overview,
            Facet.documents: lambda p, n: self._documents(p, ticked),
            Facet.time: self._time,
            Facet.fee: self._fee,
            Facet.where: self._where,
            Facet.online: self._online,
            Facet.steps: self._steps,
            Facet.eta: self._eta,
            Facet.legal: self._legal,
        }[facet](proc, now)
        body = without_repeats(body)
        title = f"{proc.display_name}"
        return Reply(
            status=Status.answer,
            title=title,
            text=f"{title}\n{body}",
            procedure_id=proc.id,
            facet=facet.value,
            score=score,
            candidates=candidates,
            buttons=facet_buttons(proc, facet),
        )

    def _overview(self, proc: Procedure, now: dt.datetime) -> str:
        lines = []
        if proc.summary:
            lines.append(proc.summary)
        lines.append(f"• Nơi giải quyết: {proc.agency}")
        lines.append(f"• Thời hạn: {proc.time_limit.summary}")
        lines.append(f"• Lệ phí: {proc.fees.summary}")
        lines.append(f"• Giấy tờ chính: {', '.join(d.name for d in proc.documents if d.required)[:300]}")
        lines.append(f"• Nộp trực tuyến: {self._online_short(proc)}")
        lines.append(f"• Kết quả: {proc.result}")
        lines.append(_more_hint())
        return "\n".join(lines)

    def _documents(self, proc: Procedure, ticked: list[int] | None) -> str:
        # Numbered in the order shown (required first, then the conditional ones), so the list
        # reads 1, 2, 3, 4 and the checklist buttons carry the same numbers; `i` stays the
        # catalogue index that ticking uses.
        order = shown_order(proc)
        required = [(i + 1, d) for i, d in order if d.required]
        optional = [(i + 1, d) for i, d in order if not d.required]
        ticked_set = set(ticked) if ticked is not None else None
        lines = ["Giấy tờ cần chuẩn bị:"]
        for n, (i, doc) in enumerate(required, 1):
            lines.append(_doc_line(n, doc, None if ticked_set is None else (i - 1) in ticked_set))
        if optional:
            lines.append("Chỉ khi thuộc trường hợp:")
            for n, (i, doc) in enumerate(optional, len(required) + 1):
                lines.append(_doc_line(n, doc, None if ticked_set is None else (i - 1) in ticked_set))
        notes = [f"Lưu ý: {d.note}" for _, d in required
                 if d.note and "(verify)" not in d.note and d.kind != DocumentKind.present][:2]
        lines += notes
        if ticked_set is not None:
            missing = [d.name for i, d in required if (i - 1) not in ticked_set]
            if missing:
                lines.append(f"Còn thiếu {len(missing)} giấy tờ bắt buộc: " + "; ".join(missing) + ".")
            else:
                lines.append("Bạn đã có đủ giấy tờ bắt buộc. Nhớ kiểm tra các giấy tờ theo trường hợp (nếu có).")
        lines.append("Không ai được yêu cầu bạn nộp thêm giấy tờ ngoài danh sách đã công bố.")
        return "\n".join(lines)

    def checklist(self, proc: Procedure, ticked: list[int]) -> Reply:
        reply = self.answer(proc, Facet.documents, 100.0, [], dt.datetime.now(), ticked=ticked)
        reply.buttons = [
            Button(("✅ " if i in ticked else "⬜ ") + f"{n}. {short_label(doc.name)}", checklist_action(proc.id, i))
            for n, (i, doc) in enumerate(shown_order(proc), 1)
        ] + [b for b in facet_buttons(proc, Facet.documents) if not b.action.startswith("k:")]
        reply.data["checklist"] = {
            "procedure_id": proc.id,
            "ticked": sorted(ticked),
            "missing": [d.name for i, d in enumerate(proc.documents) if d.required and i not in ticked],
        }
        return reply

    def _time(self, proc: Procedure, now: dt.datetime) -> str:
        tl = proc.time_limit
        lines = [f"Thời hạn giải quyết: {tl.summary}."]
        if self.place_name and proc.id in (self.catalog.locality.procedures if self.catalog.locality else {}):
            lines[0] = f"Thời hạn giải quyết tại {self.place_name}: {tl.summary}."
        if tl.cutoff and (tl.same_day or tl.working_days):
            lines.append(f"Hồ sơ nộp sau {tl.cutoff} được tính từ ngày làm việc tiếp theo.")
        if tl.note:
            lines.append(_clean_note(tl.note))
        lines.append("Muốn biết ngày hẹn trả cụ thể, hãy hỏi: \"nếu nộp hôm nay thì khi nào có?\"")
        return "\n".join(lines)

    def _fee(self, proc: Procedure, now: dt.datetime) -> str:
        fee = proc.fees
        lines = [f"Lệ phí: {fee.summary}."]
        if fee.free and "miễn" not in fee.summary.lower():
            lines[0] = f"Lệ phí: miễn phí ({fee.summary})."
        if fee.set_by:
            lines.append(f"Mức thu do {fee.set_by} quy định.")
        if fee.note:
            lines.append(_clean_note(fee.note))
        return "\n".join(lines)

    def _where(self, proc: Procedure, now: dt.datetime) -> str:
        lines = ["Nơi nộp hồ sơ:"]
        for place in proc.where:
            line = f"• {place.name}"
            if place.address:
                line += f", {place.address}"
            lines.append(line)
            if place.hours:
                lines.append(f"  Giờ làm việc: {place.hours}")
            if place.note:
                lines.append(f"  {_clean_note(place.note)}")
        extra = []
        if proc.channels.postal:
            extra.append("qua dịch vụ bưu chính công ích")
        if proc.channels.online != OnlineLevel.none:
            extra.append("trực tuyến")
        if extra:
            lines.append("Ngoài ra có thể nộp " + " hoặc ".join(extra) + ".")
        return "\n".join(lines)

    def _online_short(self, proc: Procedure) -> str:
        return {
            OnlineLevel.full: "có, toàn trình",
            OnlineLevel.partial: "có, một phần (vẫn phải đến nộp bản giấy hoặc nhận kết quả)",
            OnlineLevel.none: "chưa hỗ trợ",
        }[proc.channels.online]

    def _online(self, proc: Procedure, now: dt.datetime) -> str:
        ch = proc.channels
        if ch.online == OnlineLevel.full:
            lines = [f"Có. Thủ tục này nộp trực tuyến toàn trình tại {ch.online_url}."]
        elif ch.online == OnlineLevel.partial:
            lines = [
                f"Có, một phần: nộp hồ sơ trực tuyến tại {ch.online_url}, "
                "nhưng vẫn cần đến nộp bản giấy hoặc nhận kết quả trực tiếp."
            ]
        else:
            lines = ["Hiện thủ tục này chưa nộp trực tuyến được; bạn nộp trực tiếp"
                     + (" hoặc qua bưu chính." if ch.postal else ".")]
        if ch.note:
            lines.append(_clean_note(ch.note))
        if ch.online != OnlineLevel.none:
            lines.append("Bạn cần tài khoản định danh điện tử (VNeID) mức 2 để đăng nhập.")
        return "\n".join(lines)

    def _steps(self, proc: Procedure, now: dt.datetime) -> str:
        lines = ["Các bước thực hiện:"]
        lines += [f"{i}. {step}" for i, step in enumerate(proc.steps, 1)]
        lines.append(f"Kết quả: {proc.result}.")
        return "\n".join(lines)

    def _legal(self, proc: Procedure, now: dt.datetime) -> str:
        if not proc.legal_basis:
            return "Danh mục chưa ghi căn cứ pháp lý cho thủ tục này; vui lòng hỏi Bộ phận một cửa."
        return "Căn cứ pháp lý:\n" + "\n".join(f"• {_clean_note(item)}" for item in proc.legal_basis)

    def _eta(self, proc: Procedure, now: dt.datetime) -> str:
        tl = proc.time_limit
        due = self.due_date(now, proc)
        if due is None:
            return (
                f"Thời hạn của thủ tục này là: {tl.summary}, chưa quy ra được số ngày làm việc cụ thể "
                "nên mình chưa tính được ngày hẹn. Ngày hẹn chính xác ghi trên phiếu tiếp nhận hồ sơ."
            )
        lines = [f"Nếu nộp hôm nay ({vn_date(now.date())}, lúc {now:%H:%M}):"]
        late = tl.cutoff is not None and now.time() > dt.time.fromisoformat(tl.cutoff)
        if late:
            lines.append(f"Sau {tl.cutoff} nên hồ sơ được tính từ ngày làm việc tiếp theo.")
        place = f" tại {self.place_name}" if self.place_name else ""
        lines.append(f"Ngày hẹn trả dự kiến: {vn_date(due)}.")
        lines.append(f"Thời hạn giải quyết{place}: {tl.summary}.")
        lines.append("Đã trừ thứ Bảy, Chủ nhật và ngày lễ, Tết. Ngày chính thức ghi trên phiếu tiếp nhận.")
        return "\n".join(lines)

    # -- other replies ---------------------------------------------------------------------

    def clarify(self, candidates: list[Candidate], facet: Facet) -> Reply:
        lines = ["Bạn muốn hỏi thủ tục nào dưới đây?"]
        lines += [f"{i}. {c.name}" for i, c in enumerate(candidates, 1)]
        lines.append("Chọn một số hoặc bấm vào tên thủ tục.")
        return Reply(
            status=Status.clarify,
            text="\n".join(lines),
            facet=facet.value,
            score=candidates[0].score if candidates else 0.0,
            candidates=candidates,
            buttons=[Button(c.name[:60], candidate_action(c.id, facet)) for c in candidates],
        )

    def not_found(self, suggestions: list[Candidate]) -> Reply:
        fields = "; ".join(self.catalog.fields.values())  # field names contain commas themselves
        lines = [
            "Xin lỗi, mình chưa tìm được thủ tục phù hợp với câu hỏi này.",
            "Bạn thử nói rõ tên thủ tục, ví dụ: \"đăng ký khai sinh cần giấy tờ gì\" hoặc \"giấy độc thân mất bao lâu\".",
        ]
        if fields:
            lines.append(f"Mình hỗ trợ các lĩnh vực: {fields}.")
        lines.append(f"Bạn cũng có thể gọi tổng đài {self.hotline} hoặc tra cứu tại {self.portal_url}.")
        return Reply(
            status=Status.not_found,
            text="\n".join(lines),
            candidates=suggestions,
            buttons=[Button(c.name[:60], candidate_action(c.id, Facet.overview)) for c in suggestions[:3]],
        )

    def smalltalk(self, kind: SmallTalk) -> Reply:
        text = {
            SmallTalk.greeting: "Xin chào! Mình là trợ lý thủ tục hành chính. Bạn cần hỏi thủ tục gì, "
            "ví dụ: \"làm giấy khai sinh cần gì\", \"giấy độc thân mất bao lâu\"? "
            "Bạn cũng có thể gửi mã hồ sơ để tra cứu tình trạng.",
            SmallTalk.thanks: "Không có gì ạ! Chúc bạn làm thủ tục thuận lợi. Cần gì cứ nhắn mình nhé.",
            SmallTalk.goodbye: "Tạm biệt bạn! Khi cần hỏi thủ tục, cứ nhắn cho mình nhé.",
            SmallTalk.ack: "Vâng ạ. Bạn cần hỏi thêm gì cứ nhắn mình nhé.",
            SmallTalk.help: "Mình trả lời về giấy tờ, thời hạn, lệ phí, nơi nộp, cách nộp trực tuyến của các thủ tục "
            "hành chính, và tra cứu tình trạng hồ sơ theo mã trên phiếu tiếp nhận. Hãy nhắn câu hỏi "
            "như bạn vẫn nói, có dấu hay không dấu đều được.",
        }[kind]
        return Reply(status=Status.smalltalk, text=text, data={"smalltalk": kind.value})


def _clean_note(note: str) -> str:
    """Keep caveats honest but readable: '(verify)' becomes a Vietnamese warning."""
    note = note.strip()
    if "(verify)" in note:
        note = note.replace("(verify)", "").strip()
        note = f"{note} (Thông tin cần đối chiếu với thủ tục tỉnh đã công bố.)".strip()
    return note
