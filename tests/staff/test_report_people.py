"""Reports as staff read them: a clarification the citizen resolved is not "unanswered",
procedures by name, Vietnam days for periods, and `| head` ends quietly."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import insert

from assistant.app import attach_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation, Requester
from assistant.staff.reports import format_unanswered, service_report, unanswered_report
from assistant.staff.resolution import resolved_clarifications, vn_day_start_utc, vn_today
from assistant.store import make_engine, upgrade
from assistant.store.models import Dossier, QuestionLogRow

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CATALOG = ROOT / "procedures_catalog"


def clarify(assistant: Assistant, chat_id: str) -> tuple[Conversation, Requester, dict]:
    conversation, requester = Conversation(), Requester("web", chat_id)
    reply = assistant.handle("căn cước", conversation, requester)
    assert reply.status.value == "clarify", reply.text
    return conversation, requester, reply.buttons


def test_only_unresolved_clarifications_are_unanswered(engine, shipped_catalog):
    assistant = Assistant(shipped_catalog, Settings())
    attach_database(assistant, engine)
    conversation, requester, buttons = clarify(assistant, "picks-an-option")
    assistant.handle_action(buttons[0].action, conversation, requester)  # resolved
    clarify(assistant, "walks-away")  # unresolved
    assistant.handle("giá xăng hôm nay", Conversation(), Requester("web", "walks-away"))

    groups = unanswered_report(engine, shipped_catalog)
    assert sum(g.count for g in groups if "căn cước" in g.representative) == 1
    assert any("giá xăng" in g.representative for g in groups)

    today = vn_today()
    report = service_report(engine, today, today)
    assert report.questions == 3  # the pick is not a question
    assert report.questions_answered == 1  # the resolved clarification

    table = format_unanswered(groups)
    assert "Cấp thẻ căn cước" in table or "căn cước" in table.split("Gợi ý thủ tục", 1)[1]
    assert "id-card-" not in table  # names, not ids


def test_a_pick_resolves_only_the_clarification_just_before_it():
    t = dt.datetime(2026, 11, 30, 2, 0)
    rows = [(1, "clarify", "u", t), (2, "clarify", "u", t + dt.timedelta(minutes=1)),
            (3, "picked", "u", t + dt.timedelta(minutes=2)),
            (4, "clarify", "v", t), (5, "picked", "v", t + dt.timedelta(hours=2)),  # too late
            (6, "clarify", None, t), (7, "picked", None, t)]  # no user: cannot be linked
    assert resolved_clarifications(rows) == {2}


def test_report_days_are_vietnam_days(engine):
    # 18:30 UTC on 30/11 is 01:30 on 1/12 in Vietnam: December's question, not November's.
    late = dt.datetime(2026, 11, 30, 18, 30)
    with engine.begin() as conn:
        conn.execute(insert(QuestionLogRow), [{"text": "x", "normalised": "x", "status": "answer",
                                               "candidates": "[]", "channel": "web", "created_at": late}])
    assert service_report(engine, dt.date(2026, 11, 1), dt.date(2026, 11, 30)).questions == 0
    assert service_report(engine, dt.date(2026, 12, 1), dt.date(2026, 12, 31)).questions == 1
    assert vn_day_start_utc(dt.date(2026, 12, 1)) == dt.datetime(2026, 11, 30, 17, 0)
    assert vn_today(dt.datetime(2026, 11, 30, 18, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 1)


def test_report_piped_to_head_ends_quietly(tmp_path):
    env = {**os.environ, "ASSISTANT_CATALOG_DIR": str(SHIPPED_CATALOG), "ASSISTANT_LOCALITY": "khanh-hoa",
           "ASSISTANT_DATA_DIR": str(tmp_path), "PYTHONIOENCODING": "utf-8", "DATABASE_URL": ""}
    engine = make_engine(Settings.from_env(env).effective_database_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(QuestionLogRow), [
            {"text": f"câu hỏi lạ số {i} về chủ đề {i * 7919 % 1000}", "normalised": f"q{i} z{i * 7919}",
             "status": "not_found", "candidates": "[]", "channel": "web", "created_at": dt.datetime(2026, 11, 1)}
            for i in range(3000)])
    engine.dispose()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "report", "unanswered"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does
    _, err = proc.communicate(timeout=120)
    assert first.decode().startswith(" Số lần") or "Số lần" in first.decode()
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()[-500:]


def test_dossier_list_piped_to_head_ends_quietly(tmp_path):
    """Any command cut off by its pipe ends quietly (the CLI's own handler, not the report's)."""
    env = {**os.environ, "ASSISTANT_CATALOG_DIR": str(SHIPPED_CATALOG), "ASSISTANT_LOCALITY": "khanh-hoa",
           "ASSISTANT_DATA_DIR": str(tmp_path), "PYTHONIOENCODING": "utf-8", "DATABASE_URL": ""}
    engine = make_engine(Settings.from_env(env).effective_database_url)
    upgrade(engine)
    received = dt.datetime(2026, 11, 2, 9)
    with engine.begin() as conn:  # far more than a pipe buffer (64 KiB) of lines
        conn.execute(insert(Dossier), [
            {"code": f"000.00.10.H32-261102-{i:04d}", "procedure_id": "birth-registration", "locality": "khanh-hoa",
             "received_at": received, "channel": "in_person", "due_date": dt.date(2026, 11, 5),
             "status": "in_progress", "result_delivery": "counter", "updated_at": received} for i in range(1, 4000)])
    engine.dispose()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "dossier", "list", "--limit", "4000"], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does
    _, err = proc.communicate(timeout=120)
    assert first.startswith(b"000.00.10.H32-261102-")
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()[-500:]
