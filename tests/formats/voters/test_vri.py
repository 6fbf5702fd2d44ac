"""VRI registrations and results: NIST's own examples, hostile XML, PII-free errors, export."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.formats.files import refused, write
from votetrail.core.voters.record import (
    PUBLIC_FIELDS,
    Address,
    Protected,
    Status,
    VoterInput,
    VoterRecord,
)
from votetrail.errors import InvalidInput
from votetrail.formats.voters.vri import read_vri, write_vri_json

VRI = "nist/VoterRecordsInterchange"
EXAMPLES = f"{VRI}/NVRA-PDF-examples"
NS = "http://itl.nist.gov/ns/voting/1500-102/v1"


def test_ohio_online_registration_json(shared_data: Path) -> None:
    (jane,) = read_vri(shared_data / EXAMPLES / "ohio_registration.json", county="Mahoning")
    assert (jane.first_name, jane.middle_name, jane.last_name, jane.suffix) == (
        "JANE",
        "A",
        "DOE",
        "",
    )
    assert jane.voter_id == ""  # a new registration: the county assigns the number
    assert jane.county == "Mahoning"
    assert jane.residence == Address("3818 BELMONT AVE", "YOUNGSTOWN", "OH", "44505")
    assert jane.mailing == Address("2299 E STATE ST", "SALEM", "OH", "44460")
    assert jane.dob == date(1993, 11, 12)
    assert jane.drivers_license == "AA999888"
    assert jane.ssn4 == ""  # AttestNoSuchId
    assert jane.status is Status.ACTIVE
    assert jane.line == 1


def vri_requests(shared_data: Path) -> list[Path]:
    return [
        path
        for path in sorted((shared_data / EXAMPLES).glob("ohio_registration*.xml"))
        if "<VoterRecordsRequest" in path.read_text(encoding="utf-8")
    ]


def test_every_ohio_xml_registration_reads(shared_data: Path) -> None:
    paths = vri_requests(shared_data)
    assert len(paths) == 4
    people = {}
    for path in paths:
        (voter,) = read_vri(path, county="Summit")
        assert voter.voter_id == ""
        assert voter.county == "Summit"
        assert voter.first_name
        assert voter.last_name
        assert voter.residence.street
        assert voter.residence.state == "OH"
        assert voter.dob is not None
        people[path.name] = voter
    jason = people["ohio_registration_no_mailing2.xml"]
    assert (jason.first_name, jason.middle_name, jason.last_name, jason.suffix) == (
        "JASON",
        "L",
        "DAVIS",
        "SR",
    )
    assert jason.residence == Address("1349 TALLMADGE AVE", "AKRON", "OH", "44310")
    assert jason.mailing == Address()
    assert (jason.dob, jason.ssn4, jason.drivers_license) == (date(1959, 1, 24), "1234", "AA123456")
    jenny = people["ohio_registration_in_state_mailing.xml"]
    assert jenny.mailing.street == "500 W TUSCARAWAS AVE BARBERTON OH 44203"  # a GeneralAddress
    assert jenny.residence.city == "AKRON"  # the municipality, never the county
    lisa = people["ohio_registration_out_of_county_mailing.xml"]
    assert lisa.mailing == Address("84 CHARING CROSS RD", "LONDON", "UK", "")
    assert (lisa.ssn4, lisa.drivers_license) == ("9998", "")


def test_acknowledgement_is_not_a_registration(shared_data: Path) -> None:
    error = refused(
        read_vri, shared_data / EXAMPLES / "ohio_registration_acknowledgement.xml", county="Summit"
    )
    assert "is a RequestSuccess" in str(error)
    assert error.where is not None
    assert error.where.endswith(":3 at /VoterRecordsResponse")


def test_form_export_without_a_name_names_the_element(shared_data: Path) -> None:
    path = shared_data / EXAMPLES / "NIST-WG-OVF-Exportable_data.xml"
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path}:16 at /VoterRecordsRequest/Subject/Name"
    assert "FirstName is missing or empty" in str(error)


def test_virginia_examples_use_a_wrong_namespace_or_are_ballot_requests(
    shared_data: Path,
) -> None:
    folder = shared_data / VRI / "VA-examples"
    wrong = refused(read_vri, folder / "va_absentee_annual.xml", county="Summit")
    assert "'NIST_V0_voter_records_interchange.xsd'" in str(wrong)
    assert NS in str(wrong)
    ballot = refused(read_vri, folder / "va_absentee_excuse_1b.xml", county="Summit")
    assert "is a request of Type ballot-request, not a registration" in str(ballot)
    (patty,) = read_vri(folder / "va_absentee_excuse_1a.xml", county="Winchester")
    assert patty.mailing == Address(
        "700 Washington SW St ROOM 999", "Blacksburg", "VA", "24061-9521"
    )
    assert (patty.gender, patty.party) == ("female", "Democractic")


def request_json(subject: dict[str, Any], **extra: Any) -> str:
    document = {
        "@type": "VRI.VoterRecordsRequest",
        "GeneratedDate": "2024-01-09",
        "RequestMethod": "voter-via-internet",
        "Type": ["registration"],
        "Subject": {"@type": "VRI.Voter", **subject},
        **extra,
    }
    return json.dumps(document)


NAME = {"@type": "VRI.Name", "FirstName": "Ana", "LastName": "Núñez"}
RESIDENCE = {
    "@type": "addr.NumberedThoroughfareAddress_type",
    "CompleteAddressNumber": {
        "@type": "addr_type.CompleteAddressNumber_type",
        "AddressNumber": "1010",
        "AddressNumberSuffix": {"@type": "addr_type.AddressNumberSuffix_type", "Value": "1/2"},
    },
    "CompleteStreetName": {
        "@type": "addr_type.CompleteStreetName_type",
        "StreetNamePreDirectional": {
            "@type": "addr_type.StreetNamePreDirectional_type",
            "Value": "NW",
        },
        "StreetName": "13th",
        "StreetNamePostType": {"@type": "addr_type.StreetNamePreType_type", "Value": "St"},
    },
    "CompleteSubaddress": {
        "@type": "addr_type.CompleteSubaddress_type",
        "SubaddressElement": [
            {
                "@type": "addr_type.SubaddressElement_type",
                "SubaddressType": "Unit",
                "SubaddressIdentifier": "4B",
            }
        ],
    },
    "CompletePlaceName1": {
        "@type": "addr_type.CompletePlaceName_type",
        "PlaceName": [
            {"@type": "addr_type.PlaceName_type", "PlaceNameType": "County", "Value": "Alachua"},
            {
                "@type": "addr_type.PlaceName_type",
                "PlaceNameType": "USPSCommunity",
                "Value": "Gainesville",
            },
        ],
    },
    "StateName": "FL",
    "ZipCode": "32601",
    "ZipPlus4": "1234",
}


def test_numbered_address_with_subaddress_and_ids(tmp_path: Path) -> None:
    subject = {
        "Name": dict(NAME, MiddleName=["María", "José"], Suffix="Jr"),
        "ResidenceAddress": RESIDENCE,
        "MailingAddress": {
            "@type": "addr.USPSPostalDeliveryBox_type",
            "USPSBox": {
                "@type": "addr_type.USPSBox_type",
                "USPSBoxType": "PO BOX",
                "USPSBoxId": "77",
            },
            "PlaceStateZip": ["Gainesville, FL 32602"],
        },
        "Party": {"@type": "VRI.Party", "Name": "No Party Affiliation", "Abbreviation": "NPA"},
        "Gender": "F",
        "VoterId": [
            {"@type": "VRI.VoterId", "Type": "state-voter-registration-id", "StringValue": "123"},
            {"@type": "VRI.VoterId", "Type": "drivers-license", "StringValue": "n123-456-78 9"},
            {"@type": "VRI.VoterId", "Type": "ssn", "StringValue": "123-45-6789"},
            {"@type": "VRI.VoterId", "Type": "state-id", "StringValue": "ignored"},
        ],
    }
    path = write(tmp_path, request_json(subject), "ana.json")
    (ana,) = read_vri(path, county="Alachua")
    assert ana.voter_id == "123"
    assert (ana.middle_name, ana.suffix, ana.party, ana.gender) == (
        "María José",
        "Jr",
        "No Party Affiliation",
        "F",
    )
    assert ana.residence == Address(
        "1010 1/2 NW 13th St Unit 4B", "Gainesville", "FL", "32601-1234"
    )
    assert ana.mailing == Address("PO BOX 77", "Gainesville", "FL", "32602")
    assert (ana.drivers_license, ana.ssn4) == ("N12345678 9".replace(" ", ""), "6789")


@pytest.mark.parametrize(
    ("subject", "where", "message"),
    [
        ({"ResidenceAddress": RESIDENCE}, "$.Subject", "has no Name"),
        ({"Name": NAME}, "$.Subject", "has no ResidenceAddress"),
        (
            {"Name": {"@type": "VRI.Name", "FirstName": "Ana"}, "ResidenceAddress": RESIDENCE},
            "$.Subject.Name",
            "LastName is missing or empty",
        ),
        (
            {
                "Name": NAME,
                "ResidenceAddress": {
                    "@type": "addr.IntersectionAddress_type",
                    "CompleteStreetName1": {},
                },
            },
            "$.Subject.ResidenceAddress",
            "IntersectionAddress_type is not supported",
        ),
        (
            {"Name": dict(NAME, FirstName={"nested": 1}), "ResidenceAddress": RESIDENCE},
            "$.Subject.Name.FirstName",
            "must be a single value",
        ),
    ],
)
def test_json_errors_name_the_path(
    tmp_path: Path, subject: dict[str, Any], where: str, message: str
) -> None:
    path = write(tmp_path, request_json(subject), "bad.json")
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path} at {where}"
    assert message in str(error)


def test_voter_record_type_is_checked(tmp_path: Path) -> None:
    text = request_json({"Name": NAME, "ResidenceAddress": RESIDENCE}).replace(
        '"VRI.Voter"', '"VRI.Name"', 1
    )
    error = refused(read_vri, write(tmp_path, text, "x.json"), county="Summit")
    assert "has @type 'VRI.Name', expected 'VRI.Voter'" in str(error)


@pytest.mark.parametrize(
    ("voter_id", "secret", "where", "message"),
    [
        (None, "1993-13-40", "$.Subject.DateOfBirth", "not a date in the form YYYY-MM-DD"),
        (None, "12/11/1993", "$.Subject.DateOfBirth", "not a date"),
        ("ssn4", "12345", "$.Subject.VoterId[0].StringValue", "exactly 4 digits"),
        ("ssn", "123-45-67", "$.Subject.VoterId[0].StringValue", "exactly 4 digits"),
        ("drivers-license", "AB#99887", "$.Subject.VoterId[0].StringValue", "only letters"),
    ],
)
def test_identifier_values_never_appear_in_errors(
    tmp_path: Path, voter_id: str | None, secret: str, where: str, message: str
) -> None:
    subject: dict[str, Any] = {"Name": NAME, "ResidenceAddress": RESIDENCE}
    if voter_id is None:
        subject["DateOfBirth"] = secret
    else:
        subject["VoterId"] = [{"@type": "VRI.VoterId", "Type": voter_id, "StringValue": secret}]
    path = write(tmp_path, request_json(subject), "pii.json")
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path} at {where}"
    assert message in str(error)
    shown = f"{error} {error.args!r}"
    for piece in (secret, secret.replace("-", ""), secret[-4:]):
        assert piece not in shown


def test_two_different_licences_are_refused_without_showing_either(tmp_path: Path) -> None:
    ids = [
        {"@type": "VRI.VoterId", "Type": "drivers-license", "StringValue": "A1111111"},
        {"@type": "VRI.VoterId", "Type": "drivers-license", "StringValue": "B2222222"},
    ]
    subject = {"Name": NAME, "ResidenceAddress": RESIDENCE, "VoterId": ids}
    error = refused(read_vri, write(tmp_path, request_json(subject), "two.json"), county="Summit")
    assert "a second VoterId of Type drivers-license differs" in str(error)
    assert "1111111" not in str(error)
    assert "2222222" not in str(error)


XML_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<VoterRecordsRequest xmlns="{ns}" xmlns:addr="http://www.fgdc.gov/schemas/address/addr"
    xmlns:addr_type="http://www.fgdc.gov/schemas/address/addr_type">
  <GeneratedDate>2024-01-09</GeneratedDate>
  <RequestMethod>voter-via-mail</RequestMethod>
  <Subject>
    <DateOfBirth>{dob}</DateOfBirth>
    <Name>
      <FirstName>Ana</FirstName>
      <LastName>Núñez</LastName>
    </Name>
    <ResidenceAddress>
      <GeneralAddressClass_type>
        <addr:USPSGeneralDeliveryPoint>1010 NW 13TH ST</addr:USPSGeneralDeliveryPoint>
        <addr_type:StateName>FL</addr_type:StateName>
      </GeneralAddressClass_type>
    </ResidenceAddress>
    <VoterId>
      <AttestNoSuchId>false</AttestNoSuchId>
      <StringValue>{ssn4}</StringValue>
      <Type>ssn4</Type>
    </VoterId>
  </Subject>
  <Type>registration</Type>
</VoterRecordsRequest>
"""


