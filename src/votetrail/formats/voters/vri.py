"""NIST SP 1500-102 Voter Records Interchange (VRI), JSON and XML forms.

Online registration systems, motor-vehicle offices and other states send
registrations as VRI ``VoterRecordsRequest`` documents; states answer lookups
with ``VoterRecordResults``. Reading both lets a county take a registration
exactly as the sender wrote it, and writing ``VoterRecordResults`` lets an
official hand the public part of the list to any VRI-speaking system.

The two forms differ in shape, not in meaning: JSON wraps leaf values in
objects (``{"Value": "AVE"}``) and names every object's ``@type``, while XML
uses text, attributes and, for addresses, a child element naming the address
class. Both are read through one small node interface, so the mapping (in
``docs/voter-files.md``) is written once. XML element names are matched by
local name, because real files put the FGDC address elements in differing
namespaces; only the root must be in the VRI namespace.

XML is parsed with expat directly and any DTD or entity declaration is
refused: a registration never needs one, and refusing them rules out entity
expansion and external fetches. Messages name the file and the JSON path or
XML element, never a date of birth, SSN4 or licence number.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any
from xml.parsers import expat

from votetrail.core.voters.record import Address, Status, VoterInput, VoterRecord
from votetrail.errors import InvalidInput
from votetrail.formats import UNKNOWN_ENCODING, XML_ENCODING_ERRORS

__all__ = ["VRI_NAMESPACE", "read_vri", "write_vri_json"]

VRI_NAMESPACE = "http://itl.nist.gov/ns/voting/1500-102/v1"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

STATE_ID = "state-voter-registration-id"
LOCAL_ID = "local-voter-registration-id"
_UNSUPPORTED_ADDRESSES = frozenset(
    {"IntersectionAddress_type", "TwoNumberAddressRange_type", "FourNumberAddressRange_type"}
)
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:T[0-9:.]*(?:Z|[+-][0-9:]+)?)?")
_PLACE_STATE_ZIP = re.compile(
    r"(?P<city>.*?)[,\s]+(?P<state>[A-Za-z]{2})\s+(?P<zip>[0-9]{5}(?:-?[0-9]{4})?)"
)
_US = frozenset({"US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"})


class _Node(ABC):
    """One element of either form, so the mapping is written once for both."""

    @abstractmethod
    def children(self, name: str) -> list[_Node]: ...

    @abstractmethod
    def text(self) -> str: ...

    @abstractmethod
    def attr(self, name: str) -> str: ...

    @abstractmethod
    def address_body(self) -> tuple[str, _Node]:
        """The address class (e.g. ``NumberedThoroughfareAddress_type``) and its content."""

    @property
    @abstractmethod
    def where(self) -> str: ...

    @property
    @abstractmethod
    def line(self) -> int | None: ...

    def child(self, name: str) -> _Node | None:
        found = self.children(name)
        return found[0] if found else None

    def child_text(self, name: str) -> str:
        found = self.child(name)
        return found.text() if found is not None else ""

    def fail(self, message: str) -> InvalidInput:
        return InvalidInput(message, where=self.where)


class _JsonNode(_Node):
    def __init__(self, value: Any, source: str, path: str) -> None:
        self.value = value
        self.source = source
        self.path = path

    def children(self, name: str) -> list[_Node]:
        if not isinstance(self.value, dict) or self.value.get(name) is None:
            return []
        found = self.value[name]
        path = f"{self.path}.{name}"
        if isinstance(found, list):
            return [_JsonNode(item, self.source, f"{path}[{i}]") for i, item in enumerate(found)]
        return [_JsonNode(found, self.source, path)]

    def text(self) -> str:
        value = self.value
        if isinstance(value, dict) and "Value" in value:
            value = value["Value"]
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value).strip()
        if value is None:
            return ""
        raise self.fail("must be a single value, not a list or object")

    def attr(self, name: str) -> str:
        if isinstance(self.value, dict):
            return _JsonNode(self.value.get(name), self.source, f"{self.path}.{name}").text()
        return ""

    def address_body(self) -> tuple[str, _Node]:
        kind = self.attr("@type")
        return kind.rsplit(".", 1)[-1], self

    @property
    def where(self) -> str:
        return f"{self.source} at {self.path}"

    @property
    def line(self) -> int | None:
        return None


class _XmlNode(_Node):
    def __init__(
        self, element: ET.Element, source: str, path: str, lines: dict[ET.Element, int]
    ) -> None:
        self.element = element
        self.source = source
        self.path = path
        self.lines = lines

    def children(self, name: str) -> list[_Node]:
        found = [child for child in self.element if _local(child.tag) == name]
        path = f"{self.path}/{name}"
        if len(found) == 1:
            return [_XmlNode(found[0], self.source, path, self.lines)]
        return [
            _XmlNode(child, self.source, f"{path}[{i}]", self.lines)
            for i, child in enumerate(found, start=1)
        ]

    def text(self) -> str:
        return (self.element.text or "").strip()

    def attr(self, name: str) -> str:
        for key, value in self.element.attrib.items():
            if _local(key) == name:
                return value.strip()
        return ""

    def address_body(self) -> tuple[str, _Node]:
        for child in self.element:
            name = _local(child.tag)
            return name, _XmlNode(child, self.source, f"{self.path}/{name}", self.lines)
        return "", self

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line} at {self.path}"

    @property
    def line(self) -> int | None:
        return self.lines.get(self.element)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_vri(path: Path, *, county: str) -> list[VoterInput]:
    """Every voter in a VRI registration request or record results file, JSON or XML.

    ``county`` is the county loading the file: a request carries no county of
    its own, and a results record that names another county is refused.
    """
    source = str(path)
    if not county.strip():
        raise InvalidInput("the county loading the file must be given", where=source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the VRI file: {exc.strerror}", where=source) from None
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        root = _json_root(data, source)
    elif start == b"<":
        root = _xml_root(data, source)
    else:
        raise InvalidInput("is neither VRI JSON nor VRI XML", where=source)
    kind = _document_kind(root)
    county = county.strip()
    if kind == "VoterRecordsRequest":
        return [_request(root, county)]
    if kind == "VoterRecordResults":
        return _results(root, county)
    raise root.fail(
        f"is a {kind or 'document of no known type'}; votetrail reads VoterRecordsRequest "
        f"(registrations) and VoterRecordResults"
    )


def _json_root(data: bytes, source: str) -> _Node:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput("is not UTF-8 text", where=source) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"is not valid JSON: {exc.msg}", where=f"{source}:{exc.lineno}"
        ) from None
    if not isinstance(value, dict):
        raise InvalidInput("is not a VRI document (a JSON object)", where=source)
    return _JsonNode(value, source, "$")


class _Refused(Exception):
    """Raised from inside expat when the document declares a DTD or an entity."""


def _xml_root(data: bytes, source: str) -> _Node:
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    lines: dict[ET.Element, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(_qualified(tag), {_qualified(k): v for k, v in attrs.items()})
        lines[element] = parser.CurrentLineNumber

    def end(tag: str) -> None:
        builder.end(_qualified(tag))

    def refuse(*_: object) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except _Refused:
        raise InvalidInput(
            "declares a DTD or entities; VRI files never need them, so they are refused "
            "rather than expanded or fetched",
            where=f"{source}:{parser.CurrentLineNumber}",
        ) from None
    except expat.ExpatError as exc:
        raise InvalidInput(
            f"is not well-formed XML: {expat.ErrorString(exc.code)}",
            where=f"{source}:{exc.lineno}",
        ) from None
    except XML_ENCODING_ERRORS as exc:
        if isinstance(exc, ValueError) and "encoding" not in str(exc):
            raise
        raise InvalidInput(UNKNOWN_ENCODING, where=f"{source}:1") from None
    root = builder.close()
    name = _local(root.tag)
    namespace = root.tag[1:].rsplit("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace != VRI_NAMESPACE:
        raise InvalidInput(
            f"the root element {name} is in the namespace {namespace or '(none)'!r}, "
            f"not VRI's {VRI_NAMESPACE!r}",
            where=f"{source}:{lines.get(root)}",
        )
    return _XmlNode(root, source, f"/{name}", lines)


def _qualified(name: str) -> str:
    """expat writes ``uri}local``; ElementTree's convention is ``{uri}local``."""
    return "{" + name if "}" in name else name


