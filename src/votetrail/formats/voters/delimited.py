"""State voter files: delimited text with one registration per row, read through a column map.

Every state publishes its list in its own layout, so the reader knows nothing
about any one of them: a :class:`ColumnMap` says which column holds which
:class:`VoterInput` field, how the file is delimited and quoted, how dates are
written and what the status codes mean. The presets follow the layouts the
states publish (``docs/voter-files.md`` lists the columns each uses); a state
with another layout writes a small TOML file instead of waiting for code.

The file is streamed row by row (a statewide list has millions), and the first
bad row stops the load naming ``file:line`` and the column to fix. Messages
never quote a date of birth, SSN4 or licence number: they name the column only,
because error output ends up in terminals, logs and e-mails.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from votetrail.core.voters.record import Address, Status, VoterInput
from votetrail.errors import InvalidInput

if TYPE_CHECKING:
    from _csv import Reader

__all__ = [
    "DATE_FORMATS",
    "FIELDS",
    "PRESETS",
    "ColumnMap",
    "Part",
    "StatusValue",
    "file_parts",
    "read_part",
    "read_voter_file",
]

TEXT_FIELDS = (
    "voter_id",
    "county",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "residence_street",
    "residence_city",
    "residence_state",
    "residence_zip",
    "mailing_street",
    "mailing_city",
    "mailing_state",
    "mailing_zip",
    "precinct",
    "ballot_style",
    "party",
    "gender",
    "status_reason",
)
"""Fields whose value is text as written; each may be assembled from several columns."""

SINGLE_FIELDS = ("status", "registered_on", "dob", "ssn4", "drivers_license")
"""Fields read from exactly one column: a code, a date or an identifier is never pieced together."""

FIELDS = (*TEXT_FIELDS, *SINGLE_FIELDS)
"""Every field a column map can fill; also the header of the ``votetrail`` layout."""

_PROTECTED = frozenset({"dob", "ssn4", "drivers_license"})

DATE_FORMATS: dict[str, tuple[re.Pattern[str], tuple[int, int, int]]] = {
    "YYYY-MM-DD": (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"), (1, 2, 3)),
    "YYYYMMDD": (re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"), (1, 2, 3)),
    "MM/DD/YYYY": (re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), (3, 1, 2)),
}
"""The date layouts voter files use; ``MM/DD/YYYY`` also takes ``1/5/1980`` (spreadsheets)."""

_DELIMITER_NAMES = {"tab": "\t", "comma": ",", "pipe": "|", "semicolon": ";"}


class StatusValue(NamedTuple):
    """What one status code in a file means; ``reason`` applies when the file gives none."""

    status: Status
    reason: str = ""


def _statuses(**codes: StatusValue) -> dict[str, StatusValue]:
    return {code.upper(): value for code, value in codes.items()}


_VOTETRAIL_STATUSES = {status.value.upper(): StatusValue(status) for status in Status}


@dataclass(frozen=True)
class ColumnMap:
    """Where each field of a registration is in one state's file, and how the file is written.

    A field maps to a tuple of column names: empty when the file has no such
    column, one name usually, several for text a layout splits (house number,
    street, unit), which are joined with single spaces, empty parts skipped.
    Column names match the header without regard to case or surrounding
    spaces. A file without a header names its columns in ``column_names``, in
    order, so messages can still name the column a clerk must fix.
    """

    voter_id: tuple[str, ...] = ()
    county: tuple[str, ...] = ()
    first_name: tuple[str, ...] = ()
    middle_name: tuple[str, ...] = ()
    last_name: tuple[str, ...] = ()
    suffix: tuple[str, ...] = ()
    residence_street: tuple[str, ...] = ()
    residence_city: tuple[str, ...] = ()
    residence_state: tuple[str, ...] = ()
    residence_zip: tuple[str, ...] = ()
    mailing_street: tuple[str, ...] = ()
    mailing_city: tuple[str, ...] = ()
    mailing_state: tuple[str, ...] = ()
    mailing_zip: tuple[str, ...] = ()
    precinct: tuple[str, ...] = ()
    ballot_style: tuple[str, ...] = ()
    party: tuple[str, ...] = ()
    gender: tuple[str, ...] = ()
    status_reason: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    registered_on: tuple[str, ...] = ()
    dob: tuple[str, ...] = ()
    ssn4: tuple[str, ...] = ()
    drivers_license: tuple[str, ...] = ()
    name: str = "custom"
    """Shown in messages, so a clerk knows which layout the file was read as."""
    delimiter: str = ","
    header: bool = True
    column_names: tuple[str, ...] = ()
    """The columns in order, for a file without a header row."""
    quoted: bool = True
    """Whether ``"`` quotes a value; off for layouts that never quote, so a stray quote is text."""
    date_formats: tuple[str, ...] = ("YYYY-MM-DD",)
    status_values: Mapping[str, StatusValue] = field(
        default_factory=lambda: dict(_VOTETRAIL_STATUSES)
    )
    """File status code (matched without regard to case) to status; other codes are refused."""
    reason_values: Mapping[str, str] = field(default_factory=dict)
    """File reason text to votetrail's reason code; reasons not listed are kept as written."""
    optional: frozenset[str] = frozenset()
    """Fields whose columns a header may lack; the field is then empty for that file."""
    new_registrations: bool = False
    """A file of applications not yet numbered: an empty voter id is allowed."""

    def __post_init__(self) -> None:
        for name in FIELDS:
            value: object = getattr(self, name)
            if isinstance(value, str):  # one name given bare: a tuple of its letters would be wrong
                object.__setattr__(self, name, (value,) if value else ())
        problem = self._problem()
        if problem:
            raise _BadMap(problem, where=f"column map {self.name!r}")

    def _problem(self) -> str | None:
        if len(self.delimiter) != 1 or self.delimiter in '\r\n"':
            return "the delimiter must be one character other than a quote or line end"
        unknown = [f for f in self.date_formats if f not in DATE_FORMATS]
        if unknown or not self.date_formats:
            return f"date formats must be among {', '.join(DATE_FORMATS)}"
        for name in SINGLE_FIELDS:
            if len(self.columns_of(name)) > 1:
                return f"{name} must come from one column, not several"
        required = ["first_name", "last_name"]
        if not self.new_registrations:
            required.append("voter_id")
        for name in required:
            if not self.columns_of(name):
                return f"no column is given for {name}, which every registration needs"
        bad_optional = sorted(self.optional - set(FIELDS))
        if bad_optional:
            return f"optional names unknown fields: {', '.join(bad_optional)}"
        if not self.header:
            if not self.column_names:
                return "a file without a header needs its column names, in order"
            known = {c.casefold() for c in self.column_names}
            stray = [c for f in FIELDS for c in self.columns_of(f) if c.casefold() not in known]
            if stray:
                return f"columns not among the column names: {', '.join(stray)}"
        if not self.status_values:
            return "at least one status value is needed"
        return None

    def columns_of(self, name: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, name)
        return value

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "column map") -> ColumnMap:
        """A map from the documented TOML shape (already parsed); ``source`` names it in errors."""
        try:
            return _from_mapping(data, source)
        except _BadMap as exc:
            raise InvalidInput(exc.problem, where=source) from None

    @classmethod
    def from_toml(cls, path: Path) -> ColumnMap:
        """A state's own map file (``--columns FILE``); the format is in ``docs/voter-files.md``."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise InvalidInput(
                f"cannot read the column map: {exc.strerror}", where=str(path)
            ) from None
        except UnicodeDecodeError:
            raise InvalidInput("is not UTF-8 text", where=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"is not valid TOML: {exc}", where=str(path)) from None
        return cls.from_mapping(data, source=str(path))


class _BadMap(InvalidInput):
    """A map that cannot read any file; ``problem`` lets a map file's errors name the file."""

    def __init__(self, problem: str, where: str) -> None:
        super().__init__(problem, where=where)
        self.problem = problem


