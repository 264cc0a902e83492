"""The web server: a mobile-first chat page, its JSON API, /healthz, /metrics, /openapi.json, and
the Zalo OA and Telegram webhooks, on one Starlette application served by uvicorn.

Entry points (see docs/web.md):

- `create_app(settings, assistant, engine, *, zalo=AUTO, telegram=AUTO, demo=None, rate_limit=30,
  metrics=None, turns=None, watch_catalog=False) -> Starlette`
- `serve(settings, assistant, engine, stop)`: run it inside the caller's event loop until `stop`
  is set (used by `assistant.runner`, i.e. `make run` / `bot.py`)
- `create_worker_app(settings)`: the app of one worker of `python -m assistant serve --workers N`
  (`create_app_from_env()`: the same with settings from the environment, for a uvicorn you run)

Layout: `app` (create_app: a table of contents), `api` (the citizen API and the web chat
channel), `ops` (health, metrics, OpenAPI), `page` (the chat page), `errors`, `middleware`,
`limits`, `shared` (the objects endpoints read from the app state), `server` (uvicorn).
"""

from assistant.web.app import AUTO, create_app, reply_json
from assistant.web.server import create_app_from_env, create_worker_app, serve

__all__ = ["AUTO", "create_app", "create_app_from_env", "create_worker_app", "reply_json", "serve"]