def _document_kind(root: _Node) -> str:
    if isinstance(root, _JsonNode):
        return root.attr("@type").removeprefix("VRI.")
    assert isinstance(root, _XmlNode)
    name = _local(root.element.tag)
    if name == "VoterRecordsResponse":
        return root.element.get(_XSI_TYPE, "").rsplit(":", 1)[-1] or name
    return name


def _request(root: _Node, county: str) -> VoterInput:
    types = [node.text() for node in root.children("Type")]
    if "registration" not in types:
        shown = ", ".join(t for t in types if t) or "none"
        raise root.fail(
            f"is a request of Type {shown}, not a registration; only registrations are loaded"
        )
    subject = root.child("Subject")
    if subject is None:
        raise root.fail("has no Subject (the voter)")
    _check_type(subject, "VRI.Voter")
    return _voter(subject, county, subject.line or 1, Status.ACTIVE, "", "")


def _results(root: _Node, county: str) -> list[VoterInput]:
    voters: list[VoterInput] = []
    for number, record in enumerate(root.children("VoterRecord"), start=1):
        _check_type(record, "VRI.VoterRecord")
        voter = record.child("Voter")
        if voter is None:
            raise record.fail("has no Voter")
        _check_type(voter, "VRI.Voter")
        for district in record.children("District"):
            named = district.child_text("Name")
            if district.child_text("Type") == "county" and named.casefold() != county.casefold():
                raise district.fail(f"the voter is in county {named!r}, not {county!r}")
        precinct = ballot_style = ""
        for locality in record.children("Locality"):
            kind = locality.child_text("Type")
            if kind == "precinct":
                precinct = locality.child_text("Name")
            elif kind == "ballot-style-area":
                ballot_style = locality.child_text("Name")
        status = _status(record)
        voters.append(_voter(voter, county, voter.line or number, status, precinct, ballot_style))
    return voters


