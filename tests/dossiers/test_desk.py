import datetime as dt

import pytest
from sqlalchemy import create_engine

from assistant.catalog.schema import Locality, Place
from assistant.dialogue.conversation import Requester
from assistant.dialogue.reply import Status
from assistant.dossiers.desk import UNAVAILABLE, DossierDesk, UnknownCodeThrottle
from assistant.dossiers.statuses import DossierStatus
from assistant.store.models import Dossier
from assistant.store.repos import Subscriptions

NOW = dt.datetime(2026, 11, 23, 10, 0)  # Monday
ME = Requester("telegram", "42")
PHONE_HASH = "f" * 32


def _add(engine, seq, status, *, due=dt.date(2026, 11, 25), new_due=None, note=None, delivery="counter",
         channel="online_full", procedure="marriage-status-certification"):
    code = f"000.00.10.H32-261120-{seq:04d}"
    with engine.begin() as conn:
        conn.execute(Dossier.__table__.insert().values(
            code=code, procedure_id=procedure, locality="khanh-vinh", received_at=dt.datetime(2026, 11, 16, 9),
            channel=channel, due_date=due, new_due_date=new_due, status=status, note=note,
            result_delivery=delivery, contact_hash=PHONE_HASH, updated_at=NOW,
            resolved_at=dt.datetime(2026, 11, 20, 9) if status.startswith("resolved") else None,
            returned_at=dt.datetime(2026, 11, 21, 9) if status == "returned" else None))
    return code


@pytest.fixture
def desk(engine, small_catalog):
    return DossierDesk(engine, lambda: small_catalog, hotline="1800 1096")


def test_card_in_time(desk, engine):
    code = _add(engine, 1, "in_progress")
    reply = desk.lookup(code, ME, NOW)
    assert reply.status == Status.dossier and reply.title == f"Hồ sơ {code}"
    lines = reply.text.splitlines()
    assert lines[0] == f"Hồ sơ {code}"
    assert "Thủ tục: Xác nhận tình trạng hôn nhân" in lines
    assert "Ngày tiếp nhận: 16/11/2026 (nộp trực tuyến toàn trình)" in lines
    assert "Ngày hẹn trả: Thứ Tư, 25/11/2026" in lines
    assert "Tình trạng: Đang giải quyết – trong hạn" in lines
    # 24/11/2026 is Ngày Văn hóa Việt Nam (a day off from 2026): one working day is left.
    assert "Còn 1 ngày làm việc nữa là đến ngày hẹn trả." in lines
    assert "Bấm «Theo dõi hồ sơ»" in reply.text
    assert PHONE_HASH not in reply.text and "42" not in reply.text  # no personal data
    expected = {"code": code, "status": "in_progress", "due": "2026-11-25", "late_working_days": 0,
                "working_days_left": 1, "subscribed": False}
    assert reply.data["dossier"].items() >= expected.items()
    assert [(b.label, b.action) for b in reply.buttons] == [("🔔 Theo dõi hồ sơ", f"sub:{code}")]
    assert reply.to_json()["status"] == "dossier" and reply.to_json()["procedure_id"] is None


def test_due_today(desk, engine):
    reply = desk.lookup(_add(engine, 2, "received", due=NOW.date()), ME, NOW)
    assert "Tình trạng: Đã tiếp nhận – trong hạn" in reply.text and "Hôm nay là ngày hẹn trả kết quả." in reply.text


def test_late_card_apologises_and_gives_the_new_date(desk, engine):
    late = desk.lookup(_add(engine, 3, "in_progress", due=dt.date(2026, 11, 18), new_due=dt.date(2026, 11, 27)),
                       ME, NOW)
    assert "Tình trạng: Đang giải quyết – trễ hạn" in late.text
    assert "Chúng tôi thành thật xin lỗi: hồ sơ của bạn đã quá hạn 3 ngày làm việc." in late.text  # 19, 20, 23/11
    assert "Ngày hẹn trả mới: Thứ Sáu, 27/11/2026 (còn 3 ngày làm việc)." in late.text
    assert late.data["dossier"]["late_working_days"] == 3 and late.data["dossier"]["new_due"] == "2026-11-27"


