"""Readers of network logs and captures, each reducing its format to ``ConnectionEvent``.

One module per format (``pcap``, ``zeek``, ``iptables``, ``suricata``,
``vpc_flow``, ``filterlog``, ``pfirewall``); ``detect.read_netlog`` picks the
reader from the file itself. Every reader is a generator that streams events
and fills a :class:`~votetrail.formats.netmon.logs.common.ReadReport` with counts
and the numbered lines it could not read: a bad line never stops a run.
See ``docs/netmon-formats.md``.
"""
