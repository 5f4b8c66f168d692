"""The entry point of the packaged application (both ``Hamroh`` and ``hamroh-cli``)."""
import os
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    # the window's program on Windows and macOS has no console: its sys.stdout and
    # sys.stderr are None, and a stray print or warning must not fail there
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
        elif hasattr(stream, "reconfigure"):
            # names in Cyrillic reach a pipe or file on Windows too (its code page would
            # refuse them); a console shows UTF-8 as well
            stream.reconfigure(encoding="utf-8", errors="replace")
    sys.exit(main())
