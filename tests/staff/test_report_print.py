"""The printable service report: a busy year (12 months, the ten procedures with the longest
names) prints on one A4 sheet in Chromium with every label whole. The PDF and a print-media
screenshot go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import insert

from assistant.staff.reports import service_report, to_html
from assistant.store.models import Dossier
from tests.web.test_browser import browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
A4_PX = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch


def test_a_busy_year_prints_on_one_a4_sheet_with_full_labels(browser, sqlite_engine, shipped_catalog):  # noqa: F811
    longest = sorted(shipped_catalog.procedures.values(), key=lambda p: -len(p.display_name))[:10]
    statuses = ["resolved_early", "resolved_on_time", "resolved_late", "in_progress", "withdrawn"]
    channels = ["online_full", "online_partial", "in_person", "postal"]
    rows, seq = [], 0
    for month in range(1, 13):
        for i, proc in enumerate(longest):
            for k in range(1 + (i + month) % 3):
                seq += 1
                received = dt.datetime(2026, month, 1 + k * 3, 9)
                rows.append({"code": f"000.00.10.H32-26{month:02d}{1 + k:02d}-{seq:04d}", "procedure_id": proc.id,
                             "locality": "khanh-hoa", "received_at": received, "channel": channels[seq % 4],
                             "due_date": received.date() + dt.timedelta(days=10), "status": statuses[seq % 5],
                             "result_delivery": "counter", "updated_at": received})
    with sqlite_engine.begin() as conn:
        conn.execute(insert(Dossier), rows)
    report = service_report(sqlite_engine, dt.date(2026, 1, 1), dt.date(2026, 12, 31), today=dt.date(2026, 12, 31))
    assert len(report.by_month) == 12 and len(report.top_procedures) == 10

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "service-report.html"
    path.write_text(to_html(report, shipped_catalog), encoding="utf-8")
    page = browser.new_page(viewport=A4_PX)
    try:
        page.goto(path.as_uri())
        page.emulate_media(media="print")
        labels = page.locator("figure.chart .label").all_inner_texts()
        for proc in longest:
            assert proc.display_name in labels, proc.display_name  # whole, not "(đăng ký biến độn"
        cut = page.evaluate("""() => [...document.querySelectorAll('.label, td')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent)""")
        assert cut == []
        page.screenshot(path=str(ARTIFACTS / "service-report-print.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.close()
    (ARTIFACTS / "service-report.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages == 1, f"the report prints on {pages} pages"
