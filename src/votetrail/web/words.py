"""What people read instead of internal names, microseconds and bare hashes.

A county clerk reads "Cast vote records", "Adams County" and "Nov 3, 2026,
8:14 PM MST"; the exact UTC instant stays in the element's ``title`` and the
full hashes behind a "How to check" fold (``templates/_words.html``), since an
auditor still needs them. Registered as Jinja filters by ``templating.py`` so
every page says things the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from markupsafe import Markup, escape

from votetrail.services.office_zone import zone

KINDS = {
    "cvrs": "Cast vote records",
    "manifest": "Ballot manifest",
    "paper_counts": "Paper-record counts",
    "check_ins": "Poll-book check-ins",
    "reported_results": "Reported results",
}
"""Upload kinds as the county page's forms title them (``web/county.py`` FORMS)."""


FINDINGS = {
    "missing_paper": "Ballots without a paper record",
    "manifest_short": "Fewer paper ballots than the manifest says",
    "cvr_not_in_manifest": "Tabulated ballots missing from the manifest",
    "paper_without_cvr": "Paper ballots without a cast vote record",
    "manifest_batch_without_cvrs": "Manifest batch with no tabulated ballots",
    "duplicate_cvr_id": "The same cast vote record id twice",
    "more_ballots_than_checkins": "More ballots than voters checked in",
    "fewer_ballots_than_checkins": "Fewer ballots than voters checked in",
    "device_count_changed": "A tabulator's count changed since the last upload",
}
"""Ballot-accounting finding kinds (``core/accounting/findings.py`` ``FindingKind``)."""

EVENTS = {
    "log.created": "Log started",
    "log.annotation": "Remark (text not kept)",
    "log.remark": "Remark",
    "key.rotated": "Signing key replaced",
    "jurisdiction.created": "County or state added",
    "jurisdiction.updated": "County or state changed",
    "user.created": "Account created",
    "user.updated": "Account changed",
    "user.signed_out_everywhere": "Account signed out everywhere",
    "access.denied": "Request refused",
    "access.denied_repeated": "Repeated requests refused",
    "account.password_changed": "Password changed",
    "account.password_reset": "Password reset by an administrator",
    "account.totp_enrolled": "Second factor turned on",
    "account.totp_removed": "Second factor removed",
    "upload.cvrs": "Cast vote records imported",
    "upload.manifest": "Ballot manifest uploaded",
    "upload.paper_counts": "Paper-record counts uploaded",
    "upload.check_ins": "Poll-book check-ins uploaded",
    "upload.reported_results": "Reported results uploaded",
    "upload.replaced": "Upload replaced",
    "netmon.ingested": "Network logs read",
    "voter.registered": "Voter registered",
    "voter.address_changed": "Voter's address changed",
    "voter.name_changed": "Voter's name changed",
    "voter.party_changed": "Voter's party changed",
    "voter.made_inactive": "Voter made inactive",
    "voter.cancelled": "Voter registration cancelled",
    "voter.reinstated": "Voter registration reinstated",
    "voters.imported": "Voter list imported",
    "voters.map_updated": "Voter list summary updated",
    "voters.participation_loaded": "Voting history loaded",
    "voters.participation_updated": "Voting history updated",
    "voters.alert": "Voter list alert raised",
    "voters.alert_acknowledged": "Voter list alert acknowledged",
    "voters.review_found": "Possible duplicate voters found",
    "voters.review_opened": "Duplicate review opened",
    "voters.review_decided": "Duplicate review decided",
    "voters.review_closed": "Duplicate review closed",
    "voters.exported": "Voter list exported",
    "lat.definition_loaded": "L&A test deck loaded",
    "lat.session_opened": "L&A test opened",
    "lat.device_added": "Machine added to an L&A test",
    "lat.result_recorded": "L&A test result recorded",
    "lat.device_sealed": "Tested machine sealed",
    "lat.device_left_unsealed": "Tested machine left unsealed",
    "lat.session_signed": "L&A test signed",
    "audit.created": "Audit created",
    "audit.contest_included": "Contest added to an audit",
    "audit.county_included": "County added to an audit",
    "audit.status_changed": "Audit status changed",
    "audit.seed_set": "Audit random seed set",
    "audit.round_drawn": "Audit sample drawn",
    "audit.ballot_drawn": "Ballot drawn for the audit",
    "audit.board_created": "Audit board set up",
    "audit.board_link_issued": "Audit board sign-in link issued",
    "audit.board_link_revoked": "Audit board sign-in link revoked",
    "audit.board_signed_in": "Audit board signed in",
    "audit.ballots_assigned": "Ballots given to an audit board",
    "audit.interpretation_recorded": "Audit board read a ballot",
    "audit.board_signed_off": "Audit board signed off",
    "audit.round_closed": "Audit round measured",
    "audit.batch_drawn": "Batch drawn for the audit",
    "audit.batch_tallied": "Audit batch hand-counted",
    "audit.batches_signed_off": "Audit batch counts signed off",
    "audit.batch_round_measured": "Batch audit round measured",
    "publication.published": "Document published",
    "publication.corrected": "Published document corrected",
    "publication.withdrawn": "Published document withdrawn",
    "witness.added": "Witness added",
    "witness.removed": "Witness removed",
}
"""Log event types in words; ``tests/web/test_words.py`` checks every declared type has one."""

