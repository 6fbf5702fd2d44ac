"""Read an election definition in any format votetrail knows, told apart by content.

Officials upload whatever their election-management system exported, often
renamed (``election.json`` saved as ``definition.txt``, a manifest called
``.json.bak``), so the format is recognised from the document itself; only
YAML is also recognised by its ``.yaml``/``.yml`` name, because JSON is valid
YAML and a clerk's half-written YAML must get YAML's error messages. A
document that is none of the formats is refused with the list of formats read.
"""

from __future__ import annotations

import json
from pathlib import Path

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.election.eg import eg_definition, is_eg
from votetrail.formats.election.eg2 import eg2_definition, is_eg2
from votetrail.formats.election.nist import is_nist, nist_definition
from votetrail.formats.election.vx import is_vx, vx_definition
from votetrail.formats.election.yaml import looks_like_yaml_definition, parse_yaml

FORMATS = (
    "NIST SP 1500-100 JSON election report (an ElectionReport with one Election)",
    "VotingWorks election.json (ballotStyles and contests)",
    "ElectionGuard 1.x manifest (ballot_styles and contests with ballot_selections)",
    "ElectionGuard 2.0 manifest (label, ballot_styles and contests with options)",
    "votetrail YAML (.yaml or .yml)",
)
YAML_SUFFIXES = (".yaml", ".yml")


def read_definition(path: Path) -> ElectionDefinition:
    """The definition in a file; any problem is :class:`InvalidInput` naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", where=str(path)) from None
    return read_definition_bytes(data, str(path))


def read_definition_bytes(data: bytes, name: str) -> ElectionDefinition:
    """As :func:`read_definition` for an upload's bytes; ``name`` is shown in messages."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_refusal("it is not UTF-8 text"), where=name) from None
    named_yaml = name.lower().endswith(YAML_SUFFIXES)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if named_yaml or looks_like_yaml_definition(text):
            return parse_yaml(text, name)
        if text.lstrip().startswith(("{", "[")):
            # It meant to be JSON: where it breaks helps more than the list of formats.
            raise InvalidInput(
                f"is not valid JSON ({exc.msg}, column {exc.colno})",
                where=f"{name}: line {exc.lineno}",
            ) from None
        raise InvalidInput(_refusal("it is neither JSON nor such YAML"), where=name) from None
    if is_nist(document):
        return nist_definition(document, name)
    if is_vx(document):
        return vx_definition(document, name)
    if is_eg(document):
        return eg_definition(document, name)
    if is_eg2(document):
        return eg2_definition(document, name)
    if named_yaml:
        return parse_yaml(text, name)
    if isinstance(document, dict):
        keys = ", ".join(sorted(str(key) for key in document)[:8]) or "none"
        reason = f"it is JSON with none of their keys (top-level keys: {keys})"
    else:
        reason = "it is JSON but not an object"
    raise InvalidInput(_refusal(reason), where=name)


def _refusal(reason: str) -> str:
    return (
        f"is not an election definition votetrail can read ({reason}); formats read: "
        + "; ".join(FORMATS)
    )
