"""The web server: a mobile-first chat page, its JSON API, /healthz, /metrics, /openapi.json, and
the Zalo OA and Telegram webhooks, on one Starlette application served by uvicorn.

Entry points (see docs/web.md):

- `create_app(settings, assistant, engine, *, zalo=AUTO, telegram=AUTO, demo=None, rate_limit=30,
  metrics=None, turns=None, watch_catalog=False) -> Starlette`
- `serve(settings, assistant, engine, stop)`: run it inside the caller's event loop until `stop`
  is set (used by `assistant.runner`, i.e. `make run` / `bot.py`)
- `create_app_from_env()`: uvicorn factory for `python -m assistant serve --workers N`
"""

from assistant.web.app import AUTO, create_app, reply_json
from assistant.web.server import create_app_from_env, serve

__all__ = ["AUTO", "create_app", "create_app_from_env", "reply_json", "serve"]
