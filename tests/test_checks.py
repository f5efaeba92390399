"""nn.checks: the one integer check and the one number check, with Python's split of the two errors."""

import numpy as np
import pytest

from nn.checks import integer, number


@pytest.mark.parametrize("good", [1, 7, np.int64(3), np.uint8(2)])
def test_integer_accepts_python_and_numpy_integers(good):
    assert integer("n", good) == good and type(integer("n", good)) is int


@pytest.mark.parametrize("bad", [2.0, True, np.bool_(True), "3", None, 1 + 0j])
def test_integer_refuses_other_types_with_a_type_error(bad):
    with pytest.raises(TypeError, match=f"n must be an integer, got {type(bad).__name__}"):
        integer("n", bad)


def test_integer_refuses_values_out_of_range_with_a_value_error():
    with pytest.raises(ValueError, match="n must be a positive integer, got n=0"):
        integer("n", 0)
    with pytest.raises(ValueError, match="k must be an integer >= 2, got k=1"):
        integer("k", 1, low=2)
    with pytest.raises(ValueError, match="n must be between 1 and 5, got n=6"):
        integer("n", 6, 1, 5)
    assert integer("dim", -3, low=None) == -3


def test_number_splits_type_and_value_errors_the_same_way():
    assert number("lr", np.float32(0.5), 0.0) == 0.5 and type(number("lr", 1, 0.0)) is float
    for bad in ("0.1", True, None):
        with pytest.raises(TypeError, match="lr must be a number"):
            number("lr", bad)
    for bad in (-0.1, float("nan")):
        with pytest.raises(ValueError, match=r"lr must be >= 0\.0"):
            number("lr", bad, 0.0)
