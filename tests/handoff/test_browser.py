"""Headless Chromium on both sides: a citizen on a phone asks for a person in the web chat, a
civil servant logs into /staff on a desktop, reads the transcript and answers; the answer
appears in the citizen's chat by itself. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.handoff.conftest import PASSWORD
from tests.web.test_browser import ARTIFACTS, PHONE, TIMEOUT, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}


def test_citizen_and_civil_servant_in_real_browsers(browser, server, accounts):  # noqa: F811
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    phone = browser.new_context(**PHONE)
    phone.set_default_timeout(TIMEOUT)
    citizen = phone.new_page()
    citizen.on("pageerror", lambda exc: problems.append(str(exc)))
    citizen.goto(server.url + "/")
    citizen.wait_for_selector("body[data-ready='1']")
    citizen.fill("#text", "xác nhận cư trú ở đâu")
    citizen.click("#send")
    citizen.wait_for_selector(".msg.bot.answer, .msg.bot.clarify, .msg.bot.not_found")
    citizen.get_by_role("button", name="Gặp cán bộ").click()  # the header button
    handoff = citizen.locator(".msg.bot.handoff").last
    expect(handoff).to_contain_text("Mình đã chuyển câu hỏi của bạn tới cán bộ")
    citizen.fill("#text", "Em cần xin giấy xác nhận cư trú gấp")
    citizen.click("#send")
    expect(citizen.locator(".msg.bot.handoff").last).to_contain_text("Đã chuyển tin nhắn")

    desk = browser.new_context(**DESKTOP)
    desk.set_default_timeout(TIMEOUT)
    staff = desk.new_page()
    staff.on("pageerror", lambda exc: problems.append(str(exc)))
    staff.goto(server.url + "/staff")
    expect(staff.get_by_role("heading", name="Đăng nhập hộp thư cán bộ")).to_be_visible()
    staff.get_by_label("Tài khoản").fill("lan")
    staff.get_by_label("Mật khẩu").fill(PASSWORD)
    staff.get_by_role("button", name="Đăng nhập").click()
    expect(staff.get_by_role("heading", name="Yêu cầu đang mở (1)")).to_be_visible()
    staff.screenshot(path=str(ARTIFACTS / "staff-1-inbox.png"))
    staff.locator("table a").first.click()
    expect(staff.locator(".transcript")).to_contain_text("giấy xác nhận cư trú")
    expect(staff.locator(".transcript li").first).to_contain_text("xác nhận cư trú ở đâu")  # asked the bot first
    expect(staff.locator(".transcript li.bot").first).to_be_visible()
    staff.get_by_label("Trả lời người dân").fill("Bạn nộp trực tuyến trên Cổng Dịch vụ công, có kết quả trong ngày.")
    staff.get_by_role("button", name="Gửi trả lời").click()
    expect(staff.locator(".notice")).to_contain_text("Đã gửi câu trả lời")
    expect(staff.locator(".transcript li.staff")).to_have_count(1)
    staff.screenshot(path=str(ARTIFACTS / "staff-2-request.png"), full_page=True)

    answer = citizen.locator(".msg.bot.notification")
    expect(answer).to_contain_text("Cán bộ trả lời", timeout=15_000)
    expect(answer).to_have_count(1)
    citizen.screenshot(path=str(ARTIFACTS / "staff-3-citizen.png"))

    staff.get_by_role("button", name="Đăng xuất").click()
    expect(staff.get_by_role("heading", name="Đăng nhập hộp thư cán bộ")).to_be_visible()
    staff.goto(server.url + "/staff")
    expect(staff.get_by_role("heading", name="Đăng nhập hộp thư cán bộ")).to_be_visible()
    assert problems == []
    phone.close()
    desk.close()