def _check_type(node: _Node, expected: str) -> None:
    if isinstance(node, _JsonNode):
        written = node.attr("@type")
        if written and written != expected:
            raise node.fail(f"has @type {written!r}, expected {expected!r}")


def _status(record: _Node) -> Status:
    written = record.child_text("VoterStatus")
    if written in ("", "active"):
        return Status.ACTIVE
    if written == "inactive":
        return Status.INACTIVE
    other = record.child_text("OtherStatus")
    if written == "other" and other.casefold() == "cancelled":
        return Status.CANCELLED
    raise record.fail(
        f"VoterStatus {written!r} (OtherStatus {other!r}) is not active, inactive or "
        f"other/cancelled"
    )


def _voter(
    node: _Node, county: str, line: int, status: Status, precinct: str, ballot_style: str
) -> VoterInput:
    name = node.child("Name")
    if name is None:
        raise node.fail("has no Name")
    first, last = name.child_text("FirstName"), name.child_text("LastName")
    for element, value in (("FirstName", first), ("LastName", last)):
        if not value:
            raise name.fail(f"{element} is missing or empty")
    middle = " ".join(filter(None, (n.text() for n in name.children("MiddleName"))))
    residence = node.child("ResidenceAddress")
    if residence is None:
        raise node.fail("has no ResidenceAddress")
    mailing = node.child("MailingAddress")
    party = node.child("Party")
    ids = _identifiers(node)
    return VoterInput(
        voter_id=ids.get(STATE_ID) or ids.get(LOCAL_ID, ""),
        county=county,
        first_name=first,
        last_name=last,
        line=line,
        middle_name=middle,
        suffix=name.child_text("Suffix"),
        residence=_address(residence),
        mailing=_address(mailing) if mailing is not None else Address(),
        precinct=precinct,
        ballot_style=ballot_style,
        party=_party(party) if party is not None else "",
        gender=node.child_text("Gender"),
        status=status,
        dob=_dob(node),
        ssn4=ids.get("ssn4", ""),
        drivers_license=ids.get("drivers-license", ""),
    )


