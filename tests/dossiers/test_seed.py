import datetime as dt

from assistant.dossiers.seed import DEMOS, demo_codes, seed_demo
from assistant.dossiers.statuses import OPEN, DossierStatus
from assistant.store import DossierStore
from assistant.workdays import WorkCalendar

NOW = dt.datetime(2026, 11, 23, 10, 0)


def _all(engine):
    return {d.code: d for d in DossierStore(engine).list(limit=1000)}


def test_demo_covers_every_procedure_and_status(sqlite_engine, shipped_catalog):
    # The demo has one dossier for each of the 37 original procedures; the catalogue may have grown since.
    report = seed_demo(sqlite_engine, shipped_catalog, NOW)
    assert report.created == len(DEMOS) == 37
    stored = _all(sqlite_engine)
    assert set(stored) == set(demo_codes()) and len(set(demo_codes())) == 37
    demo_procedures = {d.procedure_id for d in stored.values()}
    assert len(demo_procedures) == 37 and demo_procedures <= set(shipped_catalog.procedures)
    assert {d.status for d in stored.values()} == {s.value for s in DossierStatus}
    late = [d for d in stored.values() if DossierStatus(d.status) in OPEN and d.status != "supplement_requested"
            and d.due_date < NOW.date()]
    assert len(late) >= 3 and any(d.new_due_date for d in late) and any(not d.new_due_date for d in late)
    assert sum(d.status == "supplement_requested" for d in stored.values()) >= 3
    assert all(d.received_at <= NOW for d in stored.values())
    first = stored[demo_codes()[0]]
    assert first.procedure_id == "marriage-status-certification" and first.status == "in_progress"


def test_seeding_is_idempotent_and_late_ones_stay_late(sqlite_engine, shipped_catalog):
    seed_demo(sqlite_engine, shipped_catalog, NOW)
    again = seed_demo(sqlite_engine, shipped_catalog, NOW)
    assert (again.created, again.updated, again.status_changes) == (0, 0, 0)
    next_month = seed_demo(sqlite_engine, shipped_catalog, NOW + dt.timedelta(days=30))
    assert next_month.created == 0 and next_month.status_changes == 0
    late = _all(sqlite_engine)[demo_codes()[9]]  # construction permit: late, no new date
    assert late.due_date < (NOW + dt.timedelta(days=30)).date() and late.new_due_date is None


def test_seeding_skips_procedures_a_catalogue_lacks(sqlite_engine, small_catalog):
    report = seed_demo(sqlite_engine, small_catalog, NOW, WorkCalendar())
    assert 0 < report.created < len(DEMOS)
    assert set(_all(sqlite_engine)) <= set(demo_codes())
