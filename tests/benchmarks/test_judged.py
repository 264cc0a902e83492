"""benchmarks/judged.py: judged answers replayed; only an answer with the judged procedure carries a verdict."""

from __future__ import annotations

import pytest

from benchmarks.judged import LABELS, Judged, main, outcome, read_labels


def judged(verdicts: tuple[str, ...], proc: str = "id-card-renewal") -> Judged:
    return Judged("held-out", "-", proc, verdicts, "căn cước hết hạn có bị phạt không")


@pytest.mark.parametrize(("verdicts", "status", "proc", "expected"), [
    (("wrong", "wrong"), "answer", "id-card-renewal", "misleading"),
    (("wrong", "partial"), "answer", "id-card-renewal", "disputed"),
    (("partial", "right"), "answer", "id-card-renewal", "helpful"),
    (("wrong", "wrong"), "answer", "id-card-reissue", "other answer"),  # no verdict for another answer
    (("wrong", "wrong"), "clarify", None, "not answered"),
])
def test_an_outcome_counts_a_verdict_only_for_the_judged_answer(verdicts, status, proc, expected):
    assert outcome(judged(verdicts), status, proc) == expected


def test_the_shipped_labels_read_and_replay(tmp_path):
    rows = read_labels(LABELS)
    assert len({r.split for r in rows}) == 4 and len(rows) == 894
    sample = tmp_path / "judged.tsv"
    sample.write_text("# a comment\nheld-out\t-\tmarriage-registration\twrong,wrong\tđăng ký kết hôn ở nhà thờ cần gì\n"
                      "tuning\tbirth-registration\tbirth-registration\tright\tlàm giấy khai sinh cho con cần gì\n",
                      encoding="utf-8")
    result = main(["--labels", str(sample), "--json", str(tmp_path / "out.json")])
    assert sum(result["held-out"]["look-alike"].values()) == 1
    assert result["tuning"]["in scope"] == {"helpful": 1}
    assert (tmp_path / "out.json").exists()


def test_an_unknown_verdict_names_its_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# x\nheld-out\t-\tx\tmaybe\tq\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad\.tsv:2"):
        read_labels(bad)
