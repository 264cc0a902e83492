"""`catalog check`: schema and truth checks on small catalogues in tmp_path, with a pinned check date."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from assistant.catalog.loader import load_catalog
from assistant.staff.catalog_lint import check_directory, format_report, lint_catalog
from tests.factories import INSTRUMENTS, SMALL, procedure, write_catalog

TODAY = dt.date(2026, 11, 30)

REGISTRY = [
    *INSTRUMENTS,
    {"number": "01/2021/NĐ-CP", "title": "Nghị định về đăng ký doanh nghiệp", "short": "Nghị định 01/2021/NĐ-CP",
     "in_force": "2021-01-04", "replaced_by": "168/2025/NĐ-CP", "expires": "2025-06-30"},
    {"number": "168/2025/NĐ-CP", "title": "Nghị định về đăng ký doanh nghiệp", "short": "Nghị định 168/2025/NĐ-CP",
     "in_force": "2025-07-01"},
    {"number": "59/2022/TT-BTC", "title": "Thông tư lệ phí cũ", "expires": "2025-12-31"},
]


def _errors(root, today=TODAY):
    return [p for p in check_directory(root, today) if p.severity == "error"]


def _line_of(path, needle):
    return next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in row)


def test_clean_catalogue_has_no_errors_and_lists_what_nobody_reviewed(tmp_path):
    root = write_catalog(tmp_path)
    problems = check_directory(root, TODAY)
    assert [p for p in problems if p.severity == "error"] == []
    assert {p.kind for p in problems} == {"Chưa được cán bộ rà soát"}
    assert lint_catalog(load_catalog(root), TODAY) == [p for p in problems]


def test_district_level_is_an_error_that_explains_the_reform(tmp_path):
    root = write_catalog(tmp_path, [procedure("id-card-reissue", "Cấp lại thẻ căn cước", field="can-cuoc",
                                              level="district")])
    path = root / "can-cuoc" / "id-card-reissue.yaml"
    (problem,) = _errors(root)
    assert (problem.path, problem.line) == (path, _line_of(path, "level: district"))
    assert "cấp huyện" in problem.message and "1/7/2025" in problem.message and "pydantic" not in problem.message


def test_replaced_and_expired_instruments_name_the_successor(tmp_path):
    proc = procedure("enterprise-registration", "Đăng ký doanh nghiệp",
                     legal_basis=[{"instrument": "01/2021/NĐ-CP", "articles": "Điều 22"},
                                  {"instrument": "168/2025/NĐ-CP"}],
                     fees={"set_by": "national", "basis": "59/2022/TT-BTC", "windows": [{"in_person": 50000}]})
    root = write_catalog(tmp_path, [proc], instruments=REGISTRY)
    path = root / "ho-tich" / "enterprise-registration.yaml"
    errors = {p.line: p.message for p in _errors(root)}
    replaced = errors[_line_of(path, "instrument: 01/2021/NĐ-CP")]
    assert "01/2021/NĐ-CP" in replaced and "thay thế bởi 168/2025/NĐ-CP (Nghị định 168/2025/NĐ-CP)" in replaced
    assert "hết hiệu lực từ ngày 01/01/2026" in errors[_line_of(path, "basis: 59/2022/TT-BTC")]
    assert len(errors) == 2
    # On a day the old decree was still in force, it was fine.
    assert _errors(root, dt.date(2025, 6, 1)) == []


def test_unknown_instrument_is_refused_by_the_loader(tmp_path):
    root = write_catalog(tmp_path, [procedure("birth-registration", "Đăng ký khai sinh",
                                              legal_basis=[{"instrument": "123/2015/ND-CP"}])])
    (problem,) = _errors(root)
    assert "văn bản '123/2015/ND-CP' chưa có trong danh mục văn bản pháp luật" in problem.message


def test_summary_and_notes_must_agree_with_the_numbers(tmp_path):
    fee = procedure("temporary-residence-registration", "Đăng ký tạm trú", field="cu-tru",
                    summary="Lệ phí 200.000 đồng, nộp tại Công an xã.",
                    fees={"set_by": "national", "windows": [{"in_person": 300000}]})
    days = procedure("marriage-status-certification", "Cấp Giấy xác nhận tình trạng hôn nhân",
                     summary="Giấy độc thân được cấp sau 01 ngày làm việc.",
                     time_limit={"value": 2, "unit": "working_days", "note": "Nếu cần xác minh thì không quá 23 ngày."})
    agreeing = procedure("birth-registration", "Đăng ký khai sinh", summary="Trả kết quả sau 03 ngày làm việc.")
    root = write_catalog(tmp_path, [fee, days, agreeing])
    errors = {(p.path.name, p.line): p.message for p in _errors(root)}
    fee_path = root / "cu-tru" / "temporary-residence-registration.yaml"
    days_path = root / "ho-tich" / "marriage-status-certification.yaml"
    fee_msg = errors[(fee_path.name, _line_of(fee_path, "summary:"))]
    assert "200.000 đồng" in fee_msg and "300.000 đồng" in fee_msg and "'summary' (tóm tắt)" in fee_msg
    days_msg = errors[(days_path.name, _line_of(days_path, "summary:"))]
    assert "ghi 1 ngày" in days_msg and "2 ngày làm việc" in days_msg
    assert len(errors) == 2  # the agreeing summary is fine
    # A note may name other figures (a history, a deadline): a warning that points to `extension`.
    (note,) = [p for p in check_directory(root, TODAY) if p.kind == "Ghi chú nêu con số khác với số liệu"]
    assert note.line == _line_of(days_path, "note: Nếu cần xác minh") and "time_limit.extension" in note.message


def test_missing_sources_and_old_sources(tmp_path):
    no_source = procedure("birth-registration", "Đăng ký khai sinh", sources=[])
    old = procedure("death-registration", "Đăng ký khai tử", sources=[
        {"supports": ["fees"], "title": "Thông tư 281/2016/TT-BTC", "checked": "2025-01-10"}])
    root = write_catalog(tmp_path, [no_source, old])
    (error,) = _errors(root)
    assert error.path.name == "birth-registration.yaml" and "chưa có nguồn kiểm chứng (sources)" in error.message
    (stale,) = [p for p in check_directory(root, TODAY) if p.kind.startswith("Nguồn kiểm chứng đã cũ")]
    assert stale.path.name == "death-registration.yaml" and "10/01/2025" in stale.message


def test_district_agency_names_markers_and_former_names(tmp_path):
    proc = procedure("id-card-reissue", "Cấp lại thẻ căn cước", field="can-cuoc",
                     agency="Công an cấp huyện",
                     where=[{"name": "Công an tỉnh (Phòng Cảnh sát QLHC về TTXH)",
                             "note": "Trước đây nộp tại Công an huyện, nay không còn."},
                            {"name": "Bộ phận một cửa UBND huyện Khánh Vĩnh"}],
                     steps=["Nộp hồ sơ tại Công an xã (verify)."])
    root = write_catalog(tmp_path, [proc])
    path = root / "can-cuoc" / "id-card-reissue.yaml"
    errors = {p.line: p.message for p in _errors(root)}
    assert "cơ quan cấp huyện" in errors[_line_of(path, "agency: Công an cấp huyện")]
    assert "cơ quan cấp huyện" in errors[_line_of(path, "UBND huyện Khánh Vĩnh")]
    assert "\"(verify)\"" in errors[_line_of(path, "(verify)")] and "unverified" in errors[_line_of(path, "(verify)")]
    assert _line_of(path, "Trước đây") not in errors  # a former name, clearly marked, is allowed
    assert len(errors) == 3


def test_overlapping_windows_impossible_dates_and_unknown_keys(tmp_path):
    overlap = procedure("id-card-renewal", "Cấp đổi thẻ căn cước", field="can-cuoc", fees={
        "set_by": "national", "windows": [{"from": "2025-07-01", "until": "2026-01-31", "in_person": 15000},
                                          {"from": "2026-01-01", "in_person": 30000}]})
    typo = procedure("birth-registration", "Đăng ký khai sinh")
    typo["fee"] = typo.pop("fees")
    bad_day = procedure("death-registration", "Đăng ký khai tử")
    root = write_catalog(tmp_path, [overlap, typo, bad_day])
    day_path = root / "ho-tich" / "death-registration.yaml"
    day_path.write_text(day_path.read_text(encoding="utf-8").replace("checked: '2026-11-20'", "checked: 2026-11-31"),
                        encoding="utf-8")
    messages = [p.message for p in _errors(root)]
    assert any("khoảng thời gian áp dụng số 1 và 2 chồng lên nhau" in m for m in messages)
    assert "khóa 'fee' không hợp lệ — có phải ý bạn là 'fees'?" in messages
    assert any(m.endswith("ngày 31/11/2026 không tồn tại") for m in messages)
    assert not any("Input should" in m or "Field required" in m for m in messages)  # no raw pydantic text


def test_unverified_fields_and_oldest_reviews_are_warnings(tmp_path):
    proc = procedure("birth-registration", "Đăng ký khai sinh", unverified=["fees", "where"],
                     reviewed={"on": "2025-06-01", "by": "Nguyễn Văn A"})
    wrong = procedure("death-registration", "Đăng ký khai tử", unverified=["fee"])
    root = write_catalog(tmp_path, [proc, wrong])
    problems = check_directory(root, TODAY)
    (error,) = [p for p in problems if p.severity == "error"]
    assert "'fee' không phải tên khóa của thủ tục — có phải ý bạn là 'fees'?" in error.message
    kinds = {p.kind: p for p in problems if p.severity == "warning" and p.path.name == "birth-registration.yaml"}
    assert "fees (phí, lệ phí), where (nơi nộp hồ sơ)" in kinds["Thông tin chưa kiểm chứng"].message
    assert "01/06/2025 (Nguyễn Văn A)" in kinds["Rà soát đã hơn một năm"].message
    assert "Nguyễn Văn A" in kinds["Các lần rà soát cũ nhất"].message


def test_report_lists_errors_first_then_warnings_by_kind_with_counts(tmp_path):
    procs = [procedure(p["id"], p["name"], **{k: v for k, v in p.items() if k not in ("id", "name")}) for p in SMALL]
    procs[0]["sources"] = []
    root = write_catalog(tmp_path, procs)
    text, code = format_report(check_directory(root, TODAY), root)
    assert code == 1
    lines = text.splitlines()
    assert lines[0] == "LỖI (1) — phải sửa trước khi dùng:"
    assert "chưa có nguồn kiểm chứng" in lines[1]
    assert "CẢNH BÁO (6):" in lines and "  Chưa được cán bộ rà soát (6):" in lines
    assert lines.index("CẢNH BÁO (6):") > 1
    assert lines[-1].startswith("Kết quả: 1 lỗi, 6 cảnh báo")


def test_check_command_pins_the_date_and_exits_non_zero_on_errors(tmp_path):
    proc = procedure("enterprise-registration", "Đăng ký doanh nghiệp", legal_basis=[{"instrument": "01/2021/NĐ-CP"}])
    root = write_catalog(tmp_path, [proc], instruments=REGISTRY)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def check(day: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "assistant", "catalog", "check", str(root), "--today", day],
                              capture_output=True, text=True, env=env, timeout=120)

    before, after = check("2025-06-30"), check("2025-07-01")
    assert before.returncode == 0 and "Đạt: danh mục" in before.stdout
    assert after.returncode == 1 and "thay thế bởi 168/2025/NĐ-CP" in after.stdout
    bad = check("2025-02-30")
    assert bad.returncode == 2 and "ngày không hợp lệ" in bad.stderr


def test_example_regression_fails(tmp_path):
    good = procedure("death-registration", "Đăng ký khai tử", aliases=["báo tử"],
                     examples=["bao tu cho ong noi can gi", "giấy độc thân mất bao lâu"])
    procs = [procedure(p["id"], p["name"], **{k: v for k, v in p.items() if k not in ("id", "name")}) for p in SMALL]
    root = write_catalog(tmp_path, [*procs, good])
    (problem,) = _errors(root)
    assert "câu hỏi mẫu 'giấy độc thân mất bao lâu' không còn dẫn tới 'death-registration'" in problem.message
    assert "marriage-status-certification" in problem.message
    assert problem.line == _line_of(root / "ho-tich" / "death-registration.yaml", "giấy độc thân mất bao lâu")


def test_registry_names_unregistered_successors(tmp_path):
    registry = [*INSTRUMENTS, {"number": "28/2009/QH12", "title": "Luật Lý lịch tư pháp", "amended_by": ["99/2025/QH15"]}]
    root = write_catalog(tmp_path, instruments=registry)
    (warning,) = [p for p in check_directory(root, TODAY) if p.kind == "Căn cứ pháp lý"]
    path = root / "instruments" / "registry.yaml"
    assert warning.path == path and warning.line == _line_of(path, "- 99/2025/QH15")
    assert "văn bản 99/2025/QH15 (ghi ở 'amended_by' của 28/2009/QH12) chưa có trong danh mục văn bản" in warning.message


def test_alias_warnings_weigh_distinguishing_words_as_the_core_does():
    """On the shipped catalogue: "mất bằng lái" is not reported as leading to the driving test,
    which word overlap alone ranks first but the core never answers ("mất" speaks against it)."""
    from assistant.config import DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY, Settings
    from assistant.core import Assistant
    from assistant.staff.catalog_lint import W_ALIAS

    problems = check_directory(DEFAULT_CATALOG_DIR, TODAY)
    warned = {p.message.split("'")[1] for p in problems if p.kind == W_ALIAS}
    assert not {"mất bằng lái", "mất GPLX", "đổi bằng lái", "cấp lại bằng lái"} & warned
    matcher = Assistant(load_catalog(DEFAULT_CATALOG_DIR, DEFAULT_LOCALITY), Settings()).brain.matcher
    own, ranked = matcher.score_without_phrase("driving-license-reissue", "mất bằng lái")
    assert any(s.id == "driving-license-test" and s.score > own for s in ranked)


def test_what_a_benefit_pays_out_is_not_read_as_a_fee(tmp_path):
    """The fee answer is where "được bao nhiêu tiền" lands, so a free benefit's fee note tells the
    amount paid out after "Về tiền trợ cấp:"; a fee figure before it is still checked."""
    paid = procedure("social-allowance-monthly", "Trợ cấp xã hội hằng tháng",
                     fees={"set_by": "none", "note": "Không mất phí. Về tiền trợ cấp: 540.000 đồng/tháng."})
    charged = procedure("funeral-allowance", "Hỗ trợ chi phí mai táng",
                        fees={"set_by": "none", "note": "Lệ phí 20.000 đồng. Về tiền hỗ trợ: 10.800.000 đồng."})
    root = write_catalog(tmp_path, [paid, charged])
    flagged = {p.path.stem for p in check_directory(root, TODAY) if "fees" in p.message or "lệ phí" in p.message}
    assert flagged == {"funeral-allowance"}


def test_a_named_case_amount_is_a_known_fee(tmp_path):
    """A note may repeat a case's amount ("thu 400.000 đồng khi mất"): it is one of the numbers."""
    fees = {"set_by": "national", "windows": [{"in_person": 200000}],
            "cases": [{"when": "Cấp lại do bị mất", "in_person": 400000}]}
    named = procedure("passport-issuance", "Cấp hộ chiếu", fees={**fees, "note": "Mất hộ chiếu thì thu 400.000 đồng."})
    other = procedure("birth-registration", "Đăng ký khai sinh", fees={**fees, "note": "Thu 500.000 đồng."})
    root = write_catalog(tmp_path, [named, other])
    flagged = {p.path.stem for p in check_directory(root, TODAY) if p.kind == "Ghi chú nêu con số khác với số liệu"}
    assert flagged == {"birth-registration"}


