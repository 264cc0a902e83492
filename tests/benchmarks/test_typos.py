"""The benchmark's phone-typing noise must be comparable across runs and across versions of a set."""

from benchmarks.typos import noisy_rows

ROWS = [
    ("a", "documents", "đăng ký khai sinh cần giấy tờ gì"),
    ("b", "fee", "làm lại căn cước mất bao nhiêu tiền"),
    ("c", "time", "xác nhận tình trạng hôn nhân bao lâu thì có"),
    ("d", "where", "đăng ký tạm trú ở đâu"),
]


def test_the_same_seed_types_the_same_text():
    assert noisy_rows(ROWS, 17) == noisy_rows(ROWS, 17)
    assert noisy_rows(ROWS, 17) != noisy_rows(ROWS, 1)


def test_dropping_or_adding_a_row_does_not_retype_the_others():
    whole = {ids: q for ids, _, q in noisy_rows(ROWS, 17)}
    without_first = {ids: q for ids, _, q in noisy_rows(ROWS[1:], 17)}
    with_new = {ids: q for ids, _, q in noisy_rows([("z", "fee", "phí bao nhiêu"), *ROWS], 17)}
    for ids in "bcd":
        assert without_first[ids] == whole[ids] == with_new[ids]


def test_a_repeated_question_is_typed_afresh_each_time():
    repeated = noisy_rows([ROWS[0]] * 12, 17)
    assert len({q for _, _, q in repeated}) > 1
