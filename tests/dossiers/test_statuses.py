import datetime as dt

import pytest

from assistant.dossiers.statuses import (
    CLOSED,
    LABELS,
    OPEN,
    RESOLVED,
    RESOLVED_UNSPECIFIED,
    DossierStatus,
    classify_resolution,
    parse_export_status,
    parse_status,
)


def test_every_status_has_a_label_and_one_group():
    assert set(LABELS) == set(DossierStatus)
    assert set(DossierStatus) == OPEN | RESOLVED | CLOSED and not (OPEN & RESOLVED or OPEN & CLOSED or RESOLVED & CLOSED)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đã tiếp nhận", "received"), ("MỚI TIẾP NHẬN", "received"), ("dang xu ly", "in_progress"),
        ("Đang giải quyết - trễ hạn", "in_progress"), ("Yêu cầu bổ sung hồ sơ", "supplement_requested"),
        ("Chờ bổ sung", "supplement_requested"), ("Đã giải quyết trước hạn", "resolved_early"),
        ("Hoàn thành đúng hạn", "resolved_on_time"), ("Đã giải quyết quá hạn", "resolved_late"),
        ("Đã trả kết quả", "returned"), ("Công dân rút hồ sơ", "withdrawn"), ("Từ chối giải quyết", "stopped"),
        ("Hủy hồ sơ", "cancelled"), ("resolved_late", "resolved_late"), ("in-progress", "in_progress"),
        ("Đã giải quyết", RESOLVED_UNSPECIFIED), ("Hoàn thành", RESOLVED_UNSPECIFIED),
        ("", None), ("đang bay", None),
    ],
)
def test_export_words(raw, expected):
    assert parse_export_status(raw) == expected


def test_staff_filter_words():
    assert parse_status("Yêu cầu bổ sung") == DossierStatus.supplement_requested
    assert parse_status("đã giải quyết") == DossierStatus.resolved_on_time
    assert parse_status("???") is None


def test_classify_resolution():
    due = dt.date(2026, 11, 19)
    assert classify_resolution(dt.date(2026, 11, 18), due) == DossierStatus.resolved_early
    assert classify_resolution(due, due) == DossierStatus.resolved_on_time
    assert classify_resolution(dt.date(2026, 11, 20), due) == DossierStatus.resolved_late
    assert classify_resolution(None, due) == DossierStatus.resolved_on_time
