"""The OpenAPI 3.1 description served at /openapi.json.

Written by hand rather than generated: the API is five routes, and a literal document is the
contract other tools (and reviewers) read. tests/web/test_api.py checks that every documented
route exists and that real responses carry the documented fields.
"""

from __future__ import annotations

from typing import Any

from assistant.nlu.facets import Facet
from assistant.web.limits import MAX_TEXT_CHARS, SESSION_PATTERN

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "Machine-readable code, e.g. `malformed_json`, "
                  "`payload_too_large`, `invalid_session`, `rate_limited`."},
        "message": {"type": "string", "description": "A Vietnamese sentence the page can show the citizen."},
        "retry_after": {"type": "number", "description": "Seconds to wait (only for `rate_limited`)."},
    },
}

_BUTTON = {
    "type": "object",
    "required": ["label", "action"],
    "properties": {
        "label": {"type": "string"},
        "action": {"type": "string", "description": "Opaque action string; send it back as `action` to press "
                   "the button (f:<facet>:<id>, p:<facet>:<id>, k:<index>:<id>, sub:<code>, unsub:<code>, "
                   "fb:+1:<id>, field:<slug>)."},
    },
}

_REPLY = {
    "type": "object",
    "required": ["status", "procedure_id", "facet", "score", "candidates", "reply", "title", "buttons"],
    "properties": {
        "status": {"type": "string", "enum": ["answer", "clarify", "not_found", "smalltalk", "dossier", "handoff"]},
        "procedure_id": {"type": ["string", "null"], "description": "Set only when status is `answer`."},
        "facet": {"type": ["string", "null"], "enum": [*(f.value for f in Facet), None]},
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "candidates": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "score"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "score": {"type": "number"}}}},
        "reply": {"type": "string", "description": "The Vietnamese text the citizen sees (plain text, newlines)."},
        "title": {"type": ["string", "null"]},
        "buttons": {"type": "array", "items": _BUTTON},
        "data": {"type": "object", "description": "Extra structured data: `checklist` {procedure_id, ticked, "
                 "missing}, `dossier` {code, status, label, due, ...}, `menu`."},
        "feedback": {"type": "array", "items": _BUTTON,
                     "description": "👍/👎 buttons, present on answers about a procedure."},
    },
}

