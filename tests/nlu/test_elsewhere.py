"""What the catalogue does not cover (procedures_catalog/elsewhere/): a question naming one of
those procedures is told so, and questions about ours are not disturbed."""

from __future__ import annotations

import pytest

from assistant.catalog.loader import CatalogError, check_catalog, load_catalog
from assistant.config import Settings
from assistant.core import Assistant
from tests.factories import write_catalog
from tests.nlu.helpers import ask

ELSEWHERE = {
    "ho-tich": [
        {"name": "Đăng ký khai sinh lưu động"},
        {"name": "Đăng ký kết hôn có yếu tố nước ngoài", "aliases": ["kết hôn với người nước ngoài"]},
        {"name": "Cấp giấy xác nhận tình trạng hôn nhân cho công dân ở nước ngoài"},
    ],
    "can-cuoc": [{"name": "Cấp giấy chứng nhận căn cước cho người gốc Việt Nam"}],
}


@pytest.fixture
def assistant(tmp_path):
    return Assistant(load_catalog(write_catalog(tmp_path / "catalog", elsewhere=ELSEWHERE)), Settings())


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("đăng ký khai sinh lưu động ở đâu", "Đăng ký khai sinh lưu động"),
        ("dang ky ket hon voi nguoi nuoc ngoai can gi", "Đăng ký kết hôn có yếu tố nước ngoài"),
        ("kết hôn có yếu tố nước ngoài mất bao lâu", "Đăng ký kết hôn có yếu tố nước ngoài"),
        ("giấy chứng nhận căn cước cho người gốc việt nam", "Cấp giấy chứng nhận căn cước cho người gốc Việt Nam"),
    ],
)
def test_a_named_uncovered_procedure_is_not_answered_with_a_look_alike(assistant, question, named):
    reply = ask(assistant, question)
    assert reply["status"] == "not_found", reply
    assert reply["data"]["named"] == named
    assert named in reply["reply"] and "chưa có trong danh mục" in reply["reply"]
    # The look-alike stays one tap away, in case it was meant after all.
    assert reply["candidates"]


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("làm giấy khai sinh cho con cần gì", "birth-registration"),
        ("đăng ký kết hôn mất bao lâu", "marriage-registration"),
        ("xin giấy độc thân ở đâu", "marriage-status-certification"),
        ("đổi căn cước lệ phí bao nhiêu", "id-card-renewal"),
        # A word of an uncovered name typed alone is not that name ("lưu" is not "lưu động").
        ("khai sinh cho con ở xã, lưu ý gì không", "birth-registration"),
    ],
)
def test_questions_about_our_procedures_are_still_answered(assistant, question, procedure):
    reply = ask(assistant, question)
    assert (reply["status"], reply["procedure_id"]) == ("answer", procedure), reply


def test_an_uncovered_name_that_is_ours_is_an_error_at_its_line(tmp_path):
    root = write_catalog(tmp_path / "catalog", elsewhere={
        "ho-tich": [{"name": "Đăng ký khai sinh lưu động"},
                    {"name": "Đăng ký tạm trú có thời hạn", "aliases": ["giấy độc thân"]}]})
    problems = check_catalog(root)
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, problems
    assert errors[0].path.name == "ho-tich.yaml" and errors[0].line == 4
    assert "marriage-status-certification" in errors[0].message
    with pytest.raises(CatalogError):
        load_catalog(root)


def test_malformed_entries_name_file_and_line(tmp_path):
    root = write_catalog(tmp_path / "catalog", elsewhere={"x": [{"name": "Đăng ký khai sinh lưu động"},
                                                             {"ten": "thiếu khóa name"}]})
    errors = [p for p in check_catalog(root) if p.severity == "error"]
    assert {(p.path.name, p.line) for p in errors} == {("x.yaml", 2)}, errors
    (root / "elsewhere" / "x.yaml").write_text("name: không phải danh sách\n", encoding="utf-8")
    errors = [p for p in check_catalog(root) if p.severity == "error"]
    assert [(p.path.name, p.line) for p in errors] == [("x.yaml", 1)]
    assert "danh sách" in errors[0].message


