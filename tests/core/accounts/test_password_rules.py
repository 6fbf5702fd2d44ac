"""New passwords: long enough, and not a common one dressed up."""

from __future__ import annotations

import pytest

from votetrail.core.accounts.password_rules import common_words, weakness


@pytest.mark.parametrize(
    "password",
    [
        "Password2024!",
        "P@ssw0rd12345",
        "qwertyuiop123",
        "Welcome2026!!",
        "123456789012",
        "aaaaaaaaaaaaaaa",
        "monkeymonkey99",
        "Election2024!",
        "iloveyou12345",
    ],
)
def test_common_passwords_in_disguise_are_refused(password: str) -> None:
    assert weakness(password) is not None


@pytest.mark.parametrize(
    "password", ["a quiet larch by the river", "votetrail-demo-2026", "tin-Gravel-oboe-47"]
)
def test_uncommon_passphrases_pass(password: str) -> None:
    assert weakness(password) is None


def test_short_and_own_name_are_refused_with_the_reason() -> None:
    assert weakness("Tr1cky!") == "must be at least 12 characters"
    assert weakness("adams-admin-larch", "adams-admin") == "must not contain the user name"


def test_the_shipped_list_is_there() -> None:
    assert len(common_words()) > 300
    assert "password" in common_words()
