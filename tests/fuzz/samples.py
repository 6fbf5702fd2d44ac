"""Small inputs written for the fuzz targets: one valid file per reader, our own values.

A mutation of a file the reader accepts reaches deeper than random bytes, so
every target starts from one of these (and, under ``make fuzz``, also from the
real files in ``../shared/data``). Layouts follow the readers' docstrings and
the field files named in their tests; the names and numbers are invented.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile

from tests.formats.lat.definitions import general
from votetrail.core.lat.deck import generate_deck
from votetrail.formats.lat.deck_files import write_expected_csv

DOMINION_CSV = (
    '"Fuzz County","5.10.50.85"\r\n'
    '"","","","","","","","Mayor (Vote For=1)","Mayor (Vote For=1)"\r\n'
    '"","","","","","","","Ada Lane","Bo Reyes"\r\n'
    '"CvrNumber","TabulatorNum","BatchId","RecordId","ImprintedId","PrecinctPortion",'
    '"BallotType","NON","NON"\r\n'
    '1,1,1,1,"1-1-1","P-1","Style 1",1,0\r\n'
    '2,1,1,2,"1-1-2","P-1","Style 1",0,1\r\n'
)

ESS_CSV = (
    "Cast Vote Record,Precinct,Ballot Style,Mayor,Council,Council\r\n"
    "1,p1,bs1,Ada Lane,Cy Ortiz,Di Park\r\n"
    "2,p1,bs1,undervote,Cy Ortiz,undervote\r\n"
    "3,p2,bs2,Write-in,,\r\n"
)

CLEAR_BALLOT = (
    "RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,"
    "ScanComputerName,Status,Remade,Choice_1_1:Mayor:Vote For 1:Ada Lane:NON,"
    "Choice_2_1:Mayor:Vote For 1:Bo Reyes:NON\r\n"
    "1,1,1,b-1,1,1,P-1,scan-1,0,0,1,0\r\n"
    "2,1,2,b-2,1,1,P-1,scan-1,0,0,0,1\r\n"
)

MANIFEST = (
    "Container,Tabulator,Batch Name,Number of Ballots\r\n"
    "Box 1,T-1,B-1,25\r\n"
    "Box 1,T-1,B-2,30\r\n"
    "Box 2,T-2,B-1,12\r\n"
)

PAPER_COUNTS = "Tabulator,Paper Records\r\nT-1,55\r\nT-2,12\r\n"
CHECK_INS = "Precinct,Check-ins\r\nP-1,40\r\nP-2,1,204\r\n".replace("1,204", '"1,204"')

ZEEK = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration"
    "\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory"
    "\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount"
    "\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
    "1764417601.5\tCa1\t203.0.113.9\t40000\t10.0.0.5\t22\ttcp\t-\t-\t-\t-\tS0\t-\t-\t0\tS"
    "\t1\t44\t0\t0\t-\n"
    "1764417602.5\tCa2\t10.0.0.5\t50000\t192.0.2.53\t53\tudp\tdns\t0.01\t40\t80\tSF\t-\t-\t0"
    "\tDd\t1\t68\t1\t108\t-\n"
)

IPTABLES = (
    "Nov 29 12:00:02 gw kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:00:00:00:00:00 "
    "SRC=203.0.113.9 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF PROTO=TCP "
    "SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n"
    "Nov 29 12:00:03 gw kernel: [UFW ALLOW] IN=eth0 OUT= SRC=10.0.0.5 DST=192.0.2.53 LEN=60 "
    "PROTO=UDP SPT=50000 DPT=53 LEN=40\n"
)

SURICATA = (
    json.dumps(
        {
            "timestamp": "2026-11-29T12:05:00.000000+0000",
            "event_type": "flow",
            "src_ip": "203.0.113.9",
            "src_port": 40000,
            "dest_ip": "10.0.0.5",
            "dest_port": 22,
            "proto": "TCP",
            "flow": {"pkts_toserver": 1, "pkts_toclient": 0, "start": "2026-11-29T12:00:01+0000"},
            "tcp": {"tcp_flags": "02", "syn": True, "state": "new"},
        }
    )
    + "\n"
    + json.dumps({"timestamp": "2026-11-29T12:05:01+0000", "event_type": "stats"})
    + "\n"
)

FILTERLOG = (
    "Nov 29 12:00:01 fw filterlog[4242]: 5,,,1000000103,em0,match,block,in,4,0x0,,64,12345,0,DF,"
    "6,tcp,60,203.0.113.9,10.0.0.5,40000,22,0,S,1234,,64240,,mss\n"
    "<134>1 2026-11-29T13:00:02+01:00 fw.example filterlog 4242 - - 7,,,1000000105,em0,match,"
    "block,in,6,0x00,0x00000,64,tcp,6,60,2001:db8::9,2001:db8::5,40000,22,0,S\n"
)

PFIREWALL = (
    "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n"
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
    "tcpack tcpwin icmptype icmpcode info path\n\n"
    "2026-11-29 07:00:01 DROP TCP 203.0.113.9 10.0.0.5 40000 3389 52 S 1 0 64240 - - - RECEIVE\n"
    "2026-11-29 07:00:02 ALLOW UDP 10.0.0.5 192.0.2.53 50000 53 0 - - - - - - - SEND\n"
)

VPC_FLOW = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status\n"
    "2 123456789010 eni-0a1b2c3d 203.0.113.12 172.31.16.139 49761 3389 6 20 4249 "
    "1732881600 1732881660 REJECT OK\n"
    "2 123456789010 eni-0a1b2c3d - - - - - - - 1732881600 1732881660 - NODATA\n"
)

PREFIXES = '[prefixes]\n"[FW DROP]" = "blocked"\n"[FW OK]" = "passed"\n'
HOME_NETWORKS = (
    '# the office\n[netmon]\nhome_net = ["10.0.0.0/8", "192.168.10.0/24", "2001:db8::/32"]\n'
)

VOTERS = (
    "voter_id,first_name,last_name,county,status,registered_on,dob\r\n"
    "V-1,Ada,Lane,Adams,active,2020-01-02,1970-05-06\r\n"
    "V-2,Bo,Reyes,Adams,inactive,2018-03-04,1980-07-08\r\n"
)

VRI_JSON = json.dumps(
    {
        "@type": "VRI.VoterRecordsRequest",
        "Type": "registration",
        "GeneratedDate": "2026-11-01T10:00:00Z",
        "Issuer": "Fuzz",
        "Subject": {
            "@type": "VRI.Voter",
            "Name": {"@type": "VRI.Name", "FirstName": "Ada", "LastName": "Lane"},
            "VoterId": [{"@type": "VRI.VoterId", "Type": "local", "StringValue": "V-9"}],
            "DateOfBirth": "1970-05-06",
            "ResidenceAddress": {
                "@type": "VRI.CivicAddress",
                "StreetName": "Main St",
                "CompleteAddressNumber": {"@type": "VRI.AddressNumber", "AddressNumber": 12},
                "MunicipalJurisdiction": "Springfield",
                "State": "OH",
                "ZipCode": "43000",
            },
        },
    }
)

YAML_DEFINITION = """election: Fuzz General
date: 2026-11-03
place: Adams County
precincts:
  - {id: P-1, name: North}
  - {id: P-2, name: South}
