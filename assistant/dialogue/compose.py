"""Write the Vietnamese a citizen reads: the asked part first, short enough for a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from assistant.catalog.loader import Catalog
from assistant.catalog.schema import Commune, Document, DocumentKind, Level, OnlineLevel, Procedure
from assistant.dialogue.actions import candidate_action, checklist_action, facet_action
from assistant.dialogue.facts import (
    fee_cases_text,
    fee_short,
    fee_text,
    legal_text,
    time_limit_text,
    unverified_sentence,
)
from assistant.dialogue.referrals import REFERRAL_INSTEAD, REFERRAL_TEXT
from assistant.dialogue.reply import Button, Candidate, Reply, Status
from assistant.dialogue.wording import clean_note, said_once, short_label, without_repeats
from assistant.nlu.facets import FACET_LABELS, Facet
from assistant.nlu.smalltalk import SmallTalk
from assistant.nlu.when import Filing

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
KIND_LABELS = {
    DocumentKind.original: "bản chính",
    DocumentKind.copy: "bản sao",
    DocumentKind.certified_copy: "bản sao có chứng thực",
    DocumentKind.present: "xuất trình để đối chiếu",
}
LEVEL_LABELS = {"commune": "cấp xã", "province": "cấp tỉnh", "central": "cấp trung ương",
                "national-database": "trên cơ sở dữ liệu quốc gia"}
FOLLOW_FACETS = [Facet.documents, Facet.time, Facet.fee, Facet.where, Facet.online, Facet.steps, Facet.eta]


YES_NO_LEAD = ("Mình chưa thể trả lời có hay không cho trường hợp riêng của bạn. Dưới đây là quy định chung "
               "của thủ tục để bạn đối chiếu; trường hợp cụ thể, bạn hỏi thêm Bộ phận một cửa nơi nộp hồ sơ.")


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


def shown_order(proc: Procedure) -> list[tuple[int, Document]]:
    """(catalogue index, document) of the papers handed in, in the order a documents answer shows
    them: required first, then the conditional ones."""
    bring = proc.checklist
    return [x for x in bring if x[1].required] + [x for x in bring if not x[1].required]


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
               now: dt.datetime, ticked: list[int] | None = None, commune: Commune | None = None,
               local_rule: bool = False, yes_no: bool = False, filed: Filing | None = None) -> Reply:
        """`proc` is already the commune's variant; `local_rule` says it differs from the
        province-wide rule (so the reply names the commune). `yes_no`: the citizen asked whether
        their own case is allowed (assistant.nlu.asking); an overview then says first that it
        gives the general rules, not a yes or a no. `filed`: when the citizen says the dossier goes
        (or went) in (assistant.nlu.when), the appointment date counts from then, not from now."""
        where = commune.name if (commune and local_rule) else (
            self.place_name if self._has_local_rule(proc) else None)
        body = {
            Facet.overview: self._overview,
            Facet.documents: lambda p, n: self._documents(p, ticked),
            Facet.time: lambda p, n: self._time(p, n, where),
            Facet.fee: self._fee,
            Facet.where: lambda p, n: self._where(p, n, commune),
            Facet.online: self._online,
            Facet.steps: self._steps,
            Facet.eta: lambda p, n: self._eta(p, n, where, filed),
            Facet.legal: self._legal,
            Facet.validity: self._validity,
        }[facet](proc, now)
        if yes_no and facet == Facet.overview:
            body = YES_NO_LEAD + "\n" + body
        body = without_repeats(said_once(body))
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
        lines.append(f"• Thời hạn: {time_limit_text(proc.time_limit)}")
        lines.append(f"• Lệ phí: {fee_short(proc.fees, now.date())}")
        papers = [d.name for _, d in proc.checklist if d.required]
        if papers:
            lines.append(f"• Giấy tờ chính: {', '.join(papers)[:300]}")
        elif proc.nothing_to_submit:
            lines.append(f"• Giấy tờ: {proc.nothing_to_submit}")
        lines.append(f"• Nộp trực tuyến: {self._online_short(proc)}")
        lines.append(f"• Kết quả: {proc.result}")
        lines.append(_more_hint())
        return "\n".join(lines)

    def _documents(self, proc: Procedure, ticked: list[int] | None) -> str:
        # Only papers that are handed in are numbered and counted; papers shown for checking are
        # listed apart, and "nothing to submit" is a sentence, never a document.
        # (display number, document index, document): numbers run over the papers handed in only,
        # in the order shown (required first, then the conditional ones), so the list reads
        # 1, 2, 3, 4 and the checklist buttons carry the same numbers.
        bring = [(n, i, d) for n, (i, d) in enumerate(shown_order(proc), 1)]
        required = [(n, i, d) for n, i, d in bring if d.required]
        optional = [(n, i, d) for n, i, d in bring if not d.required]
        shown = [d for d in proc.documents if not d.handed_in]
        ticked_set = set(ticked) if ticked is not None else None
        lines = []
        if proc.nothing_to_submit:
            lines.append(proc.nothing_to_submit)
        if required:
            lines.append("Giấy tờ cần chuẩn bị:")
            for n, i, doc in required:
                lines.append(_doc_line(n, doc, None if ticked_set is None else i in ticked_set))
        elif not proc.nothing_to_submit:
            lines.append("Không có giấy tờ bắt buộc phải nộp.")
        if optional:
            lines.append("Chỉ khi thuộc trường hợp:")
            for n, i, doc in optional:
                lines.append(_doc_line(n, doc, None if ticked_set is None else i in ticked_set))
        if shown:
            lines.append("Mang theo để xuất trình (không phải nộp):")
            lines += [f"• {d.name}" + (f" — {d.condition}" if d.condition else "") for d in shown]
        notes = [f"Lưu ý: {clean_note(d.note)}" for _, _, d in required if d.note][:2]
        lines += notes
        sentence = unverified_sentence(proc, "documents")
        if sentence:
            lines.append(sentence)
        if ticked_set is not None:
            missing = [d.name for _, i, d in required if i not in ticked_set]
            if missing:
                lines.append(f"Còn thiếu {len(missing)} giấy tờ bắt buộc: " + "; ".join(missing) + ".")
            elif required:
                lines.append("Bạn đã có đủ giấy tờ bắt buộc. Nhớ kiểm tra các giấy tờ theo trường hợp (nếu có).")
        lines.append("Không ai được yêu cầu bạn nộp thêm giấy tờ ngoài danh sách đã công bố.")
        return "\n".join(lines)

    def checklist(self, proc: Procedure, ticked: list[int], commune: Commune | None = None) -> Reply:
        reply = self.answer(proc, Facet.documents, 100.0, [], dt.datetime.now(), ticked=ticked, commune=commune)
        reply.buttons = [
            Button(("✅ " if i in ticked else "⬜ ") + f"{n}. {short_label(doc.name)}", checklist_action(proc.id, i))
            for n, (i, doc) in enumerate(shown_order(proc), 1)
        ] + [b for b in facet_buttons(proc, Facet.documents) if not b.action.startswith("k:")]
        reply.data["checklist"] = {
            "procedure_id": proc.id,
            "ticked": sorted(ticked),
            "missing": [d.name for i, d in proc.checklist if d.required and i not in ticked],
        }
        return reply

    def _time(self, proc: Procedure, now: dt.datetime, where: str | None = None) -> str:
        tl = proc.time_limit
        lines = [f"Thời hạn giải quyết{f' tại {where}' if where else ''}: {time_limit_text(tl)}."]
        if tl.cutoff:
            lines.append(f"Hồ sơ nộp sau {tl.cutoff} được tính từ ngày làm việc tiếp theo.")
        if tl.note:
            lines.append(clean_note(tl.note))
        sentence = unverified_sentence(proc, "time_limit")
        if sentence:
            lines.append(sentence)
        lines.append("Muốn biết ngày hẹn trả cụ thể, hãy hỏi: \"nếu nộp hôm nay thì khi nào có?\"")
        return "\n".join(lines)

    def _validity(self, proc: Procedure, now: dt.datetime) -> str:
        """How long the result stays valid. Without a sourced answer the reply says so plainly:
        the processing time, which the time facet gives, would read as an answer and be wrong."""
        if proc.validity:
            lines = [f"Kết quả: {proc.result}.", f"Giá trị sử dụng: {proc.validity}"]
            sentence = unverified_sentence(proc, "validity")
            if sentence:
                lines.append(sentence)
            return "\n".join(lines)
        return "\n".join([
            f"Mình chưa có thông tin đã kiểm chứng về thời hạn sử dụng của kết quả ({proc.result}). "
            "Bạn hỏi Bộ phận một cửa nơi nộp hồ sơ, hoặc cơ quan sẽ nhận giấy này, để biết chắc.",
            f"Thời gian giải quyết hồ sơ (khác với thời hạn sử dụng): {time_limit_text(proc.time_limit)}.",
        ])

    def _has_local_rule(self, proc: Procedure) -> bool:
        locality = self.catalog.locality
        return bool(locality and proc.id in locality.procedures)

    def _fee(self, proc: Procedure, now: dt.datetime) -> str:
        fee = proc.fees
        unverified = any(k.split(".")[0] == "fees" for k in proc.unverified)
        lines = [fee_text(fee, now.date(), unverified), *fee_cases_text(fee, now.date())]
        if fee.exemptions:
            lines.append("Miễn, giảm: " + "; ".join(fee.exemptions) + ".")
        if fee.note:
            lines.append(clean_note(fee.note))
        if fee.basis:
            inst = self.catalog.instruments.get(fee.basis)
            lines.append(f"Căn cứ mức thu: {inst.label if inst else fee.basis}.")
        return "\n".join(lines)

    def _where(self, proc: Procedure, now: dt.datetime, commune: Commune | None = None) -> str:
        lines = ["Nơi nộp hồ sơ:"]
        if commune and commune.one_stop and proc.level == Level.commune:
            counter = commune.one_stop
            lines.append(f"• Tại {commune.name}: {counter.name}" + (f", {counter.address}" if counter.address else ""))
            if counter.hours:
                lines.append(f"  Giờ làm việc: {counter.hours}")
            if counter.phone:
                lines.append(f"  Điện thoại: {counter.phone}")
        for place in proc.where:
            line = f"• {place.name}"
            if place.address:
                line += f", {place.address}"
            lines.append(line)
            if place.hours:
                lines.append(f"  Giờ làm việc: {place.hours}")
            if place.phone:
                lines.append(f"  Điện thoại: {place.phone}")
            if place.note:
                lines.append(f"  {clean_note(place.note)}")
        extra = []
        if proc.channels.postal:
            extra.append("qua dịch vụ bưu chính công ích")
        if proc.channels.online != OnlineLevel.none:
            extra.append("trực tuyến")
        if extra:
            lines.append("Ngoài ra có thể nộp " + " hoặc ".join(extra) + ".")
        for key in ("where", "agency"):
            sentence = unverified_sentence(proc, key)
            if sentence:
                lines.append(sentence)
                break
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
            lines.append(clean_note(ch.note))
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
        registry = self.catalog.instruments
        return "Căn cứ pháp lý:\n" + "\n".join(f"• {legal_text(ref, registry)}" for ref in proc.legal_basis)

    def _eta(self, proc: Procedure, now: dt.datetime, where: str | None = None, filed: Filing | None = None) -> str:
        tl = proc.time_limit
        moment = filed.moment if filed is not None else now
        due = self.due_date(moment, proc)
        span = time_limit_text(tl)
        if due is None:
            return (
                f"Thời hạn của thủ tục này là: {span}, chưa quy ra được số ngày làm việc cụ thể "
                "nên mình chưa tính được ngày hẹn. Ngày hẹn chính xác ghi trên phiếu tiếp nhận hồ sơ."
            )
        cutoff = dt.time.fromisoformat(tl.cutoff) if tl.cutoff is not None else None
        if filed is None or (moment.date() == now.date() and not filed.hour_said):
            lines = [f"Nếu nộp hôm nay ({vn_date(now.date())}, lúc {now:%H:%M}):"]
            late = cutoff is not None and now.time() > cutoff
        else:
            verb = "Nếu đã nộp" if moment.date() < now.date() else "Nếu nộp"
            weekend = moment.weekday() >= 5
            at = f", lúc {moment:%H:%M}" if filed.hour_said else (
                f", trước {tl.cutoff}" if tl.cutoff and not weekend else "")
            lines = [f"{verb} {vn_date(moment.date())}{at}:"]
            late = filed.hour_said and cutoff is not None and moment.time() > cutoff
            if weekend:
                lines.append("Thứ Bảy, Chủ nhật Bộ phận một cửa thường không nhận hồ sơ (trừ nơi có lịch làm việc "
                             "sáng thứ Bảy); hồ sơ được tính từ ngày làm việc tiếp theo.")
        if late:
            lines.append(f"Sau {tl.cutoff} nên hồ sơ được tính từ ngày làm việc tiếp theo.")
        lines.append(f"Ngày hẹn trả dự kiến: {vn_date(due)}.")
        if due < now.date():
            lines.append("Ngày này đã qua: nếu chưa nhận được kết quả, bạn nhắn mã hồ sơ (in trên phiếu tiếp nhận "
                         "và hẹn trả kết quả) để mình tra cứu, hoặc hỏi Bộ phận một cửa nơi đã nộp.")
        lines.append(f"Thời hạn giải quyết{f' tại {where}' if where else ''}: {span}.")
        lines.append("Đã trừ thứ Bảy, Chủ nhật và ngày lễ, Tết. Ngày chính thức ghi trên phiếu tiếp nhận.")
        return "\n".join(lines)

    # -- other replies ---------------------------------------------------------------------

    def commune_noted(self, commune: Commune | None) -> Reply:
        name = commune.name if commune else "xã, phường của bạn"
        return Reply(status=Status.smalltalk,
                     text=f"Mình đã ghi nhận bạn ở {name}. Bạn cần hỏi thủ tục gì, ví dụ: "
                          "\"giấy độc thân mất bao lâu\"?",
                     data={"commune": commune.slug if commune else None})

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

    def confirm(self, candidate: Candidate, facet: Facet) -> Reply:
        """One question back when the question matched a procedure but says something else
        besides (assistant.nlu.lookalike): the citizen who meant it taps once; the one who did
        not learns where to ask, instead of being sent to the wrong office."""
        lines = [
            f"Có phải bạn hỏi về thủ tục \"{candidate.name}\" không? Nếu đúng, bạn bấm chọn bên dưới "
            "hoặc nhắn số 1.",
            "Nếu không phải, việc bạn hỏi có thể chưa có trong danh mục của mình: bạn có thể tìm tên thủ tục "
            f"trên {self.portal_url}, hỏi bộ phận một cửa của xã, phường hoặc gọi tổng đài {self.hotline}.",
        ]
        return Reply(
            status=Status.clarify,
            text="\n".join(lines),
            facet=facet.value,
            score=candidate.score,
            candidates=[candidate],
            buttons=[Button(candidate.name[:60], candidate_action(candidate.id, facet))],
            data={"confirm": True},
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

    def referral(self, kind: str) -> Reply:
        """A matter that is not a one-stop procedure: say who handles it, in two sentences."""
        text = REFERRAL_TEXT.get(kind, REFERRAL_TEXT["other"])
        # What the citizen can do instead, when it is a procedure of ours (a guardianship for a grandchild).
        then = self.catalog.procedures.get(REFERRAL_INSTEAD.get(kind, ""))
        return Reply(status=Status.not_found, text=text + f"\nNếu cần hỏi thêm, bạn gọi tổng đài {self.hotline}.",
                     buttons=[Button(then.name[:60], candidate_action(then.id, Facet.overview))] if then else [],
                     data={"referral": kind})

    def not_in_catalogue(self, question: str, suggestions: list[Candidate], named: str | None = None,
                         handled_by: str | None = None, done_at: str | None = None) -> Reply:
        """The question names a procedure we do not have: say so plainly and where to ask,
        rather than answering with a look-alike. `named`: the uncovered procedure or matter the
        question names (procedures_catalog/elsewhere/), also the better phrase to search for;
        `handled_by`: who handles it when it is no administrative procedure at all; `done_at`: where
        it is done when it is another body's procedure (no commune one-stop or hotline can do it)."""
        phrase = " ".join((named or question).split())
        if len(phrase) > 80:  # a search phrase: cut between words, never inside one
            phrase = phrase[:81].rsplit(" ", 1)[0].rstrip(",;:(")
        if named and handled_by:
            lines = [f"Việc bạn hỏi có vẻ là \"{named}\": đây không phải thủ tục hành chính ở bộ phận một cửa, "
                     "nên mình không hướng dẫn.",
                     f"Bạn liên hệ {handled_by}."]
        elif named and done_at:
            lines = [f"Việc bạn hỏi có vẻ là \"{named}\", làm tại {done_at}. Thủ tục này không có trong danh mục "
                     "của mình, nên mình không hướng dẫn chi tiết để tránh nhầm.",
                     f"Bạn hỏi trực tiếp nơi đó, hoặc tìm \"{phrase}\" trên {self.portal_url}."]
        else:
            opening = (f"Việc bạn hỏi có vẻ là \"{named}\", hiện chưa có trong danh mục thủ tục của mình"
                       if named else "Thủ tục bạn hỏi hiện chưa có trong danh mục của mình")
            lines = [
                opening + ", nên mình không trả lời để tránh hướng dẫn nhầm.",
                f"Bạn có thể tìm \"{phrase}\" trên {self.portal_url}, hỏi bộ phận một cửa của xã, phường "
                f"hoặc gọi tổng đài {self.hotline}.",
            ]
        if suggestions:
            lines.append("Nếu bạn hỏi một trong các thủ tục gần giống dưới đây, hãy bấm chọn:")
        data: dict[str, object] = {"not_in_catalogue": True}
        if named:
            data["named"] = named
        if named and handled_by:
            data["handled_by"] = handled_by
        elif named and done_at:
            data["done_at"] = done_at
        return Reply(
            status=Status.not_found,
            text="\n".join(lines),
            candidates=suggestions,
            buttons=[Button(c.name[:60], candidate_action(c.id, Facet.overview)) for c in suggestions[:3]],
            data=data,
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

