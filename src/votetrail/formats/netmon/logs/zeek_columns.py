"""Zeek ``conn.log`` read a block of lines at a time with pyarrow's CSV reader.

The line reader (:mod:`~votetrail.formats.netmon.logs.zeek`) splits, checks
and converts every line in Python; on a large log that is most of the cost of
an ingest. Here the TSV body is cut into blocks of whole lines (under
:data:`~votetrail.formats.netmon.logs.common.MAX_LINE` bytes, so no line can
be too long) and each block is parsed by ``pyarrow.csv`` into string columns;
the checks and conversions (protocol, outcome, port, time, addresses) then run
on whole columns, and addresses are parsed once per distinct text.

The results must be the line reader's, line for line, so this reader only
takes the blocks it can judge exactly the same way:

* a block of plain data lines under a ``#fields`` header (no ``#`` or ``{``
  line, no blank line, no ``\\r``), whose every line has the header's column
  count, valid UTF-8 in the columns read, a known protocol and ``conn_state``,
  a port of at most five digits, a time of plain decimal digits and
  addresses :func:`~votetrail.formats.netmon.logs.common.parse_ip` accepts;
* everything else – header lines, ``#close``, JSON lines, blank lines, data
  before a header, a block with any line the checks above refuse, a last line
  without its newline – goes to the line reader's own parser
  (``zeek._scan``), so a bad line gets exactly the problem, and the number,
  it always got.

The line parser keeps its header state (separator, columns) to itself, so
each fallback first replays the few header lines that set the current state
(:class:`_Header`; the replay is checked to rebuild the same state), numbered
just before the block, and their counts are dropped. A line longer than
``MAX_LINE`` with no newline in sight switches the rest of the file to the
line reader, which cuts such lines as it always did.

A damaged gzip stream is refused naming the file, as by the line reader; it
may be found at a different line, which does not matter because the refusal
ends the read (and an ingest's transaction).
"""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from votetrail.core.netmon.detector import Detector, address_key
from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs.common import (
    IP_CACHE,
    LINE_ERRORS,
    MAX_LINE,
    IPAddress,
    ReadReport,
    _Lines,
    open_text,
    parse_ip,
)
from votetrail.formats.netmon.logs.zeek import (
    _SPECIAL,
    KEY_CACHE,
    STATES,
    KeyRow,
    _key_miss,
    _scan,
    _ZeekLines,
)

BLOCK = 960 * 1024
"""Bytes read at a time; with the carried partial line a block stays under ``MAX_LINE``."""
_SPECIAL_BYTES = frozenset(b"#{\n\r")
"""First bytes of lines the line parser must see: headers, JSON, blank lines."""
_COMPRESS_AT = 8
"""Replay lines kept before trying to shorten the replay to the lines that matter."""
_ORDER = (Outcome.ESTABLISHED, Outcome.REJECTED, Outcome.UNANSWERED)
_E, _R, _U = 0, 1, 2
"""Outcome codes of the column arithmetic, indices into :data:`_ORDER`."""
_KNOWN_STATES = [*STATES, "", "-"]
_PORT = r"^[0-9]{1,5}$"
_TIME = r"^[0-9]{1,10}(\.[0-9]{1,9})?$"
"""Times the column cast reads as ``float()`` does (checked on random values) and that
are within the years a ``datetime`` can hold: plain digits, no sign or exponent."""

Item = ConnectionEvent | KeyRow
ObserveRow = tuple[int, int, int, float, bool, bool, bool]
"""All of :meth:`Detector.observe`'s arguments: source and target keys, port,
POSIX seconds, established, accepted, half open."""
_ANSWERED = frozenset({Outcome.ESTABLISHED, Outcome.PROBED})
_EXACT_SECONDS = 9.0e9
"""Below this, a time's microseconds times a million fit a float's 53 bits exactly, so
the column arithmetic of :func:`_event_seconds` gives ``datetime``'s float."""


