"""The assistant on Telegram (python-telegram-bot v22): a thin adapter over the core.

Entry points for the process that runs the bot (see docs/telegram.md):

- `build_application(settings, assistant, engine, *, base_url=None, ...)` -> `Application`
- `run_polling(settings, assistant, engine, stop)`: long polling until `stop` is set
- `start_webhook(application)` / `stop_application(application)` and
  `handle_webhook(application, headers, body) -> int` (or `starlette_endpoint(application)`)
  for webhook mode behind the web server
"""

from assistant.channels.telegram.application import (
    build_application,
    channel_of,
    default_rate_limiter,
    run_polling,
    start_polling,
    start_webhook,
    stop_application,
)
from assistant.channels.telegram.channel import CHANNEL, TelegramChannel
from assistant.channels.telegram.hosted import TelegramPollingChannel, TelegramWebhookChannel
from assistant.channels.telegram.webhook import (
    handle_webhook,
    starlette_endpoint,
    webhook_path,
    webhook_secret,
)

__all__ = [
    "CHANNEL",
    "TelegramChannel",
    "TelegramPollingChannel",
    "TelegramWebhookChannel",
    "build_application",
    "channel_of",
    "default_rate_limiter",
    "handle_webhook",
    "run_polling",
    "starlette_endpoint",
    "start_polling",
    "start_webhook",
    "stop_application",
    "webhook_path",
    "webhook_secret",
]
