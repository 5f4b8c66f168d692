"""Trainings: a 500 participants x 60 sessions grid (open, edit) and 500 certificates.

Builds its own database in ctx.workdir (500 people, one training, 60 sessions, ~70 % of
the cells marked) so it does not depend on the size of the shared demo database.
"""
from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta

from run import Result

PARTICIPANTS = 500
SESSIONS = 60


def _build(path):
    from desktop_app.domain.ids import new_id
    from desktop_app.store.access import open_database
    from desktop_app.store.people.repositories import PersonRepository
    from desktop_app.store.setup import initialise
    from desktop_app.store.trainings import repositories as tr
    conn = open_database(path, create=True)
    session = initialise(conn, office_code="GRM", office_name="Gharm JRC", district="TJ-RASHT")
    rng = random.Random(5)
    families = ["Раҳмонов", "Каримов", "Назаров", "Yoʻldoshev", "Saidov", "Ҳасанов"]
    people = [{"id": new_id(), "family_name": rng.choice(families) + ("а" if i % 2 else ""),
               "given_name": f"Ном{i}", "sex": "female" if i % 2 else "male"}
              for i in range(PARTICIPANTS)]
    PersonRepository(session).create_many([dict(p) for p in people], audit=False)
    start = date(2026, 1, 12)
    event = tr.TrainingEventRepository(session).create({
        "course_code": "bricklaying", "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=SESSIONS - 1)).isoformat(), "place": "Garm"})
    sessions = [{"id": new_id(), "event_id": event["id"],
                 "session_date": (start + timedelta(days=i)).isoformat(), "minutes": 360}
                for i in range(SESSIONS)]
    with session.transaction():
        tr.TrainingSessionRepository(session).create_many([dict(s) for s in sessions], audit=False)
        parts = [{"id": new_id(), "event_id": event["id"], "person_id": p["id"]} for p in people]
        tr.TrainingParticipantRepository(session).create_many([dict(p) for p in parts], audit=False)
        cells = [{"id": tr.attendance_id(s["id"], p["id"]), "event_id": event["id"],
                  "session_id": s["id"], "participant_id": p["id"],
                  "present": int(rng.random() < 0.7)} for p in parts for s in sessions]
        tr.TrainingAttendanceRepository(session).create_many(cells, audit=False)
        conn.execute("UPDATE training_participant SET language=? WHERE rowid % 4 = 0", ("tg",))
    return session, event["id"]


def _best(fn, repeat=3):
    best = float("inf")
    for _i in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(ctx) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from desktop_app.reports import trainings_certificates as certs
    from desktop_app.reports.fonts import register_fonts
    from desktop_app.store.trainings import queries as tq
    from desktop_app.store.trainings import repositories as tr
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.trainings.attendance import AttendanceModel, AttendanceView

    session, event_id = _build(ctx.workdir / "trainings.db")
    conn = session.conn
    results = []

    # ---- open the grid ----------------------------------------------------------------
    # no worker: saves run in place, so each toggle is timed to its commit
    model = AttendanceModel(AppContext(session, ctx.workdir / "trainings.db"))
    view = AttendanceView(model)
    view.resize(1200, 700)

    def open_grid():
        model.load(event_id)
        # what a screen shows: the visible cells' text and colours
        for r in range(30):
            for c in range(SESSIONS + 2):
                model.data(model.index(r, c))
        app.processEvents()

    def bare_open():
        conn.execute("SELECT * FROM training_session WHERE event_id=? AND deleted=0 "
                     "ORDER BY session_date", (event_id,)).fetchall()
        conn.execute("SELECT p.*, pe.family_name, pe.given_name FROM training_participant p "
                     "JOIN person pe ON pe.id=p.person_id WHERE p.event_id=? AND p.deleted=0 "
                     "ORDER BY pe.family_name, pe.given_name", (event_id,)).fetchall()
        conn.execute("SELECT participant_id, session_id, present FROM training_attendance "
                     "WHERE event_id=? AND deleted=0", (event_id,)).fetchall()

    t_open = _best(open_grid)
    t_bare = _best(bare_open)
    results.append(Result(f"attendance grid {PARTICIPANTS}x{SESSIONS} open", t_open * 1000, "ms",
                          "bare SQL of the same rows", t_bare * 1000, goal="< 300 ms"))

    # ---- edit one cell (Space) ----------------------------------------------------------
    rng = random.Random(9)
    picks = [(rng.randrange(PARTICIPANTS), rng.randrange(SESSIONS)) for _i in range(60)]
    t0 = time.perf_counter()
    for r, c in picks:
        model.toggle([(r, c)])
    t_edit = (time.perf_counter() - t0) / len(picks)

    ids = conn.execute("SELECT id FROM training_attendance LIMIT 60").fetchall()
    t0 = time.perf_counter()
    for (aid,) in ids:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE training_attendance SET present = 1 - present WHERE id=?", (aid,))
        conn.execute("COMMIT")
    t_bare_edit = (time.perf_counter() - t0) / len(ids)
    results.append(Result("attendance grid: one mark saved (audit, change log, completion)",
                          t_edit * 1000, "ms", "bare UPDATE in a transaction", t_bare_edit * 1000,
                          goal="< 50 ms"))

    # ---- select a whole session column and press Space -----------------------------------
    t0 = time.perf_counter()
    model.toggle([(r, 7) for r in range(PARTICIPANTS)], (0, 7))
    t_column = time.perf_counter() - t0
    results.append(Result(f"attendance grid: mark a whole session ({PARTICIPANTS} cells)",
                          t_column * 1000, "ms", goal="< 2000 ms"))

    # ---- 500 certificates ----------------------------------------------------------------
    # Give everyone completion so that all 500 print.
    repo = tr.TrainingParticipantRepository(session)
    participants = [r[0] for r in conn.execute(
        "SELECT id FROM training_participant WHERE event_id=?", (event_id,))]
    with session.transaction():
        for pid in participants:
            repo.set_override(pid, "completed", "benchmark")
    out = ctx.workdir / "certificates.pdf"
    t0 = time.perf_counter()
    count = certs.print_certificates(session, participants, out)
    t_ours = time.perf_counter() - t0
    assert count == PARTICIPANTS, count

    # The same pages drawn by ReportLab alone: texts prepared beforehand, no database,
    # no numbering, no translation.
    office = certs._office_name(conn)
    pages = [certs.page_texts(conn, d, office) for d in tq.certificate_data(conn, participants)]
    fonts = register_fonts()

    def bare_reportlab():
        from reportlab.pdfgen.canvas import Canvas
        canvas = Canvas(str(ctx.workdir / "bare.pdf"), pagesize=certs.PAGE, pageCompression=1)
        for page in pages:
            certs.draw_page(canvas, page, fonts)
        canvas.save()
    t0 = time.perf_counter()
    bare_reportlab()
    t_bare_pdf = time.perf_counter() - t0
    results.append(Result(f"{PARTICIPANTS} certificates to one PDF (500 numbers saved)",
                          t_ours, "s", "ReportLab drawing the same pages", t_bare_pdf))
    t0 = time.perf_counter()
    certs.print_certificates(session, participants, ctx.workdir / "again.pdf")
    t_again = time.perf_counter() - t0
    results.append(Result(f"{PARTICIPANTS} certificates printed again (numbers kept)",
                          t_again, "s", "ReportLab drawing the same pages", t_bare_pdf,
                          goal="ratio < 1.5x"))
    view.deleteLater()
    conn.close()
    return results
