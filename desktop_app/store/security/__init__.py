"""Security: accounts and logins, database keys, the role policy, consent, data rights,
the audit log."""
