"""Readers and writers of the field's files; each error names file, line and field."""
