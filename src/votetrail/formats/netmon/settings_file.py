"""One table of the netmon TOML settings file (``--config``), read with errors in words.

Each table's keys are checked by the module that owns it
(:mod:`~votetrail.formats.netmon.logs.iptables_prefixes` for ``[iptables]``,
:mod:`~votetrail.formats.netmon.home_networks` for ``[netmon]``); this reads
the file and refuses one that is unreadable, not TOML, or whose table is not
a table, naming the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from votetrail.errors import InvalidInput


def settings_table(path: Path, name: str) -> dict[str, Any]:
    """The ``[name]`` table of the settings file at ``path``; empty when it has none."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InvalidInput(f"cannot read the settings: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"is not UTF-8 text (byte {exc.start + 1} cannot be read)", where=str(path)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"is not valid TOML: {exc}", where=str(path)) from None
    table: Any = data.get(name, {})
    if not isinstance(table, dict):
        raise InvalidInput(f"[{name}] must be a table", where=str(path))
    return table
