"""What the network monitor hands to people and to other machines.

Pure writers over a list of :class:`~votetrail.core.netmon.incidents.Incident`:
they return text and never touch files, sockets or the clock, so the same
incidents always give the same bytes and a caller decides where they go.

* :mod:`.report` – the daily report, one self-contained HTML page;
* :mod:`.export` – incidents as contract JSON and as CSV;
* :mod:`.blocklist` – firewall block lists (nftables, ipset, pfSense, plain).

Sending alerts does I/O and lives in :mod:`votetrail.services.netmon.alerts`.
See the "Outputs" section of ``docs/netmon.md``.
"""