_MAP_KEYS = frozenset(
    {
        "base",
        "name",
        "delimiter",
        "header",
        "column_names",
        "quoted",
        "date_formats",
        "optional",
        "new_registrations",
        "fields",
        "status",
        "reasons",
    }
)


def _from_mapping(data: Mapping[str, Any], source: str) -> ColumnMap:
    unknown = sorted(set(data) - _MAP_KEYS)
    if unknown:
        raise InvalidInput(
            f"unknown key(s) {', '.join(unknown)}; expected some of {', '.join(sorted(_MAP_KEYS))}",
            where=source,
        )
    base_name = _text(data, "base", source)
    if base_name and base_name not in PRESETS:
        raise InvalidInput(
            f"base {base_name!r} is not a preset; presets: {', '.join(PRESETS)}", where=source
        )
    changes: dict[str, Any] = {"name": _text(data, "name", source, default=Path(source).name)}
    for key in ("header", "quoted", "new_registrations"):
        if key in data:
            if not isinstance(data[key], bool):
                raise InvalidInput(f"{key} must be true or false", where=source)
            changes[key] = data[key]
    if "delimiter" in data:
        delimiter = _text(data, "delimiter", source)
        changes["delimiter"] = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
    for key in ("column_names", "date_formats"):
        if key in data:
            changes[key] = _names(data[key], key, source)
    if "optional" in data:
        changes["optional"] = frozenset(_names(data["optional"], "optional", source))
    table = _table(data, "fields", source)
    for name, value in table.items():
        if name not in FIELDS:
            raise InvalidInput(
                f"fields.{name} is not a field; fields: {', '.join(FIELDS)}", where=source
            )
        changes[name] = _names(value, f"fields.{name}", source)
    if "status" in data:
        changes["status_values"] = {
            code.strip().upper(): _status_value(value, f"status.{code}", source)
            for code, value in _table(data, "status", source).items()
        }
    if "reasons" in data:
        reasons: dict[str, str] = {}
        for text, code in _table(data, "reasons", source).items():
            if not isinstance(code, str):
                raise InvalidInput(f"reasons.{text} must be text", where=source)
            reasons[text.strip().upper()] = code.strip()
        changes["reason_values"] = reasons
    return replace(PRESETS[base_name], **changes) if base_name else ColumnMap(**changes)


