"""What a kernel firewall line's log prefix says the rule did, and where a site sets that.

The kernel's ``LOG`` target writes the packet, not the verdict; the verdict
is only in the prefix the rule's author chose. Three kinds of prefix are met:

* words: ``[UFW BLOCK]``, ``iptables DROP_INPUT:``, ``nft-drop:``, ``DENY:``;
* EdgeOS / VyOS / Ubiquiti rule labels ``[NAME-RULE-L]``, e.g.
  ``[WAN_IN-default-D]`` or ``[WAN_OUT-2000-A]``, whose last letter is the
  rule's action: D drop, R reject, A accept;
* none at all (``-j LOG`` without ``--log-prefix``).

:class:`Prefixes` holds the rules, in this order: an ignored word wins (ufw's
``AUDIT`` lines repeat another line), then a label's letter, then blocked
words, then allowed words; an empty prefix gets :attr:`Prefixes.unprefixed`;
any other prefix is a bad line naming it, so a site adds its own words rather
than have votetrail guess. Words match anywhere in the prefix, ignoring case.

A site sets them in a TOML file (``[iptables]`` table, :func:`load_prefixes`)
given to ``votetrail netmon ingest|watch --config``, or with that command's
``--blocked-prefix``/``--allowed-prefix``/``--unprefixed`` options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs.common import BadLine
from votetrail.formats.netmon.settings_file import settings_table

UNPREFIXED_CHOICES = ("blocked", "allowed", "ignored", "bad")
_LABEL = re.compile(r"\[[^\]\s]+-(?:\d+|default)-([A-Za-z])\]")


@dataclass(frozen=True, slots=True)
class Prefixes:
    """The words and label letters that say what a rule did with the packet.

    ``unprefixed`` is what a line without any prefix counts as. The default,
    ``blocked``, follows the usual reason for an unlabelled ``LOG`` rule: it
    is the chain's last rule before its DROP policy, logging what is about to
    be dropped. Counting such lines as passed would instead report every
    scanner as having got through. A site whose unlabelled rule logs accepted
    traffic says ``allowed``; ``ignored`` skips the lines, ``bad`` reports them.
    """

    blocked: tuple[str, ...] = ("BLOCK", "DROP", "REJECT", "DENY")
    allowed: tuple[str, ...] = ("ALLOW", "ACCEPT", "PASS")
    ignored: tuple[str, ...] = ("AUDIT",)
    label_blocked: tuple[str, ...] = ("D", "R")
    label_allowed: tuple[str, ...] = ("A",)
    unprefixed: str = "blocked"

    def verdict(self, prefix: str) -> bool | None:
        """True if blocked, False if allowed, None if the line is to be ignored."""
        text = prefix.strip()
        upper = text.upper()
        if any(word.upper() in upper for word in self.ignored):
            return None
        label = _LABEL.search(text)
        if label is not None:
            letter = label[1].upper()
            if letter in (x.upper() for x in self.label_blocked):
                return True
            if letter in (x.upper() for x in self.label_allowed):
                return False
            raise BadLine(f"rule label {label[0]!r} ends in {letter!r}, not a known action letter")
        if any(word.upper() in upper for word in self.blocked):
            return True
        if any(word.upper() in upper for word in self.allowed):
            return False
        if not text:
            return self._unprefixed()
        raise BadLine(f"log prefix {text!r} says neither blocked nor allowed")

    def _unprefixed(self) -> bool | None:
        if self.unprefixed == "bad":
            raise BadLine("no log prefix, and unprefixed lines are set to be bad")
        if self.unprefixed == "ignored":
            return None
        return self.unprefixed == "blocked"

    def adding(
        self,
        *,
        blocked: tuple[str, ...] = (),
        allowed: tuple[str, ...] = (),
        unprefixed: str | None = None,
    ) -> Prefixes:
        """These rules plus more words (a command line's options on top of a file's)."""
        if unprefixed is not None:
            _check_unprefixed(unprefixed, "--unprefixed")
        return replace(
            self,
            blocked=self.blocked + blocked,
            allowed=self.allowed + allowed,
            unprefixed=unprefixed if unprefixed is not None else self.unprefixed,
        )


DEFAULT_PREFIXES = Prefixes()
"""The rules used when a site sets none."""


def _check_unprefixed(value: object, where: str) -> None:
    if value not in UNPREFIXED_CHOICES:
        raise InvalidInput(f"must be one of {', '.join(UNPREFIXED_CHOICES)}", where=where)


def load_prefixes(path: Path) -> Prefixes:
    """The ``[iptables]`` table of a netmon TOML settings file; keys left out keep defaults.

    Every key is a list of words except ``unprefixed`` (one of
    :data:`UNPREFIXED_CHOICES`). An unknown key or a value of the wrong type
    refuses the file, naming it and the key.
    """
    table = settings_table(path, "iptables")
    known = {f.name for f in fields(Prefixes)}
    chosen: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{path}: iptables.{key}"
        if key not in known:
            raise InvalidInput(f"is not a setting; known: {', '.join(sorted(known))}", where=where)
        if key == "unprefixed":
            _check_unprefixed(value, where)
            chosen[key] = value
        elif isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            chosen[key] = tuple(value)
        else:
            raise InvalidInput("must be a list of non-empty words", where=where)
    return Prefixes(**chosen)