def test_xml_identifier_errors_name_the_element_not_the_value(tmp_path: Path) -> None:
    path = write(tmp_path, XML_REQUEST.format(ns=NS, dob="1990-02-31", ssn4="1234"), "a.xml")
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path}:7 at /VoterRecordsRequest/Subject/DateOfBirth"
    assert "1990" not in str(error)
    path = write(tmp_path, XML_REQUEST.format(ns=NS, dob="1990-02-03", ssn4="12 345"), "b.xml")
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path}:20 at /VoterRecordsRequest/Subject/VoterId/StringValue"
    assert "345" not in str(error)
    path = write(tmp_path, XML_REQUEST.format(ns=NS, dob="1990-02-03", ssn4="0345"), "c.xml")
    (ana,) = read_vri(path, county="Alachua")
    assert (ana.dob, ana.ssn4, ana.residence) == (
        date(1990, 2, 3),
        "0345",
        Address("1010 NW 13TH ST", "", "FL", ""),
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<VoterRecordsRequest xmlns="{ns}"><Subject>&lol2;</Subject></VoterRecordsRequest>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<VoterRecordsRequest xmlns="{ns}"><Subject>&secret;</Subject></VoterRecordsRequest>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE VoterRecordsRequest SYSTEM "http://example.invalid/vri.dtd">
<VoterRecordsRequest xmlns="{ns}"/>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_dtds_and_entities_are_refused(tmp_path: Path, text: str) -> None:
    error = refused(read_vri, write(tmp_path, text.format(ns=NS), "evil.xml"), county="Summit")
    assert "declares a DTD or entities" in str(error)
    assert "root:" not in str(error)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("<VoterRecordsRequest xmlns='{ns}'>\n<Subject>\n</VoterRecordsRequest>", 3, "mismatched"),
        ("<VoterRecordsRequest xmlns='{ns}'><a>&nbsp;</a></VoterRecordsRequest>", 1, "undefined"),
        ("\n\n<x:VoterRecordsRequest/>", 3, "unbound prefix"),
    ],
)
def test_malformed_xml_names_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text.format(ns=NS), "broken.xml")
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path}:{line}"
    assert message in str(error)


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "@type": "VRI.VoterRecordsRequest",\n  "Type": [\n}', "x.json")
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path}:4"
    assert "is not valid JSON" in str(error)