def _text(data: Mapping[str, Any], key: str, source: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be text", where=source)
    return value


def _names(value: Any, key: str, source: str) -> tuple[str, ...]:
    """A column list: one name, or a list of names; ``""`` or ``[]`` leaves the field unmapped."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise InvalidInput(f"{key} must be a name or a list of names", where=source)
    return tuple(item.strip() for item in items if item.strip())


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise InvalidInput(f"[{key}] must be a table", where=source)
    return value


def _status_value(value: Any, key: str, source: str) -> StatusValue:
    reason = ""
    if isinstance(value, Mapping):
        reason = value.get("reason", "")
        value = value.get("status")
        if not isinstance(reason, str):
            raise InvalidInput(f"{key}.reason must be text", where=source)
    allowed = ", ".join(s.value for s in Status)
    if not isinstance(value, str) or value.strip().lower() not in {s.value for s in Status}:
        raise InvalidInput(f"{key} must be one of {allowed}", where=source)
    return StatusValue(Status(value.strip().lower()), reason.strip())


_SAME_NAMES: dict[str, Any] = {name: (name,) for name in FIELDS}

PRESETS: dict[str, ColumnMap] = {
    "votetrail": ColumnMap(
        name="votetrail",
        optional=frozenset(FIELDS) - {"voter_id", "first_name", "last_name"},
        **_SAME_NAMES,
    ),
    "nc": ColumnMap(
        name="nc",
        delimiter="\t",
        date_formats=("MM/DD/YYYY",),
        voter_id=("ncid",),
        county=("county_desc",),
        first_name=("first_name",),
        middle_name=("middle_name",),
        last_name=("last_name",),
        suffix=("name_suffix_lbl",),
        residence_street=("res_street_address",),
        residence_city=("res_city_desc",),
        residence_state=("state_cd",),
        residence_zip=("zip_code",),
        mailing_street=("mail_addr1", "mail_addr2", "mail_addr3", "mail_addr4"),
        mailing_city=("mail_city",),
        mailing_state=("mail_state",),
        mailing_zip=("mail_zipcode",),
        precinct=("precinct_abbrv",),
        party=("party_cd",),
        gender=("gender_code",),
        status=("voter_status_desc",),
        status_reason=("voter_status_reason_desc",),
        registered_on=("registr_dt",),
        status_values=_statuses(
            ACTIVE=StatusValue(Status.ACTIVE),
            INACTIVE=StatusValue(Status.INACTIVE),
            REMOVED=StatusValue(Status.CANCELLED),
            DENIED=StatusValue(Status.CANCELLED),
            TEMPORARY=StatusValue(Status.ACTIVE),
        ),
        reason_values={
            "VERIFIED": "",
            "CONFIRMATION NOT RETURNED": "confirmation-notice",
            "CONFIRMATION PENDING": "confirmation-notice",
            "CONFIRMATION RETURNED UNDELIVERABLE": "returned-mail",
            "MOVED FROM COUNTY": "moved",
            "MOVED FROM STATE": "moved",
            "MOVED WITHIN STATE": "moved",
            "REMOVED AFTER 2 FED GENERAL ELECTIONS IN INACTIVE STATUS": "moved",
            "DECEASED": "deceased",
            "DUPLICATE": "duplicate",
            "FELONY CONVICTION": "felony",
            "REQUEST FROM VOTER": "voter-request",
        },
    ),
    "ohio": ColumnMap(
        name="ohio",
        date_formats=("YYYY-MM-DD", "MM/DD/YYYY"),
        voter_id=("SOS_VOTERID",),
        county=("COUNTY_NUMBER",),
        first_name=("FIRST_NAME",),
        middle_name=("MIDDLE_NAME",),
        last_name=("LAST_NAME",),
        suffix=("SUFFIX",),
        dob=("DATE_OF_BIRTH",),
        registered_on=("REGISTRATION_DATE",),
        status=("VOTER_STATUS",),
        party=("PARTY_AFFILIATION",),
        residence_street=("RESIDENTIAL_ADDRESS1", "RESIDENTIAL_SECONDARY_ADDR"),
        residence_city=("RESIDENTIAL_CITY",),
        residence_state=("RESIDENTIAL_STATE",),
        residence_zip=("RESIDENTIAL_ZIP",),
        mailing_street=("MAILING_ADDRESS1", "MAILING_SECONDARY_ADDRESS"),
        mailing_city=("MAILING_CITY",),
        mailing_state=("MAILING_STATE",),
        mailing_zip=("MAILING_ZIP",),
        precinct=("PRECINCT_NAME",),
        optional=frozenset({"mailing_street"}),
        status_values=_statuses(
            ACTIVE=StatusValue(Status.ACTIVE),
            CONFIRMATION=StatusValue(Status.INACTIVE, "confirmation-notice"),
        ),
    ),
    "florida": ColumnMap(
        name="florida",
        delimiter="\t",
        header=False,
        quoted=False,
        date_formats=("MM/DD/YYYY",),
        column_names=(
            "County Code",
            "Voter ID",
            "Name Last",
            "Name Suffix",
            "Name First",
            "Name Middle",
            "Requested public records exemption",
            "Residence Address Line 1",
            "Residence Address Line 2",
            "Residence City (USPS)",
            "Residence State",
            "Residence Zipcode",
            "Mailing Address Line 1",
            "Mailing Address Line 2",
            "Mailing Address Line 3",
            "Mailing City",
            "Mailing State",
            "Mailing Zipcode",
            "Mailing Country",
            "Gender",
            "Race",
            "Birth Date",
            "Registration Date",
            "Party Affiliation",
            "Precinct",
            "Precinct Group",
            "Precinct Split",
            "Precinct Suffix",
            "Voter Status",
            "Congressional District",
            "House District",
            "Senate District",
            "County Commission District",
            "School Board District",
            "Daytime Area Code",
            "Daytime Phone Number",
            "Daytime Phone Extension",
            "Email address",
        ),
        county=("County Code",),
        voter_id=("Voter ID",),
        last_name=("Name Last",),
        suffix=("Name Suffix",),
        first_name=("Name First",),
        middle_name=("Name Middle",),
        residence_street=("Residence Address Line 1", "Residence Address Line 2"),
        residence_city=("Residence City (USPS)",),
        residence_state=("Residence State",),
        residence_zip=("Residence Zipcode",),
        mailing_street=(
            "Mailing Address Line 1",
            "Mailing Address Line 2",
            "Mailing Address Line 3",
        ),
        mailing_city=("Mailing City",),
        mailing_state=("Mailing State",),
        mailing_zip=("Mailing Zipcode",),
        gender=("Gender",),
        dob=("Birth Date",),
        registered_on=("Registration Date",),
        party=("Party Affiliation",),
        precinct=("Precinct",),
        ballot_style=("Precinct Split",),
        status=("Voter Status",),
        status_values=_statuses(
            ACT=StatusValue(Status.ACTIVE),
            INA=StatusValue(Status.INACTIVE),
        ),
    ),
}
"""The layouts votetrail knows by name; ``docs/voter-files.md`` describes each."""


Row = list[str]


@dataclass(frozen=True, slots=True)
class _Plan:
    """A column map resolved against one file's header: indexes instead of names.

    Every field has one index, in :data:`FIELDS` order; a field the file lacks
    points one past the last column, where each row gets an empty cell
    appended, so one ``itemgetter`` call picks every field of a row at C speed.
    """

    width: int
    trailing: bool
    """Whether a row may end with one empty cell past the last column (a trailing delimiter)."""
    pick: Callable[[Row], tuple[str, ...]]
    joins: tuple[tuple[int, Callable[[Row], tuple[str, ...]]], ...]
    """Fields assembled from several columns: (slot in FIELDS, pick those columns)."""
    labels: dict[str, str]
    """Field to the column(s) messages name."""


def read_voter_file(
    path: Path, columns: ColumnMap, *, county: str | None = None
) -> Iterator[VoterInput]:
    """Stream a voter file's registrations; the first bad row stops it, naming line and column.

    ``county`` is the county the file belongs to: it fills the county when the
    map has no county column, and otherwise every row must name that county,
    so a county cannot load another county's voters by mistake.
    """
    source = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read the voter file: {exc.strerror}", where=source) from None
    with handle:
        try:
            yield from _read(handle, columns, (county or "").strip() or None, source)
        except UnicodeDecodeError:
            line = _first_undecodable_line(path)
            raise InvalidInput(
                "is not UTF-8 text; save the file as UTF-8", where=f"{source}:{line}"
            ) from None


def _first_undecodable_line(path: Path) -> int:
    """Find the line again byte by byte: the text decoder only knows it failed somewhere."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _read(
    handle: Iterable[str], columns: ColumnMap, county: str | None, source: str
) -> Iterator[VoterInput]:
    rows = _rows_of(handle, columns)
    plan = _header_plan(rows, columns, county, source)
    yield from _records(rows, plan, columns, county, source)


