"""The voter list: records, imports, files, review, alerts, proofs, PII and verify."""
