"""Precinct poll books: the check-in lists poll workers use on election day.

One CSV per precinct, columns ``voter_id, last_name, first_name, middle_name,
suffix, residence, ballot_style, party, status, signature``. Active voters sign
and vote; ``inactive`` voters must first affirm their address (the NVRA lets
them vote after doing so); cancelled voters are not listed. ``signature`` is
left empty: it is the column the voter signs on the printed page. Rows are in
the order a poll worker looks a name up: last, first and middle name (without
regard to case), then voter id.

The ZIP of all precincts is byte-for-byte reproducible from the same list:
fixed order, fixed timestamps and permissions, and files stored rather than
compressed, so its bytes do not depend on the zlib build of the machine
that made it. Its SHA-256 can then be logged and re-derived by anyone with
the list.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from itertools import groupby

from votetrail.core.voters.record import Status, VoterRecord
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import CsvWriter

__all__ = ["COLUMNS", "poll_book_csv", "poll_books_zip"]

COLUMNS = (
    "voter_id",
    "last_name",
    "first_name",
    "middle_name",
    "suffix",
    "residence",
    "ballot_style",
    "party",
    "status",
    "signature",
)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The earliest time a ZIP can record: any fixed value works, this one says "no time"."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
)


def poll_book_csv(records: Iterable[VoterRecord], *, precinct: str) -> str:
    """The poll book of one precinct; records of other precincts are skipped."""
    return _csv(_listed(r for r in records if r.precinct == precinct))


def poll_books_zip(records: Iterable[VoterRecord], *, election: str) -> bytes:
    """Every precinct's poll book and a README with the counts, as reproducible ZIP bytes."""
    if not election.strip():
        raise InvalidInput("must not be empty", where="election name")
    listed = _listed(records)
    for record in listed:
        if not record.precinct:
            raise InvalidInput(
                "has no precinct, so no poll book would list the voter; assign one first",
                where=f"voter {record.voter_id}",
            )
    by_precinct = {
        precinct: list(group)
        for precinct, group in groupby(
            sorted(listed, key=lambda r: r.precinct), key=lambda r: r.precinct
        )
    }
    names = _file_names(list(by_precinct))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        _add(archive, "README.txt", _readme(election.strip(), by_precinct, names))
        for precinct, voters in by_precinct.items():
            _add(archive, names[precinct], _csv(voters))
    return buffer.getvalue()


def _listed(records: Iterable[VoterRecord]) -> list[VoterRecord]:
    voters = [r for r in records if r.status is not Status.CANCELLED]
    voters.sort(
        key=lambda r: (
            r.last_name.casefold(),
            r.first_name.casefold(),
            r.middle_name.casefold(),
            r.voter_id,
            r.last_name,
            r.first_name,
            r.middle_name,
        )
    )
    return voters


def _csv(voters: Iterable[VoterRecord]) -> str:
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in voters:
        row = (
            r.voter_id,
            r.last_name,
            r.first_name,
            r.middle_name,
            r.suffix,
            r.residence.one_line(),
            r.ballot_style,
            r.party,
            r.status.value,
            "",
        )
        writer.writerow(row)
    return out.getvalue()


def _file_names(precincts: list[str]) -> dict[str, str]:
    """A safe, unique file name per precinct; the README maps names back to precincts."""
    names: dict[str, str] = {}
    taken: set[str] = {"readme.txt"}
    for precinct in sorted(precincts):
        stem = _UNSAFE.sub("_", precinct).strip("._")[:80] or "precinct"
        if stem.upper() in _RESERVED:
            stem = f"_{stem}"
        name, n = f"{stem}.csv", 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}~{n}.csv"
        taken.add(name.casefold())
        names[precinct] = name
    return names


def _readme(election: str, by_precinct: dict[str, list[VoterRecord]], names: dict[str, str]) -> str:
    total = sum(len(voters) for voters in by_precinct.values())
    width = max([len("Precinct"), *(len(p) for p in by_precinct)])
    file_width = max([len("File"), *(len(n) for n in names.values())])
    lines = [
        f"Poll books: {election}",
        "",
        "One CSV file per precinct lists the voters who may vote there, by last, first and",
        "middle name. Status 'inactive': the voter must affirm their current address before",
        "voting. Cancelled registrations are not listed. The voter signs in the 'signature'",
        "column of the printed list.",
        "",
        f"{'Precinct':<{width}}  {'File':<{file_width}}  Voters",
    ]
    lines += [
        f"{precinct:<{width}}  {names[precinct]:<{file_width}}  {len(voters)}"
        for precinct, voters in by_precinct.items()
    ]
    lines += ["", f"Total voters: {total}", f"Precincts: {len(by_precinct)}", ""]
    return "\r\n".join(lines)


def _add(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.create_system = 3  # Unix, whatever the system that writes it
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_STORED
    archive.writestr(info, text.encode("utf-8"))
