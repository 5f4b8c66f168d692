"""Implementation of the security commands (init, audit, login for every command)."""
