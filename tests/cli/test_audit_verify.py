"""`votetrail audit verify evidence.zip`: an observer recomputes the audit with no database.

The packages are built the way the office would: the frame is the real Arlo
small-election manifests (1,508 ballots) plus two phantoms, the sample is drawn
by the same sampler as ``votetrail audit sample`` and every round's risk is
what ``votetrail audit risk`` prints for the same inputs (its file readers and
``measure_risk`` run here on files written from the interpretations). The
votes are generated (the Arlo CVRs do not cover every manifest ballot).
"""

from __future__ import annotations

import dataclasses
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail
from votetrail.core.audit import polling
from votetrail.core.audit.evidence import (
    AuditMethod,
    Draw,
    Evidence,
    EvidenceContest,
    EvidenceRound,
    Interpretation,
    Reading,
)
from votetrail.core.audit.evidence_check import check_evidence
from votetrail.core.audit.sampler import sample
from votetrail.formats.audit.evidence import read_evidence, write_evidence
from votetrail.formats.audit.inputs import (
    read_comparison_sample,
    read_contests,
    read_polling_sample,
)
from votetrail.formats.cvr.manifest import ballot_ids, read_manifest
from votetrail.services.audit.rounds import Method, measure_risk

SEED = "01382438112797316654"
SMALL = "cvr/arlo-fixtures/small-election"
PHANTOMS = ["Siletz::phantom:1", "Siletz::phantom:2"]
CHOICES = {"mayor": ("alice", "bob", "carol"), "measure": ("yes", "no")}
RISK_LIMIT = 0.05


def frame_of(shared_data: Path) -> list[str]:
    ids: list[str] = []
    for path in sorted((shared_data / SMALL).glob("* - ballot manifest.csv")):
        ids.extend(ballot_ids(read_manifest(path), path.name.split(" - ")[0]))
    return ids + PHANTOMS


def cvr_vote(index: int, contest: str) -> str:
    """The generated election: mayor 60/30/10, measure two to one with some blanks."""
    if contest == "mayor":
        rest = index % 10
        return "alice" if rest < 6 else "bob" if rest < 9 else "carol"
    return "blank" if index % 11 == 0 else "no" if index % 3 == 0 else "yes"


def reading(text: str) -> Reading:
    if text in ("blank", "overvote", "not_found"):
        return Reading(mark=text)
    return Reading(frozenset(text.split(";")))


def engine_risks(
    tmp: Path,
    method: AuditMethod,
    contests: list[EvidenceContest],
    drawn: list[Draw],
    lookup: dict[tuple[str, str], Interpretation],
) -> tuple[dict[str, float], dict[str, str]]:
    """What `votetrail audit risk` says for this round: its readers on files, then measure_risk."""
    contests_csv = tmp / "contests.csv"
    contests_csv.write_text(
        "Contest,Choice,Votes,Ballots\n"
        + "".join(
            f"{c.id},{choice},{votes},{c.ballots}\n"
            for c in contests
            for choice, votes in c.reported.items()
        ),
        encoding="utf-8",
    )
    rows: list[str] = []
    seen: Counter[str] = Counter()
    for draw in drawn:
        seen[draw.ballot_id] += 1
        for c in contests:
            i = lookup[(draw.ballot_id, c.id)]
            if method is AuditMethod.BALLOT_COMPARISON:
                rows.append(f"{draw.ballot_id},{c.id},{_file(i.cvr)},{_file(i.audited)}\n")
            else:
                choice = "" if i.audited.mark else ";".join(i.audited.choices)
                rows.append(f"{draw.ballot_id},{c.id},{choice},{seen[draw.ballot_id]}\n")
    sample_csv = tmp / "sample.csv"
    if method is AuditMethod.BALLOT_COMPARISON:
        sample_csv.write_text("Ballot,Contest,CVR,Audit\n" + "".join(rows), encoding="utf-8")
        report = measure_risk(
            read_contests(contests_csv),
            Method.COMPARISON,
            RISK_LIMIT,
            compared=read_comparison_sample(sample_csv),
        )
    else:
        sample_csv.write_text("Ballot,Contest,Choice,Generation\n" + "".join(rows), "utf-8")
        report = measure_risk(
            read_contests(contests_csv),
            Method.BRAVO,
            RISK_LIMIT,
            polled=read_polling_sample(sample_csv),
        )
    risk = {
        c.id: max(r.risk for r in report.risks if r.assertion.startswith(f"{c.id}:"))
        for c in contests
    }
    distinct = len({d.ballot_id for d in drawn})
    decision = {
        c.id: polling.decide(
            risk[c.id], RISK_LIMIT, ballots_sampled=distinct, ballots_cast=c.ballots
        ).value
        for c in contests
    }
    return risk, decision


