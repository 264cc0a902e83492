import datetime as dt

from assistant.catalog.loader import load_catalog
from assistant.staff.catalog_lint import lint_catalog
from tests.factories import SMALL, procedure, write_catalog

TODAY = dt.date(2026, 11, 23)


def _messages(problems):
    return [(p.path.name, p.severity, p.message) for p in problems]


def test_clean_catalogue_has_no_problems(tmp_path):
    assert lint_catalog(load_catalog(write_catalog(tmp_path)), TODAY) == []


def test_each_warning(tmp_path):
    proc = procedure(
        "death-registration", "Đăng ký khai tử",
        aliases=["báo tử", "giấy độc thân ly hôn"],  # the second one belongs elsewhere
        legal_basis=[],
        reviewed="2024-01-15",
        documents=[{"name": "Giấy báo tử", "kind": "original"}, {"name": "Thẻ căn cước", "kind": "present"}],
        fees={"summary": "Theo tỉnh", "note": "(verify) mức thu của tỉnh"},
        time_limit={"summary": "Trong ngày", "same_day": True, "note": "(verify)"},
    )
    root = write_catalog(tmp_path, [*SMALL, proc])
    problems = lint_catalog(load_catalog(root), TODAY)
    path = root / "ho-tich" / "death-registration.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(p.severity == "warning" for p in problems)
    messages = _messages(problems)
    assert ("death-registration.yaml", "warning", "not reviewed for more than a year (last 2024-01-15)") in messages
    assert ("death-registration.yaml", "warning", "no legal basis listed") in messages
    assert ("death-registration.yaml", "warning", "document 'Giấy báo tử' has no copy count") in messages
    assert ("death-registration.yaml", "warning", "fees note is still marked (verify)") in messages
    assert ("death-registration.yaml", "warning", "time_limit note is still marked (verify)") in messages
    alias = next(p for p in problems if "alias" in p.message)
    assert "giấy độc thân ly hôn" in alias.message and "marriage-status-certification" in alias.message
    assert "giấy độc thân ly hôn" in lines[alias.line - 1]
    assert str(alias).startswith(f"{path}:{alias.line}: warning: ")


def test_example_regression_fails(tmp_path):
    good = procedure("death-registration", "Đăng ký khai tử", aliases=["báo tử"],
                     examples=["bao tu cho ong noi can gi", "giấy độc thân mất bao lâu"])
    root = write_catalog(tmp_path, [*SMALL, good])
    (problem,) = [p for p in lint_catalog(load_catalog(root), TODAY) if p.severity == "error"]
    assert "example question 'giấy độc thân mất bao lâu' no longer matches 'death-registration'" in problem.message
    assert "got marriage-status-certification" in problem.message
    lines = (root / "ho-tich" / "death-registration.yaml").read_text(encoding="utf-8").splitlines()
    assert "giấy độc thân mất bao lâu" in lines[problem.line - 1]
