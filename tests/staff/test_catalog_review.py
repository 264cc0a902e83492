"""`catalog review ID --by NAME`: only a person records a review, and only that block changes."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys

from assistant.catalog.loader import load_catalog
from assistant.staff.catalog_review import run_review
from tests.factories import write_catalog


def test_review_writes_who_and_when_and_keeps_the_rest(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    path = root / "ho-tich" / "marriage-status-certification.yaml"
    original = "# Viết tay, đừng đổi dòng này\n" + path.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    assert load_catalog(root).get("marriage-status-certification").reviewed is None

    out, err = io.StringIO(), io.StringIO()
    code = run_review(root, "marriage-status-certification", "  Nguyễn Thị   Lan ", dt.date(2026, 11, 30), out, err)

    assert code == 0, err.getvalue()
    assert "Nguyễn Thị Lan rà soát ngày 30/11/2026" in out.getvalue()
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)  # every existing line is kept byte for byte
    assert text[len(original):] == "reviewed:\n  on: 2026-11-30\n  by: Nguyễn Thị Lan\n"
    review = load_catalog(root).get("marriage-status-certification").reviewed
    assert (review.on, review.by) == (dt.date(2026, 11, 30), "Nguyễn Thị Lan")

    # A later review replaces the block in place.
    assert run_review(root, "marriage-status-certification", "Trần Văn Bình", dt.date(2026, 12, 2),
                      io.StringIO(), io.StringIO()) == 0
    text = path.read_text(encoding="utf-8")
    assert text.count("reviewed:") == 1 and text.endswith("  on: 2026-12-02\n  by: Trần Văn Bình\n")


def test_review_refuses_unknown_id_missing_name_and_broken_file(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    err = io.StringIO()
    assert run_review(root, "no-such-procedure", "A", err=err, out=io.StringIO()) == 1
    assert "không có thủ tục có id 'no-such-procedure'" in err.getvalue()
    err = io.StringIO()
    assert run_review(root, "birth-registration", "   ", err=err, out=io.StringIO()) == 2
    assert "--by" in err.getvalue()
    path = root / "ho-tich" / "birth-registration.yaml"
    broken = path.read_text(encoding="utf-8").replace("level: commune", "level: district")
    path.write_text(broken, encoding="utf-8")
    err = io.StringIO()
    assert run_review(root, "birth-registration", "A", err=err, out=io.StringIO()) == 1
    assert "cấp huyện" in err.getvalue() and "Chưa ghi xác nhận rà soát" in err.getvalue()
    assert path.read_text(encoding="utf-8") == broken


def test_review_command_line(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    result = subprocess.run([sys.executable, "-m", "assistant", "catalog", "review", "birth-registration",
                             "--by", "Lê Văn C", "--dir", str(root)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert load_catalog(root).get("birth-registration").reviewed.by == "Lê Văn C"