def _party(party: _Node) -> str:
    return party.child_text("Name") or party.child_text("Abbreviation")


def _dob(node: _Node) -> date | None:
    found = node.child("DateOfBirth")
    raw = found.text() if found is not None else ""
    if not raw:
        return None
    assert found is not None
    match = _DATE.fullmatch(raw)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise found.fail("not a date in the form YYYY-MM-DD")


def _identifiers(voter: _Node) -> dict[str, str]:
    """The voter's ids by VRI Type; an attested absence is kept as empty, other types ignored."""
    ids: dict[str, str] = {}
    for entry in voter.children("VoterId"):
        kind = entry.child_text("Type")
        if kind == "ssn":
            kind = "ssn4"  # only the last four are ever kept
        if kind not in ("drivers-license", "ssn4", STATE_ID, LOCAL_ID):
            continue
        attested = entry.child_text("AttestNoSuchId").lower() in ("true", "1")
        value = "" if attested else entry.child_text("StringValue")
        if kind in ids and ids[kind] != value:
            raise entry.fail(f"a second VoterId of Type {kind} differs from the first")
        written = entry.child("StringValue")
        where = written if written is not None else entry
        if kind == "ssn4" and value:
            digits = value.replace("-", "").replace(" ", "")
            if entry.child_text("Type") == "ssn" and len(digits) == 9:
                digits = digits[-4:]
            if not (len(digits) == 4 and digits.isdigit() and digits.isascii()):
                raise where.fail("the last four of the SSN must be exactly 4 digits")
            value = digits
        elif kind == "drivers-license" and value:
            value = value.replace(" ", "").replace("-", "").upper()
            if not (value.isascii() and value.isalnum()):
                raise where.fail(
                    "a licence number holds only letters and digits (spaces and dashes are dropped)"
                )
        ids[kind] = value
    return ids


def _address(node: _Node) -> Address:
    kind, body = node.address_body()
    if kind in _UNSUPPORTED_ADDRESSES:
        raise body.fail(
            f"{kind} is not supported for a voter's address; send a NumberedThoroughfareAddress "
            f"or GeneralAddressClass"
        )
    parts: list[str] = []
    number = body.child("CompleteAddressNumber")
    if number is not None:
        parts += _texts(number, "AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix")
    street = body.child("CompleteStreetName")
    if street is not None:
        parts += _texts(
            street,
            "StreetNamePreModifier",
            "StreetNamePreDirectional",
            "StreetNamePreType",
            "StreetName",
            "StreetNamePostType",
            "StreetNamePostDirectional",
            "StreetNamePostModifier",
        )
    landmark = body.child("CompleteLandmarkName")
    if landmark is not None:
        parts += [n.text() for n in landmark.children("LandmarkName")]
    parts.append(body.child_text("USPSGeneralDeliveryPoint"))
    route = body.child("USPSAddress")
    for holder in (route, route.child("USPSRoute") if route is not None else None):
        if holder is not None:
            parts += _texts(holder, "USPSBoxGroupType", "USPSBoxGroupId")
    for holder in (body, route):
        box = holder.child("USPSBox") if holder is not None else None
        if box is not None:
            parts += _texts(box, "USPSBoxType", "USPSBoxId")
    parts.append(body.child_text("GeneralAddress"))
    subaddress = body.child("CompleteSubaddress")
    if subaddress is not None:
        for element in subaddress.children("SubaddressElement"):
            parts += _texts(element, "SubaddressType", "SubaddressIdentifier")

    city = _city(body)
    state = body.child_text("StateName")
    zip_code = body.child_text("ZipCode")
    plus4 = body.child_text("ZipPlus4")
    if zip_code and plus4:
        zip_code = f"{zip_code}-{plus4}"
    if not (city or state or zip_code):
        city, state, zip_code = _place_state_zip(body.child_text("PlaceStateZip"))
    country = body.child_text("CountryName")
    if country and not state and country.upper() not in _US:
        state = country  # Address has no country; this keeps a foreign address deliverable
    return Address(" ".join(p for p in parts if p), city, state, zip_code)