def _file(found: Reading | None) -> str:
    assert found is not None
    if found.mark == "not_found":
        return "MISSING"
    return "" if found.mark else ";".join(sorted(found.choices))


def build(
    shared_data: Path,
    tmp: Path,
    method: AuditMethod,
    sizes: list[int],
    paper: dict[tuple[int, str], str],
) -> Evidence:
    """A whole audit: ``paper`` overrides what the board read for (draw index, contest)."""
    frame = frame_of(shared_data)
    real = frame[: -len(PHANTOMS)]
    contests = []
    for contest_id, choices in CHOICES.items():
        tally = Counter(cvr_vote(i, contest_id) for i in range(len(real)))
        reported = {choice: tally[choice] for choice in choices}
        contests.append(
            EvidenceContest(
                contest_id,
                contest_id.title(),
                1,
                (max(reported, key=lambda c: reported[c]),),
                reported,
                len(frame),
            )
        )
    replacement = method is AuditMethod.BALLOT_POLLING
    tickets = sample(frame, SEED, sizes[-1], with_replacement=replacement)
    draws = []
    for number, (start, end) in enumerate(zip([0, *sizes], sizes, strict=False), 1):
        draws += [Draw(number, t.ticket, t.id) for t in tickets[start:end]]
    lookup: dict[tuple[str, str], Interpretation] = {}
    for index, draw in enumerate(draws):
        for c in contests:
            if (draw.ballot_id, c.id) in lookup:
                continue
            position = frame.index(draw.ballot_id)
            cvr = "not_found" if draw.ballot_id in PHANTOMS else cvr_vote(position, c.id)
            audited = paper.get((index, c.id), cvr)
            lookup[(draw.ballot_id, c.id)] = Interpretation(
                draw.ballot_id,
                c.id,
                reading(cvr) if method is AuditMethod.BALLOT_COMPARISON else None,
                reading(audited),
            )
    rounds = []
    for number, size in enumerate(sizes, 1):
        risk, decision = engine_risks(tmp, method, contests, draws[:size], lookup)
        rounds.append(EvidenceRound(number, size, risk, decision))
    return Evidence(
        audit_id="2026-general-rla",
        election="2026 General (Small Election)",
        method=method,
        risk_limit=RISK_LIMIT,
        seed=SEED,
        with_replacement=replacement,
        contests=tuple(contests),
        rounds=tuple(rounds),
        frame=tuple(frame),
        sample=tuple(draws),
        interpretations=tuple(lookup.values()),
    )


def package(evidence: Evidence, path: Path) -> Path:
    with path.open("wb") as handle:
        write_evidence(evidence, handle)
    return path


