"""Where the Zalo OA access and refresh tokens live between refreshes.

Zalo's refresh tokens are single-use: every refresh returns a new pair and the old refresh
token is dead from then on. The tokens in the environment (ZALO_ACCESS_TOKEN,
ZALO_REFRESH_TOKEN) therefore only seed the first run; after a refresh the new pair must be
kept somewhere that survives a restart and is shared by every worker on the machine, or the
next refresh fails and an administrator has to authorise the OA again by hand.

`FileTokenStore` keeps the pair in a JSON file under the data directory (mode 0600) and takes an
exclusive `flock` around a refresh, so two workers never spend the same refresh token. When an
operator puts a *new* refresh token in the environment (after re-authorising), the file is
ignored from then on, because it records which environment token it grew from.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

LOCK_WAIT = 15.0  # seconds a worker waits for another worker's refresh before giving up


@dataclass(frozen=True)
class Tokens:
    access_token: str | None
    refresh_token: str | None
    expires_at: float | None = None  # unix time; None when unknown (a token from the environment)

    def __repr__(self) -> str:  # never print tokens, even in a traceback or a debugger
        return f"Tokens(access={'set' if self.access_token else 'unset'}, " \
               f"refresh={'set' if self.refresh_token else 'unset'}, expires_at={self.expires_at})"


class TokenStore(Protocol):
    def load(self) -> Tokens: ...
    def save(self, tokens: Tokens) -> None: ...
    def exclusive(self) -> contextlib.AbstractAsyncContextManager[None]: ...


def _fingerprint(secret: str | None) -> str | None:
    return hashlib.sha256(secret.encode()).hexdigest()[:16] if secret else None


class MemoryTokenStore:
    """Tokens in this process only (tests, or a deployment without a writable data directory)."""

    def __init__(self, tokens: Tokens) -> None:
        self._tokens = tokens
        self._lock = asyncio.Lock()

    def load(self) -> Tokens:
        return self._tokens

    def save(self, tokens: Tokens) -> None:
        self._tokens = tokens

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        async with self._lock:
            yield


class FileTokenStore:
    """Tokens in a JSON file shared by the workers of one machine (see the module docstring)."""

    def __init__(self, path: Path, seed: Tokens) -> None:
        self.path = Path(path)
        self.seed = seed
        self._lock = asyncio.Lock()

    def load(self) -> Tokens:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self.seed
        except (OSError, ValueError):
            log.warning("zalo token file unreadable; using the tokens from the environment")
            return self.seed
        if not isinstance(data, dict):
            return self.seed
        if self.seed.refresh_token and data.get("seed") != _fingerprint(self.seed.refresh_token):
            return self.seed  # an operator supplied a newer pair in the environment
        return Tokens(data.get("access_token"), data.get("refresh_token"), data.get("expires_at"))

    def save(self, tokens: Tokens) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = asdict(tokens) | {"seed": _fingerprint(self.seed.refresh_token), "saved_at": time.time()}
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)  # atomic: a reader sees the old pair or the new one, never half

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """In-process lock plus an flock on a sibling lock file (other workers on this machine)."""
        import fcntl

        async with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                deadline = time.monotonic() + LOCK_WAIT
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise TimeoutError("another worker holds the Zalo token lock") from None
                        await asyncio.sleep(0.05)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


__all__ = ["FileTokenStore", "MemoryTokenStore", "TokenStore", "Tokens"]
