"""Readers and writers of the field's files; each error names file, line and field."""

UNKNOWN_ENCODING = "declares a character encoding XML reading cannot use; save it as UTF-8"
"""An XML declaration naming a made-up encoding makes the parser raise LookupError, and a
multi-byte one (EUC-JP, Shift JIS) ValueError (both found by fuzzing)."""

XML_ENCODING_ERRORS = (LookupError, ValueError)
"""What expat raises for such a declaration, beside its own parse errors."""
