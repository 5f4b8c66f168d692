"""Demo cases tell a story that has already happened: nothing in a case's timeline, and no
opening, resolution or closing, lies after the day the demo was made."""
import random
from datetime import date

from desktop_app.demo import default_arguments, discover


def test_no_demo_case_event_is_dated_after_today(make_replicas):
    (grm,) = make_replicas(["GRM"])
    args = default_arguments(people=300, cases=1500, loans=0, trainings=0, seed=11)
    rng = random.Random(11)
    for generator in discover():
        generator.generate(grm.session, args, rng, lambda *a: None)
    today = date.today().isoformat()
    conn = grm.conn
    assert conn.execute("SELECT count(*) FROM case_event").fetchone()[0] > 300
    later = conn.execute("SELECT count(*) FROM case_event WHERE event_on > ?",
                         (today,)).fetchone()[0]
    assert later == 0
    for column in ("opened_on", "resolved_on", "closed_on"):
        assert conn.execute(f"SELECT count(*) FROM hotline_case WHERE {column} > ?",
                            (today,)).fetchone()[0] == 0, column
