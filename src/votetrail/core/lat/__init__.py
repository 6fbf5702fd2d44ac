"""Logic and accuracy testing: definitions, test decks, and comparing a tabulator's count."""
