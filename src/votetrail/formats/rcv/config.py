"""RCTab contest configuration files, read as jurisdictions keep them.

A jurisdiction that counts ranked-choice contests already has one JSON file
per contest for RCTab (the open-source tabulator certified in several states):
the rules, the candidates and where the CVR files are. votetrail reads that
file unchanged, so the rules a county certified are the rules votetrail
applies, and an auditor can run both tools on one file.

What is read, and how it follows RCTab (``ContestConfig``, ``RawContestConfig``
and ``ContestConfigMigration`` in BrightSpots/rcv; facts, not code):

* every field of ``outputSettings``, ``cvrFileSources``, ``candidates`` and
  ``rules``; numbers may be written as JSON numbers or as strings of digits
  (RCTab writes strings); unknown fields are ignored, as RCTab does;
* older versions' field names and values: ``rules.overvoteLabel``,
  ``rules.undervoteLabel``, ``rules.undeclaredWriteInLabel`` and
  ``rules.treatBlankAsUndeclaredWriteIn`` (moved to each source), a source's
  ``undervoteLabel`` (now ``skippedRankLabel``), a candidate's ``code`` (an
  alias), winner modes ``standard``, ``singleSeatContinueUntilTwoCandidatesRemain``,
  ``multiSeatAllowOnlyOneWinnerPerRound``, ``multiSeatBottomsUp``,
  ``multiSeatSequentialWinnerTakesAll`` and tiebreak modes ``interactive``,
  ``previousRoundCountsThenInteractive``;
* every check RCTab makes before counting (ranges, required fields, fields a
  provider must not set, label clashes, setting combinations), each refused
  with :class:`~votetrail.errors.InvalidInput` naming the file, the line and
  the field. votetrail adds one refusal of its own, listed in docs/rcv.md:
  output folders inside the computer's user folders (RCTab refuses those on
  Windows; votetrail on every system, so a file accepted here is accepted by
  RCTab anywhere). Interactive tiebreak modes (``stopCountingAndAsk``,
  ``previousRoundCountsThenAsk``) load, since most counts never meet a tie;
  a count that does meet one stops with a sentence naming the tied
  candidates, because votetrail counts unattended.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from votetrail.core.rcv.rules import (
    Candidate,
    ContestRules,
    OvervoteRule,
    TiebreakMode,
    WinnerElectionMode,
)
from votetrail.errors import InvalidInput
from votetrail.formats.archives import MiB, check_size

MAX_CONFIG_BYTES = 16 * MiB
TEST_VERSION = "TEST"
"""The version RCTab's own suite writes: current field names, no migration."""
RESERVED = ("residual surplus", "exhausted", "uncounted")
"""Report labels RCTab forbids as CVR labels or candidate names."""

_RANDOM_SEED_RANGE = (-140737488355328, 140737488355327)
_MAX_COLUMN = 1000
_MAX_ROW = 100000
_INT = re.compile(r"[+-]?[0-9]+")
_USER_FOLDERS = re.compile(r"^(?:[A-Za-z]:)?[/\\]+(?:users|home)(?:[/\\]|$)", re.IGNORECASE)
_BAD_DELIMITER = re.compile(r".*\\.*|[a-zA-Z0-9.',\-\"\s]+", re.DOTALL)

_E = TypeVar("_E", bound=StrEnum)

_OLD_WINNER_MODES = {
    "singleSeatContinueUntilTwoCandidatesRemain": WinnerElectionMode.SINGLE_WINNER_MAJORITY,
    "multiSeatAllowOnlyOneWinnerPerRound": WinnerElectionMode.MULTI_SEAT_ONE_WINNER_PER_ROUND,
    "multiSeatSequentialWinnerTakesAll": WinnerElectionMode.SEQUENTIAL,
}
_OLD_TIEBREAK_MODES = {
    "interactive": TiebreakMode.STOP_COUNTING_AND_ASK,
    "previousRoundCountsThenInteractive": TiebreakMode.PREVIOUS_ROUND_COUNTS_THEN_ASK,
}