class RowBlock:
    """A block's attempts as ``observe`` rows, and its distinct (source text, protocol) pairs.

    The pairs stay a table, to be gathered with :class:`Protocols`: a block
    holds thousands of sources, and turning each into a key here would cost
    the reader a Python step per source per block.
    """

    __slots__ = ("pairs", "rows")

    def __init__(self, rows: list[ObserveRow], pairs: pa.Table) -> None:
        self.rows = rows
        self.pairs = pairs


class Protocols:
    """The protocols each source used over many blocks, gathered as tables."""

    COMPACT_AT = 1_000_000
    """Pairs held before duplicates are folded (memory follows the distinct pairs)."""

    def __init__(self) -> None:
        self._tables: list[pa.Table] = []
        self._held = 0

    def add(self, pairs: pa.Table) -> None:
        self._tables.append(pairs)
        self._held += pairs.num_rows
        if self._held >= self.COMPACT_AT:
            self._compact()

    def _compact(self) -> None:
        if self._tables:
            table = pa.concat_tables(self._tables).group_by(["s", "p"]).aggregate([])
            self._tables = [table]
            self._held = table.num_rows

    def by_key(self) -> dict[int, set[str]]:
        """Detector key of each source → its protocols."""
        self._compact()
        found: dict[int, set[str]] = {}
        if not self._tables:
            return found
        table = self._tables[0]
        cache = KEY_CACHE
        for text, protocol in zip(
            table.column("s").to_pylist(), table.column("p").to_pylist(), strict=True
        ):
            found.setdefault(cache.get(text) or _key_miss(text), set()).add(protocol)
        return found


class _Header:
    """The header state the line parser would hold here, and lines that rebuild it."""

    def __init__(self) -> None:
        self.zeek = _ZeekLines()
        self.replay: list[str] = []

    def see(self, raw: str) -> None:
        """Follow one line as ``_scan`` would: only these lines can change its header state."""
        zeek = self.zeek
        if zeek.pick is not None and raw[:1] not in _SPECIAL:
            return
        first = raw[:1]
        if first in ("{", "\n", "\r", ""):
            return
        with contextlib.suppress(*LINE_ERRORS):
            zeek.parse(raw.rstrip("\r\n"))
        self.replay.append(raw)
        if len(self.replay) > _COMPRESS_AT:
            self._compress()

    @property
    def ready(self) -> bool:
        """Whether data lines can be read as columns: a layout and a one-byte separator."""
        zeek = self.zeek
        return zeek.pick is not None and len(zeek.separator.encode()) == 1

    def _compress(self) -> None:
        """Keep only the last separator, path and column lines, if they rebuild the same state.

        The check replays them on a fresh parser; when it fails (a separator
        changed between lines that used it) the full list stays, which only
        costs a longer replay.
        """
        last: dict[str, str] = {}
        for raw in self.replay:
            kind = "sep" if raw.startswith("#separator") else "path"
            if not raw.startswith(("#separator", "#path")):
                kind = "columns" if not raw.startswith("#") or raw.startswith("#fields") else ""
            if kind:
                last[kind] = raw
        first = self.replay[0]
        for candidate in (
            [last[k] for k in ("sep", "path", "columns") if k in last],
            [first, *(last[k] for k in ("sep", "path", "columns") if k in last)],
        ):
            if _state(_rebuild(candidate)) == _state(self.zeek):
                self.replay = candidate
                return


def _rebuild(lines: Iterable[str]) -> _ZeekLines:
    zeek = _ZeekLines()
    for raw in lines:
        if zeek.pick is None or raw[:1] in _SPECIAL:
            with contextlib.suppress(*LINE_ERRORS):
                zeek.parse(raw.rstrip("\r\n"))
    return zeek


def _state(zeek: _ZeekLines) -> tuple[object, ...]:
    return (
        zeek.separator,
        tuple(zeek.names),
        zeek.width,
        zeek.extra,
        zeek.headed,
        zeek.path,
        zeek.pick is None,
    )


class _Prefixed(io.RawIOBase):
    """``head`` then the rest of ``tail``: the stream the line reader takes over in tail mode."""

    def __init__(self, head: bytes, tail: IO[bytes]) -> None:
        self._head = head
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._tail.read(len(view))
        view[: len(data)] = data
        return len(data)


