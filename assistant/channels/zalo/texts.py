"""Vietnamese texts the Zalo channel itself says (everything else comes from the core)."""

from __future__ import annotations


def greeting(place: str | None) -> str:
    where = f" của {place}" if place else ""
    return (f"Cảm ơn bạn đã quan tâm! Mình là trợ lý hướng dẫn thủ tục hành chính{where}.\n"
            "Bạn cứ nhắn câu hỏi như khi nói chuyện, có dấu hay không dấu đều được, ví dụ: "
            "“giấy độc thân mất bao lâu?”, “làm căn cước cho con cần gì?”.\n"
            "Muốn biết hồ sơ đến đâu, bạn gửi mã hồ sơ in trên Phiếu tiếp nhận; "
            "nhắn “theo dõi” kèm mã để được báo khi hồ sơ có thay đổi.")


NOT_TEXT = ("Mình chỉ đọc được tin nhắn chữ. Bạn vui lòng nhắn câu hỏi hoặc mã hồ sơ bằng chữ giúp mình nhé.")

TEMPORARY_ERROR = "Xin lỗi, hệ thống đang bận. Bạn vui lòng gửi lại câu hỏi sau ít phút."


def too_fast(seconds: float) -> str:
    wait = max(1, round(seconds))
    return f"Bạn nhắn hơi nhanh. Bạn vui lòng đợi khoảng {wait} giây rồi hỏi tiếp nhé."
