"""People: the register (people, migration episodes), search, duplicates, merges,
spreadsheet import."""