def test_late_card_without_a_new_date(desk, engine):
    reply = desk.lookup(_add(engine, 4, "received", due=dt.date(2026, 11, 18)), ME, NOW)
    assert "Tình trạng: Đã tiếp nhận – trễ hạn" in reply.text
    assert "xin lỗi" in reply.text and "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in reply.text
    assert "gọi 1800 1096" in reply.text


def test_new_date_that_has_passed_too(desk, engine):
    reply = desk.lookup(_add(engine, 5, "in_progress", due=dt.date(2026, 11, 10), new_due=dt.date(2026, 11, 18)),
                        ME, NOW)
    assert "quá hạn 9 ngày làm việc" in reply.text
    assert "Ngày hẹn trả mới (18/11/2026) cũng đã qua" in reply.text


@pytest.mark.parametrize(
    ("status", "expected", "follow"),
    [
        ("received", ["Tình trạng: Đã tiếp nhận – trong hạn", "Việc cần làm: bạn chưa cần làm gì thêm"], True),
        ("in_progress", ["Tình trạng: Đang giải quyết – trong hạn"], True),
        ("supplement_requested", ["Tình trạng: Cần bổ sung hồ sơ", "“Thiếu giấy tờ nhà đất”",
                                  "được tính lại từ ngày cơ quan nhận đủ giấy tờ bổ sung"], True),
        ("resolved_early", ["Đã có kết quả (trước hạn)", "giải quyết trước ngày hẹn", "Mời bạn đến nhận kết quả"],
         True),
        ("resolved_on_time", ["Đã có kết quả (đúng hạn)", "Mời bạn đến nhận kết quả tại nơi đã nộp hồ sơ: "
                              "Bộ phận một cửa UBND cấp xã.", "giấy ủy quyền"], True),
        ("resolved_late", ["Đã có kết quả (trễ hạn)", "Chúng tôi thành thật xin lỗi vì kết quả có trễ"], True),
        ("returned", ["Tình trạng: Đã trả kết quả", "Kết quả đã được trả ngày 21/11/2026"], False),
        ("withdrawn", ["Tình trạng: Đã rút hồ sơ", "nộp hồ sơ mới"], False),
        ("stopped", ["Tình trạng: Đã dừng giải quyết"], False),
        ("cancelled", ["Tình trạng: Đã hủy", "Hồ sơ đã bị hủy."], False),
    ],
)
def test_card_for_each_status(desk, engine, status, expected, follow):
    reply = desk.lookup(_add(engine, 10, status, note="Thiếu giấy tờ nhà đất"), ME, NOW)
    for part in expected:
        assert part in reply.text
    assert reply.data["dossier"]["status"] == DossierStatus(status).value
    assert ("Thiếu giấy tờ nhà đất" in reply.text) == (status == "supplement_requested")  # staff notes stay inside
    assert [b.action.split(":")[0] for b in reply.buttons] == (["sub"] if follow else [])
    assert "xin lỗi" not in reply.text or status == "resolved_late"  # in time: no apology


def test_supplement_in_person_says_where(desk, engine):
    reply = desk.lookup(_add(engine, 11, "supplement_requested", channel="in_person"), ME, NOW)
    assert "theo Phiếu yêu cầu bổ sung" in reply.text
    assert "đến nơi đã nộp hồ sơ: Bộ phận một cửa UBND cấp xã." in reply.text


def test_supplement_online_points_to_the_portal(desk, engine):
    reply = desk.lookup(_add(engine, 12, "supplement_requested", note="Thiếu tờ khai"), ME, NOW)
    assert "trực tuyến trên https://dichvucong.gov.vn" in reply.text


