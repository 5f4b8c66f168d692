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
    # the file dialog Qt draws itself (Linux without a desktop file dialog) and its model
    N_("&Look in:"), N_("Files of &type:"), N_("All Files (*)"), N_("&Delete"),
    N_("&New Folder"), N_("New Folder"), N_("&Rename"), N_("Back"), N_("Forward"),
    N_("Parent Directory"), N_("Create New Folder"), N_("Create a New Folder"),
    N_("List View"), N_("Detail View"), N_("Change to list view mode"),
    N_("Change to detail view mode"), N_("Go back"), N_("Go forward"),
    N_("Go to the parent directory"), N_("Directories"), N_("Files"), N_("Find Directory"),
    N_("List of places and bookmarks"), N_("Sidebar"), N_("Show &hidden files"),
    N_("Computer"), N_("Date Modified"), N_("Name"), N_("Size"), N_("Type"), N_("Drive"),
    N_("Folder"), N_("Save As"), N_("Recent Places"),
    N_("Are you sure you want to delete '%1'?"),
    N_("%1 already exists.\nDo you want to replace it?"),
    # GNOME's wording of the Discard button
    N_("Close without Saving"),
)
