"""The shape every channel has, so the server can run any of them the same way.

A channel is a thin adapter between one chat platform and the platform-free core. The server
(`assistant.web.app.create_app`) mounts each channel's routes, starts every channel in its
lifespan and stops them in reverse order; the outbox dispatcher calls `deliver` for dossier
notifications. Adding a channel is one package under `assistant/channels/`, one entry in
`assistant/channels/registry.py` and its settings in `assistant/config.py`.

Shared pieces every channel uses live next to this module, not under `web/`:
`turns.ConversationTurns` (load state, ask the core, save state), `limits` (message size and
per-chat flood limits) and `assistant.metrics.Metrics`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from starlette.routing import BaseRoute


@runtime_checkable
class Channel(Protocol):
    """One chat platform as the server sees it."""

    name: str  # "web", "zalo", "telegram": the `channel` column of conversations, outbox rows, logs

    async def start(self) -> None:
        """Begin background work (outbox delivery, webhook registration). Must not block on the
        platform: a platform that is down retries in the background, the server starts anyway."""

    async def stop(self) -> None:
        """Finish in-flight work (bounded) and release what `start` took. Safe after a failed start."""

    async def deliver(self, chat_id: str, text: str) -> None:
        """Send one outbox notification; raise `channels.delivery.DeliveryError` when it failed."""

    def routes(self) -> list[BaseRoute]:
        """The HTTP routes this channel serves (webhooks); empty for channels that only poll."""
        ...

    def health(self) -> dict[str, Any]:
        """A small JSON-able summary for operators (what runs, what is missing)."""
        ...


__all__ = ["Channel"]
