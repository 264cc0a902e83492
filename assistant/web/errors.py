"""The JSON error shape of the HTTP API and the handlers that give every error that shape.

`{"error": <machine-readable code>, "message": <a Vietnamese sentence the page can show>}`.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from assistant.web import texts

log = logging.getLogger(__name__)


def error(status: int, code: str, message: str | None = None, *, headers: dict[str, str] | None = None,
          **extra: Any) -> JSONResponse:
    """A JSON error: a machine-readable code and a Vietnamese sentence the page can show."""
    return JSONResponse({"error": code, "message": message or texts.ERRORS.get(code, code), **extra},
                        status_code=status, headers=headers)


async def not_found(request: Request, exc: Exception) -> Response:
    return error(404, "not_found")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    allow = getattr(exc, "headers", None) or {}
    response = error(405, "method_not_allowed")
    if "Allow" in allow:
        response.headers["allow"] = allow["Allow"]
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    return error(status, "http_error", str(getattr(exc, "detail", "")) or None)


async def internal(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return error(500, "internal_error")


HANDLERS: dict[Any, Any] = {404: not_found, 405: method_not_allowed, HTTPException: http_error, Exception: internal}

__all__ = ["HANDLERS", "error"]