def read_zeek_columns(path: Path, report: ReadReport | None = None) -> Iterator[ConnectionEvent]:
    """Stream a conn.log's connections: the same events, counts and problems as ``read_zeek``."""
    report = report if report is not None else ReadReport(str(path))
    for block in _blocks(path, report, keys=False):
        yield from block  # type: ignore[misc]  # keys=False gives events


def detect_zeek_columns(
    path: Path, detector: Detector, report: ReadReport | None = None
) -> ReadReport:
    """Parse and detect a whole conn.log: ``detect_zeek_file``'s results, read by columns."""
    report = report if report is not None else ReadReport(str(path))
    observe = detector.observe
    for block in _blocks(path, report, keys=True):
        for row in block:
            observe(*row)  # type: ignore[misc]  # keys=True gives observe rows
    return report


def observe_rows(path: Path, report: ReadReport | None = None) -> Iterator[RowBlock]:
    """A conn.log's attempts as :meth:`Detector.observe` arguments, a block at a time.

    The same attempts, counts and problems as ``read_zeek_columns`` feeding
    ``Detector.feed_many``, times included (``feed_many`` takes them from the
    events' microsecond datetimes), with each block's sources' protocols, so
    that a reader which hands the rows to other processes need build no
    event objects.
    """
    report = report if report is not None else ReadReport(str(path))
    for block in _parts(path, report, keys=False, rows=True):
        yield block if isinstance(block, RowBlock) else _event_rows(block)


def _blocks(path: Path, report: ReadReport, *, keys: bool) -> Iterator[list[Item]]:
    """The file's items, a block at a time, in file order."""
    return cast(Iterator[list[Item]], _parts(path, report, keys=keys))


def _parts(
    path: Path, report: ReadReport, *, keys: bool, rows: bool = False
) -> Iterator[list[Item] | RowBlock]:
    """The file's items, a block at a time, in file order; with ``rows``, column blocks
    come as :class:`RowBlock` and the line parser's blocks as events."""
    header = _Header()
    source = str(path)
    with open_text(path) as text:
        raw = cast(IO[bytes], cast(io.TextIOWrapper, text).buffer)
        rest = b""
        while True:
            try:
                chunk = raw.read(BLOCK)
            except (OSError, EOFError, zlib.error):
                raise InvalidInput(
                    "is a damaged gzip file and cannot be read to its end", where=source
                ) from None
            data = rest + chunk
            if not chunk:
                if data:
                    yield _fallback([data], header, report, keys)
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) >= MAX_LINE:
                    yield from _tail(data, raw, header, report, keys)
                    return
                rest = data
                continue
            rest = data[cut:]
            yield from _split(data[:cut], header, report, keys, rows)


def _split(
    data: bytes, header: _Header, report: ReadReport, keys: bool, rows: bool = False
) -> Iterator[list[Item] | RowBlock]:
    """Cut whole lines into runs of plain data lines (columns) and runs of others (line parser)."""
    pos, size = 0, len(data)
    while pos < size:
        if data[pos] in _SPECIAL_BYTES or not header.ready:
            end = pos
            while True:  # the run of lines the line parser must read
                end = data.find(b"\n", end) + 1 or size
                if end >= size or data[end] not in _SPECIAL_BYTES:
                    break
            yield _fallback([data[pos:end]], header, report, keys)
        else:
            ends = [data.find(mark, pos) for mark in (b"\n#", b"\n{", b"\n\n")]
            found = [at for at in ends if at >= 0]
            end = min(found) + 1 if found else size
            part = data[pos:end]
            items: list[Item] | RowBlock | None = None
            if len(part) < MAX_LINE:
                items = (
                    _rows(part, header, report) if rows else _columns(part, header, report, keys)
                )
            yield items if items is not None else _fallback([part], header, report, keys)
        pos = end


