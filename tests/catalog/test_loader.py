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
    assert len(load_catalog(root, "khanh-vinh")) >= 37


def test_unknown_key_names_file_and_line(tmp_path):
    root = write_catalog(tmp_path)
    path = root / "ho-tich" / "birth-registration.yaml"
    text = path.read_text(encoding="utf-8").replace("result:", "reslut: oops\nresult:")
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("reslut: oops") + 1
    assert f"{path}:{line}: unknown key 'reslut'" in _problems(root)


def test_missing_required_key_points_at_parent(tmp_path):
    proc = procedure("death-registration", "Đăng ký khai tử")
    del proc["time_limit"]
    root = write_catalog(tmp_path, [proc])
    assert _problems(root) == [f"{root / 'ho-tich' / 'death-registration.yaml'}:1: missing required key 'time_limit'"]


def test_nested_error_points_at_the_item(tmp_path):
    proc = procedure("death-registration", "Đăng ký khai tử")
    proc["documents"][1]["copies"] = "hai"
    root = write_catalog(tmp_path, [proc])
    path = root / "ho-tich" / "death-registration.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "copies: hai" in text)
    (problem,) = _problems(root)
    assert problem.startswith(f"{path}:{line}: documents.1.copies")


def test_duplicate_ids_and_shared_alias(tmp_path):
    a = procedure("birth-registration", "Đăng ký khai sinh", aliases=["làm khai sinh"])
    b = procedure("birth-registration", "Đăng ký khai sinh lại", aliases=["lam khai sinh"])
    b["field"] = "cu-tru"
    root = write_catalog(tmp_path, [a, b])
    problems = _problems(root)
    assert any("duplicate id 'birth-registration'" in p for p in problems)

    c = procedure("death-registration", "Đăng ký khai tử", aliases=["Làm Khai Sinh"])
    root2 = write_catalog(tmp_path / "two", [a, c])
    (problem,) = _problems(root2)
    assert "alias 'Làm Khai Sinh' is also used by 'birth-registration'" in problem
    assert problem.startswith(f"{root2 / 'ho-tich' / 'death-registration.yaml'}:")


def test_bad_date_and_malformed_yaml(tmp_path):
    proc = procedure("death-registration", "Đăng ký khai tử", reviewed="20/11/2026")
    root = write_catalog(tmp_path, [proc])
    (problem,) = _problems(root)
    assert "reviewed must be an ISO date" in problem

    broken = root / "ho-tich" / "broken.yaml"
    broken.write_text("id: x\nname: [unclosed\nfield: ho-tich\n", encoding="utf-8")
    problems = _problems(root)
    assert any(p.startswith(f"{broken}:") and "YAML syntax error" in p for p in problems)


def test_load_raises_one_error_listing_all(tmp_path):
    a = procedure("death-registration", "Đăng ký khai tử", reviewed="hôm qua")
    b = procedure("birth-registration", "Đăng ký khai sinh", level="village")
    root = write_catalog(tmp_path, [a, b])
    with pytest.raises(CatalogError) as exc:
        load_catalog(root)
    assert len(exc.value.problems) == 2
    assert "death-registration.yaml" in str(exc.value) and "birth-registration.yaml" in str(exc.value)


def test_locality_override_merges_and_replaces(tmp_path):
    root = write_catalog(tmp_path, localities={
        "khanh-vinh": {
            "slug": "khanh-vinh",
            "name": "Huyện Khánh Vĩnh",
            "procedures": {"marriage-status-certification": {
                "time_limit": {"summary": "01 ngày làm việc", "working_days": 1},
                "where": [{"name": "UBND xã Khánh Bình"}],
            }},
        }
    })
    statutory = load_catalog(root)
    local = load_catalog(root, "khanh-vinh")
    assert statutory.get("marriage-status-certification").time_limit.working_days == 3
    proc = local.get("marriage-status-certification")
    assert proc.time_limit.working_days == 1
    assert proc.time_limit.cutoff == "15:00"  # mappings merge key by key
    assert [p.name for p in proc.where] == ["UBND xã Khánh Bình"]  # lists replace
    assert local.get("marriage-registration").time_limit.working_days == 3


def test_bad_override_points_at_locality_file(tmp_path):
    root = write_catalog(tmp_path, localities={
        "x": {"slug": "x", "name": "X", "procedures": {
            "marriage-status-certification": {"time_limit": {"working_days": "mot"}},
            "no-such-procedure": {"result": "?"},
        }},
    })
    with pytest.raises(CatalogError) as exc:
        load_catalog(root, "x")
    text = str(exc.value)
    assert f"{root / 'localities' / 'x.yaml'}:" in text
    assert "time_limit.working_days" in text
    assert "override for unknown procedure 'no-such-procedure'" in text


def test_missing_locality_file(tmp_path):
    root = write_catalog(tmp_path)
    with pytest.raises(CatalogError, match="locality 'nowhere'"):
        load_catalog(root, "nowhere")
