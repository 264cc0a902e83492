"""`catalog new`: answers piped on stdin, as a civil servant's script or this test would."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant.catalog.loader import load_catalog
from assistant.staff.catalog_new import Invalid, parse_document_answer, parse_online, parse_yes_no, run_new
from tests.factories import write_catalog

GOOD_ANSWERS = [
    "adoption-registration",  # id
    "Đăng ký nuôi con nuôi trong nước",  # name
    "1.003005",  # national code
    "1",  # field: the first in the list (ho-tich)
    "xã",  # level
    "Ủy ban nhân dân cấp xã nơi thường trú của người được giới thiệu làm con nuôi",
    "Công dân Việt Nam muốn nhận con nuôi", "",  # applicants, then an empty line ends the list
    "Đơn xin nhận con nuôi | 1 | chính",
    "Giấy khám sức khỏe | 1 | sao chứng thực",
    "Thẻ căn cước | | xuất trình",
    "Giấy tờ chứng minh hoàn cảnh | 1 | sao | không bắt buộc",
    "",
    "20 ngày làm việc",
    "400.000 đồng",
    "Bộ phận một cửa UBND cấp xã | Số 1 đường Trần Phú",
    "",
    "một phần",
    "",  # online URL: the national portal by default
    "không",  # postal
    "Bước 1: Nộp hồ sơ", "Bước 2: UBND xã lấy ý kiến và xác minh", "Nhận Giấy chứng nhận", "",
    "Giấy chứng nhận việc nuôi con nuôi",
    "Luật Nuôi con nuôi số 52/2010/QH12", "Nghị định 19/2011/NĐ-CP, Điều 5", "",
    "Quyết định công bố thủ tục nuôi con nuôi | https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html", "",
    "xin con nuôi", "nhận con nuôi", "",
]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def run_cli(root: Path, answers: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", "catalog", "new", "--dir", str(root)],
                          input="\n".join(answers) + "\n", env=_env(), capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_piped_answers_write_a_file_that_loads(tmp_path):
    root = write_catalog(tmp_path / "catalog")

    result = run_cli(root, GOOD_ANSWERS)

    assert result.returncode == 0, result.stdout + result.stderr
    path = root / "ho-tich" / "adoption-registration.yaml"
    assert path.exists() and f"Đã tạo {path}" in result.stdout
    assert "Mã định danh (id)" in result.stdout and "Thành phần hồ sơ" in result.stdout  # Vietnamese prompts
    proc = load_catalog(root, locality=None).get("adoption-registration")
    assert proc is not None and proc.code == "1.003005" and proc.level == "commune" and proc.field == "ho-tich"
    assert [(d.name, d.copies, d.kind.value, d.required) for d in proc.documents] == [
        ("Đơn xin nhận con nuôi", 1, "original", True),
        ("Giấy khám sức khỏe", 1, "certified_copy", True),
        ("Thẻ căn cước", None, "present", True),
        ("Giấy tờ chứng minh hoàn cảnh", 1, "copy", False),
    ]
    assert (proc.time_limit.value, proc.time_limit.unit) == (20, "working_days")
    assert [w.in_person for w in proc.fees.windows] == [400_000]
    assert proc.where[0].address == "Số 1 đường Trần Phú"
    assert proc.channels.online == "partial" and proc.channels.online_url == "https://dichvucong.gov.vn"
    assert proc.channels.in_person and not proc.channels.postal
    assert proc.steps == ["Nộp hồ sơ", "UBND xã lấy ý kiến và xác minh", "Nhận Giấy chứng nhận"]
    assert [(r.instrument, r.articles) for r in proc.legal_basis] == [("52/2010/QH12", None),
                                                                      ("19/2011/NĐ-CP", "Điều 5")]
    assert proc.aliases == ["xin con nuôi", "nhận con nuôi"]
    assert proc.reviewed is None  # only `catalog review` records that a person checked it
    assert proc.sources[0].title == "Quyết định công bố thủ tục nuôi con nuôi" and proc.sources[0].url
    assert "documents" in proc.sources[0].supports
    assert "in_force" in result.stdout  # the new instruments were registered for staff to complete
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(data)[:4] == ["id", "code", "name", "aliases"]


def test_bad_answers_are_asked_again(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    answers = list(GOOD_ANSWERS)

    def before(anchor: str, *bad: str) -> None:
        index = answers.index(anchor)
        answers[index:index] = list(bad)

    before("adoption-registration", "Nuôi Con Nuôi", "marriage-registration")  # not a slug; an existing id
    before("Đăng ký nuôi con nuôi trong nước", "", "Đăng ký kết hôn")  # empty; another procedure's name
    before("1", "Thuế", "99")  # not a field
    before("xã", "hành chính", "huyện")
    before("Công dân Việt Nam muốn nhận con nuôi", "")
    before("Đơn xin nhận con nuôi | 1 | chính", "Đơn | nhiều | chính", "Đơn | 1 | photo công chứng")
    before("Luật Nuôi con nuôi số 52/2010/QH12", "Luật Nuôi con nuôi 2010")
    before("20 ngày làm việc", "càng sớm càng tốt")
    before("một phần", "có lẽ")
    before("không", "chưa biết")
    before("xin con nuôi", "giấy độc thân")  # an alias of marriage-status-certification
    answers.insert(answers.index("", answers.index("một phần") + 1), "ftp://dichvucong")  # URL, then default

    result = run_cli(root, answers)

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.count("Mã định danh (id)") == 3
    assert "Mã định danh chỉ gồm chữ thường không dấu" in out
    assert "Đã có thủ tục “marriage-registration”" in out and "không ghi đè" in out
    assert "Cần nhập tên thủ tục." in out and "Tên “Đăng ký kết hôn” đã được thủ tục “marriage-registration” dùng." in out
    assert out.count("Chọn lĩnh vực") == 3
    assert "Hãy chọn 1–3" in out and "Cấp huyện đã bỏ từ ngày 1/7/2025" in out
    assert "không thấy số hiệu văn bản" in out.lower()
    assert "Cần ít nhất 1 mục." in out
    assert "Số bản “nhiều” phải là một số từ 0 đến 20." in out
    assert "Loại giấy tờ “photo công chứng” không rõ" in out
    assert out.count("Thời hạn giải quyết (") == 2 and "Không đọc được thời hạn" in out
    assert "Hãy trả lời “toàn trình”, “một phần” hoặc “không”." in out
    assert "Địa chỉ phải bắt đầu bằng http://" in out
    assert "Hãy trả lời “có” hoặc “không”." in out
    assert "Tên “giấy độc thân” đã được thủ tục “marriage-status-certification” dùng." in out
    proc = load_catalog(root, locality=None).get("adoption-registration")
    assert proc.name == "Đăng ký nuôi con nuôi trong nước"
    assert len(proc.documents) == 4 and proc.aliases == ["xin con nuôi", "nhận con nuôi"]
    assert (root / "ho-tich" / "marriage-registration.yaml").read_text(encoding="utf-8").startswith("id: marriage-")


def test_running_out_of_answers_writes_nothing(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    result = run_cli(root, GOOD_ANSWERS[:10])
    assert result.returncode == 1
    assert "chưa ghi tệp nào" in result.stdout
    assert not (root / "ho-tich" / "adoption-registration.yaml").exists()


def test_in_process_with_string_streams(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    answers = [a if a != "1" else "cu-tru" for a in GOOD_ANSWERS]  # a field slug works too
    out = io.StringIO()
    code = run_new(root, io.StringIO("\n".join(answers) + "\n"), out, today=dt.date(2026, 11, 23))
    assert code == 0, out.getvalue()
    data = yaml.safe_load((root / "cu-tru" / "adoption-registration.yaml").read_text(encoding="utf-8"))
    assert "reviewed" not in data and data["field"] == "cu-tru"
    assert data["sources"][0]["checked"] == dt.date(2026, 11, 23)


def test_no_documents_asks_for_the_nothing_to_submit_sentence(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    answers = list(GOOD_ANSWERS)
    first = answers.index("Đơn xin nhận con nuôi | 1 | chính")
    answers[first:first + 5] = ["", "Không phải nộp giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư."]
    out = io.StringIO()
    assert run_new(root, io.StringIO("\n".join(answers) + "\n"), out) == 0, out.getvalue()
    proc = load_catalog(root, locality=None).get("adoption-registration")
    assert proc.documents == [] and proc.nothing_to_submit.startswith("Không phải nộp giấy tờ")


def test_missing_fields_file_is_reported(tmp_path):
    out = io.StringIO()
    assert run_new(tmp_path, io.StringIO(""), out) == 2
    assert "fields.yaml" in out.getvalue()


@pytest.mark.parametrize(("text", "expected"), [
    ("Tờ khai | 1 | chính", {"name": "Tờ khai", "copies": 1, "kind": "original"}),
    ("Tờ khai | |", {"name": "Tờ khai", "kind": "original"}),
    ("Bản sao giấy khai sinh | 2 | bản sao có chứng thực | nếu có",
     {"name": "Bản sao giấy khai sinh", "copies": 2, "kind": "certified_copy", "required": False}),
    ("Tờ khai (01 bản chính)", {"name": "Tờ khai", "copies": 1, "kind": "original"}),  # free text
])
def test_parse_document_answer(text, expected):
    assert parse_document_answer(text) == expected


@pytest.mark.parametrize("text", ["| 1 | chính", "Tờ khai | 21", "Tờ khai | 1 | gốc?", "Tờ khai | 1 | chính | gấp"])
def test_parse_document_answer_refuses(text):
    with pytest.raises(Invalid):
        parse_document_answer(text)


def test_small_answer_parsers():
    assert parse_yes_no("Có") is True and parse_yes_no("khong") is False
    assert parse_online("Toàn trình") == "full" and parse_online("không") == "none"
    with pytest.raises(Invalid):
        parse_yes_no("tùy")
