from pathlib import Path

import pytest

from assistant.catalog.loader import CatalogError, check_catalog, load_catalog
from tests.factories import SMALL, procedure, write_catalog


def _problems(root: Path) -> list[str]:
    return [str(p) for p in check_catalog(root)]


def test_small_catalogue_loads(tmp_path):
    catalog = load_catalog(write_catalog(tmp_path))
    assert len(catalog) == len(SMALL)
    assert catalog.get("birth-registration").time_limit.same_day
    assert catalog.fields["ho-tich"] == "Hộ tịch"
    assert len(catalog.version) == 12


def test_shipped_catalogue_is_valid():
    root = Path(__file__).resolve().parents[2] / "procedures_catalog"
    assert [str(p) for p in check_catalog(root) if p.severity == "error"] == []
    assert len(load_catalog(root, "khanh-hoa")) >= 37


def test_unknown_key_names_file_and_line(tmp_path):
    root = write_catalog(tmp_path)
    path = root / "ho-tich" / "birth-registration.yaml"
    text = path.read_text(encoding="utf-8").replace("result:", "reslut: oops\nresult:")
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("reslut: oops") + 1
    assert f"{path}:{line}: khóa 'reslut' không hợp lệ — có phải ý bạn là 'result'?" in _problems(root)


def test_missing_required_key_points_at_parent(tmp_path):
    proc = procedure("death-registration", "Đăng ký khai tử")
    del proc["time_limit"]
    root = write_catalog(tmp_path, [proc])
    assert _problems(root) == [f"{root / 'ho-tich' / 'death-registration.yaml'}:1: "
                              "thiếu khóa bắt buộc 'time_limit' (thời hạn giải quyết)"]


def test_nested_error_points_at_the_item(tmp_path):
    proc = procedure("death-registration", "Đăng ký khai tử")
    proc["documents"][1]["copies"] = "hai"
    root = write_catalog(tmp_path, [proc])
    path = root / "ho-tich" / "death-registration.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "copies: hai" in text)
    (problem,) = _problems(root)
    assert problem == (f"{path}:{line}: 'copies' (số bản) trong thành phần hồ sơ › giấy tờ số 2: "
                       "cần một số nguyên (đang ghi 'hai')")


def test_duplicate_ids_and_shared_alias(tmp_path):
    a = procedure("birth-registration", "Đăng ký khai sinh", aliases=["làm khai sinh"])
    b = procedure("birth-registration", "Đăng ký khai sinh lại", aliases=["lam khai sinh"])
    b["field"] = "cu-tru"
    root = write_catalog(tmp_path, [a, b])
    problems = _problems(root)
    assert any("mã định danh 'birth-registration' trùng" in p for p in problems)

    c = procedure("death-registration", "Đăng ký khai tử", aliases=["Làm Khai Sinh"])
    root2 = write_catalog(tmp_path / "two", [a, c])
    (problem,) = _problems(root2)
    assert "tên gọi 'Làm Khai Sinh' đã dùng cho thủ tục 'birth-registration'" in problem
    assert problem.startswith(f"{root2 / 'ho-tich' / 'death-registration.yaml'}:")


def test_bad_date_and_malformed_yaml(tmp_path):
    proc = procedure("death-registration", "Đăng ký khai tử", reviewed={"on": "20/11/2026", "by": "Chị Lan"})
    root = write_catalog(tmp_path, [proc])
    (problem,) = _problems(root)
    assert "'on' (ngày rà soát) trong xác nhận rà soát: '20/11/2026' không phải ngày hợp lệ" in problem

    path = root / "ho-tich" / "death-registration.yaml"
    text = path.read_text(encoding="utf-8").replace("20/11/2026", "2026-11-31")
    path.write_text(text, encoding="utf-8")
    (problem,) = _problems(root)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "2026-11-31" in row)
    assert problem == f"{path}:{line}: 'on' (ngày rà soát) trong xác nhận rà soát: ngày 31/11/2026 không tồn tại"

    broken = root / "ho-tich" / "broken.yaml"
    broken.write_text("id: x\nname: [unclosed\nfield: ho-tich\n", encoding="utf-8")
    problems = _problems(root)
    assert any(p.startswith(f"{broken}:") and "lỗi cú pháp YAML" in p for p in problems)


def test_load_raises_one_error_listing_all(tmp_path):
    a = procedure("death-registration", "Đăng ký khai tử", reviewed={"on": "hôm qua", "by": "A"})
    b = procedure("birth-registration", "Đăng ký khai sinh", level="village")
    root = write_catalog(tmp_path, [a, b])
    with pytest.raises(CatalogError) as exc:
        load_catalog(root)
    assert len(exc.value.problems) == 2
    assert "death-registration.yaml" in str(exc.value) and "birth-registration.yaml" in str(exc.value)


def test_locality_override_merges_and_replaces(tmp_path):
    root = write_catalog(tmp_path, localities={
        "khanh-hoa": {
            "slug": "khanh-hoa",
            "name": "Tỉnh Khánh Hòa",
            "procedures": {"marriage-status-certification": {
                "time_limit": {"value": 1},
                "where": [{"name": "UBND xã Khánh Bình"}],
            }},
        }
    })
    statutory = load_catalog(root)
    local = load_catalog(root, "khanh-hoa")
    assert statutory.get("marriage-status-certification").time_limit.working_days == 3
    proc = local.get("marriage-status-certification")
    assert proc.time_limit.working_days == 1
    assert proc.time_limit.cutoff == "15:00"  # mappings merge key by key
    assert [p.name for p in proc.where] == ["UBND xã Khánh Bình"]  # lists replace
    assert local.get("marriage-registration").time_limit.working_days == 3


def test_bad_override_points_at_locality_file(tmp_path):
    root = write_catalog(tmp_path, localities={
        "x": {"slug": "x", "name": "X", "procedures": {
            "marriage-status-certification": {"time_limit": {"value": "mot"}},
            "no-such-procedure": {"result": "?"},
        }},
    })
    with pytest.raises(CatalogError) as exc:
        load_catalog(root, "x")
    text = str(exc.value)
    assert f"{root / 'localities' / 'x.yaml'}:" in text
    assert "điều chỉnh cho thủ tục 'marriage-status-certification': 'value' (số lượng) trong thời hạn giải quyết: " \
           "cần một con số (đang ghi 'mot')" in text
    assert "điều chỉnh cho thủ tục 'no-such-procedure' không có trong danh mục" in text


def test_missing_locality_file(tmp_path):
    root = write_catalog(tmp_path)
    with pytest.raises(CatalogError, match="địa bàn 'nowhere'"):
        load_catalog(root, "nowhere")
