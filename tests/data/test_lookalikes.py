"""Letters written like digits: listed once, for benchmarks and for training's non-characters."""

from __future__ import annotations

from inkread.data.lookalikes import LOOKALIKE_LETTERS, LOOKALIKES, looks_like


def test_look_alikes_are_letters_and_never_digits() -> None:
    assert set(LOOKALIKES) <= set("0123456789")
    assert LOOKALIKE_LETTERS and all(c.isalpha() for c in LOOKALIKE_LETTERS)
    assert "A" not in LOOKALIKE_LETTERS  # an "A" read as a "4" is a mistake, not a look-alike


def test_a_letter_looks_like_a_digit_only_when_that_digit_is_a_class() -> None:
    assert looks_like("O", list("0123456789")) and looks_like("S", ["5"])
    assert not looks_like("S", ["0", "1"]) and not looks_like("A", list("0123456789"))
