"""Conversation turns every channel shares: state loaded, the core asked, state saved."""

from __future__ import annotations

import dataclasses

from sqlalchemy import create_engine

from assistant.channels.turns import ConversationTurns
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.reply import Reply, Status
from assistant.store import ConversationStore


def _ask(assistant: Assistant, text: str):
    return lambda conv, req: assistant.handle(text, conv, req)


async def test_follow_ups_keep_their_context_per_channel_and_chat(sqlite_engine, small_catalog):
    assistant = Assistant(small_catalog, dataclasses.replace(Settings(), locality=None))
    turns = ConversationTurns(sqlite_engine)
    try:
        first, seconds = await turns.run("zalo", "u1", _ask(assistant, "giay doc than mat bao lau"))
        assert first.procedure_id and seconds >= 0
        follow_up, _ = await turns.run("zalo", "u1", _ask(assistant, "còn lệ phí thì sao?"))
        assert (follow_up.procedure_id, follow_up.facet) == (first.procedure_id, "fee")
        stranger, _ = await turns.run("telegram", "u1", _ask(assistant, "còn lệ phí thì sao?"))
        assert stranger.procedure_id != first.procedure_id  # another channel's chat has no context
        assert ConversationStore(sqlite_engine).load("zalo:u1")["last_procedure"] == first.procedure_id
    finally:
        turns.close()


async def test_a_turn_that_changes_nothing_writes_nothing(sqlite_engine):
    turns = ConversationTurns(sqlite_engine)
    requesters = []

    def menu(conv, req) -> Reply:
        requesters.append(req)
        return Reply(status=Status.smalltalk, text="Xin chào")

    try:
        await turns.run("web", "session-1234", menu, "203.0.113.9")
    finally:
        turns.close()
    assert ConversationStore(sqlite_engine).load("web:session-1234") is None
    assert (requesters[0].channel, requesters[0].chat_id, requesters[0].origin) == ("web", "session-1234",
                                                                                   "203.0.113.9")


async def test_a_database_outage_keeps_follow_ups_in_this_process(tmp_path, small_catalog):
    assistant = Assistant(small_catalog, dataclasses.replace(Settings(), locality=None))
    gone = create_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}")  # directory does not exist
    turns = ConversationTurns(gone)
    try:
        first, _ = await turns.run("web", "session-1234", _ask(assistant, "giay doc than mat bao lau"))
        follow_up, _ = await turns.run("web", "session-1234", _ask(assistant, "còn lệ phí thì sao?"))
    finally:
        turns.close()
    assert (follow_up.procedure_id, follow_up.facet) == (first.procedure_id, "fee")
    assert turns.database_errors >= 2


async def test_one_turn_is_one_read_and_one_write_transaction(sqlite_engine, small_catalog):
    """The state is read once and written once, in one commit, on one connection."""
    from sqlalchemy import event

    assistant = Assistant(small_catalog, dataclasses.replace(Settings(), locality=None))
    statements: list[str] = []

    def trace(dbapi_conn, _record) -> None:
        dbapi_conn.set_trace_callback(statements.append)

    event.listen(sqlite_engine, "connect", trace)
    sqlite_engine.dispose()
    turns = ConversationTurns(sqlite_engine)
    try:
        await turns.run("zalo", "u1", _ask(assistant, "giay doc than mat bao lau"))
        statements.clear()
        await turns.run("zalo", "u1", _ask(assistant, "còn lệ phí thì sao?"))
    finally:
        turns.close()
    on_state = [s for s in statements if "conversations" in s]
    assert [s.split()[0] for s in on_state] == ["SELECT", "INSERT"]
    assert sum(s.strip().upper() == "COMMIT" for s in statements) == 1
    # The process's fallback copy is the stored text itself, not a decoded tree of objects.
    assert isinstance(turns._memory["zalo:u1"][0], str)
    assert ConversationStore(sqlite_engine).load("zalo:u1")["last_facet"] == "fee"