def _rows_of(handle: Iterable[str], columns: ColumnMap) -> Reader:
    return csv.reader(
        handle,
        delimiter=columns.delimiter,
        quoting=csv.QUOTE_MINIMAL if columns.quoted else csv.QUOTE_NONE,
        strict=columns.quoted,
    )


def _header_plan(rows: Reader, columns: ColumnMap, county: str | None, source: str) -> _Plan:
    """The column plan from the header row, or from the layout's names when it has none."""
    if columns.header:
        header = _next_row(rows, source, 1)
        if header is None:
            raise InvalidInput(
                f"the file is empty; the {columns.name} layout starts with a header row",
                where=f"{source}:1",
            )
        return _plan(header, columns, county, source)
    return _plan(list(columns.column_names), columns, county, f"{source}:1", named=True)


def _next_row(rows: Reader, source: str, line: int) -> Row | None:
    try:
        row: Row = next(rows)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise InvalidInput(
            f"is not valid delimited text: {exc}", where=f"{source}:{line}"
        ) from None
    return row


def _plan(
    header: Row,
    columns: ColumnMap,
    county: str | None,
    source: str,
    *,
    named: bool = False,
) -> _Plan:
    where = source if named else f"{source}:1"
    cells = [cell.strip() for cell in header]
    trailing = named  # unknown for a file without a header, so allowed
    while len(cells) > 1 and not cells[-1]:
        cells.pop()  # a trailing delimiter after the last heading
        trailing = True
    index: dict[str, int] = {}
    for position, cell in enumerate(cells):
        index.setdefault(cell.casefold(), position)
    width = len(cells)
    missing: list[str] = []
    slots: list[int] = []
    joins: list[tuple[int, Callable[[Row], tuple[str, ...]]]] = []
    labels: dict[str, str] = {}
    for slot, name in enumerate(FIELDS):
        wanted = columns.columns_of(name)
        found = [c for c in wanted if c.casefold() in index]
        if len(found) < len(wanted) and name not in columns.optional:
            missing.extend(c for c in wanted if c not in found)
        for column in found:
            if sum(1 for cell in cells if cell.casefold() == column.casefold()) > 1:
                raise InvalidInput(f"column {column} appears twice in the header", where=where)
        slots.append(index[found[0].casefold()] if found else width)
        if len(found) > 1:
            joins.append((slot, itemgetter(*(index[c.casefold()] for c in found))))
        if found:
            labels[name] = " + ".join(found)
    if missing:
        raise InvalidInput(
            f"the header lacks the column(s) {', '.join(missing)} that the {columns.name} "
            f"layout reads",
            where=where,
        )
    if "county" not in labels and not county:
        raise InvalidInput(
            f"the {columns.name} layout has no county column here; give the county the file "
            f"belongs to",
            where=where,
        )
    return _Plan(width, trailing, itemgetter(*slots), tuple(joins), labels)