def rewrite(source: Path, target: Path, member: str, change: object) -> Path:
    """A copy of the package with one member's text passed through ``change``."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == member:
                assert callable(change)
                data = change(data.decode("utf-8")).encode("utf-8")
            copy.writestr(info, data)
    return target


@pytest.fixture
def comparison(shared_data: Path, tmp_path: Path) -> tuple[Evidence, Path]:
    # Draw 2's board reads bob where the CVR says alice: a two-vote overstatement in round 1.
    evidence = build(
        shared_data, tmp_path, AuditMethod.BALLOT_COMPARISON, [12, 60], {(1, "mayor"): "bob"}
    )
    return evidence, package(evidence, tmp_path / "evidence.zip")


def verify(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str, str]:
    result = votetrail(capsys, "audit", "verify", str(path))
    return result.code, result.out, result.err


def test_comparison_package_verifies(
    comparison: tuple[Evidence, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    evidence, path = comparison
    assert [r.decision["mayor"] for r in evidence.rounds] == ["continue", "confirmed"]
    code, out, err = verify(capsys, path)
    assert (code, err) == (0, "")
    assert out.startswith("OK: audit 2026-general-rla")
    assert "60 draws in 2 rounds re-drawn from 1,510 ballots" in out
    assert "mayor: confirmed, measure: confirmed" in out


def test_writing_is_deterministic_and_reads_back(
    comparison: tuple[Evidence, Path], tmp_path: Path
) -> None:
    evidence, path = comparison
    again = package(evidence, tmp_path / "again.zip")
    assert path.read_bytes() == again.read_bytes()
    assert read_evidence(path) == evidence
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [
            "audit.json",
            "frame.csv",
            "sample.csv",
            "interpretations.csv",
        ]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        lines = archive.read("sample.csv").decode().splitlines()
    assert lines[0] == "round,ticket_number,ballot_id"
    assert lines[1] == f"1,{evidence.sample[0].ticket_number},{evidence.sample[0].ballot_id}"


def test_altered_interpretation_is_named(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence, path = comparison
    ballot = evidence.sample[1].ballot_id  # the discrepancy: the board read bob
    forged = rewrite(
        path,
        tmp_path / "forged.zip",
        "interpretations.csv",
        lambda text: text.replace(f"{ballot},mayor,alice,bob", f"{ballot},mayor,alice,alice"),
    )
    code, out, err = verify(capsys, forged)
    assert code == 1
    assert "round 1, contest 'mayor': audit.json gives risk" in out
    assert "round 2, contest 'mayor': audit.json gives risk" in out
    assert "contest 'measure'" not in out
    assert "FAILED" in err


def test_dropped_interpretation_counts_as_worst_case(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence, path = comparison
    ballot = evidence.sample[30].ballot_id
    forged = rewrite(
        path,
        tmp_path / "forged.zip",
        "interpretations.csv",
        lambda text: "".join(
            line for line in text.splitlines(True) if not line.startswith(f"{ballot},measure,")
        ),
    )
    code, out, _ = verify(capsys, forged)
    assert code == 1
    assert (
        f"round 2, contest 'measure': ballot {ballot!r} was sampled but interpretations.csv "
        "has no reading of it (counted as not_found)"
    ) in out
    assert "round 2, contest 'measure': audit.json gives risk" in out


def test_altered_sample_row_is_named(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence, path = comparison
    third = evidence.sample[2]
    unsampled = next(b for b in evidence.frame if b not in {d.ballot_id for d in evidence.sample})
    forged = rewrite(
        path,
        tmp_path / "forged.zip",
        "sample.csv",
        lambda text: text.replace(f",{third.ballot_id}\n", f",{unsampled}\n"),
    )
    code, out, _ = verify(capsys, forged)
    assert code == 1
    assert (
        f"round 1, draw 3: sample.csv has ballot {unsampled!r} (ticket {third.ticket_number}, "
        f"round 1), but the seed draws ballot {third.ballot_id!r}"
    ) in out


def test_altered_seed_is_named(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = comparison
    forged = rewrite(
        path, tmp_path / "forged.zip", "audit.json", lambda t: t.replace(SEED, "1" * 20)
    )
    code, out, _ = verify(capsys, forged)
    assert code == 1
    assert out.startswith("round 1, draw 1: sample.csv has ballot")


def test_altered_reported_risk_is_named(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence, _ = comparison
    forged_evidence = dataclasses.replace(
        evidence,
        rounds=(
            evidence.rounds[0],
            dataclasses.replace(
                evidence.rounds[1], risk={**evidence.rounds[1].risk, "measure": 0.01}
            ),
        ),
    )
    code, out, _ = verify(capsys, package(forged_evidence, tmp_path / "forged.zip"))
    real = evidence.rounds[1].risk["measure"]
    assert code == 1
    assert out.splitlines()[0] == (
        f"round 2, contest 'measure': audit.json gives risk 0.01, the recomputed risk is {real!r}"
    )


@pytest.mark.parametrize(
    ("member", "change", "where"),
    [
        (
            "sample.csv",
            lambda t: t.replace("\n2,", "\nsecond,", 1),
            "sample.csv, line 14, field 'round': 'second' is not a round number",
        ),
        (
            "interpretations.csv",
            lambda t: t.replace(",alice,alice", ",alice,alice;bob", 1),
            "field 'audited': names 2 choices in a vote-for-1 contest; write overvote",
        ),
        ("audit.json", lambda t: t.replace('"rounds"', "rounds"), "audit.json, line"),
        ("audit.json", lambda t: t.replace('"ballot_comparison"', '"guessing"'), "field 'method'"),
        ("frame.csv", lambda t: t.replace("ballot_id\n", "ballot\n"), "frame.csv, line 1"),
    ],
)
def test_malformed_member_names_member_and_line(
    comparison: tuple[Evidence, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    member: str,
    change: object,
    where: str,
) -> None:
    _, path = comparison
    code, out, err = verify(capsys, rewrite(path, tmp_path / "bad.zip", member, change))
    assert code == 1
    assert out == ""
    assert where in err


def test_missing_member_and_not_a_zip(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = comparison
    partial = tmp_path / "partial.zip"
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(partial, "w") as copy:
        for info in original.infolist():
            if info.filename != "frame.csv":
                copy.writestr(info, original.read(info))
    code, _, err = verify(capsys, partial)
    assert code == 1
    assert "partial.zip: frame.csv: is missing from the package" in err
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    code, _, err = verify(capsys, junk)
    assert (code, "junk.zip: is not a ZIP archive" in err) == (1, True)


def test_compression_bomb_is_refused(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = comparison
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(bomb, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "frame.csv":
                data = b"ballot_id\n" + b"0" * (64 * 1024 * 1024)
            copy.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 200_000
    code, _, err = verify(capsys, bomb)
    assert code == 1
    assert "bomb.zip: frame.csv: expands more than 200 times" in err


@pytest.fixture
def polling_audit(shared_data: Path, tmp_path: Path) -> Evidence:
    return build(shared_data, tmp_path, AuditMethod.BALLOT_POLLING, [30, 90], {})


def test_polling_package_verifies_and_names_a_change(
    polling_audit: Evidence, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = package(polling_audit, tmp_path / "polling.zip")
    assert len({d.ballot_id for d in polling_audit.sample}) <= len(polling_audit.sample)
    code, out, _ = verify(capsys, path)
    assert code == 0, out
    assert "(ballot_polling, risk limit 0.05): 90 draws in 2 rounds" in out
    first = polling_audit.sample[0].ballot_id
    said = next(
        i for i in polling_audit.interpretations if (i.ballot_id, i.contest_id) == (first, "mayor")
    )
    loser = "bob" if said.audited.choices != {"bob"} else "carol"
    forged = rewrite(
        path,
        tmp_path / "forged.zip",
        "interpretations.csv",
        lambda text: text.replace(f"{first},mayor,,{said.audited}\n", f"{first},mayor,,{loser}\n"),
    )
    code, out, _ = verify(capsys, forged)
    assert code == 1
    assert "round 1, contest 'mayor': audit.json gives risk" in out


def test_polling_not_found_counts_as_a_vote_for_every_loser(polling_audit: Evidence) -> None:
    """Measure has two choices: a ballot not found weighs exactly like a vote for 'no'."""
    target = next(
        i
        for i in polling_audit.interpretations
        if i.contest_id == "measure" and i.audited.choices == {"yes"}
    )

    def with_reading(text: str) -> dict[str, float]:
        changed = tuple(
            dataclasses.replace(i, audited=reading(text)) if i == target else i
            for i in polling_audit.interpretations
        )
        return check_evidence(
            dataclasses.replace(polling_audit, interpretations=changed)
        ).final_risk

    assert with_reading("not_found")["measure"] == with_reading("no")["measure"]
    assert with_reading("not_found")["measure"] > with_reading("yes")["measure"]


def test_a_batch_comparison_package_without_batch_tallies_is_refused_not_passed(
    comparison: tuple[Evidence, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Batch packages are recomputed from batches.csv (tests/services/audit/test_batch_rounds.py);
    one whose batches do not add up to the reported totals fails, naming the contest."""
    evidence, _ = comparison
    batch = dataclasses.replace(evidence, method=AuditMethod.BATCH_COMPARISON)
    code, out, _ = verify(capsys, package(batch, tmp_path / "batch.zip"))
    assert code == 1
    assert "batches.csv cannot be audited as published: contest 'mayor'" in out


def test_formula_like_ids_round_trip(comparison: tuple[Evidence, Path], tmp_path: Path) -> None:
    """Ids starting with '=' are defused in the CSVs and restored when read."""
    evidence, _ = comparison
    odd = dataclasses.replace(evidence, frame=("=cmd|calc", *evidence.frame[1:]))
    path = package(odd, tmp_path / "odd.zip")
    with zipfile.ZipFile(path) as archive:
        assert "'=cmd|calc" in archive.read("frame.csv").decode()
    assert read_evidence(path).frame[0] == "=cmd|calc"
