"""Which new passwords are refused: too short, or a common password in disguise.

The list of common passwords is not downloaded (at run time or at build
time): guessers try a small core of words, names and keyboard runs, dressed
up with capitals, digit-for-letter swaps, years and trailing punctuation.
So the shipped list (``common_passwords.txt``, written for votetrail) holds
that core, a few hundred words, and :func:`weakness` strips the dressing
before looking a password up: "Passw0rd2024!" is "password". It also refuses
a password made of one repeated character or a run along the keyboard or
the alphabet, one that contains the user name, and any shorter than
:data:`MIN_LENGTH`."""

from __future__ import annotations

import functools
import re
from importlib import resources

MIN_LENGTH = 12
MAX_LENGTH = 1024
"""Longer than any passphrase; scrypt of a megabyte of text is work for nothing."""

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)


@functools.cache
def common_words() -> frozenset[str]:
    """The shipped core of common passwords, lower case, one a line (``#`` starts a comment)."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    words = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(word for word in words if word)


def _core(password: str) -> str:
    """The password without its dressing: lower case, no trailing digits or symbols,
    digits that stand for letters read as letters, no separators."""
    lowered = password.lower().strip()
    bare = re.sub(r"[\W_\d]+$", "", lowered)  # trailing years, counters and punctuation
    bare = re.sub(r"^[\W_\d]+", "", bare) or lowered  # and leading ones
    return re.sub(r"[\s\-_.]+", "", bare.translate(_LEET))


def _is_run(text: str) -> bool:
    if len(set(text)) <= 2:
        return True
    return any(text in run or text in run[::-1] for run in _RUNS)


def _is_repeat_of_common(core: str, words: frozenset[str]) -> bool:
    """ "passwordpassword", "monkeymonkey123": a common word said twice or more."""
    for size in range(3, len(core) // 2 + 1):
        if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
            return core[:size] in words or _is_run(core[:size])
    return False


def weakness(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused, in words for the form; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        return "must not contain the user name"
    words = common_words()
    core = _core(password)
    plain = re.sub(r"[\W_]+", "", lowered)
    if core in words or plain in words or lowered in words:
        return "is a common password (or one with digits or capitals added); choose another"
    if _is_run(plain) or _is_run(core) or _is_repeat_of_common(core, words):
        return "is a keyboard run or a repeated pattern; choose another"
    return None
