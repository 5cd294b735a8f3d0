"""Import and export: the ledger's interchange format and other trackers' files."""
