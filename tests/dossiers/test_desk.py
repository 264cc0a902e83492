import datetime as dt

import pytest
from sqlalchemy import create_engine

from assistant.dialogue.conversation import Requester
from assistant.dialogue.reply import Status
from assistant.dossiers.desk import UNAVAILABLE, DossierDesk, UnknownCodeThrottle
from assistant.dossiers.statuses import DossierStatus
from assistant.store.models import Dossier

NOW = dt.datetime(2026, 11, 23, 10, 0)  # Monday
ME = Requester("telegram", "42")


def _add(engine, seq, status, *, due=dt.date(2026, 11, 25), new_due=None, note=None, delivery="counter",
         procedure="marriage-status-certification"):
    code = f"000.00.10.H32-261120-{seq:04d}"
    with engine.begin() as conn:
        conn.execute(Dossier.__table__.insert().values(
            code=code, procedure_id=procedure, locality="khanh-vinh", received_at=dt.datetime(2026, 11, 16, 9),
            channel="online_full", due_date=due, new_due_date=new_due, status=status, note=note,
            result_delivery=delivery, contact_hash="x" * 32, updated_at=NOW,
            resolved_at=dt.datetime(2026, 11, 20, 9) if status.startswith("resolved") else None,
            returned_at=dt.datetime(2026, 11, 21, 9) if status == "returned" else None))
    return code


@pytest.fixture
def desk(engine, small_catalog):
    return DossierDesk(engine, lambda: small_catalog)


def test_card_in_time(desk, engine):
    reply = desk.lookup(_add(engine, 1, "in_progress"), ME, NOW)
    assert reply.status == Status.dossier
    text = reply.text
    assert "Thủ tục: Xác nhận tình trạng hôn nhân" in text
    assert "Ngày tiếp nhận: 16/11/2026" in text and "Thứ Tư, 25/11/2026" in text
    assert "Đang giải quyết – trong hạn" in text
    assert "Còn" in text and "ngày làm việc" in text
    assert "x" * 32 not in text and "42" not in text  # no personal data
    assert reply.data["dossier"]["status"] == "in_progress"
    assert reply.buttons[0].action.startswith("sub:")


def test_late_card_apologises_and_gives_new_date(desk, engine):
    late = desk.lookup(_add(engine, 2, "in_progress", due=dt.date(2026, 11, 18), new_due=dt.date(2026, 11, 27)),
                       ME, NOW)
    assert "trễ hạn" in late.text and "xin lỗi" in late.text
    assert "quá hạn 3 ngày làm việc" in late.text  # 19, 20, 23 November
    assert "Ngày hẹn trả mới: Thứ Sáu, 27/11/2026" in late.text
    no_date = desk.lookup(_add(engine, 3, "received", due=dt.date(2026, 11, 18)), ME, NOW)
    assert "phiếu xin lỗi và hẹn lại" in no_date.text


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("received", "Đã tiếp nhận"),
        ("supplement_requested", "bổ sung giấy tờ"),
        ("resolved_early", "trước hạn"),
        ("resolved_on_time", "Mời bạn mang phiếu tiếp nhận"),
        ("resolved_late", "trễ hạn"),
        ("returned", "Kết quả đã được trả ngày 21/11/2026"),
        ("withdrawn", "Đã rút hồ sơ"),
        ("stopped", "Đã dừng giải quyết"),
        ("cancelled", "Đã hủy"),
    ],
)
def test_card_for_each_status(desk, engine, status, expected):
    reply = desk.lookup(_add(engine, 10, status, note="Thiếu giấy tờ nhà đất"), ME, NOW)
    assert expected in reply.text
    assert reply.data["dossier"]["status"] == DossierStatus(status).value
    if status == "supplement_requested":
        assert "Thiếu giấy tờ nhà đất" in reply.text


def test_result_by_post(desk, engine):
    reply = desk.lookup(_add(engine, 11, "resolved_on_time", delivery="post"), ME, NOW)
    assert "bưu điện" in reply.text


def test_unknown_codes_are_throttled(engine, small_catalog):
    clock = [0.0]
    desk = DossierDesk(engine, lambda: small_catalog, throttle=UnknownCodeThrottle(3, 60, lambda: clock[0]))
    for seq in range(3):
        assert "Không tìm thấy" in desk.lookup(f"000.00.10.H32-261120-{900 + seq}", ME, NOW).text
    blocked = desk.lookup(_add(engine, 12, "received"), ME, NOW)
    assert blocked.data["dossier"]["throttled"] and "đợi ít phút" in blocked.text
    assert "Đã tiếp nhận" in desk.lookup(_add(engine, 13, "received"), Requester("telegram", "other"), NOW).text
    clock[0] = 61
    assert "Đã tiếp nhận" in desk.lookup("000.00.10.H32-261120-0012", ME, NOW).text


def test_subscribe_and_unsubscribe(desk, engine):
    code = _add(engine, 14, "in_progress")
    assert "Đã đăng ký theo dõi" in desk.subscribe(code, ME, NOW).text
    assert "đã theo dõi hồ sơ" in desk.subscribe(code, ME, NOW).text
    assert "Đã hủy theo dõi" in desk.unsubscribe(code, ME, NOW).text
    assert "Không tìm thấy" in desk.subscribe("000.00.10.H32-261120-0999", ME, NOW).text


def test_database_down_gives_polite_reply(small_catalog, tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'nope.sqlite3'}")
    reply = DossierDesk(broken, lambda: small_catalog).lookup("000.00.10.H32-261120-0001", ME, NOW)
    assert reply.text == UNAVAILABLE
