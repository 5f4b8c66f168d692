"""``hamroh audit verify|list`` (implemented in security_impl.audit)."""
from desktop_app.commands.security_impl.audit import register  # noqa: F401
