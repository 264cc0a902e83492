"""The staff-only /stats message: this process's counters, the outbox, feedback and this
month's headline figures from the service report. Database reads go through `store` and
`staff.reports`; nothing here writes SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.dialogue.reply import Status

if TYPE_CHECKING:
    from assistant.channels.telegram.channel import TelegramChannel

CHANNEL = "telegram"

STATUS_LABELS = {
    Status.answer: "trả lời được", Status.clarify: "hỏi lại", Status.not_found: "chưa tìm thấy",
    Status.smalltalk: "chào hỏi, menu", Status.dossier: "hồ sơ", Status.handoff: "gặp cán bộ",
}


def stats_text(channel: TelegramChannel) -> str:
    s = channel.stats
    catalog = channel.assistant.catalog
    by_status = ", ".join(f"{label} {s[f'status:{status.value}']}" for status, label in STATUS_LABELS.items())
    lines = [
        f"Thống kê kênh Telegram (tiến trình này, từ {channel.started_at:%H:%M %d/%m/%Y}):",
        f"• Tin nhắn và nút bấm đã nhận: {s['updates']} (nút bấm: {s['buttons']})",
        f"• Kết quả: {by_status}",
        f"• Bị giới hạn vì gửi quá nhanh: {s['rate_limited']}; lỗi: {s['errors']}; gửi lại: {s['retries']}",
        f"• Danh mục: {len(catalog)} thủ tục, phiên bản {catalog.version}"
        + (f" ({catalog.locality.name})" if catalog.locality else ""),
    ]
    if channel.dispatcher is not None:
        lines.append(f"• Thông báo hồ sơ đã gửi: {channel.dispatcher.delivered}; gửi lỗi: {channel.dispatcher.failed}")
    if channel.engine is not None:
        try:
            lines += _database_stats(channel)
        except Exception as exc:
            lines.append(f"• Không đọc được cơ sở dữ liệu ({exc.__class__.__name__}).")
    return "\n".join(lines)

def _database_stats(channel: TelegramChannel) -> list[str]:
    from assistant.store import FeedbackStore

    assert channel.engine is not None and channel.outbox is not None
    pending = channel.outbox.pending(CHANNEL)
    ratings = FeedbackStore(channel.engine).ratings(CHANNEL)
    return [f"• Thông báo đang chờ gửi: {pending}",
            f"• Góp ý: 👍 {ratings.get(1, 0)} / 👎 {ratings.get(-1, 0)}", *_service_headline(channel)]

def _service_headline(channel: TelegramChannel) -> list[str]:
    """This month's headline figures from the service report (all channels)."""
    from assistant.staff.reports import SATISFACTION_TARGET, service_report
    from assistant.staff.resolution import vn_today

    today = vn_today()  # the counter's calendar, not the server's UTC clock
    r = service_report(channel.engine, today.replace(day=1), today, today=today)

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}%"

    return [
        f"Kết quả tháng {today:%m/%Y}:",
        f"• Hồ sơ tiếp nhận: {r.received} (trực tuyến {pct(r.online_share)}); đã giải quyết {r.resolved}, "
        f"đúng hạn {pct(r.on_time_rate)}; đang trễ hạn {r.open_late}",
        f"• Hài lòng: {pct(r.satisfaction)} (mục tiêu {SATISFACTION_TARGET:.0f}%); "
        f"câu hỏi bot trả lời được: {r.questions_answered}/{r.questions}",
    ]


__all__ = ["STATUS_LABELS", "stats_text"]
