"""``hamroh init``: a new encrypted database (implemented in security_impl.init)."""
from desktop_app.commands.security_impl.init import register  # noqa: F401
