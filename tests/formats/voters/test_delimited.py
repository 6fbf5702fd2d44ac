"""State voter files through column maps: each preset's layout, a state's own map, and bad rows."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from tests.formats.files import refused, write
from votetrail.core.voters.record import Address, Status, VoterInput
from votetrail.errors import InvalidInput
from votetrail.formats.voters import delimited as voter_file
from votetrail.formats.voters.delimited import (
    FIELDS,
    PRESETS,
    ColumnMap,
    StatusValue,
    read_voter_file,
)

NC_COLUMNS = [
    "county_id",
    "county_desc",
    "voter_reg_num",
    "ncid",
    "last_name",
    "first_name",
    "middle_name",
    "name_suffix_lbl",
    "status_cd",
    "voter_status_desc",
    "reason_cd",
    "voter_status_reason_desc",
    "res_street_address",
    "res_city_desc",
    "state_cd",
    "zip_code",
    "mail_addr1",
    "mail_addr2",
    "mail_addr3",
    "mail_addr4",
    "mail_city",
    "mail_state",
    "mail_zipcode",
    "full_phone_number",
    "confidential_ind",
    "registr_dt",
    "race_code",
    "ethnic_code",
    "party_cd",
    "gender_code",
    "birth_year",
    "age_at_year_end",
    "birth_state",
    "drivers_lic",
    "precinct_abbrv",
    "precinct_desc",
    "municipality_abbrv",
    "municipality_desc",
    "ward_abbrv",
    "ward_desc",
    "cong_dist_abbrv",
    "super_court_abbrv",
    "judic_dist_abbrv",
    "nc_senate_abbrv",
    "nc_house_abbrv",
    "county_commiss_abbrv",
    "county_commiss_desc",
    "township_abbrv",
    "township_desc",
    "school_dist_abbrv",
    "school_dist_desc",
    "fire_dist_abbrv",
    "fire_dist_desc",
    "water_dist_abbrv",
    "water_dist_desc",
    "sewer_dist_abbrv",
    "sewer_dist_desc",
    "sanit_dist_abbrv",
    "sanit_dist_desc",
    "rescue_dist_abbrv",
    "rescue_dist_desc",
    "munic_dist_abbrv",
    "munic_dist_desc",
    "dist_1_abbrv",
    "dist_1_desc",
    "vtd_abbrv",
    "vtd_desc",
]

OHIO_COLUMNS = [
    "SOS_VOTERID",
    "COUNTY_NUMBER",
    "COUNTY_ID",
    "LAST_NAME",
    "FIRST_NAME",
    "MIDDLE_NAME",
    "SUFFIX",
    "DATE_OF_BIRTH",
    "REGISTRATION_DATE",
    "VOTER_STATUS",
    "PARTY_AFFILIATION",
    "RESIDENTIAL_ADDRESS1",
    "RESIDENTIAL_SECONDARY_ADDR",
    "RESIDENTIAL_CITY",
    "RESIDENTIAL_STATE",
    "RESIDENTIAL_ZIP",
    "RESIDENTIAL_ZIP_PLUS4",
    "RESIDENTIAL_COUNTRY",
    "RESIDENTIAL_POSTALCODE",
    "MAILING_ADDRESS1",
    "MAILING_SECONDARY_ADDRESS",
    "MAILING_CITY",
    "MAILING_STATE",
    "MAILING_ZIP",
    "MAILING_ZIP_PLUS4",
    "MAILING_COUNTRY",
    "MAILING_POSTAL_CODE",
    "CONGRESSIONAL_DISTRICT",
    "PRECINCT_NAME",
    "PRECINCT_CODE",
    "STATE_REPRESENTATIVE_DISTRICT",
    "STATE_SENATE_DISTRICT",
    "TOWNSHIP",
    "VILLAGE",
    "WARD",
    "GENERAL-11/08/2022",
    "PRIMARY-05/03/2022",
]


def nc_row(**values: str) -> str:
    cells = {column: "" for column in NC_COLUMNS}
    cells.update(values)
    return "\t".join(f'"{cells[column]}"' for column in NC_COLUMNS) + "\n"


def nc_header() -> str:
    return "\t".join(f'"{column}"' for column in NC_COLUMNS) + "\n"


def ohio_row(**values: str) -> str:
    cells = {column: "" for column in OHIO_COLUMNS}
    cells.update(values)
    return ",".join(_quoted(cells[column]) for column in OHIO_COLUMNS) + "\n"


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ',"\n') else value


def florida_row(values: dict[str, str]) -> str:
    columns = PRESETS["florida"].column_names
    return "\t".join(values.get(column, "") for column in columns) + "\n"


NC_MARY = dict(
    county_id="92",
    county_desc="WAKE",
    voter_reg_num="000030127831",
    ncid="EH1234567",
    last_name="McNeill",
    first_name="Mary",
    middle_name="Ann",
    name_suffix_lbl="",
    status_cd="A",
    voter_status_desc="ACTIVE",
    reason_cd="AV",
    voter_status_reason_desc="VERIFIED",
    res_street_address="1200  HILLSBOROUGH ST  APT 4",
    res_city_desc="RALEIGH",
    state_cd="NC",
    zip_code="27605",
    mail_addr1="PO BOX 7712",
    mail_city="RALEIGH",
    mail_state="NC",
    mail_zipcode="27695",
    registr_dt="10/03/2008",
    race_code="W",
    ethnic_code="NL",
    party_cd="UNA",
    gender_code="F",
    birth_year="1961",
    age_at_year_end="63",
    birth_state="NC",
    drivers_lic="Y",
    precinct_abbrv="01-07",
    precinct_desc="PRE 01-07",
)


def test_nc_statewide_file(tmp_path: Path) -> None:
    removed = dict(
        NC_MARY,
        ncid="EH7654321",
        last_name="ODOM",
        first_name="JAMES",
        middle_name="",
        name_suffix_lbl="JR",
        status_cd="R",
        voter_status_desc="REMOVED",
        voter_status_reason_desc="MOVED FROM COUNTY",
        mail_addr1="",
        mail_city="",
        mail_state="",
        mail_zipcode="",
        registr_dt="1/5/1984",
    )
    inactive = dict(
        NC_MARY,
        ncid="EH0000042",
        voter_status_desc="INACTIVE",
        voter_status_reason_desc="CONFIRMATION NOT RETURNED",
    )
    path = write(
        tmp_path,
        nc_header() + nc_row(**NC_MARY) + nc_row(**removed) + nc_row(**inactive),
        "voters.txt",
    )
    mary, james, third = read_voter_file(path, PRESETS["nc"])

    assert mary.voter_id == "EH1234567"
    assert (mary.county, mary.first_name, mary.middle_name, mary.last_name) == (
        "WAKE",
        "Mary",
        "Ann",
        "McNeill",
    )
    assert mary.residence == Address("1200  HILLSBOROUGH ST  APT 4", "RALEIGH", "NC", "27605")
    assert mary.mailing == Address("PO BOX 7712", "RALEIGH", "NC", "27695")
    assert (mary.precinct, mary.party, mary.gender) == ("01-07", "UNA", "F")
    assert mary.registered_on == date(2008, 10, 3)
    assert (mary.status, mary.status_reason) == (Status.ACTIVE, "")
    assert mary.dob is None  # the public file has only a birth year
    assert mary.drivers_license == ""  # drivers_lic is a Y/N flag, never a number
    assert mary.line == 2

    assert (james.suffix, james.status, james.status_reason) == ("JR", Status.CANCELLED, "moved")
    assert james.mailing == Address()
    assert james.registered_on == date(1984, 1, 5)
    assert (third.status, third.status_reason) == (Status.INACTIVE, "confirmation-notice")


def test_nc_unmapped_reason_is_kept_as_written(tmp_path: Path) -> None:
    row = nc_row(**dict(NC_MARY, voter_status_reason_desc="UNVERIFIED NEW"))
    (voter,) = read_voter_file(write(tmp_path, nc_header() + row, "voters.txt"), PRESETS["nc"])
    assert voter.status_reason == "UNVERIFIED NEW"


OHIO_JOHN = {
    "SOS_VOTERID": "OH0012345678",
    "COUNTY_NUMBER": "78",
    "COUNTY_ID": "1400012",
    "LAST_NAME": "DeLuca",
    "FIRST_NAME": "John",
    "MIDDLE_NAME": "P",
    "SUFFIX": "III",
    "DATE_OF_BIRTH": "1958-02-27",
    "REGISTRATION_DATE": "1976-10-01",
    "VOTER_STATUS": "ACTIVE",
    "PARTY_AFFILIATION": "D",
    "RESIDENTIAL_ADDRESS1": "3818 BELMONT AVE",
    "RESIDENTIAL_SECONDARY_ADDR": "APT 2",
    "RESIDENTIAL_CITY": "YOUNGSTOWN",
    "RESIDENTIAL_STATE": "OH",
    "RESIDENTIAL_ZIP": "44505",
    "PRECINCT_NAME": "YOUNGSTOWN 1-A",
    "PRECINCT_CODE": "78ADM",
    "GENERAL-11/08/2022": "X",
}


def test_ohio_statewide_file(tmp_path: Path) -> None:
    confirmation = dict(
        OHIO_JOHN,
        SOS_VOTERID="OH0098765432",
        VOTER_STATUS="CONFIRMATION",
        MAILING_ADDRESS1="PO BOX 12",
        MAILING_CITY="CANFIELD",
        MAILING_STATE="OH",
        MAILING_ZIP="44406",
        REGISTRATION_DATE="03/15/2004",
    )
    path = write(
        tmp_path,
        ",".join(OHIO_COLUMNS) + "\n" + ohio_row(**OHIO_JOHN) + ohio_row(**confirmation),
        "SWVF_1_22.txt",
    )
    john, other = read_voter_file(path, PRESETS["ohio"])
    assert (john.voter_id, john.county, john.suffix) == ("OH0012345678", "78", "III")
    assert john.dob == date(1958, 2, 27)
    assert john.registered_on == date(1976, 10, 1)
    assert john.residence == Address("3818 BELMONT AVE APT 2", "YOUNGSTOWN", "OH", "44505")
    assert john.mailing == Address()
    assert (john.precinct, john.party, john.status) == ("YOUNGSTOWN 1-A", "D", Status.ACTIVE)
    assert (other.status, other.status_reason) == (Status.INACTIVE, "confirmation-notice")
    assert other.mailing == Address("PO BOX 12", "CANFIELD", "OH", "44406")
    assert other.registered_on == date(2004, 3, 15)


FLORIDA_ANA = {
    "County Code": "ALA",
    "Voter ID": "123456789",
    "Name Last": "Núñez",
    "Name Suffix": "",
    "Name First": 'Ana "Annie"',
    "Name Middle": "María",
    "Requested public records exemption": "N",
    "Residence Address Line 1": "1010 NW 13TH ST",
    "Residence Address Line 2": "UNIT 4B",
    "Residence City (USPS)": "Gainesville",
    "Residence State": "FL",
    "Residence Zipcode": "32601",
    "Gender": "F",
    "Race": "4",
    "Birth Date": "07/04/1990",
    "Registration Date": "09/12/2008",
    "Party Affiliation": "NPA",
    "Precinct": "29",
    "Precinct Group": "1",
    "Precinct Split": "29.1",
    "Precinct Suffix": "",
    "Voter Status": "ACT",
    "Congressional District": "3",
}


def test_florida_extract_has_no_header_and_no_quoting(tmp_path: Path) -> None:
    inactive = dict(FLORIDA_ANA, **{"Voter ID": "987654321", "Voter Status": "INA"})
    path = write(tmp_path, florida_row(FLORIDA_ANA) + florida_row(inactive), "ALA_20240109.txt")
    ana, second = read_voter_file(path, PRESETS["florida"])
    assert (ana.voter_id, ana.county, ana.line) == ("123456789", "ALA", 1)
    assert (ana.first_name, ana.middle_name, ana.last_name) == ('Ana "Annie"', "María", "Núñez")
    assert ana.residence == Address("1010 NW 13TH ST UNIT 4B", "Gainesville", "FL", "32601")
    assert ana.dob == date(1990, 7, 4)
    assert ana.registered_on == date(2008, 9, 12)
    assert (ana.precinct, ana.ballot_style, ana.party, ana.gender) == ("29", "29.1", "NPA", "F")
    assert ana.status is Status.ACTIVE
    assert (second.status, second.line) == (Status.INACTIVE, 2)


def test_florida_row_with_a_column_too_many(tmp_path: Path) -> None:
    ana = dict(FLORIDA_ANA, **{"Email address": "ana@example.org"})
    row = florida_row(ana).replace("1010 NW 13TH ST", "1010\tNW 13TH ST")
    error = refused(read_voter_file, write(tmp_path, row, "voters.txt"), PRESETS["florida"])
    assert error.where == f"{tmp_path / 'voters.txt'}:1"
    assert "39 columns but the florida layout has 38" in str(error)


VOTETRAIL_HEADER = ",".join(FIELDS) + "\n"


def votetrail_row(**values: str) -> str:
    base = dict(
        voter_id="V-1",
        county="Summit",
        first_name="Jane",
        last_name="Doe",
        residence_street="3818 Belmont Ave",
        residence_city="Youngstown",
        residence_state="OH",
        residence_zip="44505",
        status="active",
        registered_on="2017-07-31",
        dob="1993-11-12",
        ssn4="0042",
        drivers_license="aa-999 888",
    )
    base.update(values)
    return ",".join(_quoted(base.get(name, "")) for name in FIELDS) + "\n"


def test_votetrail_layout_and_identifier_cleanup(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + VOTETRAIL_HEADER + votetrail_row(), "voters.csv")
    (jane,) = read_voter_file(path, PRESETS["votetrail"])
    assert jane.voter_id == "V-1"
    assert jane.dob == date(1993, 11, 12)
    assert jane.ssn4 == "0042"
    assert jane.drivers_license == "AA999888"
    assert jane.residence.one_line() == "3818 Belmont Ave, Youngstown, OH 44505"


def test_votetrail_layout_optional_columns_may_be_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "last_name,first_name,voter_id\nDoe,Jane,V-9\n,,\n\n", "voters.txt")
    (jane,) = read_voter_file(path, PRESETS["votetrail"], county="Summit")
    assert (jane.voter_id, jane.county, jane.status, jane.dob) == (
        "V-9",
        "Summit",
        Status.ACTIVE,
        None,
    )


def test_county_argument_fills_or_checks_the_county(tmp_path: Path) -> None:
    path = write(tmp_path, VOTETRAIL_HEADER + votetrail_row(county=" summit "), "voters.txt")
    (jane,) = read_voter_file(path, PRESETS["votetrail"], county="Summit")
    assert jane.county == "Summit"
    error = refused(read_voter_file, path, PRESETS["votetrail"], county="Stark")
    assert error.where == f"{path}:2"
    assert "column county: the voter is in county 'summit', not 'Stark'" in str(error)


def test_no_county_anywhere(tmp_path: Path) -> None:
    path = write(tmp_path, "voter_id,first_name,last_name\nV-1,Jane,Doe\n", "voters.txt")
    error = refused(read_voter_file, path, PRESETS["votetrail"])
    assert "give the county" in str(error)


def test_new_registration_file_may_lack_voter_ids(tmp_path: Path) -> None:
    columns = ColumnMap.from_mapping(
        {"base": "votetrail", "new_registrations": True, "name": "applications"}
    )
    path = write(tmp_path, VOTETRAIL_HEADER + votetrail_row(voter_id=""), "voters.txt")
    (jane,) = read_voter_file(path, columns)
    assert jane.voter_id == ""
    error = refused(read_voter_file, path, PRESETS["votetrail"])
    assert (error.where, "column voter_id: is empty" in str(error)) == (f"{path}:2", True)


STATE_MAP = """
name = "Example County"
delimiter = "pipe"
date_formats = ["YYYYMMDD"]

