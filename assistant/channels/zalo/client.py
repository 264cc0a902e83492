"""A small client for the Zalo Official Account Open API v3.0 and OAuth v4.

What it does, and why:
- sends customer-service messages (`POST {api_base}/v3.0/oa/message/cs`), text with optional
  buttons, with the access token in the `access_token` header as Zalo requires;
- treats HTTP 401 or `"error": -216`/`-124` in the body (Zalo answers most failures with HTTP 200)
  as an expired token: refreshes it once through `POST {oauth_base}/v4/oa/access_token`
  (form fields `refresh_token`, `app_id`, `grant_type=refresh_token`; the app secret in the
  `secret_key` header) and retries the call once;
- retries network errors, 5xx and 429 with exponential backoff, a bounded number of times;
- never logs a token, a secret or a message text; errors carry Zalo's code and message only.

Base URLs come from Settings (`zalo_api_base`, `zalo_oauth_base`) so tests point them at a
fake Zalo server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from assistant.channels.zalo.tokens import Tokens, TokenStore
from assistant.config import Settings

log = logging.getLogger(__name__)

MESSAGE_PATH = "/v3.0/oa/message/cs"
TOKEN_PATH = "/v4/oa/access_token"
TOKEN_ERRORS = frozenset({-216, -124})  # access token invalid / expired
RATE_LIMIT_ERRORS = frozenset({-32})  # "request exceeded the limit": worth retrying later
REFRESH_MARGIN = 300.0  # refresh ahead when the known expiry is this close (seconds)


class ZaloApiError(Exception):
    """A call that did not succeed. `retryable`: a later attempt may work (network, 5xx, rate limit);
    `token`: the access token is unusable even after a refresh; `code`: Zalo's error number."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None,
                 retryable: bool = False, token: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.retryable = retryable
        self.token = token
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ZaloButton:
    """An `oa.query.hide` button: tapping it sends `payload` back to our webhook as a message
    that the citizen does not see in the chat."""

    title: str
    payload: str

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "type": "oa.query.hide", "payload": self.payload}


def message_body(user_id: str, text: str, buttons: Sequence[ZaloButton] = ()) -> dict[str, Any]:
    """The JSON of a customer-service message: text, and buttons as a template attachment."""
    message: dict[str, Any] = {"text": text}
    if buttons:
        message["attachment"] = {"type": "template",
                                 "payload": {"buttons": [button.to_json() for button in buttons]}}
    return {"recipient": {"user_id": str(user_id)}, "message": message}