_NO_ADDRESS = Address()
"""Shared by every voter without a mailing address: frozen, so sharing is safe, and it is faster."""

_SLOT = {name: slot for slot, name in enumerate(FIELDS)}


def _records(
    rows: Reader,
    plan: _Plan,
    columns: ColumnMap,
    county: str | None,
    source: str,
    offset: int = 0,
) -> Iterator[VoterInput]:
    """Turn rows into registrations; written flat because it runs once per voter.

    ``offset`` is the number of file lines before the first row ``rows`` reads:
    a part of a file read on its own still names its lines as the whole file does.
    """
    label = plan.labels
    pick, joins, width, trailing = plan.pick, plan.joins, plan.width, plan.trailing
    strip = str.strip
    has_status = "status" in label
    statuses = {code.upper(): value for code, value in columns.status_values.items()}
    reasons = {text.upper(): code for text, code in columns.reason_values.items()}
    dates = [DATE_FORMATS[f] for f in columns.date_formats]
    date_forms = " or ".join(columns.date_formats)
    need_id = not columns.new_registrations
    county_key = county.casefold() if county is not None else None
    (voter_id, county_, first, middle, last, suffix) = (_SLOT[n] for n in FIELDS[:6])
    seen_dates: dict[str, date] = {}
    """Parsed dates by spelling: a list has only some tens of thousands of distinct dates."""
    line_end = offset + rows.line_num

    while True:
        start = line_end + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(
                f"is not valid delimited text: {exc}", where=f"{source}:{start}"
            ) from None
        line_end = offset + rows.line_num
        if len(row) != width and not (trailing and len(row) == width + 1 and not row[-1].strip()):
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            raise InvalidInput(
                f"has {len(row)} columns but the {columns.name} layout has {width}; "
                f"check for a stray delimiter",
                where=f"{source}:{start}",
            )
        row.append("")
        v = list(map(strip, pick(row)))
        for slot, part in joins:
            v[slot] = " ".join(filter(None, map(strip, part(row))))

        if county_key is not None and county is not None:
            if v[county_] and v[county_].casefold() != county_key:
                raise InvalidInput(
                    f"column {label['county']}: the voter is in county {v[county_]!r}, "
                    f"not {county!r}",
                    where=f"{source}:{start}",
                )
            v[county_] = county
        if not (v[first] and v[last] and v[county_]):
            if not any(cell.strip() for cell in row):
                continue  # a row of empty cells, as spreadsheets leave at the end
            for name in ("first_name", "last_name", "county"):
                if not v[_SLOT[name]]:
                    raise InvalidInput(f"column {label[name]}: is empty", where=f"{source}:{start}")
        if need_id and not v[voter_id]:
            raise InvalidInput(f"column {label['voter_id']}: is empty", where=f"{source}:{start}")

        status = Status.ACTIVE
        reason = v[_REASON]
        if has_status:
            code = v[_STATUS]
            meaning = statuses.get(code.upper())
            if meaning is None:
                known = ", ".join(statuses)
                shown = f"{code!r} is not" if code else "an empty status is not"
                raise InvalidInput(
                    f"column {label['status']}: {shown} a status the {columns.name} layout "
                    f"knows ({known})",
                    where=f"{source}:{start}",
                )
            status = meaning.status
            reason = reasons.get(reason.upper(), reason) if reason else meaning.reason
        elif reason:
            reason = reasons.get(reason.upper(), reason)

        registered_on = dob = None
        if v[_REGISTERED_ON]:
            registered_on = seen_dates.get(v[_REGISTERED_ON]) or _date(v[_REGISTERED_ON], dates)
            if registered_on is None:
                raise InvalidInput(
                    f"column {label['registered_on']}: not a date in the form {date_forms}",
                    where=f"{source}:{start}",
                )
            seen_dates[v[_REGISTERED_ON]] = registered_on
        if v[_DOB]:
            dob = seen_dates.get(v[_DOB]) or _date(v[_DOB], dates)
            if dob is None:
                raise InvalidInput(
                    f"column {label['dob']}: not a date in the form {date_forms}",
                    where=f"{source}:{start}",
                )
            seen_dates[v[_DOB]] = dob
        ssn4 = v[_SSN4]
        if ssn4 and not (len(ssn4) == 4 and ssn4.isdigit() and ssn4.isascii()):
            raise InvalidInput(
                f"column {label['ssn4']}: the last four of the SSN must be exactly 4 digits",
                where=f"{source}:{start}",
            )
        licence = v[_LICENCE]
        if licence:
            licence = licence.replace(" ", "").replace("-", "").upper()
            if not (licence.isascii() and licence.isalnum()):
                raise InvalidInput(
                    f"column {label['drivers_license']}: a licence number holds only letters "
                    f"and digits (spaces and dashes are dropped)",
                    where=f"{source}:{start}",
                )

        # Positional, in VoterInput's field order (checked by test_voter_file): keyword
        # arguments cost a tenth of the whole row on a statewide file.
        yield VoterInput(
            v[voter_id],
            v[county_],
            v[first],
            v[last],
            start,
            v[middle],
            v[suffix],
            _address(v[6], v[7], v[8], v[9]),
            _address(v[10], v[11], v[12], v[13]),
            v[14],
            v[15],
            v[16],
            v[17],
            status,
            reason,
            registered_on,
            dob,
            ssn4,
            licence,
        )


