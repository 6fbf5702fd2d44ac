"""Hart Verity CVR folders (one XML document per ballot), as RCTab's ``hart`` reads them.

The configuration's ``filePath`` is the folder and ``contestId`` the
contest's ``Id`` (a GUID); candidates are named by their option ``Id``
(configured as aliases), and the ``undeclaredWriteInLabel`` is the write-in
option's ``Id``. An option's ``Value`` is one digit per rank: ``"010"``
marks the candidate at rank 2. Signature files (``*.sig.xml``) are not
ballots. Documents without the contest are not ballots of it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from votetrail.core.rcv.ballots import RankedBallot
from votetrail.errors import InvalidInput
from votetrail.formats.archives import MiB, check_size
from votetrail.formats.rcv.config import CvrSource
from votetrail.formats.rcv.sources import BallotBuilder, Mark

MAX_DOCUMENT_BYTES = 16 * MiB


def read_hart(source: CvrSource, builder: BallotBuilder) -> Iterator[RankedBallot]:
    """Every document of the folder holding the configured contest, in name order."""
    if not source.path.is_dir():
        raise InvalidInput("must be the folder of Hart CVR XML documents", str(source.path))
    documents = sorted(
        p
        for p in source.path.iterdir()
        if p.name.lower().endswith("xml") and not p.name.lower().endswith(".sig.xml")
    )
    for path in documents:
        where = str(path)
        check_size(path.stat().st_size, where, MAX_DOCUMENT_BYTES)
        try:
            root = ET.fromstring(path.read_bytes())  # noqa: S314 - expat fetches no external entities
        except ET.ParseError as exc:
            raise InvalidInput(f"is not well-formed XML ({exc})", where) from None
        namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        for contest in root.iter(f"{namespace}Contest"):
            if (contest.findtext(f"{namespace}Id") or "").strip() != source.contest_id:
                continue
            marks: list[Mark] = []
            for option in contest.iter(f"{namespace}Option"):
                code = (option.findtext(f"{namespace}Id") or "").strip()
                value = (option.findtext(f"{namespace}Value") or "").strip()
                marks.extend((rank, code) for rank, digit in enumerate(value, 1) if digit == "1")
            split = root.find(f"{namespace}PrecinctSplit")
            yield builder.ballot(
                (root.findtext(f"{namespace}CvrGuid") or path.stem).strip(),
                marks,
                where,
                precinct=None if split is None else split.findtext(f"{namespace}Name"),
                batch=root.findtext(f"{namespace}BatchNumber"),
            )