def test_neither_json_nor_xml(tmp_path: Path) -> None:
    assert "neither VRI JSON nor VRI XML" in str(
        refused(read_vri, write(tmp_path, "voter_id\n", "x.csv"), county="Summit")
    )


def test_county_must_be_given(tmp_path: Path) -> None:
    path = write(tmp_path, request_json({"Name": NAME, "ResidenceAddress": RESIDENCE}), "a.json")
    assert "county loading the file" in str(refused(read_vri, path, county=" "))


def record(**changes: Any) -> VoterRecord:
    base = VoterRecord(
        voter_id="SUM-000017",
        county="Summit",
        version=3,
        status=Status.ACTIVE,
        status_reason="",
        first_name="Jane",
        middle_name="Ann Marie",
        last_name="Doe",
        suffix="Jr",
        residence=Address("3818 Belmont Ave Apt 2", "Akron", "OH", "44310"),
        mailing=Address("PO Box 12", "Akron", "OH", "44309-0012"),
        precinct="AKRON 4-F",
        ballot_style="BS-12",
        party="DEM",
        gender="F",
        registered_on=date(2012, 10, 1),
        status_since=date(2012, 10, 1),
        dob=Protected("mac-of-dob-SECRET1", "sealed-dob-SECRET2"),
        ssn4=Protected("mac-of-ssn4-SECRET3", "sealed-ssn4-SECRET4"),
        drivers_license=Protected("mac-of-dl-SECRET5", "sealed-dl-SECRET6"),
    )
    return replace(base, **changes)


