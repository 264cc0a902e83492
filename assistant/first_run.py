"""What `make run` tells a person at start-up: which channels are on, why the others are off,
how to stop, and — instead of a traceback — that the web port is taken and how to pick another.

Kept apart from the runner so the wording is tested without starting servers.
"""

from __future__ import annotations

import errno
import socket

from assistant.config import Settings

PORT_TRIES = 20


def port_free(host: str, port: int) -> bool:
    """Whether `host:port` can be bound now (SO_REUSEADDR as uvicorn binds, so TIME_WAIT is free)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def next_free_port(host: str, port: int, tries: int = PORT_TRIES) -> int | None:
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        if port_free(host, candidate):
            return candidate
    return None


def port_in_use_line(host: str, port: int, how: str = "ASSISTANT_WEB_PORT={port} make run") -> str:
    """One line, in Vietnamese, with the setting to change (`how`) and a port that is free now."""
    free = next_free_port(host, port)
    hint = how.format(port=free if free else "<cổng khác>")
    return (f"Không mở được trang trò chuyện: cổng {port} trên {host} đang được chương trình khác dùng "
            f"(có thể trợ lý đã chạy ở cửa sổ khác). Chọn cổng khác, ví dụ: {hint}")


def channel_lines(settings: Settings, web: bool) -> list[str]:
    """One line per channel: on, or off and the setting that would turn it on."""
    url = f"http://{settings.web_host}:{settings.web_port}/"
    lines = [f"Web: bật — {url}" if web else "Web: tắt — thiếu thư viện máy chủ web, dùng trò chuyện trên terminal"]
    if not settings.telegram_token:
        lines.append("Telegram: tắt — chưa đặt TELEGRAM_BOT_TOKEN")
    elif settings.telegram_webhook_url:
        lines.append("Telegram: bật — nhận tin qua webhook (TELEGRAM_WEBHOOK_URL)" if web
                     else "Telegram: tắt — chế độ webhook cần máy chủ web")
    else:
        lines.append("Telegram: bật — tự hỏi tin nhắn mới (polling)")
    if not web:
        lines.append("Zalo: tắt — cần máy chủ web để nhận webhook")
    elif settings.zalo_oa_secret_key and settings.zalo_access_token:
        lines.append(f"Zalo: bật — webhook {url}zalo/webhook")
    elif settings.zalo_oa_secret_key or settings.zalo_access_token or settings.zalo_refresh_token:
        missing = "ZALO_ACCESS_TOKEN" if settings.zalo_oa_secret_key else "ZALO_OA_SECRET_KEY"
        lines.append(f"Zalo: chưa đủ — thiếu {missing}")
    else:
        lines.append("Zalo: tắt — chưa đặt ZALO_OA_SECRET_KEY và ZALO_ACCESS_TOKEN")
    lines.append("Dừng: nhấn Ctrl+C (hoặc gửi SIGTERM); hội thoại và hồ sơ đã lưu vẫn còn.")
    return lines


__all__ = ["channel_lines", "next_free_port", "port_free", "port_in_use_line"]
