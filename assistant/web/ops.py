"""Operational endpoints: GET /healthz, GET /metrics, GET /openapi.json."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from assistant.core import Assistant
from assistant.metrics import Metrics
from assistant.web.openapi import openapi_document
from assistant.web.shared import shared

HEALTH_TIMEOUT = 3.0


async def healthz(request: Request) -> Response:
    s = shared(request)
    catalog = s.assistant.catalog
    catalog_info = {"ok": len(catalog) > 0, "procedures": len(catalog), "version": str(catalog.version),
                    "locality": catalog.locality.name if catalog.locality else None}
    database = await check_database(s.engine)
    healthy = catalog_info["ok"] and database.get("ok", False) is not False
    attention = catalog_attention(s.assistant, catalog_info)
    status = "ok" if healthy and not attention else "degraded"
    body = {"status": status, "database": database, "catalog": catalog_info}
    # Still serving (the last good catalogue) is 200: a balancer must not pull every worker out
    # for a staff member's typo; the body says "degraded" and which file:line to fix.
    return JSONResponse(body, status_code=200 if healthy else 503, headers={"cache-control": "no-store"})


async def metrics(request: Request) -> Response:
    return Response(shared(request).metrics.render(), media_type=Metrics.CONTENT_TYPE,
                    headers={"cache-control": "no-store"})


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(shared(request).settings.public_url))


def catalog_attention(assistant: Assistant, info: dict[str, Any]) -> bool:
    """Add to `info` why the served catalogue needs a look: an edit refused (file:line) or a
    watcher that stopped (later edits would never be loaded). True when there is something."""
    problems = [str(p) for p in getattr(assistant, "refused", [])[:20]]
    watcher = getattr(assistant, "watcher", None)
    if watcher is not None:
        state = watcher.status()
        info["watcher"] = {"running": state["running"]}
        problems += [p for p in state["problems"] if p not in problems]
        if not state["running"]:
            problems.append(f"{watcher.directory}:1: catalogue watcher stopped; edits are not being loaded")
    if problems:
        info["problems"] = problems
    return bool(problems)


async def check_database(engine: Engine | None) -> dict[str, Any]:
    if engine is None:
        return {"ok": None, "configured": False}

    def ping() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), HEALTH_TIMEOUT)
    except TimeoutError:
        return {"ok": False, "error": "timeout"}
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "backend": engine.dialect.name}


ROUTES: list[BaseRoute] = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]

__all__ = ["ROUTES", "check_database"]