RECORDS = [
    record(),
    record(
        voter_id="SUM-000018",
        first_name="Jim",
        middle_name="",
        suffix="",
        mailing=Address(),
        party="",
        ballot_style="",
        status=Status.INACTIVE,
        status_reason="returned-mail",
    ),
    record(voter_id="SUM-000019", precinct="", status=Status.CANCELLED, status_reason="moved"),
]
CARRIED = (
    "voter_id",
    "county",
    "status",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "residence",
    "mailing",
    "precinct",
    "ballot_style",
    "party",
)
"""The public fields VRI has an element for (status_reason and the dates have none)."""


def test_export_reads_back_with_the_public_fields(tmp_path: Path) -> None:
    text = write_vri_json(
        RECORDS, issuer="Summit County Board of Elections", generated=date(2024, 1, 9)
    )
    document = json.loads(text)
    assert document["@type"] == "VRI.VoterRecordResults"
    assert document["TransactionId"] == "Summit County Board of Elections 2024-01-09"
    read = read_vri(write(tmp_path, text, "export.json"), county="Summit")
    assert [voter.line for voter in read] == [1, 2, 3]
    assert set(CARRIED) <= set(PUBLIC_FIELDS)
    for original, back in zip(RECORDS, read, strict=True):
        assert isinstance(back, VoterInput)
        for name in CARRIED:
            assert getattr(back, name) == getattr(original, name), name
        assert (back.dob, back.ssn4, back.drivers_license, back.gender) == (None, "", "", "")