contests:
  - id: mayor
    title: Mayor
    vote_for: 1
    candidates:
      - {id: ada, name: Ada Lane}
      - {id: bo, name: Bo Reyes}
ballot_styles:
  - {id: S-1, precincts: [P-1, P-2], contests: [mayor]}
"""

CONTESTS_CSV = (
    'Contest,Choice,Votes,Ballots,Vote For\nMayor,Ada,"5,200",10000,1\nMayor,Bo,4300,10000,1\n'
    "Council,Cy,6000,10000,2\nCouncil,Di,5000,10000,2\nCouncil,Ed,3000,10000,2\n"
)
POLLING_SAMPLE = "Ballot,Contest,Choice\nb-1,Mayor,Ada\nb-2,Mayor,\nb-3,Mayor,Bo\n"
COMPARISON_SAMPLE = (
    "Ballot,Contest,CVR,Audit\nb-1,Mayor,Ada,Ada\nb-2,Council,Cy;Di,Cy\nb-3,Mayor,MISSING,MISSING\n"
    "b-4,Mayor,NOT ON BALLOT,\n"
)
RANKED_SAMPLE = "Ballot,Contest,CVR,Audit\nb-1,Mayor,Ada > Bo,Ada > > Bo\nb-2,Mayor,Ada;Bo > Cy,\n"
REPORTED_BATCHES = (
    "County,Batch,Contest,Choice,Votes,Cards\nAdams,B-1,Mayor,Ada,10,25\nAdams,B-1,Mayor,Bo,12,25\n"
    "Adams,B-2,Mayor,Ada,5,9\n"
)
HAND_TALLIES = (
    "County,Batch,Contest,Choice,Votes\nAdams,B-1,Mayor,Ada,10\nAdams,B-2,Mayor,Ada,MISSING\n"
)
BATCH_DRAWS = "ticket,county,batch\n1,Adams,B-1\n2,Adams,B-2\n"
REPORTED_RESULTS = (
    'contest,choice,votes\nMayor,Ada,"1,204"\nMayor,Bo,998\nMayor,overvotes,3\nMeasure A,\'-Yes,7\n'
)
EXCHANGE = "voter_id,name_dob,dl,ssn4_dob\nV-1,3q2+7w==,,AAAA\nV-2,,BBBB,\n"
COLUMN_MAP = """name = "Fuzz County"
base = "ohio"
delimiter = "pipe"
date_formats = ["YYYYMMDD"]
optional = ["mailing_street"]

