"""What the endpoints share, kept on the application's state (`request.app.state.shared`).

`create_app` builds one `Shared` per application; every endpoint reads what it needs from it,
as Starlette's documentation shows for application state, instead of closing over locals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from starlette.requests import Request

from assistant.channels.base import Channel
from assistant.channels.ratelimit import SlidingWindowLimiter
from assistant.channels.turns import ConversationTurns
from assistant.config import Settings
from assistant.core import Assistant
from assistant.metrics import Metrics
from assistant.store import Outbox


@dataclass
class Shared:
    settings: Settings
    assistant: Assistant
    engine: Engine | None
    metrics: Metrics
    turns: ConversationTurns
    demo: bool
    limiter: SlidingWindowLimiter | None = None  # the web chat's per-session flood guard
    outbox: Outbox | None = None
    channels: list[Channel] = field(default_factory=list)


def shared(request: Request) -> Shared:
    return request.app.state.shared


__all__ = ["Shared", "shared"]
