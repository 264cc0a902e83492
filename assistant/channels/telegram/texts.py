"""Vietnamese wording specific to the Telegram channel (commands, refusals, errors).

Answers about procedures and dossiers come from the core; only what exists because of
Telegram (slash commands, buttons, flood messages) is written here. Plain text: the renderer
escapes it for HTML.
"""

from __future__ import annotations

import math

EXAMPLE_CODE = "000.00.10.H32-231116-0001"

# (command, description) for the menu Telegram shows next to the input box.
COMMANDS: list[tuple[str, str]] = [
    ("start", "Bắt đầu, chọn lĩnh vực thủ tục"),
    ("help", "Hướng dẫn sử dụng"),
    ("tracuu", "Tra cứu hồ sơ theo mã trên phiếu tiếp nhận"),
    ("theodoi", "Nhận thông báo khi hồ sơ thay đổi trạng thái"),
    ("huytheodoi", "Ngừng nhận thông báo về một hồ sơ"),
    ("lienhe", "Liên hệ nơi tiếp nhận hồ sơ"),
    ("canbo", "Hỏi trực tiếp cán bộ một cửa"),
]


def greeting(place: str | None) -> str:
    where = f" của {place}" if place else ""
    return (
        f"Xin chào! Mình là trợ lý thủ tục hành chính{where}.\n"
        "Bạn cứ nhắn câu hỏi như khi nói chuyện, có dấu hay không dấu đều được, ví dụ:\n"
        "• giấy độc thân mất bao lâu\n"
        "• làm giấy khai sinh cần những gì\n"
        "• đổi căn cước lệ phí bao nhiêu\n"
        f"Muốn biết hồ sơ đã nộp đến đâu, hãy gửi mã trên phiếu tiếp nhận (ví dụ {EXAMPLE_CODE}).\n"
        "Hoặc chọn một lĩnh vực bên dưới:"
    )


HELP = (
    "Cách dùng trợ lý:\n"
    "• Nhắn câu hỏi về thủ tục: cần giấy tờ gì, mất bao lâu, lệ phí bao nhiêu, nộp ở đâu, "
    "nộp trực tuyến được không, nộp hôm nay thì khi nào có kết quả.\n"
    "• Bấm các nút bên dưới câu trả lời để xem phần khác của thủ tục; ở danh sách giấy tờ, "
    "bấm để đánh dấu giấy tờ bạn đã có.\n"
    "• /tracuu <mã hồ sơ> — xem tình trạng hồ sơ.\n"
    "• /theodoi <mã hồ sơ> — nhận tin nhắn khi hồ sơ thay đổi trạng thái.\n"
    "• /huytheodoi <mã hồ sơ> — ngừng nhận tin nhắn.\n"
    "• /lienhe — nơi tiếp nhận hồ sơ của địa phương, tổng đài hỗ trợ và Cổng Dịch vụ công quốc gia.\n"
    "• /canbo — hỏi trực tiếp cán bộ một cửa; cán bộ trả lời ngay trong cuộc trò chuyện này.\n"
    "Thông tin chỉ để tham khảo; giấy tờ và ngày hẹn chính thức do cơ quan tiếp nhận hồ sơ ghi trên phiếu."
)


def need_code(command: str) -> str:
    return f"Bạn gửi kèm mã hồ sơ sau lệnh nhé, ví dụ:\n/{command} {EXAMPLE_CODE}"


def bad_code(command: str) -> str:
    return (
        "Mã hồ sơ chưa đúng định dạng. Mã in trên phiếu tiếp nhận có dạng "
        f"{EXAMPLE_CODE}. Bạn kiểm tra lại rồi gửi /{command} kèm mã nhé."
    )


UNKNOWN_COMMAND = "Mình chưa hiểu lệnh này. Gõ /help để xem các lệnh, hoặc nhắn câu hỏi bình thường nhé."
NOT_TEXT = "Hiện mình chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ câu hỏi hoặc mã hồ sơ nhé."


def staff_only(chat_id: int | str) -> str:
    """The refusal also tells staff the id an administrator must add to ASSISTANT_STAFF_CHAT_IDS
    (a citizen learns only their own chat's id)."""
    return (
        "Xin lỗi, lệnh này chỉ dành cho cán bộ quản trị hệ thống.\n"
        f"Nếu bạn là cán bộ, hãy gửi mã cuộc trò chuyện {chat_id} cho quản trị viên để được cấp quyền."
    )


TEMPORARY_ERROR = "Xin lỗi, hệ thống đang gặp trục trặc tạm thời. Bạn vui lòng thử lại sau ít phút nhé."
THANKS_TOAST = "Cảm ơn bạn đã góp ý!"
TOO_FAST_TOAST = "Bạn thao tác hơi nhanh, vui lòng chờ giây lát."
FEEDBACK_YES = "👍 Hữu ích"
FEEDBACK_NO = "👎 Chưa hữu ích"


def too_fast(seconds: float) -> str:
    wait = max(5, math.ceil(seconds / 5.0) * 5)  # rounded up: never invite a retry that is refused
    return (
        "Bạn gửi tin nhắn hơi nhanh. Để phục vụ được mọi người, mình tạm dừng trả lời một chút; "
        f"bạn vui lòng gửi lại sau khoảng {wait} giây nhé."
    )


def reload_ok(count: int, version: str) -> str:
    return f"Đã nạp lại danh mục: {count} thủ tục, phiên bản {version}."


def reload_failed(problems: list[str], shown: int = 15) -> str:
    lines = [f"Không nạp lại được danh mục ({len(problems)} lỗi); vẫn dùng danh mục cũ."]
    lines += problems[:shown]
    if len(problems) > shown:
        lines.append(f"… và {len(problems) - shown} lỗi khác (chạy: python -m assistant catalog check).")
    return "\n".join(lines)
