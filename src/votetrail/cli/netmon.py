"""``votetrail netmon``: read network logs for scans, follow a live log, list what was found."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from votetrail.cli.options import DatabaseUrl, DataDir, write_text
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import CsvWriter
from votetrail.formats.netmon.home_networks import Network, load_home_networks, parse_networks
from votetrail.formats.netmon.logs.iptables_prefixes import (
    DEFAULT_PREFIXES,
    Prefixes,
    load_prefixes,
)
from votetrail.services.context import open_app
from votetrail.services.netmon import ingest as netmon
from votetrail.services.netmon.alerts import SmtpTarget, WebhookTarget, send_alerts

netmon_cli = typer.Typer(
    help="Network monitoring: scans found in firewall logs.", no_args_is_help=True
)

Actor = Annotated[str, typer.Option(help="Who is doing this, for the log.")]
Year = Annotated[
    int | None,
    typer.Option(help="Year of BSD syslog stamps, which carry none [default: this year]."),
]
Config = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Netmon settings (TOML); its [iptables] table sets the prefix rules, "
        "[netmon] home_net the office's networks. See docs/netmon-formats.md.",
    ),
]
HomeNet = Annotated[
    list[str] | None,
    typer.Option(
        "--home-net",
        help="One of the office's own networks, CIDR (repeat; adds to the settings file's). "
        "Scans are traffic into them; an inside host that sweeps is reported as internal. "
        "[default: none: direction unknown, every source judged]",
    ),
]
BlockedPrefix = Annotated[
    list[str] | None,
    typer.Option(help="A word in iptables log prefixes meaning blocked (repeat; adds)."),
]
AllowedPrefix = Annotated[
    list[str] | None,
    typer.Option(help="A word in iptables log prefixes meaning allowed (repeat; adds)."),
]
Unprefixed = Annotated[
    str | None,
    typer.Option(
        help="What iptables lines without a log prefix count as: blocked, allowed, "
        "ignored or bad [default: blocked]."
    ),
]


def _prefixes(
    config: Path | None,
    blocked: list[str] | None,
    allowed: list[str] | None,
    unprefixed: str | None,
) -> Prefixes:
    """The iptables prefix rules: defaults, then the settings file, then the options."""
    base = load_prefixes(config) if config is not None else DEFAULT_PREFIXES
    return base.adding(
        blocked=tuple(blocked or ()), allowed=tuple(allowed or ()), unprefixed=unprefixed
    )


def _home_networks(config: Path | None, home_net: list[str] | None) -> tuple[Network, ...]:
    """The office's networks: the settings file's ``home_net``, then ``--home-net`` options."""
    base = load_home_networks(config) if config is not None else ()
    extra = parse_networks(home_net or (), "--home-net")
    return tuple(dict.fromkeys(base + extra))


@netmon_cli.command("ingest")
def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="Logs: pcap, Zeek, iptables, Suricata, ...")],
    year: Year = None,
    alert_smtp: Annotated[
        str | None, typer.Option(help="HOST:PORT of a mail relay for high-severity alerts.")
    ] = None,
    alert_from: Annotated[
        str, typer.Option(help="Sender of alert e-mail.")
    ] = "votetrail@localhost",
    alert_to: Annotated[
        list[str] | None, typer.Option(help="Recipient of alert e-mail (repeat).")
    ] = None,
    alert_webhook: Annotated[
        str | None, typer.Option(help="URL to POST each high-severity incident to, as JSON.")
    ] = None,
    config: Config = None,
    home_net: HomeNet = None,
    blocked_prefix: BlockedPrefix = None,
    allowed_prefix: AllowedPrefix = None,
    unprefixed: Unprefixed = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Actor = "cli",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes detecting a Zeek conn.log, sharded by source "
            "(default: the cores, for files of 8 MiB or more; 1: one process).",
        ),
    ] = None,
) -> None:
    """Read logs, store the scans found and log each file's read; unreadable lines are reported."""
    prefixes = _prefixes(config, blocked_prefix, allowed_prefix, unprefixed)
    home = _home_networks(config, home_net)
    app = open_app(data_dir, database_url)
    result = netmon.ingest(
        app, actor, files, year=year, prefixes=prefixes, home_networks=home, workers=workers
    )
    for f in result.files:
        if not f.created:
            typer.echo(f"{f.name}: already ingested as {f.id}; nothing changed.")
            continue
        typer.echo(
            f"{f.name}: {f.format}, {f.lines:,} lines, {f.events:,} events, {f.ignored:,} ignored, "
            f"{f.bad:,} bad, {f.incidents} incidents (SHA-256 {f.sha256})"
        )
        for message in f.problems:
            typer.echo(f"  problem: {message}", err=True)
    if alert_smtp is None and alert_webhook is None:
        return
    found = netmon.ingest_incidents(app, [f.id for f in result.files if f.created])
    email = None
    if alert_smtp is not None:
        host, _, port = alert_smtp.rpartition(":")
        if not host or not port.isdigit() or not alert_to:
            raise InvalidInput(
                "give --alert-smtp HOST:PORT and at least one --alert-to",
                where=f"--alert-smtp {alert_smtp!r}",
            )
        email = SmtpTarget(host, int(port), alert_from, tuple(alert_to))
    webhook = WebhookTarget(alert_webhook) if alert_webhook is not None else None
    sent = send_alerts(found, email=email, webhook=webhook)
    typer.echo(f"Alerts sent: {sent.emails} e-mails, {sent.webhooks} webhook calls.")


