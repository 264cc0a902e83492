"""The assistant on a Zalo Official Account (Open API v3.0, OAuth v4): a thin adapter over the core.

Entry points (see docs/zalo.md):

- `ZaloChannel(settings, assistant, engine, turns=..., metrics=...)`: webhook handling
  (`handle_webhook(headers, body) -> int`), replies, and outbox delivery (`start()`/`stop()`);
  listed in `assistant.channels.registry`, so the web server builds it from the ZALO_* settings,
  mounts its route (POST /zalo/webhook) and starts and stops it with the server.
- `ZaloClient`: the HTTP client for OA messages with token refresh and bounded retries.
- `signature.verify` / `signature.header_value`: the X-ZEvent-Signature scheme.
"""

from assistant.channels.zalo.channel import CHANNEL, ZaloChannel, default_token_store
from assistant.channels.zalo.client import ZaloApiError, ZaloButton, ZaloClient, message_body
from assistant.channels.zalo.signature import HEADER as SIGNATURE_HEADER
from assistant.channels.zalo.signature import header_value, verify
from assistant.channels.zalo.tokens import FileTokenStore, MemoryTokenStore, Tokens

__all__ = [
    "CHANNEL",
    "SIGNATURE_HEADER",
    "FileTokenStore",
    "MemoryTokenStore",
    "Tokens",
    "ZaloApiError",
    "ZaloButton",
    "ZaloChannel",
    "ZaloClient",
    "default_token_store",
    "header_value",
    "message_body",
    "verify",
]
