"""What citizens and civil servants read about a handoff, in Vietnamese."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
CHANNEL_NAMES = {"web": "Web", "telegram": "Telegram", "zalo": "Zalo", "cli": "Dòng lệnh"}

BUTTON_OPEN = "🙋 Gặp cán bộ"
BUTTON_BACK = "🤖 Quay lại trợ lý"
QUIET = ("Trong lúc chờ, trợ lý sẽ không tự trả lời: mọi tin nhắn bạn gửi đều được chuyển cho cán bộ. "
         "Nhắn \"quay lại trợ lý\" nếu bạn muốn hỏi trợ lý tiếp.")
NO_PERSONAL_DATA = "Bạn không cần để lại họ tên hay số điện thoại."
RELAYED = "✓ Đã chuyển tin nhắn của bạn cho cán bộ."
BACK_TO_BOT = "Đã kết thúc yêu cầu gặp cán bộ. Trợ lý tiếp tục trả lời bạn; cứ nhắn câu hỏi như bình thường nhé."
CLOSED_BY_STAFF = ("Cán bộ đã kết thúc cuộc trao đổi. Trợ lý tiếp tục trả lời bạn; khi cần gặp cán bộ lần nữa, "
                   "hãy nhắn \"gặp cán bộ\".")
OFFER = ("Có vẻ mình chưa giúp được bạn. Bạn có muốn hỏi trực tiếp cán bộ không? Bấm \"Gặp cán bộ\" "
         "hoặc nhắn \"gặp cán bộ\".")
STAFF_PREFIX = "💬 Cán bộ trả lời:"


def when(moment: dt.datetime) -> str:
    """"7:30 thứ Hai, 01/12/2026" (Vietnam local time)."""
    return f"{moment.hour}:{moment.minute:02d} {WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y}"


def opened(place: str | None, open_now: bool, usual_minutes: int | None, next_opening: dt.datetime,
           hours: str, position: int) -> str:
    # The place is not named: catalogue locality names may still carry an abolished district.
    lines = ["Mình đã chuyển câu hỏi của bạn tới cán bộ Bộ phận một cửa."]
    if open_now:
        if usual_minutes is not None:
            lines.append(f"Cán bộ sẽ trả lời ngay tại đây, thường trong khoảng {usual_minutes} phút "
                         "(tính theo các yêu cầu gần đây).")
        else:
            lines.append("Cán bộ sẽ trả lời ngay tại đây trong giờ làm việc.")
    else:
        lines.append(f"Bây giờ đã ngoài giờ làm việc ({hours}, thứ Hai đến thứ Sáu, trừ ngày nghỉ lễ). "
                     f"Cán bộ sẽ trả lời tại đây khi làm việc trở lại, từ {when(next_opening)}.")
    if position > 1:
        lines.append(f"Trước bạn còn {position - 1} yêu cầu đang chờ.")
    lines += [QUIET, NO_PERSONAL_DATA]
    return "\n".join(lines)


def already_open(position: int | None) -> str:
    where = queue(position)
    return f"Yêu cầu gặp cán bộ của bạn vẫn đang mở. {where}\n{QUIET}"


def queue(position: int | None) -> str:
    if position is None:
        return "Cán bộ đã nhận yêu cầu và đang trao đổi với bạn tại đây."
    if position <= 1:
        return "Yêu cầu của bạn đang ở đầu hàng chờ: cán bộ sẽ trả lời bạn tiếp theo."
    return f"Yêu cầu của bạn đang ở vị trí thứ {position} trong hàng chờ (trước bạn còn {position - 1} yêu cầu)."


def unavailable(hotline: str, portal_url: str) -> str:
    return ("Xin lỗi, hiện chưa chuyển được yêu cầu tới cán bộ (hệ thống đang bận). Bạn vui lòng thử lại sau ít phút, "
            f"hoặc gọi {hotline}, hoặc gửi câu hỏi trên {portal_url}.")


def no_person_here(hotline: str) -> str:
    return ("Ở cửa sổ dòng lệnh không có cán bộ trực. Để hỏi trực tiếp cán bộ, bạn nhắn \"gặp cán bộ\" trên trang "
            f"web, Telegram hoặc Zalo của trợ lý, hoặc gọi {hotline}.")


def staff_reply(text: str) -> str:
    return f"{STAFF_PREFIX}\n{text}"


def group_header(request_id: int, channel: str, locality: str | None) -> str:
    place = f" · {locality}" if locality else ""
    return f"Yêu cầu #{request_id} · {CHANNEL_NAMES.get(channel, channel)}{place}"


def group_new(request_id: int, channel: str, locality: str | None, transcript: list[tuple[str, str]]) -> str:
    lines = [f"🆕 {group_header(request_id, channel, locality)}", ""]
    for author, text in transcript:
        lines.append(f"{'👤 Người dân' if author == 'citizen' else '🤖 Trợ lý'}: {text}")
    lines += ["", "Trả lời (reply) tin nhắn này để gửi câu trả lời cho người dân; trả lời bằng /dong để kết thúc."]
    return _fit("\n".join(lines))


def group_followup(request_id: int, channel: str, locality: str | None, text: str) -> str:
    return _fit(f"👤 {group_header(request_id, channel, locality)}\nNgười dân nhắn thêm: {text}")


def group_replied(request_id: int, staff: str, via: str, text: str) -> str:
    return _fit(f"✅ Yêu cầu #{request_id}: {staff} đã trả lời ({via}):\n{text}")


def group_closed(request_id: int, by: str) -> str:
    return f"☑️ Yêu cầu #{request_id} đã kết thúc ({by})."


def _fit(text: str, limit: int = 3500) -> str:
    """One Telegram message (4096 characters): the request number stays in the first line, so a
    reply to the message always finds its request."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
