"""Voters for service tests: a small, realistic county list built in code."""

from __future__ import annotations

from datetime import date

from votetrail.core.access import Principal
from votetrail.core.voters.record import Address, VoterInput
from votetrail.services.context import App
from votetrail.services.directory import principal
from votetrail.services.voters.imports import ImportResult, import_voters

FIRST = ("Maria", "James", "Aisha", "Robert", "Linh", "David", "Fatima", "John", "Grace", "Omar")
LAST = ("Garcia", "Smith", "Nguyen", "Johnson", "Patel", "Brown", "Kim", "Lopez", "Davis", "Ali")

# A date of birth and ID numbers distinctive enough to grep for in output.
SECRET_DOB = date(1961, 7, 23)
SECRET_SSN4 = "8142"
SECRET_DL = "Q55012399"


def who(app: App, username: str) -> Principal:
    found = principal(app, username)
    assert found is not None
    return found


def people(county: str, count: int, *, start: int = 0) -> list[VoterInput]:
    out: list[VoterInput] = []
    for n in range(start, start + count):
        secret = n == start
        out.append(
            VoterInput(
                voter_id=f"{county.upper()}{n:06d}",
                county=county,
                first_name=FIRST[n % len(FIRST)],
                last_name=LAST[(n // len(FIRST)) % len(LAST)],
                middle_name="A" if n % 3 else "",
                line=n - start + 2,
                residence=Address(f"{100 + n} Main St", "Springfield", "CO", "80001"),
                precinct=f"P-{n % 4 + 1}",
                ballot_style=f"BS-{n % 2 + 1}",
                party=("DEM", "REP", "UNA")[n % 3],
                registered_on=date(2010 + n % 10, 1 + n % 12, 1 + n % 28),
                dob=SECRET_DOB if secret else date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
                ssn4=SECRET_SSN4 if secret else f"{n % 10000:04d}",
                drivers_license=SECRET_DL if secret else "",
            )
        )
    return out


def load(
    app: App, county: str = "adams", count: int = 40, *, user: str = "adams-admin"
) -> ImportResult:
    return import_voters(
        app,
        who(app, user),
        people(county, count),
        file_name=f"{county}-voters.csv",
        sha256=f"{county}{count:060d}"[:64],
        fmt="votetrail",
        county=county,
    )