class Provider(StrEnum):
    """Who wrote a CVR source (RCTab's ``provider`` labels)."""

    ESS = "ess"
    GENERIC_CSV = "genericCsv"
    DOMINION = "dominion"
    HART = "hart"
    CLEAR_BALLOT = "clearBallot"
    CDF = "cdf"

    @property
    def has_columns(self) -> bool:
        """Spreadsheet-like sources, where the config says which columns hold what."""
        return self in (Provider.ESS, Provider.GENERIC_CSV)

    @property
    def needs_contest_id(self) -> bool:
        """Files holding many contests: the config names the one to count."""
        return not self.has_columns


@dataclass(frozen=True, slots=True)
class CvrSource:
    """One ``cvrFileSources`` entry; columns and rows count from 1, as in the file."""

    path: Path
    """Resolved against the config file's folder, as RCTab does."""
    provider: Provider
    label: str
    """``cvrFileSources[N] (filePath)``: how messages name this source."""
    contest_id: str | None = None
    first_vote_column: int | None = None
    first_vote_row: int | None = None
    id_column: int | None = None
    batch_column: int | None = None
    precinct_column: int | None = None
    overvote_delimiter: str | None = None
    overvote_label: str | None = None
    skipped_rank_label: str | None = None
    undeclared_write_in_label: str | None = None
    treat_blank_as_undeclared_write_in: bool = False


@dataclass(frozen=True, slots=True)
class OutputSettings:
    """``outputSettings``: what reports are titled and which slices RCTab writes."""

    contest_name: str
    output_directory: str = ""
    contest_date: str = ""
    contest_jurisdiction: str = ""
    contest_office: str = ""
    tabulate_by_precinct: bool = False
    tabulate_by_batch: bool = False
    generate_cdf_json: bool = False


@dataclass(frozen=True, slots=True)
class ContestConfig:
    """A whole RCTab configuration, checked: rules, candidates, sources, titles."""

    path: Path
    rules: ContestRules
    sources: tuple[CvrSource, ...]
    output: OutputSettings
    tabulator_version: str | None = None
    rules_description: str = ""


@dataclass(slots=True)
class _Problems:
    """Every problem found, each naming its field and the line it is on."""

    text: str
    found: list[str] = field(default_factory=list)

    def add(self, field_name: str, sentence: str, index: int = 0) -> None:
        line = _line_of(self.text, field_name, index)
        at = f" (line {line})" if line else ""
        self.found.append(f"{_words(field_name)}{at}: {sentence}")


def _words(field_name: str) -> str:
    """``cvrFileSources[2].provider`` -> ``field provider of CVR source 3``."""
    match = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", field_name)
    if match:
        section, index, key = match.groups()
        what = {"cvrFileSources": "CVR source", "candidates": "candidate"}.get(section, section)
        return f"field {key} of {what} {int(index) + 1}"
    return f"field {field_name}"


def _line_of(text: str, field_name: str, index: int) -> int | None:
    """The line a field is on (or its list entry starts on), for messages; None if unsure."""
    section, _, key = field_name.rpartition(".")
    start, end = 0, len(text)
    if section:
        name = section.split("[", 1)[0]
        found = text.rfind(f'"{name}"')
        if found < 0:
            return None
        start = found
        if "[" in section:
            spans = _entry_spans(text, found)
            if index >= len(spans):
                return None
            start, end = spans[index]
    position = text.find(f'"{key}"', start, end)
    if position < 0:
        position = start if "[" in section else -1
    if position < 0:
        return None
    return text.count("\n", 0, position) + 1


def _entry_spans(text: str, key_position: int) -> list[tuple[int, int]]:
    """Where each entry of the JSON list after ``key_position`` starts and ends."""
    decoder = json.JSONDecoder()
    position = text.find("[", key_position)
    spans: list[tuple[int, int]] = []
    if position < 0:
        return spans
    position += 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return spans
        try:
            _, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            return spans
        spans.append((position, end))
        position = end


