"""Demo voter lists: three counties of made-up voters, a few changes, and a duplicate to review.

The names, addresses and identifiers are generated from a fixed seed, so
every demo shows the same list; the changes follow the same rules as real
ones (a reason and a source document each), and one Baker voter is
registered twice with a typo so the review queue has something in it.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select

from votetrail.core.voters.record import Address, VoterInput
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import ConfigurationError
from votetrail.services.context import App
from votetrail.services.directory import principal
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review
from votetrail.services.voters.imports import import_voters
from votetrail.store.models import VOTERS

FIRST = (
    "Maria",
    "James",
    "Aisha",
    "Robert",
    "Linh",
    "David",
    "Fatima",
    "John",
    "Grace",
    "Omar",
    "Elena",
    "Michael",
    "Sofia",
    "Wei",
    "Priya",
    "Carlos",
    "Hannah",
    "Kwame",
    "Ana",
    "Lucas",
)
LAST = (
    "Garcia",
    "Smith",
    "Nguyen",
    "Johnson",
    "Patel",
    "Brown",
    "Kim",
    "Lopez",
    "Davis",
    "Ali",
    "Martinez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "White",
    "Lee",
)
STREETS = ("Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St", "Park Blvd")
TOWNS = {
    "adams": (("Brighton", "80601"), ("Commerce City", "80022")),
    "baker": (("Baker City", "80701"), ("Haines", "80702")),
    "clark": (("Clarkston", "80801"), ("Lewis", "80802")),
}
PER_COUNTY = 600


@dataclass(frozen=True)
class DocumentedVoter:
    """A made-up demo voter whose details the README and ``votetrail demo`` print."""

    voter_id: str
    first_name: str
    last_name: str
    dob: date
    county: str


DEMO_VOTER = DocumentedVoter("adams-00000004", "Ana", "Martinez", date(1979, 5, 8), "adams")
"""The voter a newcomer tries ``/check-registration`` with: she moved within the county, so her
record shows a change. :func:`load_demo_voters` refuses a list that does not hold her as written."""


def generated_people(county: str, rng: random.Random, count: int = 0) -> list[VoterInput]:
    """Made-up voters for one county (demo and tests), ``count`` or the demo's number."""
    out: list[VoterInput] = []
    for n in range(count or PER_COUNTY):
        town, zip_code = rng.choice(TOWNS[county])
        out.append(
            VoterInput(
                voter_id=f"{county}-{n + 1:08d}",
                county=county,
                first_name=rng.choice(FIRST),
                middle_name=rng.choice(("", "A", "J", "M", "Lee", "Rose")),
                last_name=rng.choice(LAST),
                line=n + 2,
                residence=Address(
                    f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", town, "CO", zip_code
                ),
                precinct=f"{county[:2].upper()}-{rng.randint(1, 6)}",
                ballot_style=f"BS-{rng.randint(1, 3)}",
                party=rng.choice(("DEM", "REP", "UNA", "UNA", "LIB", "GRN")),
                gender=rng.choice("FMX"),
                registered_on=date(1996, 1, 1) + timedelta(days=rng.randint(0, 10_500)),
                dob=date(1935, 1, 1) + timedelta(days=rng.randint(0, 25_000)),
                ssn4=f"{rng.randint(0, 9999):04d}" if rng.random() < 0.7 else "",
                drivers_license=f"CO{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.8 else "",
            )
        )
    return out


def _check_documented(people: list[VoterInput]) -> None:
    """The README tells people to type these details: a change to the generator must not
    leave them pointing at nobody."""
    wanted = DEMO_VOTER
    for person in people:
        if person.voter_id == wanted.voter_id and (
            (person.first_name, person.last_name, person.dob, person.county)
            != (wanted.first_name, wanted.last_name, wanted.dob, wanted.county)
        ):
            raise ConfigurationError(
                f"the demo voter {wanted.voter_id} is not the one the README documents"
            )


def load_demo_voters(app: App) -> None:
    """Load the demo lists unless voters are already on file."""
    with app.engine.connect() as conn:
        if conn.execute(select(VOTERS.c.voter_id).limit(1)).first() is not None:
            return
    rng = random.Random(20261103)  # noqa: S311 - made-up demo data, not secrets
    for county in ("adams", "baker", "clark"):
        admin = principal(app, f"{county}-admin")
        assert admin is not None
        people = generated_people(county, rng)
        _check_documented(people)
        if county == "baker":
            twin = people[17]
            people.append(
                replace(
                    twin,
                    voter_id=f"baker-{PER_COUNTY + 1:08d}",
                    first_name=twin.first_name[:-1] + twin.first_name[-1].upper(),
                    residence=replace(twin.residence, street=twin.residence.street + " Apt 2"),
                    line=PER_COUNTY + 2,
                )
            )
        digest = hashlib.sha256(f"demo voter file {county}".encode()).hexdigest()
        import_voters(
            app,
            admin,
            people,
            file_name=f"{county}-voter-file.csv",
            sha256=digest,
            fmt="csv:votetrail",
            county=county,
        )
    adams = principal(app, "adams-admin")
    assert adams is not None
    voters.change(
        app,
        adams,
        "adams-00000004",
        Change(
            Kind.ADDRESS,
            "voter moved within the county",
            "VR-2026-0412",
            {"residence": Address("77 Bridge St", "Brighton", "CO", "80601"), "precinct": "AD-2"},
        ),
    )
    voters.change(
        app,
        adams,
        "adams-00000009",
        Change(
            Kind.PARTY,
            "party affiliation form",
            "PA-2026-0031",
            {"party": "UNA"},
        ),
    )
    voters.change(
        app,
        adams,
        "adams-00000015",
        Change(
            Kind.CANCEL,
            "state vital records death notice",
            "VS-2026-118",
            {"status_reason": "deceased"},
        ),
    )
    voters.change(
        app,
        adams,
        "adams-00000021",
        Change(
            Kind.INACTIVE,
            "mail returned undeliverable; NVRA confirmation notice sent",
            "CN-2026-0007",
            {"status_reason": "confirmation-notice"},
        ),
    )
    baker = principal(app, "baker-admin")
    assert baker is not None
    # The Baker voter registered twice shows up in Baker's review queue.
    voter_review.find_duplicates(app, baker, county="baker")
