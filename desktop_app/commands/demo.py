"""``hamroh demo --db PATH [--people N] [--office CODE] [--seed S] [--coordinator]``.

The implementation and its messages live in ``desktop_app/demo/people_command.py``.
"""
from desktop_app.demo.people_command import register, run  # noqa: F401