[fields]
voter_id = "REGNO"
first_name = "FNAME"
last_name = "LNAME"
residence_street = ["HOUSE_NO", "STREET", "UNIT"]
residence_city = "CITY"
residence_zip = "ZIP"
dob = "BIRTHDATE"
status = "STAT"
status_reason = "WHY"

[status]
A = "active"
I = { status = "inactive", reason = "returned-mail" }
C = "cancelled"

[reasons]
"DIED" = "deceased"
"""


def test_state_column_map_file(tmp_path: Path) -> None:
    map_file = write(tmp_path, STATE_MAP, "example.toml")
    columns = ColumnMap.from_toml(map_file)
    assert columns.name == "Example County"
    assert columns.residence_street == ("HOUSE_NO", "STREET", "UNIT")
    assert columns.status_values["I"] == StatusValue(Status.INACTIVE, "returned-mail")
    data = (
        "REGNO|LNAME|FNAME|HOUSE_NO|STREET|UNIT|CITY|ZIP|BIRTHDATE|STAT|WHY\n"
        "17|Kowalski|Anna|12|Elm St||Akron|44310|19700102|a|\n"
        "18|Kowalski|Piotr|12|Elm St|Apt 3|Akron|44310||I|\n"
        "19|Nowak|Jan|7|Oak Rd||Akron|44310||C|died\n"
    )
    anna, piotr, jan = read_voter_file(
        write(tmp_path, data, "voters.txt"), columns, county="Summit"
    )
    assert anna.residence.street == "12 Elm St"
    assert anna.dob == date(1970, 1, 2)
    assert piotr.residence.street == "12 Elm St Apt 3"
    assert (piotr.status, piotr.status_reason) == (Status.INACTIVE, "returned-mail")
    assert (jan.status, jan.status_reason) == (Status.CANCELLED, "deceased")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colums": []}, "unknown key(s) colums"),
        ({"base": "texas"}, "base 'texas' is not a preset"),
        ({"base": "nc", "fields": {"birthday": "x"}}, "fields.birthday is not a field"),
        ({"base": "nc", "status": {"A": "gone"}}, "status.A must be one of active"),
        ({"base": "nc", "fields": {"dob": ["Y", "M"]}}, "dob must come from one column"),
        ({"base": "nc", "fields": {"ncid": 3}}, "fields.ncid is not a field"),
        ({"base": "nc", "fields": {"voter_id": 3}}, "must be a name or a list of names"),
        ({"base": "nc", "date_formats": ["DD.MM.YYYY"]}, "date formats must be among"),
        ({"base": "nc", "delimiter": "::"}, "delimiter must be one character"),
        ({"base": "nc", "header": "yes"}, "header must be true or false"),
        ({"fields": {"first_name": "F", "last_name": "L"}}, "no column is given for voter_id"),
        ({"base": "florida", "fields": {"party": "PARTY"}}, "not among the column names: PARTY"),
        ({"base": "nc", "optional": ["dob", "email"]}, "optional names unknown fields: email"),
    ],
)
def test_bad_column_map(data: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ColumnMap.from_mapping(data, source="state.toml")
    assert caught.value.where == "state.toml"
    assert message in str(caught.value)


def test_column_map_file_that_is_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[fields\nvoter_id = 1\n", "bad.toml")
    with pytest.raises(InvalidInput, match="is not valid TOML") as caught:
        ColumnMap.from_toml(path)
    assert caught.value.where == str(path)


def test_presets_are_consistent() -> None:
    assert set(PRESETS) == {"votetrail", "nc", "ohio", "florida"}
    for columns in PRESETS.values():
        assert columns._problem() is None
    assert len(PRESETS["florida"].column_names) == 38


def test_reader_builds_records_in_voter_input_field_order() -> None:
    """The reader passes VoterInput's fields by position, for speed: a new field must fail here."""
    assert [f.name for f in fields(VoterInput)] == [
        "voter_id",
        "county",
        "first_name",
        "last_name",
        "line",
        "middle_name",
        "suffix",
        "residence",
        "mailing",
        "precinct",
        "ballot_style",
        "party",
        "gender",
        "status",
        "status_reason",
        "registered_on",
        "dob",
        "ssn4",
        "drivers_license",
    ]
    assert [f.name for f in fields(Address)] == ["street", "city", "state", "zip"]


