import datetime as dt
import os
import shutil

import pytest
from sqlalchemy import insert

from assistant.staff.reports import (
    format_table,
    format_unanswered,
    service_report,
    to_csv,
    to_html,
    unanswered_report,
)
from assistant.store.models import Dossier, Feedback, QuestionLogRow
from assistant.text.normalize import normalize
from tests.conftest import skip_or_fail

T = dt.datetime(2026, 11, 10, 9)


def _dossier(seq, status, channel, *, received=T, due=dt.date(2026, 11, 20), proc="birth-registration",
             locality="khanh-vinh"):
    return {"code": f"000.00.10.H32-261110-{seq:04d}", "procedure_id": proc, "locality": locality,
            "received_at": received, "channel": channel, "due_date": due, "status": status,
            "result_delivery": "counter", "updated_at": T}


@pytest.fixture
def seeded(engine):
    rows = [
        _dossier(1, "resolved_early", "online_full"),
        _dossier(2, "resolved_on_time", "online_full"),
        _dossier(3, "returned", "in_person"),
        _dossier(4, "resolved_late", "in_person", proc="land-use-certificate-first"),
        _dossier(5, "in_progress", "postal", due=dt.date(2026, 11, 30)),  # open, in time on 23/11
        _dossier(6, "in_progress", "online_partial", due=dt.date(2026, 11, 18)),  # open, late
        _dossier(7, "withdrawn", "in_person"),
        _dossier(8, "resolved_on_time", "online_full", received=dt.datetime(2026, 10, 5, 9)),
        _dossier(9, "resolved_late", "online_full", received=dt.datetime(2026, 10, 6, 9)),
        _dossier(10, "received", "in_person", received=dt.datetime(2026, 12, 1, 9)),  # outside the period
        _dossier(11, "received", "in_person", locality="other"),
    ]
    feedback = [{"channel": "web", "rating": r, "created_at": T} for r in (1, 1, 1, 1, -1)]
    questions = [{"text": q, "normalised": n, "status": s, "candidates": "[]", "channel": "web", "created_at": T}
                 for q, n, s in [("giá xăng bao nhiêu", "gia xang bao nhieu", "not_found"),
                                 ("gia xang hom nay", "gia xang hom nay", "not_found"),
                                 ("xin giấy phép nuôi chó", "xin giay phep nuoi cho", "not_found"),
                                 ("căn cước công dân", "can cuoc cong dan", "clarify"),
                                 ("giấy độc thân", "giay doc than", "answer"),
                                 ("hồ sơ 000", "ho so 000", "dossier")]]
    with engine.begin() as conn:
        conn.execute(insert(Dossier), rows)
        conn.execute(insert(Feedback), feedback)
        conn.execute(insert(QuestionLogRow), questions)
    return engine


def test_service_figures_match_hand_count(seeded):
    r = service_report(seeded, dt.date(2026, 10, 1), dt.date(2026, 11, 30), "khanh-vinh", today=dt.date(2026, 11, 23))
    assert r.received == 9
    assert r.by_channel == {"online_full": 4, "in_person": 3, "postal": 1, "online_partial": 1}
    assert (r.resolved_early, r.resolved_on_time, r.resolved_late) == (1, 3, 2)  # "returned" counts as resolved
    assert r.on_time_rate == 66.7  # 4 of 6
    assert (r.open_in_time, r.open_late, r.withdrawn) == (1, 1, 1)
    assert r.online_share == 55.6  # 5 of 9
    assert (r.feedback_positive, r.feedback_total, r.satisfaction) == (4, 5, 80.0)
    assert (r.questions_answered, r.questions) == (2, 6)
    assert r.by_month == {"2026-10": {"received": 2, "on_time": 1, "late": 1},
                          "2026-11": {"received": 7, "on_time": 3, "late": 1}}
    assert r.top_procedures[0] == ("birth-registration", 8)
    table = format_table(r)
    assert "Tỷ lệ đúng hạn" in table and "66.7%" in table and "mục tiêu 83%" in table
    assert to_csv(r).splitlines()[0] == "Chỉ tiêu,Giá trị,Tỷ lệ"


def test_unanswered_groups_near_duplicates(seeded, shipped_catalog):
    groups = unanswered_report(seeded, shipped_catalog)
    by_text = {g.representative: g for g in groups}
    assert by_text["giá xăng bao nhiêu"].count == 2  # "gia xang hom nay" joined it
    assert by_text["căn cước công dân"].suggestion in {"id-card-issuance", "id-card-renewal", "id-card-reissue"}
    assert by_text["giá xăng bao nhiêu"].suggestion is None
    assert all(g.representative != "giấy độc thân" for g in groups)


def test_unanswered_questions_about_an_uncovered_procedure_name_it_not_a_look_alike(seeded, shipped_catalog):
    """Staff should see demand for a procedure the catalogue lacks, not an alias to add to its look-alike."""
    with seeded.begin() as conn:
        conn.execute(insert(QuestionLogRow), [
            {"text": text, "normalised": normalize(text), "status": "not_found", "candidates": "[]", "channel": "web", "created_at": T}
            for text in ("đăng ký khai tử có yếu tố nước ngoài", "dang ky khai tu co yeu to nuoc ngoai o dau")])
    group = next(g for g in unanswered_report(seeded, shipped_catalog) if "khai tử" in g.representative)
    assert group.count == 2
    assert (group.elsewhere, group.suggestion) == ("Đăng ký khai tử có yếu tố nước ngoài", None)
    assert "ngoài danh mục: Đăng ký khai tử có yếu tố nước ngoài" in format_unanswered([group])


def test_html_report_renders_charts_in_chromium(seeded, shipped_catalog, tmp_path):
    r = service_report(seeded, dt.date(2026, 10, 1), dt.date(2026, 11, 30), today=dt.date(2026, 11, 23))
    page_html = to_html(r, shipped_catalog)
    assert page_html.count('class="chart"') == 3 and "Đăng ký khai sinh" in page_html
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        skip_or_fail("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 800, "height": 1200})
            page.goto(path.as_uri())
            assert page.locator("figure.chart").count() == 3
            assert page.locator("figure.chart .bar").count() >= 6
            assert page.locator("figure.chart").first.bounding_box()["height"] > 50
            os.makedirs("test-artifacts", exist_ok=True)
            page.screenshot(path="test-artifacts/service-report.png", full_page=True)
        finally:
            browser.close()
