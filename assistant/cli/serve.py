"""`python -m assistant serve` and `python -m assistant qr`: the web server and counter posters."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from assistant.cli._common import configure_logging, settings
from assistant.config import Settings, share_metrics_dir

log = logging.getLogger("assistant")


def cmd_serve(args: argparse.Namespace) -> int:
    """One process: the runner (web chat + Telegram polling + hot reload). Several workers: uvicorn
    starts N processes, each building its app from the settings given here (`create_worker_app`).
    A taken port is one line with a free port to use instead, before any logging starts."""
    from assistant.first_run import port_free, port_in_use_line

    current = settings(args)
    if not port_free(current.web_host, current.web_port):
        print(port_in_use_line(current.web_host, current.web_port, "--port {port}"), file=sys.stderr)
        return 2
    configure_logging(current)
    if args.workers < 1:
        print("--workers phải từ 1 trở lên.", file=sys.stderr)
        return 2
    if args.workers == 1:
        from assistant.runner import PortInUse, serve

        try:
            asyncio.run(serve(current))
        except PortInUse as exc:
            print(exc, file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"Không khởi động được máy chủ web: {exc}", file=sys.stderr)
            return 1
        return 0
    return serve_workers(current, args.workers)


def serve_workers(current: Settings, workers: int) -> int:
    """uvicorn's process manager with `workers` processes. Each worker gets these settings as the
    argument of its app factory (pickled by multiprocessing), not through the environment; their
    metrics are summed through a shared prometheus_client directory, so /metrics reports totals."""
    from uvicorn.supervisors import Multiprocess

    from assistant.app import build_assistant
    from assistant.startup import open_database_degraded, seed_if_empty
    from assistant.web.server import TELEGRAM_NEEDS_WEBHOOK, create_worker_app, server_config

    # Prepare the database once (migrate, seed the demo) before the workers race for it.
    # A database that is down only delays this: each worker migrates once it answers.
    engine, migrated = open_database_degraded(current)
    if migrated:
        seed_if_empty(engine, build_assistant(current, engine))
    engine.dispose()
    if current.telegram_token and not current.telegram_webhook_url:
        log.warning(TELEGRAM_NEEDS_WEBHOOK)
    metrics_dir = tempfile.mkdtemp(prefix="tthc-metrics-")
    share_metrics_dir(metrics_dir)
    config = server_config(functools.partial(create_worker_app, current), current.web_host, current.web_port,
                           factory=True, workers=workers)
    log.info("web chat: http://%s:%s/ (%d workers)", current.web_host, current.web_port, workers)
    try:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def cmd_qr(args: argparse.Namespace) -> int:
    from assistant.catalog.loader import CatalogError, load_catalog
    from assistant.qr import find_procedure, only_reachable_here, procedure_url, write_qr

    current = settings(args)
    try:
        catalog = load_catalog(current.catalog_dir, current.locality)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return 2
    proc, close = find_procedure(catalog, args.procedure_id)
    if proc is None:
        if close:
            print(f"'{args.procedure_id}' có thể là nhiều thủ tục; chọn một mã và chạy lại:", file=sys.stderr)
            for candidate in close:
                print(f"  {candidate.id} — {candidate.name}", file=sys.stderr)
        else:
            print(f"Không tìm thấy thủ tục '{args.procedure_id}' trong danh mục. Gõ tên thủ tục "
                  "(ví dụ \"giấy độc thân\") hoặc mã thủ tục.", file=sys.stderr)
        return 1
    url = procedure_url(current, proc.id)
    if args.poster:
        from assistant.poster import poster_for, write_poster

        output = Path(args.output or f"poster-{proc.id}.pdf")
        write = lambda: write_poster(poster_for(proc, url, catalog.locality.name if catalog.locality else None),  # noqa: E731
                                     output)
    else:
        output = Path(args.output or f"qr-{proc.id}.png")
        write = lambda: write_qr(url, output, scale=args.scale)  # noqa: E731
    try:
        write()
    except OSError as exc:
        print(f"Không ghi được tệp {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{output}: {proc.display_name} → {url}")
    if only_reachable_here(current, url):
        print("Lưu ý: đường dẫn chỉ mở được trên máy này. Đặt ASSISTANT_PUBLIC_URL (địa chỉ công dân truy cập) "
              "hoặc TELEGRAM_BOT_USERNAME trước khi in mã để dán tại quầy.", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="chạy trang hỏi đáp trên web (và Telegram, Zalo khi đã cấu hình)")
    serve.add_argument("--host", help="địa chỉ lắng nghe (mặc định: ASSISTANT_WEB_HOST hoặc 127.0.0.1)")
    serve.add_argument("--port", type=int, help="cổng (mặc định: ASSISTANT_WEB_PORT hoặc 8080)")
    serve.add_argument("--workers", type=int, default=1, help="số tiến trình phục vụ uvicorn (mặc định 1)")
    serve.add_argument("--catalog", help="thư mục danh mục thủ tục")
    serve.add_argument("--locality", help="mã địa phương ('none': chỉ quy định chung, không áp dụng quy định riêng)")
    serve.set_defaults(func=cmd_serve)

    qr = subparsers.add_parser("qr", help="tạo mã QR (PNG) mở thẳng một thủ tục, để dán ở quầy tiếp nhận")
    qr.add_argument("procedure_id", help="mã, tên hoặc tên gọi khác của thủ tục, ví dụ marriage-status-certification hoặc "
                    "\"giấy độc thân\"")
    qr.add_argument("-o", "--output", help="tệp PNG sẽ ghi (mặc định qr-<mã thủ tục>.png)")
    qr.add_argument("--poster", action="store_true",
                    help="tờ áp phích khổ A4 để in (PDF, hoặc PNG khi -o kết thúc bằng .png) gồm tên thủ tục, "
                         "giấy tờ, thời hạn, lệ phí và mã QR")
    qr.add_argument("--scale", type=int, default=10, help="số điểm ảnh cho mỗi ô của mã QR (mặc định 10)")
    qr.add_argument("--catalog", help="thư mục danh mục thủ tục")
    qr.add_argument("--locality", help="mã địa phương")
    qr.set_defaults(func=cmd_qr)


__all__ = ["cmd_qr", "cmd_serve", "register"]