def test_fixed_slots_match_field_order() -> None:
    """The reader builds each record from fixed positions of FIELDS."""
    assert FIELDS[:18] == (
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
    )
    slots = (
        voter_file._REASON,
        voter_file._STATUS,
        voter_file._REGISTERED_ON,
        voter_file._DOB,
        voter_file._SSN4,
        voter_file._LICENCE,
    )
    names = ("status_reason", "status", "registered_on", "dob", "ssn4", "drivers_license")
    assert tuple(FIELDS[slot] for slot in slots) == names


def test_header_missing_columns_is_one_error(tmp_path: Path) -> None:
    header = [c for c in OHIO_COLUMNS if c not in ("DATE_OF_BIRTH", "PRECINCT_NAME")]
    path = write(tmp_path, ",".join(header) + "\n", "voters.txt")
    error = refused(read_voter_file, path, PRESETS["ohio"])
    assert error.where == f"{path}:1"
    assert "lacks the column(s) PRECINCT_NAME, DATE_OF_BIRTH that the ohio layout reads" in str(
        error
    )


def test_header_repeats_a_mapped_column(tmp_path: Path) -> None:
    path = write(tmp_path, "voter_id,first_name,last_name,Last_Name\n", "voters.txt")
    assert "column last_name appears twice" in str(
        refused(read_voter_file, path, PRESETS["votetrail"], county="X")
    )


