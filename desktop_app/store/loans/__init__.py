"""Revolving-fund loans: funds, applications, schedules, the ledger, the portfolio."""
