"""The HTTP client for the Bot API: PTB's httpx transport, sending JSON instead of forms.

PTB posts parameters as `application/x-www-form-urlencoded`, and percent-encoding a long
Vietnamese reply byte by byte in pure Python (urllib's quoting) is a visible share of the bot's
CPU under load. The Bot API accepts the same parameters as a JSON body, which the C encoder
produces much faster. Uploads (multipart) keep PTB's own path; errors map exactly as PTB's.
"""

from __future__ import annotations

import functools
import json
import ssl

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from assistant.config import ca_bundle


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verified TLS context per process. Building one loads the whole CA bundle (~0.1 s)
    and PTB would otherwise build two per application."""
    import certifi

    return ssl.create_default_context(cafile=ca_bundle() or certifi.where())


class JsonHTTPXRequest(HTTPXRequest):
    """`HTTPXRequest` that sends file-less calls as a JSON body."""

    __slots__ = ()

    def __init__(self, connection_pool_size: int, timeout: float) -> None:
        super().__init__(connection_pool_size=connection_pool_size, connect_timeout=min(5.0, timeout),
                         read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout,
                         httpx_kwargs={"verify": tls_context()})

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(url, method, request_data, read_timeout, write_timeout,
                                            connect_timeout, pool_timeout)
        if self._client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=defaults.connect if isinstance(connect_timeout, DefaultValue) else connect_timeout,
            read=defaults.read if isinstance(read_timeout, DefaultValue) else read_timeout,
            write=defaults.write if isinstance(write_timeout, DefaultValue) else write_timeout,
            pool=defaults.pool if isinstance(pool_timeout, DefaultValue) else pool_timeout,
        )
        # Native JSON values (PTB's own `json_payload` nests JSON-encoded strings: "false", "1").
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        try:
            response = await self._client.request(
                method=method, url=url, timeout=timeout, content=body,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"})
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut("Pool timeout: all connections are busy; the request was not sent.") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content


__all__ = ["JsonHTTPXRequest", "tls_context"]
