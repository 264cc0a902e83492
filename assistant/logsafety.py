"""Keep secrets out of logs, whatever a library decides to log.

The Telegram bot token is part of every Bot API URL, and httpx logs request URLs at INFO;
python-telegram-bot logs call parameters (the webhook secret among them) at DEBUG; an exception
message may quote a connection string. `quiet_library_logs` lowers those loggers by default,
but an operator who turns them up to debug something must still not leak a token.

`install(settings)` registers the secret values of the settings (Telegram token and webhook
secret, Zalo keys and tokens, the database password) and installs, once per process:

- a log record factory that replaces every registered secret in a record's message, arguments
  and formatted traceback with `[đã ẩn]` before any handler sees the record (so it covers
  handlers added later too, e.g. pytest's, uvicorn's or a file handler);
- `sys.excepthook` and `threading.excepthook` wrappers, so a crash traceback printed to stderr
  is redacted as well.

Call it at start-up, right after logging is configured. It is idempotent; calling it again with
other settings adds their secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[đã ẩn]"
MIN_SECRET = 6  # shorter values would mask ordinary words; a secret that short is not a secret

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()
_installed = False
_previous_factory: Any = None
_previous_excepthook: Any = None
_previous_thread_hook: Any = None


def secrets_of(settings: Any) -> set[str]:
    """The secret values of a `Settings` (absent ones skipped), with the forms they take in URLs."""
    values: set[str] = set()
    for name in ("telegram_token", "telegram_webhook_secret", "zalo_oa_secret_key", "zalo_access_token",
                 "zalo_refresh_token", "zalo_app_secret", "staff_secret"):
        value = getattr(settings, name, None)
        if value:
            values.add(value)
    token = getattr(settings, "telegram_token", None)
    if token:
        _, _, secret_part = token.partition(":")
        values.add(secret_part)  # the bot id before the colon is public; the rest is the secret
        if not getattr(settings, "telegram_webhook_secret", None):
            # The webhook secret derived from the token (assistant.channels.telegram.webhook).
            values.add(hmac.new(token.encode(), b"tthc-telegram-webhook", hashlib.sha256).hexdigest())
    url = getattr(settings, "database_url", None)
    if url:
        values |= _password_forms(url)
    return {v for v in values if v and len(v) >= MIN_SECRET}


def _password_forms(url: str) -> set[str]:
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:  # not a URL SQLAlchemy understands: nothing we can single out
        return set()
    if not password:
        return set()
    password = str(password)
    return {password, quote(password, safe=""), quote_plus(password)}


def add_secrets(values: Iterable[str | None]) -> None:
    """Register more values to redact (e.g. a token obtained at run time)."""
    global _secrets
    fresh = {v for v in values if v and len(v) >= MIN_SECRET}
    if fresh - _secrets:
        with _lock:
            _secrets = frozenset(_secrets | fresh)


def redact_secrets(text: str) -> str:
    """`text` with every registered secret replaced by MASK."""
    if not _secrets or not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):  # a secret containing another goes whole
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _contains_secret(text: str) -> bool:
    return any(secret in text for secret in _secrets)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to the handler to report
        return
    if _contains_secret(message):
        record.msg, record.args = redact_secrets(message), None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if _contains_secret(text):
            record.exc_text = redact_secrets(text)
            record.exc_info = None  # handlers must not format the original again
    if record.stack_info and _contains_secret(record.stack_info):
        record.stack_info = redact_secrets(record.stack_info)


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    if _secrets:
        _redact_record(record)
    return record


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    text = "".join(traceback.format_exception(kind, value, tb))
    if _contains_secret(text):
        sys.stderr.write(redact_secrets(text))
        return
    _previous_excepthook(kind, value, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        if _contains_secret(text):
            name = args.thread.name if args.thread is not None else "?"
            sys.stderr.write(f"Exception in thread {name}:\n{redact_secrets(text)}")
            return
    _previous_thread_hook(args)


def install(settings: Any = None, *, extra: Iterable[str | None] = ()) -> None:
    """Register the secrets of `settings` (and `extra` values) and install the redaction hooks."""
    global _installed, _previous_factory, _previous_excepthook, _previous_thread_hook
    add_secrets([*(secrets_of(settings) if settings is not None else ()), *extra])
    with _lock:
        if _installed:
            return
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_factory)
        _previous_excepthook, sys.excepthook = sys.excepthook, _excepthook
        _previous_thread_hook, threading.excepthook = threading.excepthook, _thread_excepthook
        _installed = True


def install_from_env() -> None:
    """`install` with the settings from the environment (for entry points that have none yet)."""
    from assistant.config import Settings

    install(Settings.from_env())


def uninstall() -> None:
    """Remove the hooks and forget the secrets (tests)."""
    global _installed, _secrets
    with _lock:
        if not _installed:
            _secrets = frozenset()
            return
        if logging.getLogRecordFactory() is _factory:
            logging.setLogRecordFactory(_previous_factory)
        if sys.excepthook is _excepthook:
            sys.excepthook = _previous_excepthook
        if threading.excepthook is _thread_excepthook:
            threading.excepthook = _previous_thread_hook
        _installed = False
        _secrets = frozenset()


__all__ = ["MASK", "add_secrets", "install", "install_from_env", "redact_secrets", "secrets_of", "uninstall"]
