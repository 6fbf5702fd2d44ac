"""L&A files: test decks, tabulator reports, printed decks and certificates."""
