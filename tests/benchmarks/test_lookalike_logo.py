"""benchmarks/lookalike_logo.py: each tuning set (the examples one field at a time) is left out in turn,
and the rule picks the lowest threshold at which few enough right answers are asked back."""

from __future__ import annotations

from benchmarks.lookalike_logo import group_of, left_out_doubts, table
from benchmarks.matching import Row
from benchmarks.train_lookalike import Labelled


def labelled(name: str, question: str, ids: str = "-", *, answered: bool = True, right: bool = False,
             feats: frozenset[str] = frozenset(), pid: str = "birth-registration") -> Labelled:
    return Labelled(name, Row(frozenset({ids}), "neighbour", question), pid, answered, right, feats, feats)


def test_examples_are_left_out_by_field_and_phone_typed_copies_with_their_set():
    fields = {"birth-registration": "ho-tich", "vehicle-registration": "giao-thong"}
    assert group_of(labelled("examples-noisy", "lam khai sinh", pid="birth-registration"), fields) == "examples/ho-tich"
    assert group_of(labelled("examples", "dang ky xe", pid="vehicle-registration"), fields) == "examples/giao-thong"
    assert group_of(labelled("neighbours-s14t01-tune-noisy", "x"), fields) == "neighbours-s14t01-tune"


def test_a_left_out_set_is_weighed_by_weights_that_never_saw_it():
    # In set a "flycam" marks look-alikes, in set b questions that mean a procedure. Weighed with
    # weights fitted on set b alone, set a's look-alikes look like right questions: low doubt.
    rows = [labelled("neighbours-a-tune", "bay flycam", feats=frozenset({"u:flycam"}))] * 3 + \
           [labelled("neighbours-b-tune", "flycam", "birth-registration", right=True, feats=frozenset({"u:flycam"}))] * 3
    doubts, _ = left_out_doubts(rows, [group_of(r, {}) for r in rows])
    assert max(doubts[:3]) < 0.5 < min(doubts[3:])


def test_the_rule_picks_the_lowest_threshold_that_keeps_right_answers():
    originals = [labelled("tune", f"q{i}", "birth-registration", right=True) for i in range(1000)]
    lookalikes = [labelled("neighbours-a-tune", f"l{i}") for i in range(100)]
    rows = originals + lookalikes
    # Four originals doubted at 0.75 or more (0.4%: over the limit at 0.75), three at 0.85 (0.3%: within it from 0.76).
    doubts = [0.75] + [0.85] * 3 + [0.1] * 996 + [0.5 + i / 200 for i in range(100)]
    result, pick = table(rows, doubts)
    assert pick == 0.76
    at = {line["threshold"]: line for line in result}
    assert at[0.76]["originals_asked_back"] == 3 and at[0.75]["originals_asked_back"] == 4
    assert at[0.76]["lookalikes_answered"] == 52.0  # doubts 0.5 .. 0.755 are under 0.76


def test_originals_typed_with_a_second_seed_count_towards_the_limit():
    originals = [labelled("tune", f"q{i}", "birth-registration", right=True) for i in range(1000)]
    again = [labelled("tune-noisy", f"q{i}", "birth-registration", right=True) for i in range(1000)]
    # Three of the first 1,000 doubted at 0.8: within 0.3%. Five more of the second seed's: 8 of 2,000 is not.
    result, pick = table(originals, [0.8] * 3 + [0.1] * 997, again, [0.8] * 5 + [0.1] * 995)
    assert pick == 0.81
    assert {line["threshold"]: line["originals"] for line in result}[0.81] == 2000


def test_fits_run_in_several_processes_give_the_same_doubts():
    rows = [labelled(f"neighbours-{k}-tune", f"q{k}{i}", feats=frozenset({"u:flycam", f"u:v{i % 3}"}))
            for k in "abcd" for i in range(6)] + \
           [labelled(f"neighbours-{k}-tune", f"r{k}{i}", "birth-registration", right=True,
                     feats=frozenset({f"u:v{i % 3}"})) for k in "abcd" for i in range(6)]
    groups = [group_of(r, {}) for r in rows]
    extra = rows[:4]
    one = left_out_doubts(rows, groups, extra, groups[:4], workers=1)
    two = left_out_doubts(rows, groups, extra, groups[:4], workers=2)
    assert one == two and len(set(one[0])) > 1
