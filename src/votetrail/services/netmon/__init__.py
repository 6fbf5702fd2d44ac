"""Network monitoring: ingest, alerts and verify of the stored incidents."""
