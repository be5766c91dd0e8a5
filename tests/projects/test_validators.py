"""BIN validation: 12 digits with the check digit of the Kazakh BIN/IIN algorithm."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import bin_check_digit, validate_bin


@pytest.mark.parametrize("value", ["050440001239", "100840004567", "151240007899"])
def test_valid_bins_pass(value):
    validate_bin(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("05044000123", "bin_format"),  # 11 digits
        ("0504400012390", "bin_format"),  # 13 digits
        ("05044000123a", "bin_format"),
        ("０５０４４０００１２３９", "bin_format"),  # full-width digits
        ("050440001238", "bin_checksum"),  # last digit off by one
        ("150440001239", "bin_checksum"),  # a swapped leading digit
    ],
)
def test_invalid_bins_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_bin(value)
    assert caught.value.code == code


def test_second_weights_are_used_when_the_first_sum_gives_ten():
    """When the 1..11 weighting gives 10, the 3..11,1,2 weighting decides."""
    digits = "00000000010"  # first weighting: 10*1 = 10 -> second: 1*1... = 1*1
    assert sum(int(d) * w for d, w in zip(digits, range(1, 12), strict=True)) % 11 == 10
    assert bin_check_digit(digits) == (1 * 1) % 11


def test_number_with_no_possible_check_digit():
    """Some eleven-digit prefixes give 10 under both weightings: no BIN can start with them."""
    prefixes = (f"{n:011d}" for n in range(0, 5000))
    impossible = next(p for p in prefixes if bin_check_digit(p) is None)
    for last in "0123456789":
        with pytest.raises(ValidationError):
            validate_bin(impossible + last)
