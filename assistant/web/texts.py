"""Vietnamese texts the web chat itself says (everything else comes from the core)."""

from __future__ import annotations

# Suggested questions for demos: plain words as citizens type them, with and without diacritics.
SUGGESTIONS = (
    "giấy độc thân mất bao lâu?",
    "làm căn cước cho con cần giấy tờ gì",
    "dang ky khai sinh o dau",
    "lệ phí cấp hộ chiếu bao nhiêu?",
    "nộp hôm nay thì khi nào có giấy xác nhận độc thân?",
)

FEEDBACK_YES = "👍 Hữu ích"
FEEDBACK_NO = "👎 Chưa hữu ích"


def greeting(place: str | None) -> str:
    where = f" của {place}" if place else ""
    return (f"Xin chào! Mình là trợ lý hướng dẫn thủ tục hành chính{where}. "
            "Bạn cứ hỏi như khi nói chuyện, có dấu hay không dấu đều được.\n"
            "Muốn biết hồ sơ đã giải quyết đến đâu, bạn gửi mã trên Phiếu tiếp nhận như một tin nhắn, "
            "hoặc bấm nút kính lúp ở đầu trang.")


MENU_LEAD = "Bạn cũng có thể xem danh sách thủ tục theo lĩnh vực."


def too_fast(seconds: float) -> str:
    wait = max(1, round(seconds))
    return f"Bạn gửi hơi nhanh. Bạn vui lòng đợi khoảng {wait} giây rồi hỏi tiếp nhé."


ERRORS = {
    "payload_too_large": "Tin nhắn quá dài. Bạn vui lòng rút gọn câu hỏi (tối đa vài câu) rồi gửi lại.",
    "text_too_long": "Câu hỏi quá dài. Bạn vui lòng hỏi ngắn gọn hơn, mỗi lần một việc.",
    "malformed_json": "Yêu cầu không đúng định dạng JSON.",
    "invalid_request": "Yêu cầu thiếu thông tin hoặc sai kiểu dữ liệu.",
    "invalid_session": "Mã phiên trò chuyện không hợp lệ. Bạn tải lại trang rồi thử lại nhé.",
    "unsupported_media_type": "Yêu cầu phải có Content-Type: application/json.",
    "forbidden_origin": "Yêu cầu đến từ một trang web khác nên không được chấp nhận.",
    "not_found": "Không tìm thấy địa chỉ này.",
    "method_not_allowed": "Phương thức HTTP không được hỗ trợ ở địa chỉ này.",
    "unknown_procedure": "Không có thủ tục này trong danh mục.",
    "internal_error": "Hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.",
    "unavailable": "Hệ thống tạm thời chưa lấy được thông báo, vui lòng thử lại sau.",
}