def _fallback(parts: list[bytes], header: _Header, report: ReadReport, keys: bool) -> list[Item]:
    """Read whole lines with the line parser, after replaying the header that sets its state."""
    stream = _Lines(io.BytesIO(b"".join(parts)), encoding="utf-8", errors="replace", newline="")
    stream.source = report.source
    return list(_replayed(stream, header, report, keys))


def _tail(
    data: bytes, raw: IO[bytes], header: _Header, report: ReadReport, keys: bool
) -> Iterator[list[Item]]:
    """The rest of the file through the line parser, as a stream (a line too long to hold)."""
    stream = _Lines(
        io.BufferedReader(_Prefixed(data, raw)), encoding="utf-8", errors="replace", newline=""
    )
    stream.source = report.source
    batch: list[Item] = []
    for item in _replayed(stream, header, report, keys):
        batch.append(item)
        if len(batch) >= 10_000:
            yield batch
            batch = []
    yield batch


def _replayed(
    lines: Iterable[str], header: _Header, report: ReadReport, keys: bool
) -> Iterator[Item]:
    """``_scan`` over ``lines`` in the state ``header`` holds, counted into ``report``.

    The replayed header lines are numbered just before the block's first line
    and everything they produce (an ignored count, a problem, even an event
    for a replayed first data line) is dropped when the block begins.
    """
    scratch = ReadReport(report.source)
    replay = list(header.replay)
    scratch.lines = report.lines - len(replay)
    started = False

    def feed() -> Iterator[str]:
        nonlocal started
        yield from replay
        scratch.events = scratch.ignored = scratch.bad = 0
        scratch.problems = []
        started = True
        for raw in lines:
            header.see(raw)
            yield raw

    for item in _scan(feed(), scratch, keys=keys):
        if started:
            yield item
    report.lines = max(scratch.lines, report.lines)
    report.events += scratch.events
    report.ignored += scratch.ignored
    for problem in scratch.problems:
        report.problem(problem.line, problem.reason)
    report.bad += scratch.bad - len(scratch.problems)


class _Checked:
    """A block's columns once every check passed: what each output is built from."""

    __slots__ = ("codes", "ignored", "lines", "ports", "proto", "seconds", "sources", "targets")

    def __init__(
        self,
        lines: int,
        ignored: int,
        sources: pa.ChunkedArray,
        targets: pa.ChunkedArray,
        ports: pa.ChunkedArray,
        seconds: pa.ChunkedArray,
        proto: pa.ChunkedArray,
        codes: pa.ChunkedArray,
    ) -> None:
        self.lines = lines
        self.ignored = ignored
        self.sources = sources
        self.targets = targets
        self.ports = ports
        self.seconds = seconds
        self.proto = proto
        self.codes = codes


def _columns(part: bytes, header: _Header, report: ReadReport, keys: bool) -> list[Item] | None:
    """The items of a block of plain data lines, or None when the line parser must judge it."""
    checked = _check(part, header)
    if checked is None:
        return None
    sources: list[int] | list[IPAddress] | None
    targets: list[int] | list[IPAddress] | None
    if keys:
        sources = _keys(checked.sources)
        targets = _keys(checked.targets)
    else:
        sources = _addresses(checked.sources)
        targets = _addresses(checked.targets)
    if sources is None or targets is None:
        return None
    seconds = checked.seconds.to_pylist()
    port_list = checked.ports.to_pylist()
    codes = checked.codes
    items: list[Item]
    if keys:
        # zip builds the observe rows in C; a comprehension costs a Python step per row
        established = pc.equal(codes, _E).to_pylist()
        items = list(
            zip(sources, targets, port_list, seconds, established, repeat(True), strict=False)
        )
    else:
        order = _ORDER
        stamp = datetime.fromtimestamp
        items = [
            ConnectionEvent(stamp(t, UTC), s, d, p, pr, order[c], True)
            for s, d, p, pr, t, c in zip(
                sources,
                targets,
                port_list,
                checked.proto.to_pylist(),
                seconds,
                codes.to_pylist(),
                strict=True,
            )
        ]
    report.lines += checked.lines
    report.ignored += checked.ignored
    report.events += len(items)
    return items


