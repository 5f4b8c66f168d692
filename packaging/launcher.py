"""The entry point of the packaged application (both ``Hamroh`` and ``hamroh-cli``)."""
import os
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    # the window's program on Windows and macOS has no console: its sys.stdout and
    # sys.stderr are None, and a stray print or warning must not fail there
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    sys.exit(main())