def _texts(node: _Node, *names: str) -> list[str]:
    return [node.child_text(name) for name in names]


def _city(body: _Node) -> str:
    """The municipality, else the postal community: a county is never the city."""
    names: dict[str, str] = {}
    for holder in ("CompletePlaceName", "CompletePlaceName1", "CompletePlaceName2"):
        complete = body.child(holder)
        if complete is None:
            continue
        for place in complete.children("PlaceName"):
            names.setdefault(place.attr("PlaceNameType"), place.text())
    for kind in ("MunicipalJurisdiction", "USPSCommunity", ""):
        if names.get(kind):
            return names[kind]
    return ""


def _place_state_zip(text: str) -> tuple[str, str, str]:
    match = _PLACE_STATE_ZIP.fullmatch(text)
    if match:
        return match["city"].strip(), match["state"], match["zip"]
    return text, "", ""


def write_vri_json(records: Iterable[VoterRecord], *, issuer: str, generated: date) -> str:
    """The records as a VRI ``VoterRecordResults`` JSON document, public fields only.

    Built field by field from the public fields rather than from the record's
    payload, so a protected identifier (or its hash) cannot slip in when the
    record grows. VRI's results document has no issuer or date element, so
    both go into ``TransactionId`` as ``<issuer> <YYYY-MM-DD>``.
    """
    if not issuer.strip():
        raise InvalidInput("must not be empty", where="VRI issuer")
    document = {
        "@type": "VRI.VoterRecordResults",
        "TransactionId": f"{issuer.strip()} {generated.isoformat()}",
        "VoterRecord": [_record_json(record) for record in records],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _record_json(record: VoterRecord) -> dict[str, Any]:
    name: dict[str, Any] = {
        "@type": "VRI.Name",
        "FirstName": record.first_name,
        "LastName": record.last_name,
    }
    if record.middle_name:
        name["MiddleName"] = [record.middle_name]
    if record.suffix:
        name["Suffix"] = record.suffix
    voter: dict[str, Any] = {
        "@type": "VRI.Voter",
        "Name": name,
        "ResidenceAddress": _address_json(record.residence),
    }
    if not record.mailing.is_empty():
        voter["MailingAddress"] = _address_json(record.mailing)
    if record.party:
        voter["Party"] = {"@type": "VRI.Party", "Name": record.party}
    voter["VoterId"] = [
        {"@type": "VRI.VoterId", "Type": STATE_ID, "StringValue": record.voter_id},
    ]
    out: dict[str, Any] = {
        "@type": "VRI.VoterRecord",
        "District": [_unit("county", record.county)],
    }
    localities = [_unit("precinct", record.precinct)] if record.precinct else []
    if record.ballot_style:
        localities.append(_unit("ballot-style-area", record.ballot_style))
    if localities:
        out["Locality"] = localities
    out["Voter"] = voter
    if record.status is Status.CANCELLED:
        out["VoterStatus"] = "other"
        out["OtherStatus"] = "cancelled"
    else:
        out["VoterStatus"] = record.status.value
    return out


def _unit(kind: str, name: str) -> dict[str, str]:
    return {"@type": "VRI.ReportingUnit", "Type": kind, "Name": name}


def _address_json(address: Address) -> dict[str, Any]:
    """A general address class: votetrail keeps the street as one line, not parsed parts."""
    out: dict[str, Any] = {"@type": "addr.GeneralAddressClass_type"}
    if address.street:
        out["USPSGeneralDeliveryPoint"] = address.street
    if address.city:
        out["CompletePlaceName"] = {
            "@type": "addr_type.CompletePlaceName_type",
            "PlaceName": [
                {
                    "@type": "addr_type.PlaceName_type",
                    "PlaceNameType": "MunicipalJurisdiction",
                    "Value": address.city,
                }
            ],
        }
    if address.state:
        out["StateName"] = address.state
    if address.zip:
        out["ZipCode"] = address.zip
    return out