@netmon_cli.command("watch")
def watch_command(
    file: Annotated[Path, typer.Argument(help="A growing text log, followed across rotations.")],
    poll: Annotated[float, typer.Option(help="Seconds between reads.")] = 1.0,
    year: Year = None,
    config: Config = None,
    home_net: HomeNet = None,
    blocked_prefix: BlockedPrefix = None,
    allowed_prefix: AllowedPrefix = None,
    unprefixed: Unprefixed = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Actor = "cli",
) -> None:
    """Follow a log like ``tail -F`` and store new incidents as they appear; Ctrl-C stops."""
    prefixes = _prefixes(config, blocked_prefix, allowed_prefix, unprefixed)
    home = _home_networks(config, home_net)
    app = open_app(data_dir, database_url)

    def told(ingest_id: str, found: list[dict[str, Any]]) -> None:
        for incident in found:
            typer.echo(
                f"{ingest_id}: {incident['kind']} scan from {', '.join(incident['sources'])} "
                f"({incident['ports']} ports, {len(incident['targets'])} hosts)"
            )

    try:
        netmon.watch(
            app,
            actor,
            file,
            poll=poll,
            year=year,
            stop=lambda: False,
            on_ingest=told,
            prefixes=prefixes,
            home_networks=home,
        )
    except KeyboardInterrupt:
        typer.echo("stopped")


class IncidentFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


_CSV_COLUMNS = ("id", "kind", "severity", "sources", "targets", "ports", "first_seen", "last_seen")


@netmon_cli.command("incidents")
def incidents_command(
    day: Annotated[
        str | None, typer.Option(help="Only incidents active that day, YYYY-MM-DD (UTC).")
    ] = None,
    fmt: Annotated[IncidentFormat, typer.Option("--format", help="Output format.")] = (
        IncidentFormat.JSON
    ),
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The stored scan incidents as JSON or CSV."""
    found = netmon.incidents(open_app(data_dir, database_url), _day(day))
    if fmt is IncidentFormat.JSON:
        sys.stdout.write(json.dumps(found, indent=2) + "\n")
        return
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(_CSV_COLUMNS)
    for incident in found:
        writer.writerow(
            " ".join(v) if isinstance(v, list) else v for v in (incident[c] for c in _CSV_COLUMNS)
        )
    sys.stdout.write(buffer.getvalue())


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("must be YYYY-MM-DD", where=f"--day {text!r}") from None


@netmon_cli.command("report")
def report_command(
    day: Annotated[str, typer.Option(help="The day, YYYY-MM-DD (UTC).")],
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The day's HTML report: "N scans today", what got through, charts and every incident."""
    chosen = _day(day)
    assert chosen is not None
    write_text(netmon.daily_report(open_app(data_dir, database_url), chosen), output)


class BlocklistFormat(StrEnum):
    NFTABLES = "nftables"
    IPSET = "ipset"
    PFSENSE = "pfsense"
    CIDR = "cidr"


@netmon_cli.command("blocklist")
def blocklist_command(
    fmt: Annotated[BlocklistFormat, typer.Option("--format", help="Firewall format.")] = (
        BlocklistFormat.CIDR
    ),
    allow: Annotated[
        list[str] | None,
        typer.Option(help="A network never to block (repeat), e.g. the office's own."),
    ] = None,
    skip_label: Annotated[
        list[str] | None,
        typer.Option(help="Leave out incidents with this label, e.g. 'research scanner'."),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every scanning source as a block list for nftables, ipset, pfSense or plain CIDRs."""
    app = open_app(data_dir, database_url)
    text = netmon.blocklist_text(app, fmt.value, allow=allow or [], skip_labels=skip_label or [])
    write_text(text, output)
