"""One fuzz target per reader of outside input: what it reads and where its seeds come from.

A target takes a path holding the (mutated) bytes and reads the whole file the
way votetrail does when a clerk uploads it: every record is pulled, not only
the header. :func:`run_one` is the oracle shared by ``make fuzz`` (atheris) and
the mutation test in ``make test``: a bad file may only raise
:class:`~votetrail.errors.InvalidInput` naming the file; any other exception
is a bug in the reader.

Seeds are a written sample per target (``samples.py``) and, where the field
has them, real files from ``../shared/data`` (``shared`` globs, read in place,
never copied into the repository).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.formats.lat.definitions import general
from tests.fuzz import samples
from tests.shared_data import shared_data_dir
from votetrail.core.lat.definition import ElectionDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.accounting.device_counts import CHECK_IN_COLUMNS, PAPER_COLUMNS, read_counts
from votetrail.formats.audit.batches import (
    read_batch_draws,
    read_hand_tallies,
    read_reported_batches,
)
from votetrail.formats.audit.evidence import read_evidence
from votetrail.formats.audit.inputs import (
    read_comparison_sample,
    read_contests,
    read_polling_sample,
)
from votetrail.formats.audit.ranked_sample import read_ranked_comparison_sample
from votetrail.formats.cvr.manifest import read_manifest
from votetrail.formats.cvr.read import open_cvr_file
from votetrail.formats.election.read import read_definition
from votetrail.formats.lat.results import read_tabulator_report
from votetrail.formats.netmon.home_networks import load_home_networks
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import read_netlog
from votetrail.formats.netmon.logs.iptables_prefixes import load_prefixes
from votetrail.formats.netmon.logs.zeek_columns import read_zeek_columns
from votetrail.formats.rcv.config import ContestConfig, read_config
from votetrail.formats.rcv.sources import read_ballots, read_source
from votetrail.formats.tally.reported import read_reported_results
from votetrail.formats.voters.delimited import PRESETS, ColumnMap, read_voter_file
from votetrail.formats.voters.vri import read_vri
from votetrail.services.voters.review import read_exchange_file

Reader = Callable[[Path], object]


@dataclass(frozen=True, slots=True)
class Target:
    """A reader under fuzzing: ``suffix`` is the input's file name ending (detection reads it)."""

    name: str
    suffix: str
    read: Reader
    written: tuple[Callable[[], bytes], ...] = ()
    shared: tuple[str, ...] = ()
    """Globs under ``../shared/data`` of real files to seed from."""
    needs_shared: bool = False
    """The reader itself needs a real file (an RCTab configuration) that may be absent."""


def _text(value: str | Callable[[], str]) -> Callable[[], bytes]:
    return lambda: (value() if callable(value) else value).encode("utf-8")


def _cvrs(path: Path) -> None:
    export = open_cvr_file(path)
    for _ in export.records():
        pass


def _netlog(path: Path) -> None:
    for _ in read_netlog(path, ReadReport(str(path)), year=2026):
        pass


def _zeek_columns(path: Path) -> None:
    """The columnar conn.log reader the ingest uses (issue 21), fed the same bad files."""
    for _ in read_zeek_columns(path, ReadReport(str(path))):
        pass


@cache
def _lat_definition() -> ElectionDefinition:
    return general()


@cache
def _shared_config(relative: str) -> ContestConfig:
    return read_config(shared_data_dir() / relative)


def _rctab_source(relative: str) -> Reader:
    """Read the fuzzed file as the first source of a real RCTab configuration."""

    def read(path: Path) -> None:
        config = _shared_config(relative)
        source = dataclasses.replace(config.sources[0], path=path)
        read_source(config, source)

    return read


def _rctab_generic(path: Path) -> None:
    """The written configuration beside the fuzzed CSV, read as ``votetrail rcv`` does."""
    config_path = path.with_name("contest_config.json")
    config_path.write_text(samples.RCTAB_CONFIG, encoding="utf-8")
    csv_path = path.with_name(samples.RCTAB_CSV_NAME)
    csv_path.write_bytes(path.read_bytes())
    try:
        read_ballots(read_config(config_path))
    finally:
        config_path.unlink()
        csv_path.unlink()


