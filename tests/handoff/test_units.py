"""Office hours, honest expectations, report figures, retention and the CLI, on a real database."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.dialogue.conversation import Conversation, Requester
from assistant.handoff.desk import HandoffDesk
from assistant.handoff.hours import OfficeHours, parse_periods
from assistant.handoff.intents import asks_for_person, asks_queue_position, wants_bot_back
from assistant.handoff.report import handoff_figures, percentile
from assistant.handoff.retention import run_retention
from assistant.handoff.store import HandoffStore
from assistant.text.normalize import normalize
from assistant.workdays import WorkCalendar

HOURS = OfficeHours(WorkCalendar(), parse_periods("Sáng 7:00–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu"))


def utc(local: dt.datetime) -> dt.datetime:
    return local - dt.timedelta(hours=7)  # Vietnam has no daylight saving time


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def test_office_hours_follow_the_calendar():
    monday = dt.datetime(2026, 11, 30, 8, 0)
    assert HOURS.is_open(monday) and not HOURS.is_open(monday.replace(hour=12))
    saturday = dt.datetime(2026, 11, 28, 9, 0)
    assert not HOURS.is_open(saturday)
    assert HOURS.next_opening(saturday) == dt.datetime(2026, 11, 30, 7, 0)
    assert HOURS.next_opening(monday.replace(hour=12)) == dt.datetime(2026, 11, 30, 13, 30)
    # National Day 2/9/2026 (Wednesday) and its bridge day are days off.
    assert HOURS.next_opening(dt.datetime(2026, 9, 1, 18, 0)).date() > dt.date(2026, 9, 2)
    # Friday 16:50 to Monday 7:10: ten minutes of the desk's time, not three days.
    assert HOURS.minutes_between(dt.datetime(2026, 11, 27, 16, 50), dt.datetime(2026, 11, 30, 7, 10)) == 20
    assert HOURS.minutes_per_day == 8 * 60
    assert parse_periods(None) == parse_periods("không rõ")


@pytest.mark.parametrize("text", ["gặp cán bộ", "Cho em nói chuyện với người thật", "hỏi trực tiếp", "/canbo",
                                  "cho tôi gặp cán bộ một cửa", "GAP CAN BO"])
def test_asking_for_a_person(text):
    assert asks_for_person(normalize(text))


@pytest.mark.parametrize("text", ["cán bộ tư pháp làm việc mấy giờ", "đăng ký khai sinh", "người thân ủy quyền"])
def test_ordinary_questions_are_not_handoffs(text):
    assert not asks_for_person(normalize(text))


def test_back_and_position_phrases():
    assert wants_bot_back(normalize("Quay lại trợ lý"))
    assert not wants_bot_back(normalize("trợ lý trả lời sai rồi"))
    assert asks_queue_position(normalize("em đang ở vị trí thứ mấy?"))
    assert asks_queue_position(normalize("còn bao lâu nữa ạ"))


def _desk(engine, moment: dt.datetime) -> tuple[HandoffDesk, Clock]:
    clock = Clock(utc(moment))
    desk = HandoffDesk(engine, Settings(), lambda: HOURS, lambda: ("khanh-vinh", "Xã thử"), clock)
    return desk, clock


def _answered(engine, opened_local: dt.datetime, minutes: int) -> None:
    clock = Clock(utc(opened_local))
    store = HandoffStore(engine, clock=clock)
    request, _ = store.open("web", f"s-{opened_local:%d%H%M}-{minutes}", "khanh-vinh", [("citizen", "hỏi")])
    clock.moment += dt.timedelta(minutes=minutes)
    assert store.reply(request.id, "lan", "đáp") == "sent"
    store.close(request.id, "lan")


def test_expectation_in_office_hours_is_measured_from_recent_replies(sqlite_engine):
    desk, _ = _desk(sqlite_engine, dt.datetime(2026, 11, 30, 9, 0))
    reply = desk.before_turn("gặp cán bộ", "gap can bo", Conversation(), Requester("web", "citizen-1"))
    assert "sớm nhất" not in reply.text and "phút" not in reply.text  # no history: no number promised
    for day, minutes in ((18, 10), (19, 20), (20, 45)):  # not 24/11: Vietnam's Culture Day is a day off
        _answered(sqlite_engine, dt.datetime(2026, 11, day, 8, 0), minutes)
    reply = desk.before_turn("gặp cán bộ", "gap can bo", Conversation(), Requester("web", "citizen-2"))
    assert "thường trong khoảng 20 phút" in reply.text
    assert reply.data["handoff"]["usual_minutes"] == 20 and reply.data["handoff"]["office_open"] is True
    assert reply.data["handoff"]["position"] == 2 and "Trước bạn còn 1 yêu cầu" in reply.text


def test_outside_office_hours_says_when_work_resumes(sqlite_engine):
    desk, _ = _desk(sqlite_engine, dt.datetime(2026, 11, 28, 20, 0))  # Saturday evening
    reply = desk.before_turn("gặp cán bộ", "gap can bo", Conversation(), Requester("zalo", "u1"))
    assert "ngoài giờ làm việc" in reply.text and "7:00 thứ Hai, 30/11/2026" in reply.text
    assert reply.data["handoff"]["office_open"] is False


def test_the_transcript_carries_the_recent_exchange(sqlite_engine):
    desk, _ = _desk(sqlite_engine, dt.datetime(2026, 11, 30, 9, 0))
    conv = Conversation(recent=[["lệ phí khai sinh", "Miễn lệ phí."]])
    reply = desk.before_turn("gặp cán bộ giúp em", "gap can bo giup em", conv, Requester("telegram", "7"))
    transcript = desk.store.transcript(reply.data["handoff"]["id"])
    assert [(m.author, m.text) for m in transcript] == [
        ("citizen", "lệ phí khai sinh"), ("bot", "Miễn lệ phí."), ("citizen", "gặp cán bộ giúp em")]


def test_report_figures(sqlite_engine):
    for day, minutes in ((16, 10), (17, 20), (18, 30), (19, 40), (20, 600)):
        _answered(sqlite_engine, dt.datetime(2026, 11, day, 8, 0), minutes)
    waiting = HandoffStore(sqlite_engine, clock=Clock(utc(dt.datetime(2026, 11, 19, 9, 0))))
    waiting.open("zalo", "left-waiting", "khanh-vinh", [("citizen", "alo")])
    figures = handoff_figures(sqlite_engine, dt.date(2026, 11, 1), dt.date(2026, 11, 30), HOURS,
                              now=utc(dt.datetime(2026, 11, 30, 9, 0)))
    assert (figures.opened, figures.answered, figures.open_now) == (6, 5, 1)
    assert figures.median_minutes == 30
    # 600 wall-clock minutes from Friday 8:00 are 420 office minutes: within one working day (480).
    assert figures.p90_minutes == HOURS.minutes_between(dt.datetime(2026, 11, 20, 8, 0),
                                                       dt.datetime(2026, 11, 20, 18, 0)) == 420
    assert figures.unanswered_past_day == 1  # the Zalo request waiting since Thursday 19/11
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9


def test_retention_deletes_old_transcripts_only(sqlite_engine):
    old = HandoffStore(sqlite_engine, clock=Clock(dt.datetime(2026, 1, 1, 8, 0)))
    request, _ = old.open("web", "old-chat", None, [("citizen", "chuyện cũ")])
    recent = HandoffStore(sqlite_engine, clock=Clock(dt.datetime(2026, 11, 20, 8, 0)))
    kept, _ = recent.open("web", "new-chat", None, [("citizen", "chuyện mới")])
    assert run_retention(sqlite_engine, 90, now=dt.datetime(2026, 11, 30)) == 1
    assert recent.get(request.id) is None and recent.transcript(request.id) == []
    assert recent.get(kept.id) is not None and recent.transcript(kept.id)[0].text == "chuyện mới"


def test_cli_list_reply_close_and_retention(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    from assistant.app import open_database

    engine = open_database(Settings.from_env())
    request, _ = HandoffStore(engine).open("zalo", "u-cli", "khanh-vinh", [("citizen", "thủ tục nhận con nuôi?")])
    assert main(["handoff", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["id"] == request.id and listed[0]["transcript"][0]["text"] == "thủ tục nhận con nuôi?"
    assert "chat_id" not in listed[0]
    assert main(["handoff", "reply", str(request.id), "Bạn", "đến", "UBND", "xã", "--as", "lan"]) == 0
    assert main(["handoff", "close", str(request.id)]) == 0
    assert main(["handoff", "close", str(request.id)]) == 1
    assert main(["handoff", "reply", str(request.id), "muộn"]) == 1
    capsys.readouterr()
    assert main(["handoff", "list"]) == 0
    assert "Không có yêu cầu nào đang mở." in capsys.readouterr().out
    assert main(["retention", "run", "--days", "30"]) == 0
    assert "Đã xóa 0" in capsys.readouterr().out


def test_one_open_request_per_chat_even_when_two_workers_race(sqlite_engine, monkeypatch):
    store = HandoffStore(sqlite_engine)
    first, created = store.open("zalo", "racer", None, [("citizen", "gặp cán bộ")])
    assert created
    # The other worker looked before this one inserted: its own insert meets the unique index.
    real_open_for = store.open_for
    calls = iter([None])
    monkeypatch.setattr(store, "open_for", lambda channel, chat: next(calls, None) or real_open_for(channel, chat))
    second, created = store.open("zalo", "racer", None, [("citizen", "gặp cán bộ")])
    assert not created and second.id == first.id
    assert len(store.list("open")) == 1
    store.close(first.id, "lan")
    third, created = store.open("zalo", "racer", None, [("citizen", "lại gặp cán bộ")])
    assert created and third.id != first.id  # a closed request does not block a new one


def test_cli_staff_add_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    import io

    from assistant.app import open_database
    from assistant.handoff.accounts import LoginResult, StaffAccounts

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["staff", "add", "lan"]) == 2
    assert "ít nhất 10 ký tự" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-du-dai\n"))
    assert main(["staff", "add", "lan"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-du-dai\n"))
    assert main(["staff", "add", "lan"]) == 2
    assert "đã có" in capsys.readouterr().err
    accounts = StaffAccounts(open_database(Settings.from_env()))
    assert accounts.login("lan", "mot-mat-khau-du-dai")[0] == LoginResult.ok
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-moi-hoan-toan\n"))
    assert main(["staff", "password", "lan"]) == 0
    assert accounts.login("lan", "mot-mat-khau-du-dai")[0] == LoginResult.bad
    assert main(["staff", "disable", "lan"]) == 0
    assert accounts.login("lan", "mat-khau-moi-hoan-toan")[0] == LoginResult.bad