@pytest.mark.parametrize(("delivery", "expected"), [("post", "qua bưu điện"), ("online", "Kết quả điện tử")])
def test_result_delivery(desk, engine, delivery, expected):
    reply = desk.lookup(_add(engine, 13, "resolved_on_time", delivery=delivery), ME, NOW)
    assert expected in reply.text and "Mời bạn đến nhận" not in reply.text


def test_lower_case_or_spaced_codes_are_canonicalised(desk, engine):
    code = _add(engine, 14, "received")
    assert desk.lookup(code.lower().replace(".", " "), ME, NOW).data["dossier"]["code"] == code


def test_without_a_catalogue(engine):
    locality = Locality(slug="khanh-hoa", name="Tỉnh Khánh Hòa", extra_days_off=[dt.date(2026, 11, 25)],
                        one_stop=Place(name="Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa", hours="7:00–17:00"))
    desk = DossierDesk(engine, procedure_name={"marriage-status-certification": "Giấy độc thân"}.get,
                       locality=locality)
    card = desk.lookup(_add(engine, 15, "in_progress", due=dt.date(2026, 11, 26)), ME, NOW)
    assert "Thủ tục: Giấy độc thân" in card.text
    assert "Còn 1 ngày làm việc" in card.text  # 24/11 national and 25/11 local days off
    done = desk.lookup(_add(engine, 16, "resolved_on_time"), ME, NOW)
    assert "nơi đã nộp hồ sơ: Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa. Giờ làm việc: 7:00–17:00." in done.text


def test_subscribe_and_unsubscribe(desk, engine):
    code = _add(engine, 20, "in_progress")
    first = desk.subscribe(code, ME, NOW)
    assert first.text.startswith(f"Đã đăng ký theo dõi hồ sơ {code}.")
    assert [b.action for b in first.buttons] == [f"unsub:{code}"]
    assert "đã theo dõi hồ sơ" in desk.subscribe(code, ME, NOW).text
    card = desk.lookup(code, ME, NOW)
    assert [b.action for b in card.buttons] == [f"unsub:{code}"] and card.data["dossier"]["subscribed"]
    assert "Bạn đang theo dõi hồ sơ này" in card.text
    assert [b.action for b in desk.lookup(code, Requester("zalo", "42"), NOW).buttons] == [f"sub:{code}"]
    gone = desk.unsubscribe(code.lower(), ME, NOW)
    assert gone.text.startswith(f"Đã hủy theo dõi hồ sơ {code}.") and gone.buttons[0].action == f"sub:{code}"
    assert "chưa theo dõi" in desk.unsubscribe(code, ME, NOW).text
    assert Subscriptions(engine).subscribers(code) == []


def test_subscribing_to_an_unknown_or_closed_dossier(desk, engine):
    assert "Không tìm thấy hồ sơ" in desk.subscribe("000.00.10.H32-261120-0999", ME, NOW).text
    closed = desk.subscribe(_add(engine, 21, "returned"), ME, NOW)
    assert "đã kết thúc" in closed.text and not closed.buttons
    assert Subscriptions(engine).of_chat("telegram", "42") == []


def test_unknown_code_is_polite(desk):
    reply = desk.lookup("000.00.10.H32-261120-0999", ME, NOW)
    assert reply.status == Status.dossier and reply.data["dossier"] == {"code": "000.00.10.H32-261120-0999",
                                                                        "found": False}
    assert reply.text.startswith("Không tìm thấy hồ sơ có mã 000.00.10.H32-261120-0999.")
    assert "kiểm tra lại mã" in reply.text