def test_export_has_no_protected_identifier_or_hash() -> None:
    text = write_vri_json(RECORDS, issuer="Summit", generated=date(2024, 1, 9))
    for n in range(1, 7):
        assert f"SECRET{n}" not in text
    for word in ("DateOfBirth", "ssn", "drivers-license", "Gender", "mac", "sealed"):
        assert word not in text


def test_export_of_another_county_is_refused(tmp_path: Path) -> None:
    text = write_vri_json(RECORDS[:1], issuer="Summit", generated=date(2024, 1, 9))
    error = refused(read_vri, write(tmp_path, text, "export.json"), county="Stark")
    assert "the voter is in county 'Summit', not 'Stark'" in str(error)
    assert error.where == f"{tmp_path / 'export.json'} at $.VoterRecord[0].District[0]"


def test_export_is_valid_against_the_vri_json_schema(shared_data: Path) -> None:
    schema = json.loads((shared_data / VRI / "NIST_V0_voter_records_interchange.json").read_text())
    document = json.loads(write_vri_json(RECORDS, issuer="Summit", generated=date(2024, 1, 9)))
    assert _problems(document, schema, schema, "$") == []


def test_export_needs_an_issuer() -> None:
    with pytest.raises(InvalidInput, match="VRI issuer"):
        write_vri_json(RECORDS, issuer=" ", generated=date(2024, 1, 9))


