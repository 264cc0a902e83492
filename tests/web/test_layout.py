"""The web chat as people see it, in a real Chromium: a phone (390×844), the same phone with the
on-screen keyboard open (390×480 visible), a projector (1366×768) and that screen at 200% zoom.

Each state asserts layout facts — the conversation keeps most of the screen, no control is cut
off or pushed off screen, nothing scrolls sideways, button labels fit — and runs axe-core
(axe-playwright-python) with no serious or critical violation. Screenshots of every state go to
test-artifacts/layout/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import pytest

from assistant.dossiers.seed import DEMOS
from tests.web.test_browser import ARTIFACTS, TIMEOUT, browser, live  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "layout"
SIZES = {
    "phone": {"width": 390, "height": 844},
    "keyboard": {"width": 390, "height": 480},
    "projector": {"width": 1366, "height": 768},
    # The projector's laptop at 200% browser zoom: half the CSS pixels, each drawn twice as large.
    "zoom200": {"width": 683, "height": 384},
}
# The message area's share of the visible height, at least (in large-text mode, with the banner).
MIN_SHARE = {"phone": 0.75, "keyboard": 0.62, "projector": 0.72, "zoom200": 0.55}
MIN_SHARE_LARGE = {"phone": 0.65, "keyboard": 0.5, "projector": 0.65, "zoom200": 0.45}
DESKTOP = ("projector", "zoom200")

FACTS_JS = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
                            getComputedStyle(el).visibility !== 'hidden'; };
  const label = (el) => (el.getAttribute('aria-label') || el.textContent || el.id || el.tagName).trim().slice(0, 60);
  const problems = [];
  const messages = document.getElementById('messages');
  const area = messages.getBoundingClientRect();
  for (const el of document.querySelectorAll('button, input, textarea, h1, #place, .lookup-label')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    const inLog = messages.contains(el);
    if (r.left < -0.5 || r.right > vw + 0.5) problems.push('sideways out of view: ' + label(el));
    if (!inLog && (r.top < -0.5 || r.bottom > vh + 0.5)) problems.push('off screen: ' + label(el));
    if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'TEXTAREA' && el.tagName !== 'INPUT')
      problems.push('text cut: ' + label(el));
    if (el.placeholder) {
      const style = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (ctx.measureText(el.placeholder).width > room + 1) problems.push('placeholder cut: ' + el.placeholder);
    }
  }
  for (const chip of document.querySelectorAll('.feedback .chip, .toggle, .primary, .secondary')) {
    if (!visible(chip)) continue;
    const style = getComputedStyle(chip);
    if (chip.getBoundingClientRect().height > parseFloat(style.minHeight) + 1)
      problems.push('wraps onto several lines: ' + label(chip));
  }
  return {messageHeight: area.height, top: area.top, bottom: area.bottom, viewport: vh,
          scrollWidth: document.documentElement.scrollWidth, width: vw, problems};
}"""


def facts(page) -> dict:
    return page.evaluate(FACTS_JS)


def axe_violations(page) -> list[dict]:
    """Every axe-core violation (all rules, WCAG 2.x A/AA and best practices), as id/impact/where."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "where": [n["target"] for n in v["nodes"]][:3]}
            for v in results.response["violations"]]


def check(page, size: str, state: str, measured: dict) -> dict:
    """Layout facts and axe-core for one state; writes the screenshot first so a failure has one."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{size}-{state}.png"))
    got = facts(page)
    measured[f"{size}/{state}"] = round(got["messageHeight"])
    assert got["problems"] == [], (size, state, got["problems"])
    assert got["scrollWidth"] <= got["width"], (size, state, "horizontal scroll")
    share = (MIN_SHARE_LARGE if "large" in state else MIN_SHARE)[size]
    assert got["messageHeight"] >= share * got["viewport"], (size, state, got)
    assert got["bottom"] <= got["viewport"] + 0.5
    violations = axe_violations(page)
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], (size, state, violations)
    assert violations == [], (size, state)  # not even a minor one today: keep it so
    return got


