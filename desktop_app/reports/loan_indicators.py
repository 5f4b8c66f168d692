"""Loan portfolio indicators (filled in against the loans schema)."""