[fields]
voter_id = "REGNO"
first_name = "FNAME"
last_name = "LNAME"
residence_street = ["HOUSE_NO", "STREET"]
dob = "BIRTHDATE"
status = "STAT"

[status]
A = "active"
"""

RCTAB_CSV = (
    "Ballot,Precinct,Batch,Ada,Bo,Cy,Write-In\nr-1,P-1,B-1,1,2,,\nr-2,P-1,B-1,2,,1,3\n"
    "r-3,P-2,B-2,,1,,\n"
)
RCTAB_CSV_NAME = "fuzz_cvr.csv"
RCTAB_CONFIG = json.dumps(
    {
        "tabulatorVersion": "TEST",
        "outputSettings": {"contestName": "Fuzz Mayor", "outputDirectory": "output"},
        "cvrFileSources": [
            {
                "filePath": RCTAB_CSV_NAME,
                "firstVoteColumnIndex": "4",
                "firstVoteRowIndex": "2",
                "idColumnIndex": "1",
                "batchColumnIndex": "3",
                "precinctColumnIndex": "2",
                "provider": "genericCsv",
                "undeclaredWriteInLabel": "Write-In",
            }
        ],
        "candidates": [
            {"name": name, "excluded": False, "aliases": []} for name in ("Ada", "Bo", "Cy")
        ],
        "rules": {
            "tiebreakMode": "useCandidateOrder",
            "overvoteRule": "exhaustImmediately",
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "decimalPlacesForVoteArithmetic": "4",
            "minimumVoteThreshold": "0",
            "maxSkippedRanksAllowed": "1",
            "maxRankingsAllowed": "15",
        },
    },
    indent=2,
)


def evidence_zip() -> bytes:
    """An evidence package's members, nearly empty: the zip and member guards are the target."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("audit.json", json.dumps({"audit": "a-1", "contests": [], "rounds": []}))
        archive.writestr("frame.csv", "ballot_id\r\nb-1\r\n")
        archive.writestr("sample.csv", "round,ticket_number,ballot_id\r\n1,1,b-1\r\n")
        archive.writestr("interpretations.csv", "ballot_id,contest_id,cvr,audited\r\n")
    return buffer.getvalue()


def lat_totals_csv() -> str:
    """The expected totals of the test deck of the L&A tests' general election, as CSV."""
    buffer = io.StringIO()
    write_expected_csv(generate_deck(general()), buffer)
    return buffer.getvalue()


def pcap() -> bytes:
    """A classic pcap with one Ethernet/IPv4/TCP SYN and one UDP frame."""

    def frame(proto: int, transport: bytes) -> bytes:
        total = 20 + len(transport)
        ip = struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            total,
            1,
            0,
            64,
            proto,
            0,
            bytes([203, 0, 113, 9]),
            bytes([10, 0, 0, 5]),
        )
        return b"\x02\x00\x00\x00\x00\x05\x02\x00\x00\x00\x00\x09\x08\x00" + ip + transport

    tcp = struct.pack("!HHIIBBHHH", 40000, 22, 1, 0, 0x50, 0x02, 64240, 0, 0)
    udp = struct.pack("!HHHH", 50000, 53, 8, 0)
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for second, data in ((1764417601, frame(6, tcp)), (1764417602, frame(17, udp))):
        out += struct.pack("<IIII", second, 0, len(data), len(data)) + data
    return out