def test_the_shipped_catalogue_lists_what_it_does_not_cover(shipped_catalog):
    assert len(shipped_catalog.elsewhere) >= 300


def test_a_broken_edit_of_the_list_keeps_the_last_good_one(tmp_path):
    """Staff edit elsewhere/ like any catalogue file: a mistake is reported at its line and the bot
    keeps answering with the list it had; the fixed file is picked up on the next reload."""
    root = write_catalog(tmp_path / "catalog", elsewhere=ELSEWHERE)
    bot = Assistant(load_catalog(root), Settings(catalog_dir=root, locality=None))
    listing = root / "elsewhere" / "ho-tich.yaml"
    good = listing.read_text(encoding="utf-8")
    listing.write_text(good + "- aliases: [quên ghi tên]\n", encoding="utf-8")
    problems = bot.reload(root)
    assert [(p.path.name, p.line) for p in problems] == [("ho-tich.yaml", good.count("\n") + 1)], problems
    assert ask(bot, "đăng ký khai sinh lưu động ở đâu")["data"]["named"] == "Đăng ký khai sinh lưu động"
    listing.write_text(good + "- name: Đăng ký khai sinh cho trẻ bị bỏ rơi\n", encoding="utf-8")
    assert bot.reload(root) == []
    assert ask(bot, "đăng ký khai sinh cho trẻ bị bỏ rơi")["data"]["named"] == "Đăng ký khai sinh cho trẻ bị bỏ rơi"


_EMBASSY = "cơ quan đại diện Việt Nam ở nước ngoài nơi bạn đang ở"


def test_another_bodys_procedure_is_sent_where_it_is_done(tmp_path):
    # Not to the commune one-stop or the province's hotline, which cannot do it (session 30).
    entry = {"name": "Cấp hộ chiếu phổ thông ở nước ngoài", "aliases": ["gia hạn hộ chiếu ở nước ngoài"],
             "done_at": _EMBASSY,
             "sources": [{"supports": ["done_at"], "title": "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam",
                          "checked": "2026-12-03"}]}
    assistant = Assistant(load_catalog(write_catalog(tmp_path / "catalog", elsewhere={"xnc": [entry]})), Settings())
    reply = ask(assistant, "gia hạn hộ chiếu ở nước ngoài cần gì")
    assert reply["status"] == "not_found" and reply["data"]["done_at"] == _EMBASSY
    assert f"làm tại {_EMBASSY}" in reply["reply"] and "Cấp hộ chiếu phổ thông ở nước ngoài" in reply["reply"]
    assert "một cửa" not in reply["reply"] and "tổng đài" not in reply["reply"]
    assert reply["candidates"] == [] and reply["buttons"] == []  # no look-alike done here to tap instead


def test_where_another_bodys_procedure_is_done_needs_a_source(tmp_path):
    root = write_catalog(tmp_path / "catalog", elsewhere={"xnc": [
        {"name": "Đăng ký khai sinh lưu động"},
        {"name": "Cấp hộ chiếu phổ thông ở nước ngoài", "done_at": _EMBASSY}]})
    (error,) = [p for p in check_catalog(root) if p.severity == "error"]
    assert (error.path.name, error.line) == ("xnc.yaml", 2) and "nguồn" in error.message, error


def test_the_shipped_passport_abroad_reply_names_the_embassy(shipped_catalog):
    reply = ask(Assistant(shipped_catalog, Settings()), "em dang o Han, ho chieu sap het han thi gia han o dau ben nay")
    assert reply["status"] == "not_found" and "đại sứ quán" in reply["reply"]
    assert "bộ phận một cửa" not in reply["reply"]
    assert reply["buttons"] == []  # not the passport issued here, nor other look-alikes
