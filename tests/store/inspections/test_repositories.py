"""Labour inspections: violations, sanctions with fines, linked cases, repeat offenders."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.inspections import queries as iq
from desktop_app.store.inspections import repositories as si
from desktop_app.store.inspections import services as isv
from desktop_app.store.repository import ValidationError

TODAY = date.today()


def employer(session, name="ООО СтройМонтаж", **extra):
    return sc.EmployerRepository(session).create(dict(name=name, country="RU", city="Moscow",
                                                      sector="construction", **extra))


def inspect(session, employer_id, **extra):
    values = dict(employer_id=employer_id, inspected_on=(TODAY - timedelta(days=3)).isoformat(),
                  trigger="complaint", inspector_name="Саидов Б.")
    kwargs = {k: extra.pop(k) for k in ("violations", "sanctions", "case_ids") if k in extra}
    return isv.record_inspection(session, {**values, **extra}, **kwargs)


def test_inspection_with_violations_fine_and_linked_case(session):
    firm = employer(session)
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      opened_on=(TODAY - timedelta(days=10)).isoformat(),
                                      employer_id=firm["id"]))
    record = inspect(session, firm["id"], violations=["wage_arrears", "no_contract"],
                     sanctions=[("fine", "15000.00", "TJS"), ("order", None, None)],
                     case_ids=[case["id"]])
    assert record["number"].startswith("INS-GRM-")
    conn = session.conn
    assert sorted(v["violation"] for v in iq.violations_of(conn, record["id"])) == [
        "no_contract", "wage_arrears"]
    fines = [(s["sanction"], s["fine_minor"], s["fine_currency"])
             for s in iq.sanctions_of(conn, record["id"])]
    assert fines == [("fine", 1500000, "TJS"), ("order", None, None)]
    assert [c["id"] for c in iq.cases_of(conn, record["id"])] == [case["id"]]
    stored = sc.CaseRepository(session).get(case["id"])
    assert stored["inspection_opened"] == 1
    assert cq.timeline(conn, case["id"])[-1]["kind"] == "inspection"
    assert iq.inspections_of_case(conn, case["id"])[0]["number"] == record["number"]


@pytest.mark.parametrize("sanctions, field", [
    ([("fine", "-5", "TJS")], "fine_0"),
    ([("fine", "100", "ABC")], "currency_0"),
    ([("fine", None, None)], "fine_0"),
    ([("warning", None, None), ("jail", None, None)], "sanction_1"),
])
def test_bad_sanctions_save_nothing(session, sanctions, field):
    firm = employer(session)
    with pytest.raises(ValidationError) as err:
        inspect(session, firm["id"], violations=["osh"], sanctions=sanctions)
    assert field in err.value.errors
    for table in ("inspection", "inspection_violation", "inspection_sanction"):
        assert session.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_inspection_needs_enterprise_trigger_and_inspector(session):
    with pytest.raises(ValidationError) as err:
        isv.record_inspection(session, dict(inspected_on="", trigger="whim"))
    assert {"employer_id", "trigger", "inspected_on", "inspector_name"} <= set(err.value.errors)


def test_repeat_offenders_are_visible(session):
    bad = employer(session, "Stroy Invest")
    good = employer(session, "Чистый Двор")
    inspect(session, bad["id"], violations=["wage_arrears"])
    inspect(session, bad["id"], violations=["osh", "excessive_hours"])
    inspect(session, good["id"], violations=[])
    rows = {r["name"]: r for r in cq.find_employers(session.conn)}
    assert rows["Stroy Invest"]["repeat_offender"] is True
    assert rows["Stroy Invest"]["violations"] == 3
    assert rows["Чистый Двор"]["repeat_offender"] is False
    # employers are found across scripts too
    assert [r["name"] for r in cq.find_employers(session.conn, "Строй инвест")] == ["Stroy Invest"]
    assert iq.inspection_ids(session.conn, employer_id=good["id"])


def test_inspector_without_case_rights_still_links_the_case(session):
    from desktop_app.store.session import PermissionDenied
    firm = employer(session)
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      opened_on=(TODAY - timedelta(days=10)).isoformat()))

    class InspectorPolicy:
        def check(self, actor, action, table, row):
            if table in ("hotline_case", "case_event") and action != "view":
                raise PermissionDenied("no")

    session.policy = InspectorPolicy()
    record = inspect(session, firm["id"], violations=["osh"], case_ids=[case["id"]])
    assert [c["id"] for c in iq.cases_of(session.conn, record["id"])] == [case["id"]]
    assert sc.CaseRepository(session).get(case["id"])["inspection_opened"] == 0
    assert [e["kind"] for e in cq.timeline(session.conn, case["id"])] == ["call"]


def test_inspection_edited_after_saving(session):
    firm = employer(session)
    first = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                       opened_on=(TODAY - timedelta(days=10)).isoformat()))
    second = cs.open_case(session, dict(channel="hotline", category="no_contract",
                                        opened_on=(TODAY - timedelta(days=10)).isoformat()))
    record = inspect(session, firm["id"], violations=["osh"],
                     sanctions=[("warning", None, None)], case_ids=[first["id"]])
    conn = session.conn
    kept_warning = iq.sanctions_of(conn, record["id"])[0]["id"]
    # violations found later, a fine added, the other case linked instead
    isv.update_inspection(session, record["id"], {"findings": "Second visit"},
                         violations=["osh", "wage_arrears"],
                         sanctions=[("warning", None, None), ("fine", "900.50", "USD")],
                         case_ids=[second["id"]])
    assert sorted(v["violation"] for v in iq.violations_of(conn, record["id"])) == [
        "osh", "wage_arrears"]
    sanctions = iq.sanctions_of(conn, record["id"])
    assert [(s["sanction"], s["fine_minor"], s["fine_currency"]) for s in sanctions] == [
        ("warning", None, None), ("fine", 90050, "USD")]
    assert sanctions[0]["id"] == kept_warning          # unchanged rows are kept, not rewritten
    assert [c["id"] for c in iq.cases_of(conn, record["id"])] == [second["id"]]
    stored = si.InspectionRepository(session).get(record["id"])
    assert stored["findings"] == "Second visit" and stored["trigger"] == "complaint"
    # a bad fine: per-field message, nothing of the edit saved
    changes = conn.execute("SELECT COUNT(*) FROM change_log").fetchone()[0]
    with pytest.raises(ValidationError) as err:
        isv.update_inspection(session, record["id"], {"findings": "Third"}, violations=[],
                             sanctions=[("fine", "-5", "USD")], case_ids=[])
    assert err.value.errors == {"fine_0": "The amount cannot be negative."}
    assert conn.execute("SELECT COUNT(*) FROM change_log").fetchone()[0] == changes
    assert len(iq.violations_of(conn, record["id"])) == 2


def test_employer_renamed_is_found_under_the_new_name(session):
    firm = employer(session, name="ООО «Северный Дом»")
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      employer_id=firm["id"]))
    assert cq.case_ids(session.conn, cq.CaseFilter(search="Severniy")) == [case["id"]]
    sc.EmployerRepository(session).update(firm["id"], {"name": "ООО «Южный Дом»"})
    assert cq.case_ids(session.conn, cq.CaseFilter(search="Severniy")) == []
    assert cq.case_ids(session.conn, cq.CaseFilter(search="Yujniy Dom")) == [case["id"]]


def test_two_spellings_of_one_employer_are_merged(session):
    """Cases and inspections move to the kept record, which takes the details it lacked;
    the other is deleted; the repeat-offender count now sees both; audited."""
    kept = employer(session, "ООО СтройИнвест", tax_number=None)
    typo = sc.EmployerRepository(session).create(dict(name="Stroy Invest LLC", tax_number="77123",
                                                      high_risk=1))
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      opened_on=(TODAY - timedelta(days=10)).isoformat(),
                                      employer_id=typo["id"]))
    inspect(session, kept["id"], violations=["osh"])
    inspect(session, typo["id"], violations=["wage_arrears"])
    assert isv.merge_employers(session, kept["id"], typo["id"]) == (1, 1)
    conn = session.conn
    assert sc.CaseRepository(session).get(case["id"])["employer_id"] == kept["id"]
    assert len(iq.inspection_ids(conn, employer_id=kept["id"])) == 2
    merged = sc.EmployerRepository(session).get(kept["id"])
    assert (merged["name"], merged["tax_number"], merged["high_risk"]) == (
        "ООО СтройИнвест", "77123", 1)
    assert sc.EmployerRepository(session).get(typo["id"]) is None
    rows = cq.find_employers(conn)
    assert [(r["name"], r["cases"], r["inspections"], r["repeat_offender"]) for r in rows] == [
        ("ООО СтройИнвест", 1, 2, True)]
    # the case is found under the kept name now
    assert cq.case_ids(conn, cq.CaseFilter(search="СтройИнвест")) == [case["id"]]
    assert conn.execute("SELECT COUNT(*) FROM audit_log WHERE action='employer_merge'"
                        ).fetchone()[0] == 1


def test_employer_merge_refused_leaves_everything(session):
    from desktop_app.store.session import PermissionDenied
    kept, other = employer(session, "Alpha"), employer(session, "Alfa")
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      opened_on=(TODAY - timedelta(days=10)).isoformat(),
                                      employer_id=other["id"]))
    with pytest.raises(ValidationError):
        isv.merge_employers(session, kept["id"], kept["id"])

    class NoCaseEdits:
        def check(self, actor, action, table, row):
            if table == "hotline_case" and action == "update":
                raise PermissionDenied("no")

    session.policy = NoCaseEdits()
    with pytest.raises(PermissionDenied):
        isv.merge_employers(session, kept["id"], other["id"])
    assert sc.EmployerRepository(session).get(other["id"]) is not None
    assert sc.CaseRepository(session).get(case["id"])["employer_id"] == other["id"]
