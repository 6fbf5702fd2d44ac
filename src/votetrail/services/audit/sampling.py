"""Drawing an audit's sample from the jurisdictions' ballot manifests.

This is the step observers re-run: the manifests, the public seed and the
sample size go in; the ballots to pull come out in ticket order, each with the
container, tabulator, batch and position an audit board needs to find it. The
ballot ids (see ``formats.cvr.manifest``) are the strings the sampler hashes,
so the same files and seed give the same sample with Rivest's own
``consistent_sampler``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from votetrail.core.audit.sampler import sample
from votetrail.core.audit.types import Seed
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import CsvWriter
from votetrail.formats.cvr.manifest import (
    ballot_ids,
    jurisdiction_from_filename,
    locate,
    read_manifest,
)


class SampleFormat(StrEnum):
    """How a drawn sample is written out."""

    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class ManifestSource:
    """One jurisdiction's manifest file and the name its ballot ids carry."""

    path: Path
    jurisdiction: str


@dataclass(frozen=True, slots=True)
class SampledBallot:
    """One draw, with the ballot's place; generation > 1 means a repeat draw (with replacement)."""

    ticket_number: str
    ballot_id: str
    generation: int
    jurisdiction: str
    container: str | None
    tabulator: str | None
    batch: str
    position: int


@dataclass(frozen=True, slots=True)
class DrawnSample:
    """The draws in ticket order and the size of the population they came from."""

    ballots: list[SampledBallot]
    population: int
    manifests: int


COLUMNS = tuple(field.name for field in fields(SampledBallot))
"""Output columns, in order; the CSV header and the JSON keys are these names."""


def manifest_sources(paths: Sequence[Path], jurisdictions: Sequence[str]) -> list[ManifestSource]:
    """Pair each manifest with its jurisdiction: as named, in order, or else from its file name.

    Two manifests under one name would give colliding ballot ids, so that is
    refused here, naming both files, rather than as a duplicate id later.
    """
    if not paths:
        raise InvalidInput("give at least one ballot manifest", where="--manifest")
    if jurisdictions and len(jurisdictions) != len(paths):
        raise InvalidInput(
            f"{len(jurisdictions)} names for {len(paths)} manifests; give one jurisdiction "
            "per manifest, in the same order, or none to take them from the file names",
            where="--jurisdiction",
        )
    names = list(jurisdictions) if jurisdictions else [jurisdiction_from_filename(p) for p in paths]
    sources: list[ManifestSource] = []
    claimed: dict[str, Path] = {}
    for path, name in zip(paths, names, strict=True):
        name = name.strip()
        if not name:
            raise InvalidInput("must not be empty", where=f"jurisdiction name for {path}")
        if name in claimed:
            raise InvalidInput(
                f"{claimed[name]} and {path} are both jurisdiction {name!r}; "
                "each jurisdiction has one manifest",
                where=str(path),
            )
        claimed[name] = path
        sources.append(ManifestSource(path, name))
    return sources


def draw_sample(
    sources: Sequence[ManifestSource],
    seed: Seed | str,
    size: int,
    *,
    with_replacement: bool = False,
) -> DrawnSample:
    """Read every manifest, draw ``size`` tickets from all their ballots together, locate each."""
    public_seed = seed if isinstance(seed, Seed) else Seed(seed)
    ids: list[str] = []
    for source in sources:
        ids.extend(ballot_ids(read_manifest(source.path), source.jurisdiction))
    tickets = sample(ids, public_seed, size, with_replacement=with_replacement)
    ballots = []
    for ticket in tickets:
        place = locate(ticket.id)
        ballots.append(
            SampledBallot(
                ticket.ticket,
                ticket.id,
                ticket.generation,
                place.jurisdiction,
                place.container,
                place.tabulator,
                place.batch,
                place.position,
            )
        )
    return DrawnSample(ballots, population=len(ids), manifests=len(sources))


def write_sample(ballots: Sequence[SampledBallot], fmt: SampleFormat, out: TextIO) -> None:
    """CSV (one row per draw, absent container/tabulator empty) or a JSON list (absent = null)."""
    if fmt is SampleFormat.JSON:
        json.dump([asdict(ballot) for ballot in ballots], out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    writer = CsvWriter(out)
    writer.writerow(COLUMNS)
    for ballot in ballots:
        writer.writerow(["" if value is None else value for value in asdict(ballot).values()])