def _rctab_config(path: Path) -> None:
    """A fuzzed configuration whose one source, the written CSV, exists beside it."""
    csv_path = path.with_name(samples.RCTAB_CSV_NAME)
    csv_path.write_text(samples.RCTAB_CSV, encoding="utf-8")
    try:
        read_ballots(read_config(path))
    finally:
        csv_path.unlink()


RCTAB = "cvr/rctab"

TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "cvr-dominion-csv",
            ".csv",
            _cvrs,
            (_text(samples.DOMINION_CSV),),
            ("cvr/arlo-fixtures/small-election/*cvrs.csv",),
        ),
        Target("cvr-ess-csv", ".csv", _cvrs, (_text(samples.ESS_CSV),)),
        Target(
            "cvr-clearballot",
            ".csv",
            _cvrs,
            (_text(samples.CLEAR_BALLOT),),
            (f"{RCTAB}/clear_ballot_with_inline_comma/*_cvr.csv",),
        ),
        Target(
            "cvr-dominion-json",
            ".json",
            _cvrs,
            (),
            (f"{RCTAB}/test_set_0_skipped_first_choice/*_cvr.json",),
        ),
        Target(
            "cvr-ess-xlsx",
            ".xlsx",
            _cvrs,
            (),
            (f"{RCTAB}/test_set_0_skipped_first_choice/*_cvr.xlsx",),
        ),
        Target("cvr-hart-xml", ".xml", _cvrs, (), (f"{RCTAB}/_shared/hart_cvr_archive/*.xml",)),
        Target("cvr-nist", ".json", _cvrs, (), (f"{RCTAB}/test_set_8_multi_cdf/*_cvr_1.json",)),
        Target(
            "manifest",
            ".csv",
            lambda p: list(read_manifest(p)),
            (_text(samples.MANIFEST),),
            ("cvr/arlo-fixtures/small-election/*manifest.csv",),
        ),
        Target(
            "paper-counts",
            ".csv",
            lambda p: read_counts(p, PAPER_COLUMNS),
            (_text(samples.PAPER_COUNTS),),
        ),
        Target(
            "check-ins",
            ".csv",
            lambda p: read_counts(p, CHECK_IN_COLUMNS),
            (_text(samples.CHECK_INS),),
        ),
        Target(
            "reported-results", ".csv", read_reported_results, (_text(samples.REPORTED_RESULTS),)
        ),
        Target(
            "netlog-zeek",
            ".log",
            _netlog,
            (_text(samples.ZEEK),),
            ("netmon/ctu-normal/*.conn.log",),
        ),
        Target(
            "netlog-zeek-columns",
            ".log",
            _zeek_columns,
            (_text(samples.ZEEK),),
            ("netmon/ctu-normal/*.conn.log",),
        ),
        Target("netlog-iptables", ".log", _netlog, (_text(samples.IPTABLES),)),
        Target("netlog-suricata", ".json", _netlog, (_text(samples.SURICATA),)),
        Target("netlog-filterlog", ".log", _netlog, (_text(samples.FILTERLOG),)),
        Target("netlog-pfirewall", ".log", _netlog, (_text(samples.PFIREWALL),)),
        Target("netlog-vpc-flow", ".log", _netlog, (_text(samples.VPC_FLOW),)),
        Target(
            "netlog-pcap",
            ".pcap",
            _netlog,
            (samples.pcap,),
            ("netmon/esnet-curated-pcaps/attacks/scanners/masscan/*.pcap",),
        ),
        Target("iptables-prefixes", ".toml", load_prefixes, (_text(samples.PREFIXES),)),
        Target("home-networks", ".txt", load_home_networks, (_text(samples.HOME_NETWORKS),)),
        Target(
            "voters-delimited",
            ".csv",
            lambda p: list(read_voter_file(p, PRESETS["votetrail"], county="Adams")),
            (_text(samples.VOTERS),),
        ),
        Target("voters-column-map", ".toml", ColumnMap.from_toml, (_text(samples.COLUMN_MAP),)),
        Target("voters-exchange", ".csv", read_exchange_file, (_text(samples.EXCHANGE),)),
        Target(
            "voters-vri",
            ".json",
            lambda p: read_vri(p, county="Adams"),
            (_text(samples.VRI_JSON),),
            ("nist/VoterRecordsInterchange/NVRA-PDF-examples/ohio_registration*",),
        ),
        Target(
            "election-definition",
            ".json",
            read_definition,
            (),
            (
                "election-definitions/electionguard-python/manifest-minimal.json",
                "election-definitions/ballot-encoder/electionWithMsEitherNeither.json",
            ),
        ),
        Target(
            "election-definition-yaml", ".yaml", read_definition, (_text(samples.YAML_DEFINITION),)
        ),
        Target(
            "lat-report",
            ".csv",
            lambda p: read_tabulator_report(p, _lat_definition()),
            (_text(samples.lat_totals_csv),),
        ),
        Target("audit-contests", ".csv", read_contests, (_text(samples.CONTESTS_CSV),)),
        Target(
            "audit-polling-sample", ".csv", read_polling_sample, (_text(samples.POLLING_SAMPLE),)
        ),
        Target(
            "audit-comparison-sample",
            ".csv",
            read_comparison_sample,
            (_text(samples.COMPARISON_SAMPLE),),
        ),
        Target(
            "audit-ranked-sample",
            ".csv",
            lambda p: read_ranked_comparison_sample(p, "Mayor"),
            (_text(samples.RANKED_SAMPLE),),
        ),
        Target(
            "audit-reported-batches",
            ".csv",
            read_reported_batches,
            (_text(samples.REPORTED_BATCHES),),
        ),
        Target("audit-hand-tallies", ".csv", read_hand_tallies, (_text(samples.HAND_TALLIES),)),
        Target("audit-batch-draws", ".csv", read_batch_draws, (_text(samples.BATCH_DRAWS),)),
        Target("audit-evidence", ".zip", read_evidence, (samples.evidence_zip,)),
        Target("rctab-config", ".json", _rctab_config, (_text(samples.RCTAB_CONFIG),)),
        Target("rctab-generic-csv", ".csv", _rctab_generic, (_text(samples.RCTAB_CSV),)),
        Target(
            "rctab-ess-xlsx",
            ".xlsx",
            _rctab_source(f"{RCTAB}/aliases_ess_xlsx/aliases_ess_xlsx_config.json"),
            (),
            (f"{RCTAB}/aliases_ess_xlsx/*_cvr.xlsx",),
            needs_shared=True,
        ),
        Target(
            "rctab-cdf",
            ".json",
            _rctab_source(f"{RCTAB}/test_set_8_multi_cdf/test_set_8_multi_cdf_config.json"),
            (),
            (f"{RCTAB}/test_set_8_multi_cdf/*_cvr_1.json",),
            needs_shared=True,
        ),
        Target(
            "rctab-clear-ballot",
            ".csv",
            _rctab_source(
                f"{RCTAB}/clear_ballot_with_inline_comma/clear_ballot_with_inline_comma_config.json"
            ),
            (),
            (f"{RCTAB}/clear_ballot_with_inline_comma/*_cvr.csv",),
            needs_shared=True,
        ),
    )
}

