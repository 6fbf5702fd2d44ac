"""Every kind of event the log records, declared once.

``docs/events.md`` is generated from this table (``votetrail docs events``)
and a test keeps the two equal, so the public description of what the log
contains can never fall behind the code that writes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from votetrail.core.ledger.canonical import canonical_bytes

__all__ = ["EVENT_TYPES", "EventType", "LogEntry", "event_type"]


@dataclass(frozen=True)
class EventType:
    """A declared event: its name, the record it concerns, and why it exists."""

    name: str
    record_type: str | None
    summary: str
    removes_record: bool = False


_DECLARED = (
    EventType("log.created", "setting", "The log was started; records its origin name."),
    EventType(
        "key.rotated",
        "setting",
        "The log's signing key was replaced; the setting holds the rotation statement, "
        "signed by the old and the new key, naming the old key's last checkpoint.",
    ),
    EventType("jurisdiction.created", "jurisdiction", "A state or county was added."),
    EventType("jurisdiction.updated", "jurisdiction", "A jurisdiction's name changed."),
    EventType("user.created", "user", "An account was created with a role and jurisdiction."),
    EventType(
        "user.updated", "user", "An account's role, jurisdiction, password or status changed."
    ),
    EventType(
        "access.denied",
        None,
        "Someone asked for a page or action their role or county does not allow. Logged "
        "once per user, request and hour; repeats are counted (see access.denied_repeated).",
    ),
    EventType(
        "access.denied_repeated",
        None,
        "The same refusal was repeated within one UTC hour; logged after that hour with the "
        "hour's total count, so repeated requests cannot grow the log one entry at a time.",
    ),
    EventType(
        "account.password_changed",
        "account_security",
        "An account's user changed its own password, giving the current one; every other "
        "session of the account ended. The record holds no password or hash.",
    ),
    EventType(
        "account.password_reset",
        "account_security",
        "An administrator gave an account a temporary password; the user must change it at "
        "the next sign-in, its sessions ended and its second factor was removed.",
    ),
    EventType(
        "account.totp_enrolled",
        "account_security",
        "An administrator's account enrolled a TOTP second factor (the secret is never logged).",
    ),
    EventType(
        "account.totp_removed",
        "account_security",
        "An account's TOTP second factor was removed by its user, giving the password.",
    ),
    EventType(
        "user.signed_out_everywhere",
        None,
        "An administrator ended every signed-in session of an account (the user's password "
        "change does the same, as part of user.updated).",
    ),
    EventType(
        "upload.cvrs",
        "upload",
        "A county imported cast vote records; the record holds each file's SHA-256, the "
        "record count and a Merkle root over the canonical CVRs.",
    ),
    EventType(
        "upload.manifest",
        "upload",
        "A county imported its ballot manifest (batches of paper ballots per tabulator).",
    ),
    EventType(
        "upload.paper_counts",
        "upload",
        "A county imported how many paper records each device saved.",
    ),
    EventType(
        "upload.check_ins",
        "upload",
        "A county imported poll-book check-in counts per precinct.",
    ),
    EventType(
        "upload.reported_results",
        "upload",
        "A county imported the results it reported (contest, choice, votes as published); an "
        "audit is launched only while its CVR totals equal them.",
    ),
    EventType(
        "upload.replaced",
        "upload_replacement",
        "An official confirmed that a new upload replaces an earlier one of its kind (logged "
        "with the new upload, in one transaction); the earlier upload's records stay stored and "
        "proven but are no longer counted. The record names both uploads, who and when.",
    ),
    EventType(
        "netmon.ingested",
        "netmon_ingest",
        "A network log (or a batch of a watched one) was read by the scan monitor; the record "
        "holds the file's SHA-256, its line counts and the incidents it raised, each with the "
        "SHA-256 of the incident as stored (verify holds every incident row to it).",
    ),
    EventType(
        "voter.registered",
        "voter",
        "A voter was registered; the hash covers the new record's first version (identifiers "
        "only as keyed hashes and ciphertext) and the transaction: who, why, on which source "
        "document, when.",
    ),
    EventType(
        "voter.address_changed",
        "voter",
        "A voter's residence or mailing address (and so perhaps precinct) changed.",
    ),
    EventType("voter.name_changed", "voter", "A voter's name changed."),
    EventType("voter.party_changed", "voter", "A voter's party affiliation changed."),
    EventType(
        "voter.made_inactive",
        "voter",
        "A voter was made inactive, e.g. when an NVRA confirmation notice was sent.",
    ),
    EventType(
        "voter.cancelled",
        "voter",
        "A registration was cancelled with its reason (moved, deceased, duplicate, voter "
        "request, ...), by a person, under the NVRA's rules.",
    ),
    EventType("voter.reinstated", "voter", "A cancelled or inactive registration was restored."),
    EventType(
        "voters.imported",
        "voter_import",
        "A voter file was loaded in one transaction; the record holds the file's SHA-256, the "
        "record count and a Merkle root over the versions it created with their transaction "
        "facts (who, why, which line of the file, when).",
    ),
    EventType(
        "voters.map_updated",
        "voter_map",
        "The root of the voter map, a Merkle tree over every current voter record, after a "
        "change to the list; every checkpoint thereby commits to the whole list.",
    ),
    EventType(
        "voters.participation_loaded",
        None,
        "Who voted in an election was loaded (file SHA-256, election, count), so changes to "
        "recent voters can be flagged.",
    ),
    EventType(
        "voters.participation_updated",
        "voter_participation",
        "Who voted in one election as it now stands after a load: the hash covers every "
        "(voter, day, method) row of the election, so none can be added, edited or removed "
        "unseen.",
    ),
    EventType(
        "voters.alert",
        "voter_alert",
        "An unusual pattern of changes to the voter list was raised for the state admin; the "
        "hash covers the stored alert.",
    ),
    EventType(
        "voters.alert_acknowledged",
        "voter_alert",
        "The state administrator acknowledged a voter-list alert (who, in the stored alert).",
    ),
    EventType(
        "voters.review_found",
        None,
        "List maintenance proposed possible duplicates, deaths or moves for review "
        "(method, threshold, count); nothing was changed.",
    ),
    EventType(
        "voters.review_opened",
        "voter_review",
        "One list-maintenance finding was put in the review queue; the hash covers the stored "
        "item (kind, voters, score, details).",
    ),
    EventType(
        "voters.review_decided",
        "voter_review",
        "A person confirmed or rejected a list-maintenance finding; the hash covers the stored "
        "item with the decision, who made it, when and why.",
    ),
    EventType(
        "voters.review_closed",
        "voter_review",
        "A confirmed list-maintenance finding was closed by the cancellation that cites it, in "
        "the same transaction; the hash covers the stored item.",
    ),
    EventType(
        "voters.exported",
        None,
        "Voter data left the system: a poll book or a cross-state token file (its SHA-256).",
    ),
    EventType(
        "lat.definition_loaded",
        "lat_definition",
        "A county loaded an election definition for logic and accuracy testing; the record "
        "holds the file's SHA-256 and the canonical definition the test decks come from.",
    ),
    EventType(
        "lat.session_opened",
        "lat_session",
        "A public logic and accuracy test was opened: pre- or post-election, date, place and "
        "the observers present.",
    ),
    EventType(
        "lat.device_added",
        "lat_device",
        "A tabulator was put under test: serial number, kind, precincts and the seal found on it.",
    ),
    EventType(
        "lat.result_recorded",
        "lat_result",
        "A tabulator's report of the test deck was compared with the expected results; the "
        "record holds the report's SHA-256, pass or fail and every discrepancy in words.",
    ),
    EventType(
        "lat.device_sealed",
        "lat_device",
        "A tested tabulator was sealed; the record holds the new seal number.",
    ),
    EventType(
        "lat.device_left_unsealed",
        "lat_unsealed_device",
        "An official recorded why a tested tabulator was not sealed after the test; the "
        "reason is printed on the certificate in place of a seal number.",
    ),
    EventType(
        "lat.session_signed",
        "lat_session",
        "The officials signed off a logic and accuracy test; no results can be added after.",
    ),
    EventType(
        "audit.created",
        "audit",
        "The state administrator set up a risk-limiting audit: election, method, risk limit "
        "and whether ballots are drawn with replacement (logged with its contests and counties).",
    ),
    EventType(
        "audit.contest_included",
        "audit_contest",
        "A contest was put in an audit, targeted (it must be confirmed) or opportunistic.",
    ),
    EventType(
        "audit.county_included",
        "audit_county",
        "A county was put in an audit: its current ballots are in the sampling frame.",
    ),
    EventType(
        "audit.status_changed",
        "audit",
        "An audit moved on (set_up, seed_set, sampling, confirmed, full_hand_count); the "
        "record holds the new status.",
    ),
    EventType(
        "audit.seed_set",
        "audit_seed",
        "The public random seed was entered at the seed ceremony with the witnesses' names, "
        "before any sample existed; it can never be set again.",
    ),
    EventType(
        "audit.round_drawn",
        "audit_round",
        "A round's sample was drawn: its size, the draws per county and the SHA-256 of the "
        "sampling frame (logged with every draw, in one transaction).",
    ),
    EventType(
        "audit.ballot_drawn",
        "audit_draw",
        "One ticket of a round's sample, in draw order: ticket number, county, ballot id and "
        "where the ballot is kept.",
    ),
    EventType(
        "audit.board_created",
        "audit_board",
        "A county set up an audit board: its name, its two members of different parties and "
        "the board's own account (logged with that account, whose password nobody is shown).",
    ),
    EventType(
        "audit.board_link_issued",
        "audit_board_link",
        "A one-time sign-in link was issued to an audit board; only the token's SHA-256 is "
        "kept, with when it expires.",
    ),
    EventType(
        "audit.board_link_revoked",
        "audit_board_link",
        "An unused sign-in link stopped working because a newer one was issued to the board.",
    ),
    EventType(
        "audit.board_signed_in",
        "audit_board_link",
        "An audit board signed in with its one-time link, which is now used up.",
    ),
    EventType(
        "audit.ballots_assigned",
        "audit_assignment",
        "A sampled ballot of a round was given to an audit board to examine (whole batches "
        "go to one board).",
    ),
    EventType(
        "audit.interpretation_recorded",
        "audit_interpretation",
        "An audit board entered (or corrected, before signing off) what one contest on a "
        "sampled paper ballot shows.",
    ),
    EventType(
        "audit.board_signed_off",
        "audit_signoff",
        "An audit board's members signed off a round: their entries for it can no longer change.",
    ),
    EventType(
        "audit.round_closed",
        "audit_round_result",
        "A round was closed: one contest's measured risk and the decision (confirmed, "
        "continue or full_hand_count), logged for every contest in one transaction.",
    ),
    EventType(
        "audit.batch_drawn",
        "audit_batch_draw",
        "One draw of a batch-comparison round (PPEB, with replacement), in draw order: "
        "ticket number, county, batch and its error bound (logged with the round).",
    ),
    EventType(
        "audit.batch_tallied",
        "audit_batch_tally",
        "A county entered (or corrected, before signing off) the hand tally of a sampled "
        "batch per contest and choice, or recorded that the batch could not be found.",
    ),
    EventType(
        "audit.batches_signed_off",
        "audit_batch_signoff",
        "A county signed off its hand tallies of a batch-comparison round: they can no "
        "longer change.",
    ),
    EventType(
        "audit.batch_round_measured",
        "audit_batch_result",
        "The state measured a batch-comparison round: one contest's MACRO risk and the "
        "decision, logged for every contest in one transaction.",
    ),
    EventType(
        "publication.published",
        "publication",
        "An office published a document (results, a notice, a polling-place change, a press "
        "release or a rumor response): the record holds its title, kind, office and the "
        "SHA-256 of its bytes (of a statement: of its normalised text).",
    ),
    EventType(
        "publication.corrected",
        "publication",
        "An office published a correction: a new publication whose record names the one it "
        "supersedes; the earlier one stays listed, marked as corrected.",
    ),
    EventType(
        "publication.withdrawn",
        "publication_withdrawal",
        "An office withdrew a publication, giving the reason; it stays listed as withdrawn.",
    ),
    EventType(
        "witness.added",
        "witness",
        "The office began accepting C2SP cosignatures from a witness: its name and key.",
    ),
    EventType(
        "witness.removed",
        "witness",
        "The office stopped accepting cosignatures from a witness.",
        removes_record=True,
    ),
    EventType(
        "log.annotation",
        None,
        "An official's remark of which the log keeps only the SHA-256, not the text "
        "(remarks made before log.remark existed); new remarks are log.remark.",
    ),
    EventType(
        "log.remark",
        "log_remark",
        "An official's public remark entered into the log, such as the start of a canvass: "
        "its text, who wrote it and when, shown with its entry on the public log.",
    ),
)

EVENT_TYPES: dict[str, EventType] = {e.name: e for e in _DECLARED}


def event_type(name: str) -> EventType:
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise ValueError(f"undeclared event type {name!r}") from None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One event as the log commits to it.

    The position is not part of the leaf: a tree already fixes each leaf's
    place, and leaving it out lets ``verify`` recognise an entry that was moved
    rather than merely edited.
    """

    event_type: str
    actor: str
    jurisdiction: str | None
    occurred_at: str
    record_type: str | None
    record_id: str | None
    payload_hash: str

    def leaf(self) -> bytes:
        return canonical_bytes(
            {
                "v": 1,
                "type": self.event_type,
                "actor": self.actor,
                "jurisdiction": self.jurisdiction,
                "time": self.occurred_at,
                "record_type": self.record_type,
                "record_id": self.record_id,
                "payload_sha256": self.payload_hash,
            }
        )