def test_turn_threads_get_the_gil_back_within_a_millisecond():
    """A turn thread waits for the event loop thread after each database call: at most 1 ms."""
    import sys

    from assistant.channels import turns as turns_module

    previous = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        ConversationTurns(None, threads=0).close()  # no thread, nothing to hand back
        assert abs(sys.getswitchinterval() - 0.005) < 1e-6
        ConversationTurns(None, threads=1).close()
        assert sys.getswitchinterval() <= turns_module.SWITCH_INTERVAL
        sys.setswitchinterval(0.0002)
        assert turns_module.shorten_switch_interval() < 0.00021  # never lengthened
    finally:
        sys.setswitchinterval(previous)


def _trace_conversation_statements(engine) -> list[str]:
    from sqlalchemy import event

    statements: list[str] = []

    def trace(dbapi_conn, _record) -> None:
        dbapi_conn.set_trace_callback(statements.append)

    event.listen(engine, "connect", trace)
    engine.dispose()
    return statements


async def test_a_channel_served_exclusively_reads_a_chat_once_then_only_writes(sqlite_engine, small_catalog):
    """Telegram long polling: the state this process wrote is the current one, so later turns
    of the chat skip the read; every change is still written before the turn returns."""
    assistant = Assistant(small_catalog, dataclasses.replace(Settings(), locality=None))
    statements = _trace_conversation_statements(sqlite_engine)
    turns = ConversationTurns(sqlite_engine)
    turns.serve_exclusively("telegram")
    try:
        first, _ = await turns.run("telegram", "42", _ask(assistant, "giay doc than mat bao lau"))
        on_state = [s.split()[0] for s in statements if "conversations" in s]
        assert on_state == ["SELECT", "INSERT"]
        statements.clear()
        follow_up, _ = await turns.run("telegram", "42", _ask(assistant, "còn lệ phí thì sao?"))
        assert (follow_up.procedure_id, follow_up.facet) == (first.procedure_id, "fee")
        assert [s.split()[0] for s in statements if "conversations" in s] == ["INSERT"]
        assert ConversationStore(sqlite_engine).load("telegram:42")["last_facet"] == "fee"
        statements.clear()
        await turns.run("zalo", "42", _ask(assistant, "giay doc than mat bao lau"))
        await turns.run("zalo", "42", _ask(assistant, "còn lệ phí thì sao?"))
        # Another channel (served by every worker) still reads its state on every turn.
        assert [s.split()[0] for s in statements if "conversations" in s] == ["SELECT", "INSERT"] * 2
    finally:
        turns.close()


async def test_an_exclusive_copy_gives_way_to_the_database_when_old_or_unsaved(sqlite_engine, small_catalog,
                                                                                monkeypatch):
    from assistant.channels import turns as turns_module

    assistant = Assistant(small_catalog, dataclasses.replace(Settings(), locality=None))
    turns = ConversationTurns(sqlite_engine)
    turns.serve_exclusively("telegram")
    store = ConversationStore(sqlite_engine)
    try:
        first, _ = await turns.run("telegram", "7", _ask(assistant, "giay doc than mat bao lau"))
        # Someone else changed the stored state (retention, a mistaken second poller): a copy
        # older than the freshness bound is not trusted.
        store.save("telegram:7", {"last_procedure": None})
        monkeypatch.setattr(turns_module, "EXCLUSIVE_FRESH_SECONDS", 0.0)
        again, _ = await turns.run("telegram", "7", _ask(assistant, "còn lệ phí thì sao?"))
        assert again.procedure_id != first.procedure_id  # read back from the database: no context
        monkeypatch.setattr(turns_module, "EXCLUSIVE_FRESH_SECONDS", 600.0)

        # A save the database refuses leaves the copy as a fallback only: the next turn reads.
        await turns.run("telegram", "8", _ask(assistant, "giay doc than mat bao lau"))
        saving = turns.store.save

        def refusing(_key, _encoded):
            raise RuntimeError("disk full")

        monkeypatch.setattr(turns.store, "save", refusing)
        await turns.run("telegram", "8", _ask(assistant, "còn lệ phí thì sao?"))
        assert turns.database_errors == 1
        assert turns._copy("telegram:8", within=600.0) is None
        monkeypatch.setattr(turns.store, "save", saving)
        assert store.load("telegram:8")["last_facet"] != "fee"
    finally:
        turns.close()