_HISTORY_REPLY = {
    "type": "object",
    "required": ["status", "reply", "buttons"],
    "description": "A reply as the page draws it: a Reply without `score` and `candidates`.",
    "properties": {**{key: _REPLY["properties"][key]
                      for key in ("status", "title", "reply", "procedure_id", "facet", "buttons", "data", "feedback")},
                   "voted": {"type": "string", "description": "The thanks shown after a 👍/👎 on this answer "
                             "(then `feedback` is empty)."}},
}


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    json_error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Trợ lý thủ tục hành chính — web chat API",
            "version": "1.0.0",
            "description": "The JSON API behind the web chat page. Conversation state is kept server-side per "
                           "`session_id` (a random token the client makes up and reuses).",
        },
        "paths": {
            "/api/chat": {"post": {
                "summary": "Send a message or press a button; returns the assistant's reply.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["session_id"],
                    "description": "Exactly one of `text`, `action`, `procedure_id` or `menu`.",
                    "properties": {
                        "session_id": {"type": "string", "pattern": SESSION_PATTERN},
                        "text": {"type": "string", "maxLength": MAX_TEXT_CHARS,
                                 "description": "What the citizen typed (a dossier code works too)."},
                        "action": {"type": "string", "maxLength": 128, "description": "A button's `action`."},
                        "procedure_id": {"type": "string", "description": "Open one procedure (QR codes)."},
                        "menu": {"type": "boolean", "const": True, "description": "The greeting and the fields."},
                    },
                }, "examples": {
                    "question": {"value": {"session_id": "k3J9-example-session", "text": "giay doc than mat bao lau"}},
                    "button": {"value": {"session_id": "k3J9-example-session",
                                         "action": "f:p:marriage-status-certification"}},
                }}}},
                "responses": {
                    "200": {"description": "The reply.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reply"}}}},
                    "400": {"description": "Malformed JSON, wrong types, or an invalid session id.",
                            "content": json_error},
                    "413": {"description": "Body or text too large.", "content": json_error},
                    "403": {"description": "Sent by another site's page (Origin or Sec-Fetch-Site).", "content": json_error},
                    "415": {"description": "Not JSON.", "content": json_error},
                    "429": {"description": "Too many messages from this session; see Retry-After.",
                            "content": json_error},
                },
            }},
            "/api/config": {"get": {
                "summary": "What the page needs at start: demo mode, locality, suggestions, demo dossier codes.",
                "responses": {"200": {"description": "Page configuration.", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "demo": {"type": "boolean"}, "locality": {"type": ["string", "null"]},
                        "catalog_version": {"type": "string"}, "procedures": {"type": "integer"},
                        "suggestions": {"type": "array", "items": {"type": "string"}},
                        "demo_codes": {"type": "array", "items": {"type": "string"}},
                        "hotline": {"type": "string"}, "portal_url": {"type": "string"},
                        "contact": {"type": "object", "description": "The locality's one-stop: verified values "
                                    "only (office, address, phone, hours, saturday, hotline) and a one-line text."},
                    }}}}}},
            }},
            "/api/history": {"get": {
                "summary": "The conversation as the page showed it (the last 16 entries, oldest first), so a "
                           "reload draws it again.",
                "parameters": [{"name": "session_id", "in": "query", "required": True,
                                "schema": {"type": "string", "pattern": SESSION_PATTERN}}],
                "responses": {
                    "200": {"description": "Recent turns: `user` lines and `bot` replies (a Reply without "
                                           "scores and candidates).", "content": {"application/json": {
                        "schema": {"type": "object", "required": ["turns"], "properties": {"turns": {
                            "type": "array", "items": {"type": "object", "required": ["role"], "properties": {
                                "role": {"type": "string", "enum": ["user", "bot"]},
                                "text": {"type": "string", "description": "What the citizen sent or pressed."},
                                "notification": {"type": "integer", "description": "Outbox id, for a dossier "
                                                 "notification the page showed (its reply has status "
                                                 "`notification`)."},
                                "reply": _HISTORY_REPLY}}}}}}}},
                    "400": {"description": "Bad session id.", "content": json_error},
                },
            }},
            "/api/updates": {"get": {
                "summary": "Dossier notifications waiting for this session (after \"theo dõi <mã>\"); "
                           "they are offered again until acknowledged.",
                "parameters": [{"name": "session_id", "in": "query", "required": True,
                                "schema": {"type": "string", "pattern": SESSION_PATTERN}}],
                "responses": {
                    "200": {"description": "Up to 20 notifications, oldest first.", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {"notifications": {"type": "array", "items": {
                            "type": "object", "properties": {
                                "id": {"type": "integer"}, "text": {"type": "string"},
                                "dossier_code": {"type": ["string", "null"]}}}}}}}}},
                    "400": {"description": "Bad session id.", "content": json_error},
                    "503": {"description": "The database is unreachable; ask again later.", "content": json_error},
                },
            }},
            "/api/updates/ack": {"post": {
                "summary": "Confirm notifications were shown, so they are not offered again.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["session_id", "ids"], "properties": {
                        "session_id": {"type": "string", "pattern": SESSION_PATTERN},
                        "ids": {"type": "array", "maxItems": 20, "items": {"type": "integer", "minimum": 1}}}}}}},
                "responses": {
                    "200": {"description": "How many were marked shown (only this session's).",
                            "content": {"application/json": {"schema": {"type": "object", "properties": {
                                "acknowledged": {"type": "integer"}}}}}},
                    "400": {"description": "Malformed request.", "content": json_error},
                    "503": {"description": "The database is unreachable; acknowledge again later.",
                            "content": json_error},
                },
            }},
            "/api/qr/{procedure_id}.png": {"get": {
                "summary": "A PNG QR code opening the procedure (Telegram deep link or this web chat).",
                "parameters": [{"name": "procedure_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "PNG image.", "content": {"image/png": {}}},
                              "404": {"description": "Unknown procedure.", "content": json_error}},
            }},
            "/healthz": {"get": {
                "summary": "Liveness and readiness: database reachable, catalogue loaded and its version.",
                "responses": {
                    "200": {"description": "Everything works.", "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/Health"}}}},
                    "503": {"description": "The database is unreachable (the catalogue still answers questions).",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
                },
            }},
            "/metrics": {"get": {
                "summary": "Prometheus metrics (text exposition format 0.0.4).",
                "responses": {"200": {"description": "Metrics.", "content": {"text/plain": {}}}},
            }},
            "/zalo/webhook": {"post": {
                "summary": "Zalo Official Account webhook (mounted when ZALO_OA_SECRET_KEY is set).",
                "parameters": [{"name": "X-ZEvent-Signature", "in": "header", "required": True,
                                "schema": {"type": "string"},
                                "description": "mac=sha256(app_id + raw body + timestamp + OA secret key)"}],
                "responses": {"200": {"description": "Accepted (processed in the background)."},
                              "401": {"description": "Missing or wrong signature; nothing processed."},
                              "413": {"description": "Body too large."}},
            }},
        },
        "components": {"schemas": {
            "Error": _ERROR,
            "Reply": _REPLY,
            "Health": {"type": "object", "properties": {
                "status": {"type": "string", "enum": ["ok", "degraded"]},
                "database": {"type": "object", "properties": {"ok": {"type": "boolean"},
                                                             "error": {"type": "string"}}},
                "catalog": {"type": "object", "properties": {
                    "ok": {"type": "boolean"}, "procedures": {"type": "integer"}, "version": {"type": "string"},
                    "locality": {"type": ["string", "null"]}}},
            }},
        }},
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


__all__ = ["openapi_document"]