def test_unknown_codes_are_throttled_per_chat(engine, small_catalog):
    clock = [0.0]
    desk = DossierDesk(engine, small_catalog, throttle=UnknownCodeThrottle(3, 60, lambda: clock[0]))
    real = _add(engine, 30, "received")
    for seq in range(3):
        clock[0] += 1
        assert "Không tìm thấy" in desk.lookup(f"000.00.10.H32-261120-{9000 + seq}", ME, NOW).text
    blocked = desk.lookup(real, ME, NOW)  # even a real code: nothing may leak while blocked
    assert blocked.data["dossier"]["throttled"] and "Vui lòng đợi ít phút" in blocked.text
    assert "Hồ sơ" not in blocked.text.split(".")[0] and real not in blocked.text
    assert desk.subscribe(real, ME, NOW).data["dossier"]["throttled"]
    assert "Đã tiếp nhận" in desk.lookup(real, Requester("telegram", "other"), NOW).text  # other chats unaffected
    assert "Đã tiếp nhận" in desk.lookup(real, Requester("zalo", "42"), NOW).text  # same id, other channel
    clock[0] = 61.5  # the first miss left the window
    assert "Đã tiếp nhận" in desk.lookup(real, ME, NOW).text


def test_found_codes_do_not_count(engine, small_catalog):
    desk = DossierDesk(engine, small_catalog, throttle=UnknownCodeThrottle(2, 600))
    code = _add(engine, 31, "received")
    for _ in range(10):
        assert "Đã tiếp nhận" in desk.lookup(code, ME, NOW).text


def test_throttle_memory_is_bounded():
    throttle = UnknownCodeThrottle(limit=1, window_seconds=600, max_requesters=100)
    for n in range(1000):
        throttle.miss(f"web:{n}")
    assert len(throttle._misses) == 100 and throttle.blocked("web:999") and not throttle.blocked("web:0")
    assert throttle.retry_after("web:999") > 0 and throttle.retry_after("web:5") == 0


def test_database_down_gives_the_polite_reply(small_catalog, tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'nope.sqlite3'}")
    desk = DossierDesk(broken, small_catalog)
    for call in (desk.lookup, desk.subscribe, desk.unsubscribe):
        reply = call("000.00.10.H32-261120-0001", ME, NOW)
        assert reply.status == Status.dossier and reply.text == UNAVAILABLE
    assert desk.unavailable_reply().text == "Hệ thống tạm thời chưa tra cứu được hồ sơ, vui lòng thử lại sau."


def test_database_without_tables_is_unavailable_too(small_catalog, tmp_path):
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert DossierDesk(empty, small_catalog).lookup("000.00.10.H32-261120-0001", ME, NOW).text == UNAVAILABLE


def test_forged_payloads_are_neither_queried_nor_echoed(engine, small_catalog):
    clock = [0.0]
    desk = DossierDesk(engine, small_catalog, throttle=UnknownCodeThrottle(3, 60, lambda: clock[0]))
    for forged in ("\u202eabc", "\ud800", "'; DROP TABLE dossiers;--", "x" * 500):
        for method in (desk.lookup, desk.subscribe, desk.unsubscribe):
            reply = method(forged, ME, NOW)
            assert reply.data["dossier"].get("malformed") or reply.data["dossier"].get("throttled")
            assert forged not in reply.text
    assert desk.lookup("000.00.10.H32-261120-9999", ME, NOW).data["dossier"]["throttled"]  # the misses counted


def test_client_addresses_are_throttled_across_sessions(engine, small_catalog):
    """The web page picks its own session id; a new one per request must not reset the guard."""
    clock = [0.0]
    desk = DossierDesk(engine, small_catalog, throttle=UnknownCodeThrottle(3, 600, lambda: clock[0]))
    real = _add(engine, 32, "received")
    outcomes = [desk.lookup(f"000.00.10.H32-261120-{8000 + i}", Requester("web", f"session-{i}", origin="203.0.113.7"),
                            NOW) for i in range(desk.limits.misses_per_address.limit + 10)]
    throttled = [r for r in outcomes if r.data["dossier"].get("throttled")]
    assert len(outcomes) - len(throttled) == desk.limits.misses_per_address.limit  # then the address is held back
    assert desk.lookup(real, Requester("web", "fresh", origin="203.0.113.7"), NOW).data["dossier"]["throttled"]
    assert "Đã tiếp nhận" in desk.lookup(real, Requester("web", "fresh", origin="198.51.100.1"), NOW).text
