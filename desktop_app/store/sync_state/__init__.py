"""What sync keeps in the database beside the records: erasure markers, import messages."""