def _address(street: str, city: str, state: str, zip_code: str) -> Address:
    if street or city or state or zip_code:
        return Address(street, city, state, zip_code)
    return _NO_ADDRESS


# Fixed slots of FIELDS (test_voter_file checks the order the record is built from).
_REASON, _STATUS, _REGISTERED_ON, _DOB, _SSN4, _LICENCE = (
    _SLOT[n] for n in ("status_reason", "status", "registered_on", "dob", "ssn4", "drivers_license")
)


def _date(raw: str, forms: list[tuple[re.Pattern[str], tuple[int, int, int]]]) -> date | None:
    for pattern, (year, month, day) in forms:
        match = pattern.fullmatch(raw)
        if match:
            try:
                return date(int(match[year]), int(match[month]), int(match[day]))
            except ValueError:
                return None
    return None


class Part(NamedTuple):
    """Bytes ``start`` to ``end`` of a voter file: whole lines, the first is ``first_line``."""

    start: int
    end: int
    first_line: int


PART_LINES = 10_000
"""Lines per part: as many records as the loader hands a preparing process at a time."""


def file_parts(path: Path, columns: ColumnMap, lines: int | None = None) -> list[Part] | None:
    """The file cut at line ends into parts that processes can read on their own, or None.

    A cut at a line end is a cut between records only if no value spans
    lines: a quoted layout may quote a line break into a value, so a file of
    such a layout with any ``"`` in it is not cut (None: read it in one
    stream). Windows line ends (CR LF) are cut like plain ones, since most
    exports from county systems end lines that way; a lone carriage return
    is refused, because the stream reader takes it as a line end and line
    numbers must stay the same either way. So is a layout of new
    registrations, whose ids are given in county order after the whole file
    is read. There is always at least one part (maybe empty), so a bad header
    is reported even for a file without records.
    """
    if columns.new_registrations:
        return None
    lines = lines or PART_LINES
    try:
        with path.open("rb") as raw:
            carried = b""  # a block may end between the CR and the LF of one line end
            while block := raw.read(1 << 24):
                block = carried + block
                carried = b"\r" if block.endswith(b"\r") else b""
                whole = block[: len(block) - len(carried)]
                if whole.count(b"\r") != whole.count(b"\r\n"):
                    return None
                if columns.quoted and b'"' in block:
                    return None
            if carried:
                return None
            raw.seek(0)
            offset = len(raw.readline()) if columns.header else 0
            if offset == 0 and columns.header:
                return None  # an empty file: the stream reader says so
            parts: list[Part] = []
            first_line = 2 if columns.header else 1
            start = offset
            count = 0
            for line in raw:
                offset += len(line)
                count += 1
                if count == lines:
                    parts.append(Part(start, offset, first_line))
                    first_line += count
                    start, count = offset, 0
            if count or not parts:
                parts.append(Part(start, offset, first_line))
    except OSError:
        return None  # the stream reader names the problem
    return parts


