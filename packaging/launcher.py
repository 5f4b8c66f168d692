"""The entry point of the packaged application (both ``Hamroh`` and ``hamroh-cli``)."""
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
