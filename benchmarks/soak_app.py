"""The uvicorn factory of `benchmarks/soak.py`: the real `create_app_from_env`, with Telegram's
Bot API base URL taken from SOAK_TELEGRAM_BASE_URL.

The product reads ZALO_API_BASE from the environment but has no such variable for Telegram
(`build_application(base_url=...)` is only reachable from code), so a worker process started by
uvicorn could not reach a fake Bot API. This shim passes the base URL through and changes
nothing else: same settings, engine, assistant, channels and lifespan as
`assistant.web.server:create_app_from_env`.
"""

from __future__ import annotations

import functools
import os

from starlette.applications import Starlette

BASE_URL_ENV = "SOAK_TELEGRAM_BASE_URL"


def create_app() -> Starlette:
    base_url = os.environ.get(BASE_URL_ENV)
    if base_url:
        import assistant.channels.telegram as telegram

        original = telegram.build_application
        if not isinstance(original, functools.partial):
            telegram.build_application = functools.partial(original, base_url=base_url)  # type: ignore[assignment]
    from assistant.web.server import create_app_from_env

    return create_app_from_env()