def read_config(path: Path) -> ContestConfig:
    """Read and check one RCTab contest configuration file.

    Raises :class:`InvalidInput` listing every problem, each with its field
    and line, rather than stopping at the first: a clerk fixes the file once.
    """
    where = str(path)
    try:
        check_size(path.stat().st_size, where, MAX_CONFIG_BYTES)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput("the contest configuration file does not exist", where) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = "is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "cannot be read"
        raise InvalidInput(f"the contest configuration file {reason}", where) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"line {exc.lineno}: the contest configuration is not valid JSON ({exc.msg})", where
        ) from None
    if not isinstance(raw, dict):
        raise InvalidInput("the contest configuration must be a JSON object", where)
    problems = _Problems(text)
    config = _Reader(path, raw, problems).read()
    if problems.found or config is None:
        raise InvalidInput(
            "RCTab contest configuration refused: " + "; ".join(problems.found), where
        )
    for name, sentence in config.rules.problems():
        problems.add(name if name == "candidates" else f"rules.{name}", sentence)
    if problems.found:
        raise InvalidInput(
            "RCTab contest configuration refused: " + "; ".join(problems.found), where
        )
    return config


class _Reader:
    """One pass over the parsed JSON, typing each field and noting problems."""

    def __init__(self, path: Path, raw: dict[str, Any], problems: _Problems) -> None:
        self.path = path
        self.raw = raw
        self.problems = problems
        self.version = raw.get("tabulatorVersion")
        self.migrate = self.version != TEST_VERSION

    def read(self) -> ContestConfig | None:
        output = self._output(self._section("outputSettings"))
        rules_raw = self._section("rules")
        sources = self._sources(rules_raw, output)
        candidates = self._candidates(sources)
        rules = self._rules(rules_raw, candidates, sources)
        if output is None or rules is None:
            return None
        return ContestConfig(
            path=self.path,
            rules=rules,
            sources=tuple(sources),
            output=output,
            tabulator_version=self.version if isinstance(self.version, str) else None,
            rules_description=str(rules_raw.get("rulesDescription") or ""),
        )

    # -- sections --------------------------------------------------------------

    def _section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name)
        if value is None:
            self.problems.add(name, "is missing; RCTab configurations have this section")
            return {}
        if not isinstance(value, dict):
            self.problems.add(name, "must be a JSON object")
            return {}
        return value

    def _output(self, raw: dict[str, Any]) -> OutputSettings | None:
        name = _text(raw.get("contestName"))
        if not name:
            self.problems.add("outputSettings.contestName", "is required (the contest's name)")
        directory = _text(raw.get("outputDirectory"))
        if _USER_FOLDERS.match(directory.replace("\\", "/")):
            self.problems.add(
                "outputSettings.outputDirectory",
                f"{directory!r} is inside the computer's user folders; RCTab refuses output "
                "there so results stay read-only, and votetrail refuses the configuration "
                "likewise: choose a folder outside them (e.g. C:/RCTab/output)",
            )
        flags = {
            key: self._flag(raw, f"outputSettings.{key}")
            for key in ("tabulateByPrecinct", "tabulateByBatch", "generateCdfJson")
        }
        if not name:
            return None
        return OutputSettings(
            contest_name=name,
            output_directory=directory,
            contest_date=_text(raw.get("contestDate")),
            contest_jurisdiction=_text(raw.get("contestJurisdiction")),
            contest_office=_text(raw.get("contestOffice")),
            tabulate_by_precinct=flags["tabulateByPrecinct"],
            tabulate_by_batch=flags["tabulateByBatch"],
            generate_cdf_json=flags["generateCdfJson"],
        )

    def _sources(self, rules_raw: dict[str, Any], output: OutputSettings | None) -> list[CvrSource]:
        raw = self.raw.get("cvrFileSources")
        if not isinstance(raw, list) or not raw:
            self.problems.add(
                "cvrFileSources", "must list at least one cast vote record file source"
            )
            return []
        sources: list[CvrSource] = []
        seen: dict[Path, int] = {}
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict):
                self.problems.add(f"cvrFileSources[{index}].filePath", "must be a JSON object")
                continue
            source = self._source(index, entry, rules_raw, output)
            if source is None:
                continue
            if source.path in seen:
                self.problems.add(
                    f"cvrFileSources[{index}].filePath",
                    f"{source.path} is already CVR source {seen[source.path] + 1}",
                    index,
                )
            seen.setdefault(source.path, index)
            sources.append(source)
        return sources

    def _source(
        self,
        index: int,
        raw: dict[str, Any],
        rules_raw: dict[str, Any],
        output: OutputSettings | None,
    ) -> CvrSource | None:
        prefix = f"cvrFileSources[{index}]"
        file_path = _text(raw.get("filePath"))
        provider_text = _text(raw.get("provider"))
        labels = self._labels(prefix, raw, rules_raw, index)
        provider: Provider | None = None
        try:
            provider = Provider(provider_text)
        except ValueError:
            known = ", ".join(p.value for p in Provider)
            self.problems.add(
                f"{prefix}.provider",
                f"{provider_text!r} is not a CVR provider RCTab reads; use one of {known}",
                index,
            )
        if not file_path:
            self.problems.add(f"{prefix}.filePath", "is required (where the CVR file is)", index)
            return None
        path = Path(file_path)
        if not path.is_absolute():
            path = self.path.parent / path
        path = path.resolve()
        if not path.exists():
            self.problems.add(
                f"{prefix}.filePath", f"{file_path!r}: no such file or folder ({path})", index
            )
        if provider is None:
            return None
        label = f"CVR source {index + 1} ({file_path})"
        columns = self._columns(prefix, raw, provider, index, file_path)
        contest_id = _text(raw.get("contestId")) or None
        if provider.needs_contest_id and contest_id is None:
            self.problems.add(
                f"{prefix}.contestId",
                f"is required for provider {provider.value} (which contest in the file to count)",
                index,
            )
        elif not provider.needs_contest_id and contest_id is not None:
            self._not_for_provider(f"{prefix}.contestId", provider, index)
        treat_blank = self._flag(raw, f"{prefix}.treatBlankAsUndeclaredWriteIn", index)
        if self.migrate and rules_raw.get("treatBlankAsUndeclaredWriteIn") is True:
            treat_blank = True
        delimiter = _text(raw.get("overvoteDelimiter")) or None
        self._check_provider_fields(prefix, raw, provider, index, labels, delimiter, treat_blank)
        self._check_rules_for_source(
            prefix, provider, raw, rules_raw, output, labels, delimiter, index
        )
        if provider is Provider.CDF and not file_path.lower().endswith((".xml", ".json")):
            self.problems.add(
                f"{prefix}.filePath", "a cdf source must be a .json or .xml file", index
            )
        return CvrSource(
            path=path,
            provider=provider,
            label=label,
            contest_id=contest_id,
            first_vote_column=columns.get("firstVoteColumnIndex"),
            first_vote_row=columns.get("firstVoteRowIndex"),
            id_column=columns.get("idColumnIndex"),
            batch_column=columns.get("batchColumnIndex"),
            precinct_column=columns.get("precinctColumnIndex"),
            overvote_delimiter=delimiter,
            overvote_label=labels["overvoteLabel"],
            skipped_rank_label=labels["skippedRankLabel"],
            undeclared_write_in_label=labels["undeclaredWriteInLabel"],
            treat_blank_as_undeclared_write_in=treat_blank,
        )

    def _labels(
        self, prefix: str, raw: dict[str, Any], rules_raw: dict[str, Any], index: int
    ) -> dict[str, str | None]:
        labels: dict[str, str | None] = {
            key: _text(raw.get(key)) or None
            for key in ("overvoteLabel", "skippedRankLabel", "undeclaredWriteInLabel")
        }
        if labels["skippedRankLabel"] is None:
            labels["skippedRankLabel"] = _text(raw.get("undervoteLabel")) or None
        if self.migrate:
            moved = {
                "overvoteLabel": "overvoteLabel",
                "skippedRankLabel": "undervoteLabel",
                "undeclaredWriteInLabel": "undeclaredWriteInLabel",
            }
            for key, old in moved.items():
                legacy = _text(rules_raw.get(old))
                if legacy:
                    labels[key] = legacy
        for key, value in labels.items():
            if value is None:
                continue
            if value.lower() in RESERVED:
                self.problems.add(
                    f"{prefix}.{key}", f"{value!r} is a word RCTab's reports reserve", index
                )
            for other, other_value in labels.items():
                if (
                    other != key
                    and other_value is not None
                    and other_value.lower() == value.lower()
                ):
                    self.problems.add(
                        f"{prefix}.{key}", f"{value!r} is also this source's {other}", index
                    )
                    break
        return labels

    def _columns(
        self, prefix: str, raw: dict[str, Any], provider: Provider, index: int, file_path: str
    ) -> dict[str, int | None]:
        columns: dict[str, int | None] = {}
        if not provider.has_columns:
            for key in (
                "firstVoteColumnIndex",
                "firstVoteRowIndex",
                "idColumnIndex",
                "precinctColumnIndex",
                "batchColumnIndex",
            ):
                if _text(raw.get(key)):
                    self._not_for_provider(f"{prefix}.{key}", provider, index)
            return columns
        limits = {
            "firstVoteColumnIndex": (_MAX_COLUMN, True),
            "firstVoteRowIndex": (_MAX_ROW, True),
            "idColumnIndex": (_MAX_COLUMN, False),
            "precinctColumnIndex": (_MAX_COLUMN, False),
            "batchColumnIndex": (_MAX_COLUMN, False),
        }
        for key, (top, required) in limits.items():
            columns[key] = self._int(raw, f"{prefix}.{key}", 1, top, required, index)
        return columns

    def _check_provider_fields(
        self,
        prefix: str,
        raw: dict[str, Any],
        provider: Provider,
        index: int,
        labels: Mapping[str, str | None],
        delimiter: str | None,
        treat_blank: bool,
    ) -> None:
        if provider.has_columns:
            if delimiter is not None and _BAD_DELIMITER.fullmatch(delimiter):
                self.problems.add(
                    f"{prefix}.overvoteDelimiter",
                    f"{delimiter!r} cannot separate names: it may not contain a backslash or "
                    "consist only of letters, digits, spaces and . ' , - \"",
                    index,
                )
            if delimiter is not None and labels["overvoteLabel"] is not None:
                self.problems.add(
                    f"{prefix}.overvoteDelimiter",
                    "cannot be given together with overvoteLabel",
                    index,
                )
            return
        if provider is not Provider.CDF and labels["overvoteLabel"] is not None:
            self._not_for_provider(f"{prefix}.overvoteLabel", provider, index)
        if delimiter is not None:
            self._not_for_provider(f"{prefix}.overvoteDelimiter", provider, index)
        if labels["skippedRankLabel"] is not None:
            self._not_for_provider(f"{prefix}.skippedRankLabel", provider, index)
        if treat_blank:
            self.problems.add(
                f"{prefix}.treatBlankAsUndeclaredWriteIn",
                f"cannot be true for provider {provider.value}",
                index,
            )

    def _check_rules_for_source(
        self,
        prefix: str,
        provider: Provider,
        raw: dict[str, Any],
        rules_raw: dict[str, Any],
        output: OutputSettings | None,
        labels: Mapping[str, str | None],
        delimiter: str | None,
        index: int,
    ) -> None:
        overvote_rule = _text(rules_raw.get("overvoteRule"))
        if labels["overvoteLabel"] is not None and overvote_rule == (
            OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING.value
        ):
            self.problems.add(
                f"{prefix}.overvoteLabel",
                "an overvote label needs overvoteRule exhaustImmediately or alwaysSkipToNextRank",
                index,
            )
        if output is None:
            return
        if provider is Provider.CDF and (output.tabulate_by_precinct or output.tabulate_by_batch):
            self.problems.add(
                "outputSettings.tabulateByPrecinct"
                if output.tabulate_by_precinct
                else "outputSettings.tabulateByBatch",
                "results by precinct or batch cannot be made from cdf sources (RCTab refuses it)",
            )
        if provider is Provider.ESS:
            if output.tabulate_by_precinct and not _text(raw.get("precinctColumnIndex")):
                self.problems.add(
                    f"{prefix}.precinctColumnIndex",
                    "is required when tabulateByPrecinct is true",
                    index,
                )
            if output.tabulate_by_batch and not _text(raw.get("batchColumnIndex")):
                self.problems.add(
                    f"{prefix}.batchColumnIndex", "is required when tabulateByBatch is true", index
                )
            if delimiter is None and overvote_rule == (
                OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING.value
            ):
                self.problems.add(
                    f"{prefix}.overvoteDelimiter",
                    "is required for an ES&S source when overvoteRule is "
                    "exhaustIfMultipleContinuing (the names of an overvote must be readable)",
                    index,
                )

    def _not_for_provider(self, field_name: str, provider: Provider, index: int) -> None:
        self.problems.add(field_name, f"must not be set for provider {provider.value}", index)

    def _candidates(self, sources: list[CvrSource]) -> list[Candidate]:
        raw = self.raw.get("candidates")
        if not isinstance(raw, list):
            self.problems.add("candidates", "must be a list of candidates")
            return []
        labels = {
            label.lower()
            for source in sources
            for label in (
                source.overvote_label,
                source.skipped_rank_label,
                source.undeclared_write_in_label,
            )
            if label
        }
        candidates: list[Candidate] = []
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict):
                self.problems.add(f"candidates[{index}].name", "must be a JSON object", index)
                continue
            name = _text(entry.get("name")).strip()
            if not name:
                self.problems.add(f"candidates[{index}].name", "is required", index)
                continue
            aliases_raw = entry.get("aliases") or []
            if not isinstance(aliases_raw, list):
                self.problems.add(f"candidates[{index}].aliases", "must be a list of names", index)
                aliases_raw = []
            aliases = [_text(a).strip() for a in aliases_raw if _text(a).strip()]
            code = _text(entry.get("code")).strip()
            if code:
                aliases.append(code)
            for spelling in (name, *aliases):
                if spelling.lower() in RESERVED or spelling.lower() in labels:
                    self.problems.add(
                        f"candidates[{index}].name",
                        f"{spelling!r} is reserved or already a CVR source's label",
                        index,
                    )
            excluded = self._flag(entry, f"candidates[{index}].excluded", index)
            candidates.append(
                Candidate(name=name, aliases=tuple(dict.fromkeys(aliases)), excluded=excluded)
            )
        return candidates

    def _rules(
        self, raw: dict[str, Any], candidates: list[Candidate], sources: list[CvrSource]
    ) -> ContestRules | None:
        winners = self._int(raw, "rules.numberOfWinners", 0, 2**31 - 1, True)
        mode = self._winner_mode(raw, winners)
        tiebreak = self._enum(raw, "tiebreakMode", TiebreakMode, _OLD_TIEBREAK_MODES)
        overvote = self._enum(raw, "overvoteRule", OvervoteRule, {})
        seed = self._int(raw, "rules.randomSeed", *_RANDOM_SEED_RANGE, False)
        decimals = self._int(raw, "rules.decimalPlacesForVoteArithmetic", 1, 20, True)
        max_rankings = self._word_or_int(raw, "maxRankingsAllowed", "max", 1)
        max_skipped = self._word_or_int(raw, "maxSkippedRanksAllowed", "unlimited", 0)
        stop_early = self._int(raw, "rules.stopTabulationEarlyAfterRound", 1, 2**31 - 1, False)
        threshold = self._percentage(raw, winners)
        minimum = self._decimal(raw, "minimumVoteThreshold")
        flags = {
            key: self._flag(raw, f"rules.{key}")
            for key in (
                "nonIntegerWinningThreshold",
                "doesFirstRoundDetermineThreshold",
                "hareQuota",
                "batchElimination",
                "cutoffElimination",
                "continueUntilTwoCandidatesRemain",
                "exhaustOnDuplicateCandidate",
            )
        }
        if self.migrate and _text(raw.get("winnerElectionMode")) == (
            "singleSeatContinueUntilTwoCandidatesRemain"
        ):
            flags["continueUntilTwoCandidatesRemain"] = True
        if self.problems.found or mode is None or tiebreak is None or overvote is None:
            return None
        if winners is None or decimals is None:
            return None
        uwi = next(
            (
                source.undeclared_write_in_label or ""
                for source in sources
                if source.undeclared_write_in_label or source.treat_blank_as_undeclared_write_in
            ),
            None,
        )
        return ContestRules(
            candidates=tuple(candidates),
            winner_election_mode=mode,
            number_of_winners=winners,
            decimal_places=decimals,
            non_integer_winning_threshold=flags["nonIntegerWinningThreshold"],
            hare_quota=flags["hareQuota"],
            bottoms_up_percentage_threshold=threshold,
            max_rankings_allowed=max_rankings,
            minimum_vote_threshold=minimum,
            cutoff_elimination=flags["cutoffElimination"],
            batch_elimination=flags["batchElimination"],
            continue_until_two_candidates_remain=flags["continueUntilTwoCandidatesRemain"],
            first_round_determines_threshold=flags["doesFirstRoundDetermineThreshold"],
            stop_tabulation_early_after_round=stop_early,
            overvote_rule=overvote,
            max_skipped_ranks_allowed=max_skipped,
            exhaust_on_duplicate_candidate=flags["exhaustOnDuplicateCandidate"],
            tiebreak_mode=tiebreak,
            random_seed=seed,
            undeclared_write_in_label=uwi,
        )

    # -- typed fields ----------------------------------------------------------

    def _winner_mode(self, raw: dict[str, Any], winners: int | None) -> WinnerElectionMode | None:
        value = _text(raw.get("winnerElectionMode"))
        if self.migrate and value == "standard":
            return (
                WinnerElectionMode.MULTI_SEAT_MULTIPLE_WINNERS_PER_ROUND
                if (winners or 0) > 1
                else WinnerElectionMode.SINGLE_WINNER_MAJORITY
            )
        if self.migrate and value == "multiSeatBottomsUp":
            threshold = _text(raw.get("multiSeatBottomsUpPercentageThreshold"))
            return (
                WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD
                if winners == 0 or threshold
                else WinnerElectionMode.BOTTOMS_UP
            )
        return self._enum(raw, "winnerElectionMode", WinnerElectionMode, _OLD_WINNER_MODES)

    def _enum(
        self, raw: dict[str, Any], key: str, kind: type[_E], old: Mapping[str, Any]
    ) -> _E | None:
        value = _text(raw.get(key))
        if self.migrate and value in old:
            return kind(old[value])
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(member.value for member in kind)
            shown = f"{value!r} is not" if value else "is missing:"
            self.problems.add(f"rules.{key}", f"{shown} one of RCTab's values ({known})")
            return None

    def _int(
        self,
        raw: dict[str, Any],
        field_name: str,
        low: int,
        high: int,
        required: bool,
        occurrence: int = 0,
    ) -> int | None:
        key = field_name.rsplit(".", 1)[-1]
        value = raw.get(key)
        text = _text(value).strip() if not isinstance(value, bool) else "x"
        span = f"a whole number from {low:,} to {high:,}"
        if not text:
            if required:
                self.problems.add(field_name, f"is required: {span}", occurrence)
            return None
        if not _INT.fullmatch(text) or not low <= int(text) <= high:
            self.problems.add(field_name, f"{value!r} must be {span}", occurrence)
            return None
        return int(text)

    def _word_or_int(self, raw: dict[str, Any], key: str, word: str, low: int) -> int | None:
        value = raw.get(key)
        text = _text(value).strip() if not isinstance(value, bool) else "x"
        if text.lower() == word:
            return None
        if not _INT.fullmatch(text) or not low <= int(text) <= 2**31 - 1:
            self.problems.add(
                f"rules.{key}", f"{value!r} must be {word} or a whole number of at least {low}"
            )
            return None
        return int(text)

    def _percentage(self, raw: dict[str, Any], winners: int | None) -> Decimal | None:
        key = "multiSeatBottomsUpPercentageThreshold"
        text = _text(raw.get(key)).strip()
        if not text:
            if winners == 0:
                self.problems.add(
                    f"rules.{key}",
                    "is required when numberOfWinners is 0: a percentage from 1 to 100",
                )
            return None
        try:
            percent = Decimal(text)
        except InvalidOperation:
            percent = Decimal(-1)
        if not percent.is_finite() or not Decimal(1) <= percent <= Decimal(100):
            self.problems.add(f"rules.{key}", f"{text!r} must be a percentage from 1 to 100")
            return None
        return percent.scaleb(-2)

    def _decimal(self, raw: dict[str, Any], key: str) -> Decimal:
        text = _text(raw.get(key)).strip()
        if not text:
            return Decimal(0)
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal(-1)
        if not number.is_finite() or number < 0:
            self.problems.add(f"rules.{key}", f"{text!r} must be a number of at least 0")
            return Decimal(0)
        return number

    def _flag(self, raw: dict[str, Any], field_name: str, occurrence: int = 0) -> bool:
        key = field_name.rsplit(".", 1)[-1]
        value = raw.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problems.add(
                field_name, f"{value!r} must be true or false (a JSON boolean)", occurrence
            )
            return False
        return value


def _text(value: object) -> str:
    """A field as RCTab sees it: JSON numbers become their digits, null nothing."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return ""