MAX_SEED_BYTES = 256 * 1024
"""Larger real files are cut here: a seed's job is reaching the parser's branches, not volume."""


def shared_seeds(target: Target, limit: int = MAX_SEED_BYTES) -> list[tuple[str, bytes]]:
    root = shared_data_dir()
    found: list[tuple[str, bytes]] = []
    for pattern in target.shared:
        for path in sorted(root.glob(pattern))[:4]:
            with path.open("rb") as handle:
                found.append((path.name, handle.read(limit)))
    return found


def seeds(target: Target) -> list[tuple[str, bytes]]:
    written = [(f"written-{n}{target.suffix}", make()) for n, make in enumerate(target.written)]
    return written + shared_seeds(target)


class ReaderBug(AssertionError):
    """The reader failed in a way other than InvalidInput naming the file."""


def run_one(target: Target, data: bytes, folder: Path) -> None:
    """Read ``data`` as ``target`` does; raise ReaderBug (or the reader's own bug) otherwise."""
    path = folder / f"input{target.suffix}"
    path.write_bytes(data)
    try:
        target.read(path)
    except InvalidInput as exc:
        if path.name not in str(exc) and str(folder) not in str(exc):
            raise ReaderBug(f"{target.name}: refusal does not name the file: {exc}") from exc
    finally:
        path.unlink()