def test_empty_file(tmp_path: Path) -> None:
    assert "the file is empty" in str(
        refused(read_voter_file, write(tmp_path, "", "voters.txt"), PRESETS["nc"])
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (votetrail_row(last_name=""), "column last_name: is empty"),
        (votetrail_row(first_name=" "), "column first_name: is empty"),
        (votetrail_row(county=""), "column county: is empty"),
        (votetrail_row(status="pending"), "column status: 'pending' is not a status"),
        (votetrail_row(status=""), "column status: an empty status is not a status"),
        (
            votetrail_row(registered_on="31/12/2001"),
            "column registered_on: not a date in the form YYYY-MM-DD",
        ),
        (votetrail_row(registered_on="2001-02-30"), "column registered_on: not a date"),
    ],
)
def test_bad_row_names_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path, VOTETRAIL_HEADER + votetrail_row(voter_id="V-0") + row, "voters.txt")
    error = refused(read_voter_file, path, PRESETS["votetrail"])
    assert error.where == f"{path}:3"
    assert message in str(error)


@pytest.mark.parametrize(
    ("field", "secret", "message"),
    [
        ("dob", "1961-13-45", "column dob: not a date in the form YYYY-MM-DD"),
        ("dob", "07/04/1990", "column dob: not a date"),
        ("ssn4", "98765", "column ssn4: the last four of the SSN must be exactly 4 digits"),
        ("ssn4", "98x7", "column ssn4: the last four"),
        ("drivers_license", "D12#4567", "column drivers_license: a licence number holds only"),
    ],
)
def test_identifier_values_never_appear_in_errors(
    tmp_path: Path, field: str, secret: str, message: str
) -> None:
    path = write(tmp_path, VOTETRAIL_HEADER + votetrail_row(**{field: secret}), "voters.txt")
    error = refused(read_voter_file, path, PRESETS["votetrail"])
    assert error.where == f"{path}:2"
    assert message in str(error)
    shown = f"{error} {error.args!r} {error.where}"
    assert secret not in shown
    assert secret.replace("-", "") not in shown


