"""Alerts for scans that got through, by e-mail and by webhook.

Only ``high`` incidents are sent: those are the scans the firewall let in
and that reached a non-public port, which someone must look at today; the
rest wait for the daily report. Each incident is one message, so a mail
filter or a ticketing webhook can treat it as one case. The webhook body is
the incident's contract JSON (:func:`~votetrail.formats.netmon.outputs.export.incident_record`),
the same shape the JSON export uses.

Delivery failures (a refused connection, an SMTP or HTTP error, a timeout)
are expected when a mail relay or a receiver is down, so they raise
:class:`AlertDeliveryFailed` with the target in the message.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from votetrail.core.netmon.incidents import Incident, Severity
from votetrail.errors import AlertDeliveryFailed, InvalidInput
from votetrail.formats.netmon.outputs.export import incident_record

SHOWN = 50
"""Most sources, targets or ports listed in one e-mail; the rest are counted."""


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where alert e-mail goes: a relay that accepts mail without login."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """An HTTP(S) URL that receives one JSON POST per incident."""

    url: str
    timeout: float = 10.0

    def __post_init__(self) -> None:
        """Refuse ``file:`` and other schemes urllib would also open."""
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise InvalidInput(f"webhook URL must start with http:// or https://: {self.url}")


@dataclass(frozen=True, slots=True)
class AlertsSent:
    """How many alerts each channel delivered."""

    emails: int
    webhooks: int


def high_severity(incidents: Sequence[Incident]) -> list[Incident]:
    """The incidents worth an alert, in the order given."""
    return [i for i in incidents if i.severity is Severity.HIGH]


def send_alerts(
    incidents: Sequence[Incident],
    email: SmtpTarget | None = None,
    webhook: WebhookTarget | None = None,
) -> AlertsSent:
    """Send every high-severity incident to each configured channel."""
    chosen = high_severity(incidents)
    emails = send_email_alerts(chosen, email) if email else 0
    webhooks = send_webhook_alerts(chosen, webhook) if webhook else 0
    return AlertsSent(emails=emails, webhooks=webhooks)


def alert_email(incident: Incident, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """A plain-text message naming the incident, its sources, ports and what got through."""
    message = EmailMessage()
    first = incident.sources[0] if incident.sources else "unknown source"
    more = f" and {len(incident.sources) - 1} more" if len(incident.sources) > 1 else ""
    message["Subject"] = f"[votetrail] scan got through: {first}{more} ({incident.id})"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    labels = ", ".join(incident.labels) or "none"
    message.set_content(
        "\n".join(
            [
                f"Incident {incident.id}: a {incident.kind.value} scan got through the firewall.",
                "",
                f"Severity:   {incident.severity.value}",
                f"From:       {incident.first_seen.isoformat()}",
                f"Until:      {incident.last_seen.isoformat()}",
                f"Sources:    {_listed(incident.sources)}",
                f"Targets:    {_listed(incident.targets)}",
                f"Ports:      {incident.port_count} – {_listed([str(p) for p in incident.ports])}",
                f"Labels:     {labels}",
                "",
                f"What got through: the firewall let in {incident.accepted} of "
                f"{incident.connections} attempts (blocked {incident.blocked}), and at "
                "least one was answered on a port outside the public service ports. "
                "Check which service on the targets answered and whether it should be "
                "reachable from outside.",
            ]
        )
        + "\n"
    )
    return message


def send_email_alerts(incidents: Sequence[Incident], target: SmtpTarget) -> int:
    """One e-mail per incident over a single SMTP session; returns how many were sent."""
    if not incidents:
        return 0
    try:
        with smtplib.SMTP(target.host, target.port, timeout=target.timeout) as smtp:
            for incident in incidents:
                smtp.send_message(alert_email(incident, target.sender, target.recipients))
    except (OSError, smtplib.SMTPException) as error:
        raise AlertDeliveryFailed(
            f"could not send alert e-mail through {target.host}:{target.port}: {error}"
        ) from error
    return len(incidents)


def send_webhook_alerts(incidents: Sequence[Incident], target: WebhookTarget) -> int:
    """POST each incident's contract JSON to the URL; returns how many were accepted."""
    for incident in incidents:
        body = json.dumps(incident_record(incident)).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked in WebhookTarget
            target.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "votetrail-netmon"},
        )
        try:
            with urllib.request.urlopen(request, timeout=target.timeout) as response:  # noqa: S310
                response.read()
        except (OSError, urllib.error.URLError) as error:
            raise AlertDeliveryFailed(
                f"webhook {target.url} did not accept incident {incident.id}: {error}"
            ) from error
    return len(incidents)


def _listed(items: Sequence[str]) -> str:
    """Up to :data:`SHOWN` items and a count of the rest, so one huge scan stays readable."""
    text = ", ".join(items[:SHOWN]) or "none"
    if len(items) > SHOWN:
        text += f" and {len(items) - SHOWN} more"
    return text