def read_part(
    path: Path, columns: ColumnMap, part: Part, *, county: str | None = None
) -> Iterator[VoterInput]:
    """The registrations of one part of a file (from :func:`file_parts`), as the stream reads them.

    The header is read again from the file's first line, so each process
    resolves the columns itself; line numbers and messages are the same as
    :func:`read_voter_file` gives for the same rows.
    """
    source = str(path)
    county = (county or "").strip() or None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            plan = _header_plan(_rows_of(handle, columns), columns, county, source)
        with path.open("rb") as raw:
            raw.seek(part.start)
            data = raw.read(part.end - part.start)
    except OSError as exc:
        raise InvalidInput(f"cannot read the voter file: {exc.strerror}", where=source) from None
    except UnicodeDecodeError:
        line = _first_undecodable_line(path)
        raise InvalidInput(
            "is not UTF-8 text; save the file as UTF-8", where=f"{source}:{line}"
        ) from None
    encoding = "utf-8-sig" if part.start == 0 else "utf-8"
    bad = -1
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = exc.start
        text = data[: data.rfind(b"\n", 0, bad) + 1].decode(encoding)
    rows = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=columns.delimiter,
        quoting=csv.QUOTE_MINIMAL if columns.quoted else csv.QUOTE_NONE,
        strict=columns.quoted,
    )
    yield from _records(rows, plan, columns, county, source, offset=part.first_line - 1)
    if bad >= 0:  # the rows before it are read first, so an error in them still comes first
        line = part.first_line + data.count(b"\n", 0, bad)
        raise InvalidInput("is not UTF-8 text; save the file as UTF-8", where=f"{source}:{line}")