def _rows(part: bytes, header: _Header, report: ReadReport) -> RowBlock | None:
    """A block of plain data lines as ``observe`` rows; None when the line parser must judge it."""
    checked = _check(part, header)
    if checked is None:
        return None
    sources = _keys(checked.sources)
    targets = _keys(checked.targets)
    seconds = _event_seconds(checked.seconds)
    if sources is None or targets is None or seconds is None:
        return None
    pairs = pa.table({"s": checked.sources, "p": checked.proto}).group_by(["s", "p"]).aggregate([])
    established = pc.equal(checked.codes, _E).to_pylist()
    rows: list[ObserveRow] = list(
        zip(
            sources,
            targets,
            checked.ports.to_pylist(),
            seconds,
            established,
            repeat(True),
            repeat(False),
            strict=False,
        )
    )
    report.lines += checked.lines
    report.ignored += checked.ignored
    report.events += len(rows)
    return RowBlock(rows, pairs)


def _event_seconds(seconds: pa.ChunkedArray) -> list[float] | None:
    """``datetime.fromtimestamp(t, UTC).timestamp()`` of each time, on whole columns.

    ``fromtimestamp`` rounds the fraction to microseconds, half to even, and
    ``timestamp()`` divides the whole microseconds by a million, correctly
    rounded; both steps are exact here below :data:`_EXACT_SECONDS`.
    """
    if not len(seconds):
        return []
    if pc.max(seconds).as_py() >= _EXACT_SECONDS:
        return None
    whole = pc.trunc(seconds)
    micro = pc.round(
        pc.multiply(pc.subtract(seconds, whole), 1e6), ndigits=0, round_mode="half_to_even"
    )
    total = pc.add(pc.multiply(pc.cast(whole, pa.int64()), 1_000_000), pc.cast(micro, pa.int64()))
    result: list[float] = pc.divide(pc.cast(total, pa.float64()), 1e6).to_pylist()
    return result


def _event_rows(events: list[Item]) -> RowBlock:
    """Events the line parser read, as ``feed_many`` would hand them to ``observe``."""
    rows: list[ObserveRow] = []
    pairs: set[tuple[str, str]] = set()
    for event in events:
        assert isinstance(event, ConnectionEvent)
        source = address_key(event.source)
        rows.append(
            (
                source,
                address_key(event.target),
                event.port,
                event.time.timestamp(),
                event.outcome in _ANSWERED,
                event.accepted,
                event.outcome is Outcome.PROBED,
            )
        )
        pairs.add((str(event.source), event.protocol))
    texts, protocols = zip(*pairs, strict=True) if pairs else ((), ())
    table = pa.table({"s": pa.array(texts, pa.string()), "p": pa.array(protocols, pa.string())})
    return RowBlock(rows, table)


