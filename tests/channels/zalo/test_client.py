"""Token refresh, retries, outbox notifications and secrets: the real ZaloClient against the fake
Zalo platform, plus the pure pieces (signature, rendering) and arbitrary webhook input."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import stat

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from assistant.channels.turns import ConversationTurns
from assistant.channels.zalo import FileTokenStore, Tokens, ZaloApiError, ZaloChannel, ZaloClient, verify
from assistant.channels.zalo.render import MAX_BUTTONS, MESSAGE_LIMIT, parse_payload, render_reply
from assistant.channels.zalo.signature import header_value, signature
from assistant.dialogue.reply import Button, Reply, Status
from assistant.dossiers.seed import demo_codes, seed_demo
from assistant.metrics import Metrics
from assistant.store import Outbox
from assistant.store.models import OutboxRow, Subscription
from tests.channels.zalo.conftest import follow_event, text_event
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_SECRET
from tests.factories import import_status
from tests.prometheus_text import sample

USER = "5510185758261927916"


def client_for(settings, tmp_path, **options) -> ZaloClient:
    store = FileTokenStore(tmp_path / "tokens.json", Tokens(settings.zalo_access_token, settings.zalo_refresh_token))
    return ZaloClient(settings, store, backoff=0.01, **options)


# -- token refresh -------------------------------------------------------------------------------


async def test_expired_token_is_refreshed_once_and_the_call_retried(fake, settings, tmp_path):
    client = client_for(settings, tmp_path)
    try:
        await client.send_message(USER, "một")
        fake.expire()  # Zalo now answers HTTP 200 {"error": -216}
        await client.send_message(USER, "hai")
        assert [m.text for m in fake.to(USER)] == ["một", "hai"]
        [call] = fake.refresh_calls
        assert call["secret_key"] == APP_SECRET
        assert call["content_type"].startswith("application/x-www-form-urlencoded")
        assert call["form"] == {"refresh_token": settings.zalo_refresh_token, "app_id": APP_ID,
                                "grant_type": "refresh_token"}
        assert fake.to(USER)[1].token == fake.access_token

        # The rotated pair is kept (refresh tokens work once) in a private file ...
        path = tmp_path / "tokens.json"
        saved = json.loads(path.read_text())
        assert saved["refresh_token"] == fake.refresh_token and saved["access_token"] == fake.access_token
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        # ... so the next expiry spends the *new* refresh token, also after a restart.
        fake.expire()
        restarted = client_for(settings, tmp_path)
        await restarted.send_message(USER, "ba")
        await restarted.aclose()
        assert len(fake.refresh_calls) == 2
        assert fake.refresh_calls[1]["form"]["refresh_token"] == saved["refresh_token"]
    finally:
        await client.aclose()


async def test_concurrent_expired_calls_share_one_refresh(fake, settings, tmp_path):
    client = client_for(settings, tmp_path)
    try:
        fake.expire()
        await asyncio.gather(*(client.send_message(USER, f"tin {i}") for i in range(8)))
        assert len(fake.refresh_calls) == 1  # a second refresh would spend a dead token (-14020)
        assert len(fake.to(USER)) == 8
    finally:
        await client.aclose()


async def test_refresh_refused_is_an_error_not_a_loop(fake, settings, tmp_path):
    client = client_for(settings, tmp_path)
    try:
        fake.expire()
        fake.refresh_token = "someone-else-spent-it"
        with pytest.raises(ZaloApiError) as failure:
            await client.send_message(USER, "xin chào")
        assert failure.value.token and failure.value.code == -14020
        assert len(fake.refresh_calls) == 1 and fake.message_calls == 1
    finally:
        await client.aclose()


async def test_environment_token_newer_than_the_file_wins(fake, settings, tmp_path):
    path = tmp_path / "tokens.json"
    FileTokenStore(path, Tokens("old-access", "old-refresh")).save(Tokens("stale", "stale-refresh"))
    store = FileTokenStore(path, Tokens(settings.zalo_access_token, settings.zalo_refresh_token))
    assert store.load().access_token == settings.zalo_access_token  # operator re-authorised the OA


# -- retries -------------------------------------------------------------------------------------


async def test_server_errors_are_retried_with_backoff(fake, settings, tmp_path):
    client = client_for(settings, tmp_path, attempts=3)
    try:
        fake.fail_next(2, 503)
        await client.send_message(USER, "sau hai lần lỗi")
        assert fake.message_calls == 3 and [m.text for m in fake.to(USER)] == ["sau hai lần lỗi"]

        fake.fail_next(3, 500)
        with pytest.raises(ZaloApiError) as failure:
            await client.send_message(USER, "không tới")
        assert failure.value.retryable and failure.value.status == 500
        assert fake.message_calls == 6  # bounded: three attempts, no more

        fake.fail_next(1, 429)
        await client.send_message(USER, "sau 429")
        fake.fail_next(1, 200, {"error": -201, "message": "Parameters are invalid"})
        with pytest.raises(ZaloApiError) as bad:
            await client.send_message(USER, "lỗi tham số")
        assert not bad.value.retryable and bad.value.code == -201
        assert fake.message_calls == 9  # a 4xx-type error is not retried
    finally:
        await client.aclose()


async def test_unreachable_zalo_is_retried_then_reported(settings, tmp_path):
    import dataclasses

    from tests.web.live import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    client = client_for(dataclasses.replace(settings, zalo_api_base=closed), tmp_path, attempts=2)
    try:
        with pytest.raises(ZaloApiError) as failure:
            await client.send_message(USER, "x")
        assert failure.value.retryable and "network" in str(failure.value)
    finally:
        await client.aclose()


async def test_webhook_reply_survives_a_zalo_outage(web, fake):
    fake.fail_next(2, 502)
    await web.post_event(text_event(USER, "lệ phí hộ chiếu"))
    [reply] = await fake.wait_for(USER)
    assert reply.text.startswith("Cấp hộ chiếu")
    text = web.metrics.render()
    assert sample(text, "tthc_platform_api_calls_total", channel="zalo", outcome="retry") == 2


# -- outbox notifications ------------------------------------------------------------------------


async def test_subscribe_on_zalo_then_an_import_notifies_through_the_outbox(web, fake, assistant, sqlite_engine,
                                                                          tmp_path):
    seed_demo(sqlite_engine, assistant.catalog, dt.datetime.now(), assistant.brain.calendar)
    code = demo_codes()[0]
    await web.post_event(text_event(USER, f"theo dõi hồ sơ {code}"))
    [confirm] = await fake.wait_for(USER)
    assert confirm.text.startswith(f"Đã đăng ký theo dõi hồ sơ {code}")
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(Subscription.channel, Subscription.chat_id)).all() == [("zalo", USER)]

    assert import_status(sqlite_engine, assistant.catalog, tmp_path, code, "Đã giải quyết đúng hạn") == 1
    web.channel.wake_outbox()
    sent = await fake.wait_for(USER, 2, timeout=10)
    assert code in sent[1].text
    for _ in range(100):  # marked delivered right after Zalo accepted it
        with sqlite_engine.connect() as conn:
            delivered = conn.execute(select(OutboxRow.delivered_at)).scalar()
        if delivered is not None:
            break
        await asyncio.sleep(0.05)
    assert delivered is not None


async def test_notification_is_kept_while_zalo_is_down(web, fake, sqlite_engine):
    fake.fail_next(3, 503)  # every attempt of the first delivery fails
    item = Outbox(sqlite_engine).add("zalo", USER, "Hồ sơ của bạn đã có kết quả.")
    web.channel.wake_outbox()
    for _ in range(100):
        with sqlite_engine.connect() as conn:
            row = conn.execute(select(OutboxRow.attempts, OutboxRow.delivered_at, OutboxRow.last_error)
                               .where(OutboxRow.id == item)).one()
        if row.attempts:
            break
        await asyncio.sleep(0.05)
    assert row.attempts == 1 and row.delivered_at is None and "503" in row.last_error
    assert fake.to(USER) == []
    with sqlite_engine.begin() as conn:  # the retry comes due
        conn.execute(OutboxRow.__table__.update().values(next_attempt_at=dt.datetime(2000, 1, 1)))
    web.channel.wake_outbox()
    [sent] = await fake.wait_for(USER, timeout=10)
    assert sent.text == "Hồ sơ của bạn đã có kết quả."


async def test_unfollow_drops_subscriptions(web, fake, assistant, sqlite_engine):
    seed_demo(sqlite_engine, assistant.catalog, dt.datetime.now(), assistant.brain.calendar)
    await web.post_event(text_event(USER, f"theo dõi {demo_codes()[0]}"))
    await fake.wait_for(USER)
    await web.post_event(follow_event(USER, "unfollow"))
    await web.channel.drain()
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(Subscription.id)).all() == []


# -- secrets -------------------------------------------------------------------------------------


async def test_no_token_or_secret_reaches_the_logs(web, fake, settings, caplog):
    caplog.set_level(logging.DEBUG)
    access, refresh = fake.initial
    fake.expire()
    await web.post_event(text_event(USER, "giay doc than mat bao lau"))
    await web.post_event(text_event(USER, "x"), secret="wrong")
    await fake.wait_for(USER)
    fake.fail_next(1, 503)
    await web.post_event(text_event(USER, "ho chieu"))
    await fake.wait_for(USER, 2)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in (access, refresh, fake.access_token, fake.refresh_token, APP_SECRET, OA_SECRET):
        assert secret not in logged
    assert "refreshed" in logged  # the refresh itself is logged, without the tokens
    assert "giay doc than" not in logged  # nor what citizens wrote
    assert access not in repr(Tokens(access, refresh))


# -- pure pieces ---------------------------------------------------------------------------------


def test_signature_scheme():
    body = b'{"event_name":"user_send_text","timestamp":"1717061839659"}'
    expected = hashlib.sha256(b"123" + body + b"1717061839659" + b"secret").hexdigest()
    assert signature("123", body, "1717061839659", "secret") == expected
    assert header_value("123", body, "1717061839659", "secret") == f"mac={expected}"
    assert verify(f"mac={expected}", "123", body, "1717061839659", "secret")
    assert verify(expected.upper(), "123", body, "1717061839659", "secret")
    assert not verify(f"mac={expected}", "123", body + b" ", "1717061839659", "secret")
    assert not verify(f"mac={expected}", "123", body, "1717061839660", "secret")
    assert not verify(f"mac={expected}", "123", body, "1717061839659", "")
    assert not verify(None, "123", body, "1717061839659", "secret")
    assert not verify("mac=zz", "123", body, "1717061839659", "secret")


def test_render_splits_long_replies_and_caps_buttons():
    long_text = "\n".join(f"Dòng thứ {i}: giấy tờ cần chuẩn bị theo quy định hiện hành." for i in range(120))
    reply = Reply(status=Status.answer, text=long_text, procedure_id="certified-copy",
                  buttons=[Button(f"Nút {i} " + "dài " * 40, f"f:d:certified-copy{i}") for i in range(9)])
    parts = render_reply(reply)
    assert len(parts) > 1 and all(len(p.text) <= MESSAGE_LIMIT for p in parts)
    assert "\n".join(p.text for p in parts) == long_text
    assert all(not p.buttons for p in parts[:-1])
    last = parts[-1].buttons
    assert len(last) == MAX_BUTTONS and all(len(b.title) <= 100 for b in last)
    assert [parse_payload(b.payload) for b in last[-2:]] == ["fb:+1:certified-copy", "fb:-1:certified-copy"]
    assert parse_payload("giấy độc thân") is None


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400) | st.text(max_size=200).map(str.encode),
       header=st.none() | st.text(max_size=80) | st.just("mac=" + "a" * 64))
def test_arbitrary_webhook_input_is_refused_without_processing(settings, assistant, body, header):
    """Nothing unsigned gets through, and nothing raises: always 401."""
    channel = ZaloChannel(settings, assistant, None, turns=ConversationTurns(None, threads=1), metrics=Metrics())
    headers = {} if header is None else {"X-ZEvent-Signature": header}
    status = asyncio.run(channel.handle_webhook(headers, body))
    assert status == 401 and not channel._tasks


def test_follow_event_user_id_is_validated(settings, assistant):
    channel = ZaloChannel(settings, assistant, None, turns=ConversationTurns(None, threads=1), metrics=Metrics())
    event = follow_event("../../etc")
    raw = json.dumps(event).encode()
    status = asyncio.run(channel.handle_webhook({"X-ZEvent-Signature": header_value(APP_ID, raw, event["timestamp"],
                                                                                     OA_SECRET)}, raw))
    assert status == 200  # authentic, acknowledged, but no user to answer: ignored