class ZaloClient:
    def __init__(
        self,
        settings: Settings,
        store: TokenStore,
        *,
        http: httpx.AsyncClient | None = None,
        attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        timeout: float = 10.0,
        on_call: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.api_base = settings.zalo_api_base.rstrip("/")
        self.oauth_base = settings.zalo_oauth_base.rstrip("/")
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                              limits=httpx.Limits(max_connections=16))
        self.on_call = on_call or (lambda outcome: None)
        self.refreshes = 0

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # -- messages ------------------------------------------------------------------------------

    async def send_message(self, user_id: str, text: str, buttons: Sequence[ZaloButton] = ()) -> dict[str, Any]:
        """Send one message; returns Zalo's `data` (with `message_id`). Raises ZaloApiError."""
        return await self.call(MESSAGE_PATH, message_body(user_id, text, buttons))

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST an Open API call with token refresh (once) and bounded retries."""
        url = self.api_base + path
        refreshed = False
        failures = 0
        last: ZaloApiError | None = None
        # At most `attempts` transient failures plus one extra round for the refresh: bounded.
        for _ in range(self.attempts + 1):
            token = await self._current_token()
            if not token:
                raise ZaloApiError("no Zalo access token configured", token=True)
            try:
                response = await self.http.post(url, json=payload, headers={"access_token": token})
            except httpx.HTTPError as exc:
                last = ZaloApiError(f"network error: {exc.__class__.__name__}", retryable=True)
            else:
                try:
                    return self._parse(response)
                except ZaloApiError as exc:
                    last = exc
            assert last is not None
            if last.token:
                self.on_call("token_expired")
                if refreshed:
                    raise ZaloApiError("access token rejected again after a refresh", code=last.code,
                                       status=last.status, token=True)
                await self.refresh(stale=token)
                refreshed = True
                continue
            if not last.retryable:
                self.on_call("error")
                raise last
            failures += 1
            self.on_call("retry" if failures < self.attempts else "error")
            if failures >= self.attempts:
                raise last
            delay = last.retry_after if last.retry_after is not None else self.backoff * (2 ** (failures - 1))
            log.info("zalo call failed (%s); retry %d in %.2fs", last, failures, min(delay, self.max_backoff))
            await asyncio.sleep(min(delay, self.max_backoff))
        assert last is not None
        raise last

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise ZaloApiError("HTTP 401", status=status, token=True)
        if status == 429 or status >= 500:
            retry_after = response.headers.get("retry-after")
            raise ZaloApiError(f"HTTP {status}", status=status, retryable=True,
                               retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None)
        try:
            body = response.json()
        except ValueError:
            raise ZaloApiError(f"HTTP {status}: not JSON", status=status, retryable=status != 400) from None
        if not isinstance(body, dict):
            raise ZaloApiError(f"HTTP {status}: unexpected body", status=status)
        code = body.get("error", 0 if status == 200 else None)
        if status == 200 and code == 0:
            self.on_call("ok")
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        message = str(body.get("message") or body.get("error_description") or "")[:200]
        if code in TOKEN_ERRORS:
            raise ZaloApiError(f"error {code}: {message}", code=code, status=status, token=True)
        raise ZaloApiError(f"error {code}: {message}", code=code if isinstance(code, int) else None, status=status,
                           retryable=code in RATE_LIMIT_ERRORS)

    # -- tokens --------------------------------------------------------------------------------

    async def _current_token(self) -> str | None:
        tokens = self.store.load()
        if (tokens.expires_at is not None and tokens.refresh_token
                and tokens.expires_at - time.time() < REFRESH_MARGIN):
            return await self.refresh(stale=tokens.access_token)
        return tokens.access_token

    async def refresh(self, stale: str | None) -> str:
        """Get a new access token with the stored refresh token. Single-flight: concurrent callers
        (and other workers, through the store's lock) wait for one refresh and reuse its result,
        because a refresh token works only once."""
        async with self.store.exclusive():
            current = self.store.load()
            if current.access_token and current.access_token != stale:
                return current.access_token  # someone refreshed while we waited
            if not current.refresh_token:
                raise ZaloApiError("access token expired and no ZALO_REFRESH_TOKEN to refresh it", token=True)
            if not self.settings.zalo_app_id or not self.settings.zalo_app_secret:
                raise ZaloApiError("refreshing needs ZALO_APP_ID and ZALO_APP_SECRET", token=True)
            try:
                response = await self.http.post(
                    self.oauth_base + TOKEN_PATH,
                    data={"refresh_token": current.refresh_token, "app_id": self.settings.zalo_app_id,
                          "grant_type": "refresh_token"},
                    headers={"secret_key": self.settings.zalo_app_secret})
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                self.on_call("refresh_failed")
                raise ZaloApiError(f"token refresh failed: {exc.__class__.__name__}", retryable=True) from None
            access = body.get("access_token") if isinstance(body, dict) else None
            if response.status_code != 200 or not access:
                self.on_call("refresh_failed")
                code = body.get("error") if isinstance(body, dict) else None
                name = body.get("error_name") or body.get("error_description") if isinstance(body, dict) else None
                log.error("zalo token refresh refused (HTTP %s, error %s %s); re-authorise the OA if this persists",
                          response.status_code, code, str(name or "")[:100])
                raise ZaloApiError(f"token refresh refused: error {code}", code=code if isinstance(code, int) else None,
                                   token=True)
            try:
                expires_in = float(body.get("expires_in") or 0)
            except (TypeError, ValueError):
                expires_in = 0.0
            tokens = Tokens(str(access), str(body.get("refresh_token") or current.refresh_token),
                            time.time() + expires_in if expires_in > 0 else None)
            self.store.save(tokens)
            self.refreshes += 1
            self.on_call("refreshed")
            log.info("zalo access token refreshed (valid %.0f h)", expires_in / 3600 if expires_in else 0)
            return str(access)


__all__ = ["MESSAGE_PATH", "TOKEN_PATH", "ZaloApiError", "ZaloButton", "ZaloClient", "message_body"]
