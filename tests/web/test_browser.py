"""A real headless Chromium (Debian's `chromium`, driven by Playwright, no browser download) on a
phone-sized viewport, against the real server on loopback: ask without diacritics, tap a facet,
tick the checklist, vote, look up a demo dossier, open a procedure from a QR link. Screenshots
go to test-artifacts/ (gitignored). Skips with the reason when Chromium is missing, unless
REQUIRE_ALL=1 (CI), where it fails instead.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from assistant.dossiers.seed import DEMOS, seed_demo
from tests.conftest import skip_or_fail
from tests.factories import import_status
from tests.web.conftest import start_server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "vi-VN"}
TIMEOUT = 10_000  # ms for any single wait


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        skip_or_fail("Chromium is not installed (apt-get install chromium); the browser test needs /usr/bin/chromium")
    return path


@pytest.fixture
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # a Chromium that cannot start here is a missing service
            skip_or_fail(f"Chromium at {executable} did not start: {str(exc)[:300]}")
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def live(settings, assistant, sqlite_engine):
    seed_demo(sqlite_engine, assistant.catalog, dt.datetime.now(), assistant.brain.calendar)
    server = start_server(settings, assistant, sqlite_engine, demo=True)
    try:
        yield server
    finally:
        server.stop()


def no_horizontal_overflow(page) -> bool:
    """Nothing sticks out sideways on a phone (the page never scrolls horizontally)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_demo_in_a_real_browser(browser, live, assistant, sqlite_engine, tmp_path):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(live.url + "/")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#demo-banner")).to_be_visible()
    expect(page.locator("#place")).to_have_text("Tỉnh Khánh Hòa")
    # The locality's one-stop, not only the national hotline (verified values only).
    expect(page.locator("#contact")).to_contain_text("Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa")
    expect(page.locator(".msg.bot").first).to_contain_text("Xin chào!")
    expect(page.locator(".suggest")).to_contain_text("giấy độc thân mất bao lâu?")
    expect(page.locator(".suggest")).to_be_in_viewport()  # the first screen shows what to try
    page.screenshot(path=str(ARTIFACTS / "web-1-start.png"))
    catalog = assistant.catalog
    with_procedures = sum(1 for slug in catalog.fields if catalog.by_field(slug))
    fields = page.get_by_role("button", name=f"📂 Xem thủ tục theo lĩnh vực ({with_procedures})")
    fields.click()
    expect(fields).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Hộ tịch", exact=True)).to_be_visible()
    fields.click()
    assert no_horizontal_overflow(page)

    # A question typed without diacritics.
    page.fill("#text", "giay doc than mat bao lau")
    page.click("#send")
    answer = page.locator(".msg.bot.answer").nth(0)  # locators are lazy: pin this bubble by position
    expect(answer.locator(".title")).to_have_text("Xác nhận tình trạng hôn nhân")
    expect(answer).to_contain_text("01 ngày làm việc")
    expect(page.locator(".msg.user").last).to_have_text("giay doc than mat bao lau")

    # A facet button: the documents.
    answer.get_by_role("button", name="Giấy tờ", exact=True).click()
    documents = page.locator(".msg.bot.answer").nth(1)
    expect(documents).to_contain_text("Giấy tờ cần chuẩn bị")
    documents.get_by_role("button", name="☑️ Đánh dấu giấy tờ đã có").click()

    # The checklist: ticking edits the same bubble in place.
    checklist = page.locator(".msg.bot").filter(has=page.locator(".chip.check")).last
    expect(checklist).to_contain_text("Còn thiếu")
    bubbles = page.locator(".msg.bot").count()
    first = checklist.locator(".chip.check").first
    expect(first).to_have_attribute("aria-pressed", "false")
    first.click()
    expect(checklist.locator(".chip.check").first).to_have_attribute("aria-pressed", "true")
    expect(checklist.locator(".chip.check.on")).to_have_count(1)
    assert page.locator(".msg.bot").count() == bubbles
    page.screenshot(path=str(ARTIFACTS / "web-2-checklist.png"))

    # 👍 on the first answer.
    answer.get_by_role("button", name="👍 Hữu ích").click()
    expect(answer.locator(".thanks")).to_contain_text("Cảm ơn bạn đã góp ý")

    # "tra cứu hồ sơ" without a code: where the code is printed, and the lookup box is pointed at.
    page.fill("#text", "tra cứu hồ sơ")
    page.click("#send")
    expect(page.locator(".msg.bot.dossier").last).to_contain_text("Phiếu tiếp nhận hồ sơ và hẹn trả kết quả")
    expect(page.locator("#lookup")).to_have_class(re.compile(r"\battention\b"))
    expect(page.locator("#lookup")).to_be_visible()  # unfolded from the 🔎 in the header
    expect(page.get_by_role("button", name="Tra cứu hồ sơ", exact=True)).to_have_attribute("aria-expanded", "true")

    # Dossier lookup with a demo code (supplement requested: the card says what to bring).
    code = next(d.code for d in DEMOS if d.seq == 3)
    page.fill("#code", code.lower())
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    card = page.locator(".msg.bot.dossier").last
    expect(card.locator(".title")).to_have_text(f"Hồ sơ {code}")
    expect(card).to_contain_text("Tình trạng: Cần bổ sung hồ sơ")
    expect(card).to_contain_text("Thiếu hợp đồng thuê nhà")
    expect(card.get_by_role("button", name="🔔 Theo dõi hồ sơ")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "web-3-dossier.png"))

    # Follow it; staff import a status change; the page shows the notification, once.
    card.get_by_role("button", name="🔔 Theo dõi hồ sơ").click()
    expect(page.locator(".msg.bot.dossier").last).to_contain_text(f"Đã đăng ký theo dõi hồ sơ {code}")
    expect(page.locator(".msg.system").last).to_contain_text("sẽ hiện ngay trong trang này")
    assert import_status(sqlite_engine, assistant.catalog, tmp_path, code, "Đã giải quyết đúng hạn") == 1
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # as when the tab comes back
    notification = page.locator(".msg.bot.notification")
    expect(notification).to_have_count(1)
    expect(notification).to_contain_text(code)
    page.screenshot(path=str(ARTIFACTS / "web-3b-notification.png"))

    # Markup typed by a citizen is shown as text, never rendered.
    page.fill("#text", '<img src=x onerror="window.__xss=1"> <b>in đậm</b>')
    page.click("#send")
    expect(page.locator(".msg.bot").last).not_to_contain_text("Trợ lý đang trả lời")
    expect(page.locator(".msg.user").last).to_have_text('<img src=x onerror="window.__xss=1"> <b>in đậm</b>')
    assert page.locator("#messages img").count() == 0 and page.locator("#messages b").count() == 0
    assert page.evaluate("window.__xss") is None

    # Large text for older citizens, remembered across visits.
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.click("#large-text")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > size
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
    # Acknowledged, so not offered again; the reload draws it once, from the conversation's history.
    expect(page.locator(".msg.bot.notification")).to_have_count(1)
    expect(page.locator(".msg.bot.notification")).to_contain_text(code)
    assert no_horizontal_overflow(page)
    page.fill("#text", "lệ phí cấp hộ chiếu bao nhiêu?")
    page.click("#send")
    expect(page.locator(".msg.bot.answer").last).to_contain_text("200.000 đồng")
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(ARTIFACTS / "web-4-large-text.png"))

    # A QR code's link opens the procedure directly.
    page.goto(live.url + "/?p=passport-issuance")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator(".msg.bot").first.locator(".title")).to_have_text("Cấp hộ chiếu")

    # The composer stays on screen on a phone.
    box = page.locator("#send").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["viewport"]["height"]
    context.close()
    assert problems == [], problems