def test_an_uncovered_name_the_bot_relies_on_must_not_be_renamed(tmp_path):
    # The reply to a passport renewed abroad names this entry by its exact text (session 30).
    renamed = write_catalog(tmp_path / "renamed", elsewhere={"xuat-nhap-canh": [
        {"name": "Cấp hộ chiếu cho công dân ở nước ngoài"}]})
    (warning,) = [p for p in check_directory(renamed, TODAY) if p.kind == "Danh sách ngoài danh mục"]
    assert warning.severity == "warning" and warning.path == renamed / "elsewhere"
    assert "'Cấp hộ chiếu phổ thông ở nước ngoài'" in warning.message and "đổi tên" in warning.message
    kept = write_catalog(tmp_path / "kept", elsewhere={"xuat-nhap-canh": [
        {"name": "Cấp hộ chiếu phổ thông ở nước ngoài"}]})
    assert not [p for p in check_directory(kept, TODAY) if p.kind == "Danh sách ngoài danh mục"]


def test_the_shipped_catalogue_keeps_every_name_the_bot_relies_on():
    from assistant.config import DEFAULT_CATALOG_DIR
    from assistant.staff.catalog_lint import _named_by_the_bot

    assert list(_named_by_the_bot(load_catalog(DEFAULT_CATALOG_DIR))) == []


def test_where_another_bodys_procedure_is_done_ages_like_any_source(tmp_path):
    entry = {"name": "Cấp hộ chiếu phổ thông ở nước ngoài", "done_at": "cơ quan đại diện Việt Nam ở nước ngoài",
             "sources": [{"supports": ["done_at"], "title": "Luật Xuất cảnh, nhập cảnh", "checked": "2024-06-01"}]}
    root = write_catalog(tmp_path, elsewhere={"xnc": [{"name": "Đăng ký khai sinh lưu động"}, entry]})
    (old,) = [p for p in check_directory(root, TODAY) if p.kind == "Nguồn kiểm chứng đã cũ (hơn một năm)"]
    path = root / "elsewhere" / "xnc.yaml"
    assert (old.path, old.line) == (path, _line_of(path, "2024-06-01")) and "Luật Xuất cảnh" in old.message