def _check(part: bytes, header: _Header) -> _Checked | None:
    """A block's checked columns, or None when the line parser must judge it."""
    if b"\r" in part:
        return None
    zeek = header.zeek
    assert zeek.pick is not None
    names = zeek.names
    at = {name: names.index(name) for name in ("ts", "id.orig_h", "id.resp_h")}
    at |= {name: names.index(name) for name in ("id.resp_p", "proto", "conn_state")}
    hist_at, pkts_at = zeek.extra
    wanted = sorted({*at.values(), *(i for i in (hist_at, pkts_at) if i is not None)})
    columns = [f"c{i}" for i in range(zeek.width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(part),
            read_options=pacsv.ReadOptions(column_names=columns, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=zeek.separator,
                quote_char=False,
                escape_char=False,
                double_quote=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=[columns[i] for i in wanted],
                column_types={columns[i]: pa.string() for i in wanted},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    lines = part.count(b"\n")
    if table.num_rows != lines:
        return None

    def col(index: int) -> pa.ChunkedArray:
        return table.column(columns[index])

    proto = col(at["proto"])
    if not pc.all(pc.is_in(proto, pa.array(["tcp", "udp", "icmp", "unknown_transport"]))).as_py():
        return None
    ignore = pc.equal(proto, "unknown_transport")
    history = col(hist_at) if hist_at is not None else None
    if history is not None:
        mid = pc.and_(
            pc.invert(pc.match_substring(history, "S")),
            pc.or_(pc.match_substring(history, "D"), pc.match_substring(history, "H")),
        )
        ignore = pc.or_(ignore, pc.and_(pc.equal(proto, "tcp"), mid))
    kept = pc.invert(ignore)
    ignored = lines - pc.sum(kept.cast(pa.int64())).as_py() if lines else 0
    table = table.filter(kept)
    state = col(at["conn_state"])
    if not pc.all(pc.is_in(state, pa.array(_KNOWN_STATES))).as_py():
        return None
    port_text = col(at["id.resp_p"])
    ts_text = col(at["ts"])
    if len(port_text) and not (
        pc.all(pc.match_substring_regex(port_text, _PORT)).as_py()
        and pc.all(pc.match_substring_regex(ts_text, _TIME)).as_py()
    ):
        return None
    ports = pc.cast(port_text, pa.int64())
    if len(ports) and pc.max(ports).as_py() > 65535:
        return None
    return _Checked(
        lines,
        ignored,
        col(at["id.orig_h"]),
        col(at["id.resp_h"]),
        ports,
        pc.cast(ts_text, pa.float64()),
        col(at["proto"]),
        _outcomes(table, columns, at, hist_at, pkts_at),
    )


def _outcomes(
    table: pa.Table,
    columns: list[str],
    at: dict[str, int],
    hist_at: int | None,
    pkts_at: int | None,
) -> pa.ChunkedArray:
    """Each row's outcome code, by the rules of ``zeek.outcome`` applied to whole columns."""
    state = table.column(columns[at["conn_state"]])
    rows = len(state)
    silent = (
        pc.equal(table.column(columns[pkts_at]), "0")
        if pkts_at is not None
        else pa.chunked_array([pa.array([False] * rows, pa.bool_())])
    )
    unanswered = pa.array([s for s, o in STATES.items() if o is Outcome.UNANSWERED])
    rejected = pa.array([s for s, o in STATES.items() if o is Outcome.REJECTED])
    code = pc.if_else(
        pc.is_in(state, unanswered), _U, pc.if_else(pc.is_in(state, rejected), _R, _E)
    )
    if hist_at is not None:
        history = table.column(columns[hist_at])
        refused = pc.and_(
            pc.and_(pc.equal(state, "RSTR"), pc.invert(pc.is_in(history, pa.array(["", "-"])))),
            pc.invert(pc.match_substring(history, "h")),
        )
        code = pc.if_else(refused, _R, code)
    quiet = pc.and_(pc.or_(pc.equal(state, "OTH"), pc.is_in(state, pa.array(["", "-"]))), silent)
    return pc.if_else(quiet, _U, code)


def _addresses(column: pa.ChunkedArray) -> list[IPAddress] | None:
    """Each row's address, parsed once per distinct text; None if one does not parse."""
    encoded = column.combine_chunks().dictionary_encode() if len(column) else None
    if encoded is None:
        return []
    assert isinstance(encoded, pa.DictionaryArray)
    found: list[IPAddress] = []
    cache = IP_CACHE
    try:
        for text in encoded.dictionary.to_pylist():
            found.append(cache.get(text) or parse_ip(text))
    except LINE_ERRORS:
        return None
    return [found[i] for i in encoded.indices.to_pylist()]


def _keys(column: pa.ChunkedArray) -> list[int] | None:
    """Each row's detector key, computed once per distinct text; None if one does not parse."""
    encoded = column.combine_chunks().dictionary_encode() if len(column) else None
    if encoded is None:
        return []
    assert isinstance(encoded, pa.DictionaryArray)
    found: list[int] = []
    cache = KEY_CACHE
    try:
        for text in encoded.dictionary.to_pylist():
            found.append(cache.get(text) or _key_miss(text))
    except LINE_ERRORS:
        return None
    return [found[i] for i in encoded.indices.to_pylist()]
