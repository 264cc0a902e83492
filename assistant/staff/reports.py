"""Reports for staff and managers: unanswered questions and the service's results.

Figures follow how provinces report administrative reform: dossiers by channel (online full /
partial, in person, postal), resolved early / on time / late, still open and late, withdrawn,
and citizen satisfaction against the 83% target.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlalchemy import Engine, select

from assistant.catalog.loader import Catalog
from assistant.nlu.elsewhere import ElsewhereIndex
from assistant.nlu.matcher import Matcher, content_tokens
from assistant.staff.resolution import PICKED, resolved_clarifications, vn_day_start_utc, vn_today
from assistant.store.models import Dossier, Feedback, QuestionLogRow

SATISFACTION_TARGET = 83.0
SUGGEST_MIN = 40.0  # below this a "suggestion" is noise
CHANNELS = [("online_full", "Trực tuyến toàn trình"), ("online_partial", "Trực tuyến một phần"),
            ("in_person", "Trực tiếp"), ("postal", "Bưu chính")]


# -- unanswered questions -------------------------------------------------------------------

@dataclass
class QuestionGroup:
    representative: str
    normalised: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    suggestion: str | None = None
    suggestion_name: str | None = None
    suggestion_score: float = 0.0
    elsewhere: str | None = None  # the uncovered procedure it names (procedures_catalog/elsewhere/)


def unanswered_report(engine: Engine, catalog: Catalog, since: dt.datetime | None = None,
                      similarity: float = 80.0) -> list[QuestionGroup]:
    """Group similar unanswered questions (not found, a clarification the citizen never resolved,
    or rated 👎) and suggest the procedure they probably meant, so staff can add aliases; a group
    that names a procedure the catalogue does not cover gets that name instead (demand for a new
    procedure, not an alias for its look-alike).
    `since`: naive UTC, as stored (see `resolution.vn_day_start_utc`)."""
    query = select(QuestionLogRow.id, QuestionLogRow.text, QuestionLogRow.normalised, QuestionLogRow.status,
                   QuestionLogRow.user_hash, QuestionLogRow.created_at).where(
        QuestionLogRow.status.in_(["not_found", "clarify", PICKED]))
    if since:
        query = query.where(QuestionLogRow.created_at >= since)
    disliked = select(Feedback.question).where(Feedback.rating < 0, Feedback.question.is_not(None))
    if since:
        disliked = disliked.where(Feedback.created_at >= since)
    with engine.connect() as conn:
        logged = list(conn.execute(query))
        resolved = resolved_clarifications((r.id, r.status, r.user_hash, r.created_at) for r in logged)
        rows = [(r.text, r.normalised) for r in logged if r.status != PICKED and r.id not in resolved]
        rows += [(q, q.lower()) for (q,) in conn.execute(disliked)]
    groups: list[QuestionGroup] = []
    for text, full in rows:
        # Compare what the questions are about, not how they were asked ("bao nhiêu", "hôm nay").
        normalised = " ".join(content_tokens(full)) or full
        for group in groups:
            if fuzz.token_set_ratio(normalised, group.normalised) >= similarity:
                break
        else:
            group = QuestionGroup(text, normalised)
            groups.append(group)
        group.count += 1
        if len(group.examples) < 3 and text not in group.examples:
            group.examples.append(text)
    matcher = Matcher(catalog.procedures.values())
    uncovered = ElsewhereIndex(catalog.elsewhere, matcher)
    for group in groups:
        query = matcher.parse(group.representative)
        ranked = matcher.rank(query)
        claim = uncovered.claim(query, ranked)
        if claim is not None:
            group.elsewhere = claim.name
        elif ranked and ranked[0].score >= SUGGEST_MIN:
            group.suggestion, group.suggestion_name, group.suggestion_score = ranked[0].id, ranked[0].name, ranked[0].score
    groups.sort(key=lambda g: (-g.count, g.representative))
    return groups


def format_unanswered(groups: list[QuestionGroup]) -> str:
    if not groups:
        return "Không có câu hỏi nào chưa được trả lời trong khoảng thời gian này."
    lines = [f"{'Số lần':>6}  {'Câu hỏi (ví dụ)':<48}  Gợi ý thủ tục"]
    for g in groups:
        hint = (f"ngoài danh mục: {g.elsewhere}" if g.elsewhere
                else f"{g.suggestion_name} ({g.suggestion_score:.0f})" if g.suggestion else "—")
        lines.append(f"{g.count:>6}  {g.representative[:48]:<48}  {hint}")
        for other in g.examples[1:]:
            lines.append(f"{'':>6}    · {other[:60]}")
    return "\n".join(lines)


# -- service results ------------------------------------------------------------------------

@dataclass
class ServiceReport:
    start: dt.date
    end: dt.date
    locality: str | None
    received: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    open_in_time: int = 0
    open_late: int = 0
    withdrawn: int = 0  # withdrawn, stopped or cancelled
    feedback_positive: int = 0
    feedback_total: int = 0
    questions: int = 0
    questions_answered: int = 0
    by_month: dict[str, dict[str, int]] = field(default_factory=dict)  # "2026-11" -> counts
    top_procedures: list[tuple[str, int]] = field(default_factory=list)

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @staticmethod
    def pct(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self.pct(self.resolved_early + self.resolved_on_time, self.resolved)

    @property
    def satisfaction(self) -> float | None:
        return self.pct(self.feedback_positive, self.feedback_total)

    @property
    def online_share(self) -> float | None:
        online = self.by_channel.get("online_full", 0) + self.by_channel.get("online_partial", 0)
        return self.pct(online, self.received)

    def rows(self) -> list[tuple[str, str, str]]:
        """(figure, value, percentage) rows shared by the terminal table and the CSV."""
        def p(value: float | None) -> str:
            return "" if value is None else f"{value:.1f}%"

        out = [("Hồ sơ tiếp nhận", str(self.received), "")]
        out += [(f"  {label}", str(self.by_channel.get(key, 0)), p(self.pct(self.by_channel.get(key, 0), self.received)))
                for key, label in CHANNELS]
        out += [
            ("Đã giải quyết", str(self.resolved), p(self.pct(self.resolved, self.received))),
            ("  Trước hạn", str(self.resolved_early), p(self.pct(self.resolved_early, self.resolved))),
            ("  Đúng hạn", str(self.resolved_on_time), p(self.pct(self.resolved_on_time, self.resolved))),
            ("  Trễ hạn", str(self.resolved_late), p(self.pct(self.resolved_late, self.resolved))),
            ("Tỷ lệ đúng hạn (trước hạn + đúng hạn)", "", p(self.on_time_rate)),
            ("Đang giải quyết, trong hạn", str(self.open_in_time), ""),
            ("Đang giải quyết, trễ hạn", str(self.open_late), ""),
            ("Rút / dừng / hủy", str(self.withdrawn), p(self.pct(self.withdrawn, self.received))),
            ("Đánh giá hài lòng (tích cực / tổng)", f"{self.feedback_positive}/{self.feedback_total}",
             p(self.satisfaction) + (f" (mục tiêu {SATISFACTION_TARGET:.0f}%)")),
            ("Câu hỏi bot đã trả lời", f"{self.questions_answered}/{self.questions}",
             p(self.pct(self.questions_answered, self.questions))),
        ]
        return out


def service_report(engine: Engine, start: dt.date, end: dt.date, locality: str | None = None,
                   today: dt.date | None = None) -> ServiceReport:
    """Figures for dossiers received from `start` to `end` inclusive."""
    today = today or vn_today()
    report = ServiceReport(start, end, locality)
    # Dossier times are Vietnam local time (from the one-stop exports); feedback and question-log
    # times are UTC: the same Vietnam days, expressed in each clock.
    lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    lo_utc, hi_utc = vn_day_start_utc(start), vn_day_start_utc(end + dt.timedelta(days=1))
    query = select(Dossier.procedure_id, Dossier.channel, Dossier.status, Dossier.received_at, Dossier.due_date,
                   Dossier.new_due_date).where(Dossier.received_at >= lo, Dossier.received_at < hi)
    if locality:
        query = query.where(Dossier.locality == locality)
    procedures: Counter[str] = Counter()
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    with engine.connect() as conn:
        for proc, channel, status, received, due, _new_due in conn.execute(query):
            report.received += 1
            procedures[proc] += 1
            report.by_channel[channel] = report.by_channel.get(channel, 0) + 1
            month = by_month[f"{received:%Y-%m}"]
            month["received"] += 1
            if status == "resolved_early":
                report.resolved_early += 1
                month["on_time"] += 1
            elif status in ("resolved_on_time", "returned"):
                report.resolved_on_time += 1
                month["on_time"] += 1
            elif status == "resolved_late":
                report.resolved_late += 1
                month["late"] += 1
            elif status in ("withdrawn", "stopped", "cancelled"):
                report.withdrawn += 1
            elif today > due:
                report.open_late += 1
            else:
                report.open_in_time += 1
        fb = select(Feedback.rating).where(Feedback.created_at >= lo_utc, Feedback.created_at < hi_utc)
        ratings = [r for (r,) in conn.execute(fb)]
        ql = select(QuestionLogRow.id, QuestionLogRow.status, QuestionLogRow.user_hash,
                    QuestionLogRow.created_at).where(QuestionLogRow.created_at >= lo_utc,
                                                     QuestionLogRow.created_at < hi_utc)
        logged = list(conn.execute(ql))
    resolved = resolved_clarifications((r.id, r.status, r.user_hash, r.created_at) for r in logged)
    report.feedback_total = len(ratings)
    report.feedback_positive = sum(1 for r in ratings if r > 0)
    report.questions = sum(1 for r in logged if r.status not in ("smalltalk", "example", PICKED))  # examples: staff-added
    report.questions_answered = sum(1 for r in logged if r.status in ("answer", "dossier") or r.id in resolved)
    report.by_month = {k: dict(v) for k, v in sorted(by_month.items())}
    report.top_procedures = procedures.most_common(10)
    return report


def format_table(report: ServiceReport) -> str:
    rows = report.rows()
    width = max(len(r[0]) for r in rows) + 2
    head = f"Kết quả giải quyết TTHC {report.start:%d/%m/%Y} – {report.end:%d/%m/%Y}"
    if report.locality:
        head += f" ({report.locality})"
    return "\n".join([head, "-" * len(head)] + [f"{a:<{width}}{b:>10}  {c}" for a, b, c in rows])


def to_csv(report: ServiceReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Chỉ tiêu", "Giá trị", "Tỷ lệ"])
    writer.writerows((a.strip(), b, c) for a, b, c in report.rows())
    return out.getvalue()


def _bar_chart(title: str, items: list[tuple[str, float]], unit: str = "", max_value: float | None = None,
               target: float | None = None) -> str:
    """A bar chart in plain HTML: labels wrap instead of being cut, no JavaScript, prints in colour
    and opens offline. `target` draws a dashed line (e.g. the satisfaction goal)."""
    top = max_value or max((v for _, v in items), default=1) or 1
    rows = []
    for label, value in items:
        share = max(0.0, min(100.0, 100.0 * value / top))
        rows.append(f'<div class="row"><span class="label">{html.escape(label)}</span>'
                    f'<span class="track"><span class="bar" style="width:{share:.1f}%"></span></span>'
                    f'<span class="value">{value:g}{unit}</span></div>')
    goal = (f'<span class="goal" style="left:{100.0 * target / top:.1f}%"></span>' if target is not None else "")
    body = "".join(rows) or '<p class="empty">Chưa có số liệu.</p>'
    return (f'<figure class="chart" role="img" aria-label="{html.escape(title)}"><figcaption>{html.escape(title)}'
            f'</figcaption>{goal}{body}</figure>')


def to_html(report: ServiceReport, catalog: Catalog | None = None) -> str:
    def name(proc_id: str) -> str:
        proc = catalog.get(proc_id) if catalog else None
        return proc.display_name if proc else proc_id

    months = [(f"Tháng {m[5:]}/{m[:4]}", ServiceReport.pct(v.get("on_time", 0), v.get("on_time", 0) + v.get("late", 0)) or 0.0)
              for m, v in report.by_month.items()]
    channels = [(label, ServiceReport.pct(report.by_channel.get(key, 0), report.received) or 0.0)
                for key, label in CHANNELS]
    rows = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td><td>{html.escape(c)}</td></tr>"
                   for a, b, c in report.rows())
    charts = [
        _bar_chart("Tỷ lệ giải quyết đúng hạn theo tháng (%)", months, "%", 100),
        _bar_chart("Cơ cấu kênh nộp hồ sơ (%)", channels, "%", 100),
        _bar_chart("Thủ tục nhiều hồ sơ nhất", [(name(p), float(c)) for p, c in report.top_procedures]),
    ]
    satisfaction = report.satisfaction
    verdict = ("chưa có đánh giá" if satisfaction is None else
               f"{satisfaction:.1f}% — {'đạt' if satisfaction >= SATISFACTION_TARGET else 'chưa đạt'} mục tiêu "
               f"{SATISFACTION_TARGET:.0f}%")
    title = f"Kết quả giải quyết thủ tục hành chính {report.start:%d/%m/%Y} – {report.end:%d/%m/%Y}"
    data = json.dumps({"received": report.received, "on_time_rate": report.on_time_rate,
                       "satisfaction": satisfaction}, ensure_ascii=False)
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
@page {{ size: A4; margin: 12mm; }}
body {{ font-family: "Noto Sans", "DejaVu Sans", system-ui, sans-serif; max-width: 52rem; margin: 1.5rem auto;
       padding: 0 1rem; color: #202124; font-size: 15px; line-height: 1.35; }}
h1 {{ font-size: 1.3rem; margin: 0 0 .3rem; }}
.kpi {{ font-size: 1.05rem; margin: .2rem 0 .6rem; }}
.grid {{ display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); gap: 0 1.5rem; align-items: start; }}
table {{ border-collapse: collapse; width: 100%; }}
td {{ border-bottom: 1px solid #ddd; padding: .2rem .35rem; vertical-align: top; }}
td:nth-child(n+2) {{ text-align: right; white-space: nowrap; }}
.chart {{ margin: 0 0 .9rem; position: relative; break-inside: avoid; }}
.chart figcaption {{ font-weight: 700; margin-bottom: .25rem; }}
.chart .row {{ display: grid; grid-template-columns: minmax(0, 11rem) minmax(3rem, 1fr) 3.6rem; gap: .4rem;
              align-items: center; margin: .15rem 0; }}
.chart .label {{ overflow-wrap: anywhere; }}
.chart .track {{ background: #eef2f7; height: .9rem; border-radius: 3px; }}
.chart .bar {{ display: block; height: 100%; background: #1a73e8; border-radius: 3px;
              -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.chart .value {{ text-align: right; white-space: nowrap; }}
.wide .row {{ grid-template-columns: minmax(0, 22rem) minmax(3rem, 1fr) 3.6rem; }}
.empty {{ color: #5f6368; margin: 0; }}
.printed {{ color: #5f6368; font-size: .8rem; margin-top: .4rem; }}
@media (max-width: 700px) {{ .grid {{ grid-template-columns: minmax(0, 1fr); }} }}
@media print {{
  body {{ margin: 0; max-width: none; padding: 0; font-size: 10pt; }}
  h1 {{ font-size: 14pt; }}
  .grid {{ grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); }}
}}
</style></head><body>
<h1>{html.escape(title)}{f" — {html.escape(report.locality)}" if report.locality else ""}</h1>
<p class="kpi">Tỷ lệ đúng hạn: <b>{report.on_time_rate if report.on_time_rate is not None else "—"}%</b> ·
Hài lòng: <b>{html.escape(verdict)}</b></p>
<div class="grid">
<table>{rows}</table>
<div>{charts[0]}{charts[1]}</div>
</div>
<div class="wide">{charts[2]}</div>
<p class="printed">Lập ngày {vn_today():%d/%m/%Y} (giờ Việt Nam).</p>
<script type="application/json" id="report-data">{html.escape(data)}</script>
</body></html>
"""
