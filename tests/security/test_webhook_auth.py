"""Webhooks without the Telegram secret token or without a valid Zalo signature are refused with
401 and reach nothing: no core call, no database row, no message to the platform."""

from __future__ import annotations

import asyncio
import json

import pytest

from assistant.channels.zalo import header_value
from tests.channels.zalo.conftest import follow_event, text_event
from tests.channels.zalo.fake_zalo import APP_ID, OA_SECRET
from tests.security.conftest import TG_SECRET, row_counts, telegram_stats

CHAT = 5001
USER = "5510185758261927916"
QUESTION = "giay doc than mat bao lau"
CODE = "000.00.10.H32-231116-0001"

TELEGRAM_REFUSED = [None, "", "wrong", TG_SECRET + "x", TG_SECRET[:-1], TG_SECRET.upper(), " " + TG_SECRET,
                    "ß" * 20, "\u0000" + TG_SECRET]


async def test_telegram_without_or_with_a_wrong_secret(stack):
    before = row_counts(stack.engine)
    for index, secret in enumerate(TELEGRAM_REFUSED):
        for text in (QUESTION, f"/tracuu {CODE}", "/reload", "/start"):
            update = stack.bot_api.make_message(CHAT + index, text)
            headers = {"Authorization": f"Bearer {TG_SECRET}"} if secret is None else {}
            try:
                response = await stack.telegram_update(update, secret=secret, **headers)
            except Exception:  # httpx refuses to send some header values (NUL): nothing was sent at all
                continue
            assert response.status_code == 401, (secret, response.status_code)
    await stack.settle()
    assert stack.calls.total() == 0
    assert row_counts(stack.engine) == before
    assert stack.bot_api.sent() == []
    assert telegram_stats(stack)["updates"] == 0 and telegram_stats(stack)["webhook_rejected"] > 0
    # The same update with the right secret is processed: the refusals above were not an accident.
    ok = await stack.telegram_update(stack.bot_api.make_message(CHAT, QUESTION))
    assert ok.status_code == 200
    await stack.bot_api.wait_messages(CHAT, 1)
    assert stack.calls["handle"] == 1


async def test_zalo_without_or_with_a_wrong_signature(stack):
    before = row_counts(stack.engine)
    event = text_event(USER, QUESTION)
    raw = json.dumps(event, ensure_ascii=False).encode()
    good = header_value(APP_ID, raw, event["timestamp"], OA_SECRET)
    attempts = [
        dict(omit_signature=True), dict(secret="not-the-oa-secret"), dict(signature="mac=" + "0" * 64),
        dict(signature="garbage"), dict(signature=""), dict(signature=good[:-1]),
        dict(signature=good, body=raw.replace(b"giay doc than", b"ho chieu")),  # tampered after signing
        dict(signature=good, body=raw + b" "),
        dict(signature=header_value(APP_ID, raw, str(int(event["timestamp"]) + 1), OA_SECRET)),  # other timestamp
        dict(signature=header_value("1234", raw, event["timestamp"], OA_SECRET)),  # other app
        dict(signature=good, body=b"not json"),
    ]
    for options in attempts:
        response = await stack.zalo_event(event, **options)
        assert response.status_code == 401, options
        assert response.json()["error"] == "unauthorized"
    for other in (follow_event(USER), follow_event(USER, "unfollow"), text_event(USER, f"#tthc sub:{CODE}")):
        assert (await stack.zalo_event(other, secret="wrong")).status_code == 401
    await stack.settle()
    assert stack.calls.total() == 0
    assert row_counts(stack.engine) == before
    assert stack.zalo_api.sent == [] and stack.zalo_api.message_calls == 0
    # Control: correctly signed, it is answered.
    assert (await stack.zalo_event(event)).status_code == 200
    await stack.zalo_api.wait_for(USER)
    assert stack.calls["handle"] == 1


@pytest.mark.parametrize("path", ["/telegram/hook", "/zalo/webhook"])
async def test_webhooks_accept_only_post(stack, path):
    for method in ("GET", "PUT", "DELETE"):
        response = await stack.http.request(method, path)
        assert response.status_code == 405
    await asyncio.sleep(0)
    assert stack.calls.total() == 0
