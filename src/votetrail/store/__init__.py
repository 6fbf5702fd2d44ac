"""Database schema, migrations and repositories; every write goes through the ledger."""
