"""Texts that Qt itself shows, listed so that extraction puts them in the core catalog."""
from desktop_app.i18n import N_, Domain

DOMAIN = Domain("core")

QT_TEXTS = (
    N_("OK"), N_("Cancel"), N_("Yes"), N_("No"), N_("&Yes"), N_("&No"), N_("Save"),
    N_("&Save"), N_("Discard"), N_("Don't Save"), N_("Close"), N_("&Close"), N_("Open"),
    N_("&Open"), N_("Apply"), N_("Reset"), N_("Help"), N_("Retry"), N_("Ignore"),
    N_("Abort"), N_("Save All"), N_("Yes to &All"), N_("N&o to All"),
    N_("Restore Defaults"), N_("&Undo"), N_("&Redo"), N_("Cu&t"), N_("&Copy"), N_("&Paste"),
    N_("Delete"), N_("Select All"), N_("Look in:"), N_("File &name:"), N_("Files of type:"),
    N_("Directory:"), N_("&Choose"), N_("Show Details..."), N_("Hide Details..."),
)