def open_page(browser, url: str, size: str, large: bool = False):  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=1 if size == "projector" else 2,
                                  is_mobile=size not in DESKTOP, has_touch=size not in DESKTOP, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    if large:
        context.add_init_script("localStorage.setItem('tthc-large', '1')")
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_selector("body[data-ready='1']")
    return context, page


def ask(page, text: str) -> None:
    from playwright.sync_api import expect

    count = page.locator(".msg.bot").count()
    page.fill("#text", text)
    page.click("#send")
    expect(page.locator(".msg.bot")).to_have_count(count + 1)


@pytest.mark.parametrize("size", list(SIZES))
def test_layout_at_each_size(browser, live, size):  # noqa: F811
    from playwright.sync_api import expect

    measured: dict[str, int] = {}
    context, page = open_page(browser, live.url, size)
    expect(page.locator("#demo-banner")).to_be_visible()
    expect(page.locator("#lookup")).to_be_hidden()  # folded behind the 🔎 button
    check(page, size, "1-start", measured)

    ask(page, "giấy độc thân lệ phí bao nhiêu")
    answer = page.locator(".msg.bot.answer").last
    expect(answer.locator(".feedback .chip")).to_have_count(2)
    check(page, size, "2-answer", measured)
    answer.get_by_role("button", name="👍 Hữu ích").click()
    expect(answer.locator(".thanks")).to_contain_text("Cảm ơn bạn đã góp ý")

    # The documents, then the checklist: labels end on a whole word (with "…" when shortened).
    answer.get_by_role("button", name="Giấy tờ", exact=True).click()
    documents = page.locator(".msg.bot.answer").last
    expect(documents).to_contain_text("Giấy tờ cần chuẩn bị")
    documents.get_by_role("button", name="☑️ Đánh dấu giấy tờ đã có").click()
    checklist = page.locator(".msg.bot").filter(has=page.locator(".chip.check")).last
    expect(checklist).to_contain_text("Còn thiếu")
    check(page, size, "3-checklist", measured)

    # The banner goes away for good with its ✕; the lookup opens from the header.
    page.get_by_role("button", name="Ẩn thông báo chế độ trình diễn").click()
    expect(page.locator("#demo-banner")).to_be_hidden()
    page.get_by_role("button", name="Tra cứu hồ sơ").click()
    expect(page.locator("#code")).to_be_focused()
    check(page, size, "4-lookup-open", measured)
    code = next(d.code for d in DEMOS if d.seq == 3)
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot.dossier").last.locator(".title")).to_have_text(f"Hồ sơ {code}")
    expect(page.locator("#lookup")).to_be_hidden()
    check(page, size, "5-dossier", measured)

    # Reload: the conversation comes back, the banner stays dismissed.
    shown = page.locator("#messages .msg.bot, #messages .msg.user").all_inner_texts()
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#demo-banner")).to_be_hidden()
    restored = page.locator("#messages .msg.bot, #messages .msg.user").all_inner_texts()
    assert restored == shown
    check(page, size, "6-reloaded", measured)
    context.close()

    # Large text: nothing cut, the locality name whole (where shown) and the placeholder readable.
    context, page = open_page(browser, live.url, size, large=True)
    expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
    ask(page, "giấy độc thân lệ phí bao nhiêu")
    check(page, size, "7-large-text", measured)
    context.close()
    print(f"message area height (px) at {size}: {measured}")


def test_keyboard_only_reaches_every_control(browser, live):  # noqa: F811
    """Tab goes through the header tools, the banner's ✕ and the composer, each with a name."""
    context, page = open_page(browser, live.url, "phone")
    names = []
    for _ in range(30):
        page.keyboard.press("Tab")
        names.append(page.evaluate("""() => { const el = document.activeElement;
            const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
            return el.id + '|' + (el.getAttribute('aria-label') || label || el.textContent).trim(); }"""))
    context.close()
    assert "open-lookup|Tra cứu hồ sơ" in names
    assert "large-text|Chữ lớn" in names
    assert "hide-banner|Ẩn thông báo chế độ trình diễn" in names
    assert any("Xem thủ tục theo lĩnh vực" in name for name in names), names
    assert "text|Câu hỏi của bạn" in names and "send|Gửi" in names, names