def test_ohio_date_of_birth_error_names_the_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ",".join(OHIO_COLUMNS) + "\n" + ohio_row(**dict(OHIO_JOHN, DATE_OF_BIRTH="27.02.1958")),
        "file.csv",
    )
    error = refused(read_voter_file, path, PRESETS["ohio"])
    assert str(error) == (
        f"{path}:2: column DATE_OF_BIRTH: not a date in the form YYYY-MM-DD or MM/DD/YYYY"
    )
    assert "1958" not in str(error)


def test_quoted_value_spanning_lines_reports_its_first_line(tmp_path: Path) -> None:
    row = votetrail_row(residence_street="12 Elm St\nApt 3", voter_id="V-2")
    path = write(
        tmp_path, VOTETRAIL_HEADER + row + votetrail_row(last_name="", voter_id="V-3"), "voters.txt"
    )
    rows = read_voter_file(path, PRESETS["votetrail"])
    assert next(rows).residence.street == "12 Elm St\nApt 3"
    with pytest.raises(InvalidInput) as caught:
        next(rows)
    assert caught.value.where == f"{path}:4"


def test_streaming_yields_rows_before_a_later_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, VOTETRAIL_HEADER + votetrail_row() + votetrail_row(last_name=""), "voters.txt"
    )
    rows = read_voter_file(path, PRESETS["votetrail"])
    assert isinstance(next(rows), VoterInput)
    with pytest.raises(InvalidInput, match=":3: column last_name"):
        next(rows)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (VOTETRAIL_HEADER + votetrail_row()).encode()
        + votetrail_row(last_name="Mu\xf1oz").encode("latin-1")
    )
    error = refused(read_voter_file, path, PRESETS["votetrail"])
    assert error.where == f"{path}:3"
    assert "not UTF-8" in str(error)


def test_broken_quoting(tmp_path: Path) -> None:
    path = write(
        tmp_path, VOTETRAIL_HEADER + votetrail_row() + '"V-2,Summit,"Jane",x\n', "voters.txt"
    )
    error = refused(read_voter_file, path, PRESETS["votetrail"])
    assert error.where == f"{path}:3"
    assert "not valid delimited text" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    error = refused(read_voter_file, tmp_path / "nowhere.csv", PRESETS["nc"])
    assert "cannot read the voter file" in str(error)


def test_trailing_delimiter_is_tolerated_when_the_header_has_one(tmp_path: Path) -> None:
    path = write(
        tmp_path, "voter_id,first_name,last_name,\nV-1,Jane,Doe,\nV-2,John,Doe\n", "voters.txt"
    )
    jane, john = read_voter_file(path, PRESETS["votetrail"], county="Summit")
    assert (jane.last_name, john.first_name) == ("Doe", "John")
    path = write(tmp_path, "voter_id,first_name,last_name\nV-1,Jane,Doe,\n", "voters.txt")
    assert "4 columns but the votetrail layout has 3" in str(
        refused(read_voter_file, path, PRESETS["votetrail"], county="Summit")
    )