RECORDS = {
    "setting": "Setting",
    "jurisdiction": "County or state",
    "user": "Account",
    "account_security": "Account sign-in settings",
    "upload": "Upload",
    "upload_replacement": "Replaced upload",
    "netmon_ingest": "Network log",
    "voter": "Voter",
    "voter_import": "Voter list import",
    "voter_map": "Voter list summary",
    "voter_participation": "Voting history",
    "voter_review": "Duplicate review",
    "voter_alert": "Voter list alert",
    "lat_definition": "L&A test deck",
    "lat_session": "L&A test",
    "lat_device": "Tested machine",
    "lat_result": "L&A test result",
    "lat_unsealed_device": "Unsealed machine",
    "audit": "Audit",
    "audit_contest": "Audited contest",
    "audit_county": "Audited county",
    "audit_seed": "Audit seed",
    "audit_round": "Audit round",
    "audit_draw": "Drawn ballot",
    "audit_board": "Audit board",
    "audit_board_link": "Audit board sign-in link",
    "audit_assignment": "Ballot assignment",
    "audit_interpretation": "Ballot reading",
    "audit_signoff": "Audit board sign-off",
    "audit_round_result": "Audit round result",
    "audit_batch_draw": "Drawn batch",
    "audit_batch_tally": "Batch hand count",
    "audit_batch_signoff": "Batch sign-off",
    "audit_batch_result": "Batch round result",
    "witness": "Witness",
    "publication": "Publication",
    "publication_withdrawal": "Withdrawal",
    "log_remark": "Remark",
}
"""Record types (``store/records.py``) as a column of the log names them."""


SCANS = {
    "vertical": "Many ports of one host",
    "horizontal": "One port on many hosts",
    "mixed": "Many ports on many hosts",
    "trw": "Sparse scan (failed first contacts)",
    "probe": "Scanner probes",
    "internal": "Internal host scanning (likely compromised)",
    "slow": "Slow scan (over 24 hours)",
    "distributed": "Distributed scan (one network, many sources)",
}
"""Scan kinds (``core/netmon/incidents.py`` ``IncidentKind``) as the network page names them."""


def _words(table: dict[str, str], key: object) -> str:
    text = str(key)
    return table.get(text, text.replace("_", " ").replace(".", ": ").capitalize())


def kind_label(kind: object) -> str:
    """An upload kind or an accounting finding kind in words."""
    text = str(kind)
    return KINDS.get(text) or FINDINGS.get(text) or text.replace("_", " ").capitalize()


def finding_label(kind: object) -> str:
    return _words(FINDINGS, kind)


def event_label(name: object) -> str:
    """ "Cast vote records imported" for ``upload.cvrs``; the type itself stays in a title."""
    return _words(EVENTS, name)


def scan_label(kind: object) -> str:
    return _words(SCANS, kind)


def record_label(record_type: object) -> str:
    return _words(RECORDS, record_type)


def log_size(size: object) -> str:
    """ "the signed log of 76 entries" for a checkpoint of size 76: what it covers, in words.

    A checkpoint's "size" is how many entries it commits to; readers count
    entries, not tree sizes.
    """
    try:
        count = int(str(size))
    except ValueError:
        return f"the signed log ({size})"
    noun = "entry" if count == 1 else "entries"
    return f"the signed log of {count:,} {noun}"


def county_name(slug: object, name: object = None) -> str:
    """ "Adams County" for ``adams``; a stored display name wins when there is one."""
    if isinstance(name, str) and name.strip():
        return name
    text = str(slug).replace("-", " ").replace("_", " ").title()
    return text if text.endswith("County") else f"{text} County"


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def local_time(value: object, seconds: bool = False) -> str:
    """ "Nov 3, 2026, 8:14 PM MST" in the office's zone; anything else as given."""
    moment = _as_datetime(value)
    if moment is None:
        return value.strftime("%b %-d, %Y") if isinstance(value, date) else str(value or "")
    local = moment.astimezone(zone())
    clock = "%-I:%M:%S %p" if seconds else "%-I:%M %p"
    return local.strftime(f"%b %-d, %Y, {clock} %Z")


def when(value: object, seconds: bool = False) -> Markup:
    """A ``<time>`` element: local words shown, the exact UTC instant in ``datetime``/``title``."""
    moment = _as_datetime(value)
    if moment is None:
        return escape(local_time(value, seconds))
    exact = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    shown = local_time(moment, seconds)
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(exact, shown)


def short_hash(value: object, length: int = 12) -> str:
    """The first characters of a hash, for a line of text; the whole value sits in a fold."""
    text = str(value or "")
    return text if len(text) <= length else text[:length] + "…"


FILTERS = {
    "kind_label": kind_label,
    "finding_label": finding_label,
    "event_label": event_label,
    "record_label": record_label,
    "scan_label": scan_label,
    "log_size": log_size,
    "county_name": county_name,
    "local_time": local_time,
    "when": when,
    "short_hash": short_hash,
}

__all__ = [
    "EVENTS",
    "FILTERS",
    "FINDINGS",
    "KINDS",
    "RECORDS",
    "SCANS",
    "county_name",
    "event_label",
    "finding_label",
    "kind_label",
    "local_time",
    "log_size",
    "record_label",
    "scan_label",
    "short_hash",
    "when",
]