def _problems(value: Any, rule: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    """Just enough JSON Schema (draft 4 subset the VRI schema uses) to check the export."""
    if "$ref" in rule:
        rule = schema["definitions"][rule["$ref"].removeprefix("#/definitions/")]
    if "oneOf" in rule:
        passing = [r for r in rule["oneOf"] if not _problems(value, r, schema, path)]
        return [] if len(passing) == 1 else [f"{path}: matches {len(passing)} of oneOf"]
    problems: list[str] = []
    kind = rule.get("type")
    if "enum" in rule and value not in rule["enum"]:
        problems.append(f"{path}: {value!r} not in enum")
    if kind == "string" and not isinstance(value, str):
        problems.append(f"{path}: not a string")
    if kind == "boolean" and not isinstance(value, bool):
        problems.append(f"{path}: not a boolean")
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: not an array"]
        if len(value) < rule.get("minItems", 0):
            problems.append(f"{path}: too few items")
        for i, item in enumerate(value):
            problems += _problems(item, rule.get("items", {}), schema, f"{path}[{i}]")
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        properties = rule.get("properties", {})
        problems += [f"{path}: lacks {k}" for k in rule.get("required", []) if k not in value]
        if rule.get("additionalProperties") is False:
            problems += [f"{path}: extra {k}" for k in value if k not in properties]
        for key, item in value.items():
            if key in properties:
                problems += _problems(item, properties[key], schema, f"{path}.{key}")
    return problems


XML_RESULTS = """<?xml version="1.0" encoding="UTF-8"?>
<VoterRecordsResponse xmlns="http://itl.nist.gov/ns/voting/1500-102/v1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="VoterRecordResults">
  <VoterRecord>
    <District><Name>Summit</Name><Type>county</Type></District>
    <Locality><Name>AKRON 4-F</Name><Type>precinct</Type></Locality>
    <Voter>
      <Name><FirstName>Jane</FirstName><LastName>Doe</LastName></Name>
      <ResidenceAddress>
        <GeneralAddressClass_type>
          <USPSGeneralDeliveryPoint>470 GRANT ST</USPSGeneralDeliveryPoint>
          <PlaceStateZip>AKRON, OH 44311</PlaceStateZip>
        </GeneralAddressClass_type>
      </ResidenceAddress>
      <VoterId><StringValue>SUM-1</StringValue><Type>local-voter-registration-id</Type></VoterId>
    </Voter>
    <VoterStatus>inactive</VoterStatus>
  </VoterRecord>
  <VoterRecord>
    <Voter>
      <Name><FirstName>Jim</FirstName><LastName>Doe</LastName></Name>
      <ResidenceAddress><GeneralAddressClass_type/></ResidenceAddress>
    </Voter>
    <OtherStatus>purged</OtherStatus>
    <VoterStatus>other</VoterStatus>
  </VoterRecord>
</VoterRecordsResponse>
"""


def test_xml_record_results(tmp_path: Path) -> None:
    path = write(tmp_path, XML_RESULTS, "results.xml")
    error = refused(read_vri, path, county="Summit")
    assert error.where == f"{path}:19 at /VoterRecordsResponse/VoterRecord[2]"
    assert "VoterStatus 'other' (OtherStatus 'purged')" in str(error)
    path = write(tmp_path, XML_RESULTS.replace("purged", "cancelled"), "results.xml")
    jane, jim = read_vri(path, county="summit")
    assert (jane.voter_id, jane.precinct, jane.status, jane.line) == (
        "SUM-1",
        "AKRON 4-F",
        Status.INACTIVE,
        7,
    )
    assert jane.residence == Address("470 GRANT ST", "AKRON", "OH", "44311")
    assert (jim.voter_id, jim.status, jim.residence) == ("", Status.CANCELLED, Address())


def test_rural_route_and_landmark_addresses(tmp_path: Path) -> None:
    route = {
        "@type": "addr.USPSPostalDeliveryRoute_type",
        "USPSAddress": {
            "@type": "addr_type.USPSAddress_type",
            "USPSRoute": {
                "@type": "addr_type.USPSRoute_type",
                "USPSBoxGroupType": "RR",
                "USPSBoxGroupId": "2",
            },
            "USPSBox": {
                "@type": "addr_type.USPSBox_type",
                "USPSBoxType": "BOX",
                "USPSBoxId": "152",
            },
        },
        "StateName": "OH",
        "ZipCode": "43950",
    }
    landmark = {
        "@type": "addr.LandmarkAddress_type",
        "CompleteLandmarkName": {
            "@type": "addr_type.CompleteLandmarkName_type",
            "LandmarkName": [{"@type": "addr_type.LandmarkName_type", "Value": "Shady Acres Farm"}],
        },
    }
    subject = {"Name": NAME, "ResidenceAddress": landmark, "MailingAddress": route}
    (voter,) = read_vri(write(tmp_path, request_json(subject), "rural.json"), county="Belmont")
    assert voter.residence == Address("Shady Acres Farm")
    assert voter.mailing == Address("RR 2 BOX 152", "", "OH", "43950")
