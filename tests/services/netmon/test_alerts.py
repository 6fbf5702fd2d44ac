"""Alerts reach a real SMTP and a real HTTP receiver on loopback, high severity only."""

from __future__ import annotations

import pytest

from tests.formats.netmon.outputs.samples import ALL, HIGH, LOW, MEDIUM, RESEARCH
from tests.receivers import TIMEOUT, HookServer, SmtpServer
from votetrail.errors import AlertDeliveryFailed, InvalidInput
from votetrail.services.netmon.alerts import (
    AlertsSent,
    SmtpTarget,
    WebhookTarget,
    send_alerts,
)


def smtp_target(server: SmtpServer) -> SmtpTarget:
    host, port = server.server_address[:2]
    return SmtpTarget(
        host=str(host),
        port=int(port),
        sender="netmon@office.example",
        recipients=("soc@office.example", "it@office.example"),
        timeout=TIMEOUT,
    )


def hook_target(server: HookServer) -> WebhookTarget:
    host, port = server.server_address[:2]
    return WebhookTarget(url=f"http://{host!s}:{port}/hook", timeout=TIMEOUT)


def test_both_receivers_get_exactly_the_high_severity_incidents(
    smtp: SmtpServer, hook: HookServer
) -> None:
    sent = send_alerts(ALL, email=smtp_target(smtp), webhook=hook_target(hook))
    assert sent == AlertsSent(emails=2, webhooks=2)
    assert [b["id"] for b in hook.bodies] == [HIGH.id, RESEARCH.id]
    assert hook.content_types == ["application/json"] * 2
    subjects = [m["Subject"] for m in smtp.messages]
    assert len(subjects) == 2
    assert HIGH.id in subjects[0]
    assert RESEARCH.id in subjects[1]
    for other in (LOW, MEDIUM):
        assert not any(other.id in str(m) for m in smtp.messages)


def test_email_names_incident_sources_ports_and_what_got_through(smtp: SmtpServer) -> None:
    send_alerts([HIGH], email=smtp_target(smtp))
    [message] = smtp.messages
    assert message["To"] == "soc@office.example, it@office.example"
    assert message.get_content_type() == "text/plain"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode("utf-8")
    assert HIGH.id in body
    assert "2001:db8::5" in body
    assert "22, 445, 3389, 5900" in body
    assert "let in 12 of 30 attempts" in body


def test_webhook_body_is_the_contract_json(hook: HookServer) -> None:
    send_alerts([HIGH], webhook=hook_target(hook))
    [body] = hook.bodies
    assert body["sources"] == ["2001:db8::5"]
    assert body["ports"] == 4
    assert body["severity"] == "high"


def test_nothing_high_sends_nothing(smtp: SmtpServer, hook: HookServer) -> None:
    sent = send_alerts([LOW, MEDIUM], email=smtp_target(smtp), webhook=hook_target(hook))
    assert sent == AlertsSent(emails=0, webhooks=0)
    assert smtp.messages == []
    assert hook.bodies == []


def test_unreachable_receivers_raise_delivery_failed() -> None:
    closed = SmtpServer()
    host, port = closed.server_address[:2]
    closed.server_close()
    with pytest.raises(AlertDeliveryFailed, match="alert e-mail"):
        send_alerts(
            [HIGH], email=SmtpTarget(str(host), int(port), "a@b.example", ("c@d.example",), 2.0)
        )
    with pytest.raises(AlertDeliveryFailed, match="webhook"):
        send_alerts([HIGH], webhook=WebhookTarget(f"http://{host!s}:{port}/hook", 2.0))


def test_webhook_url_must_be_http() -> None:
    with pytest.raises(InvalidInput, match="http"):
        WebhookTarget("file:///etc/passwd")
