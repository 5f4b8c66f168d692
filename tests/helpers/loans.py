"""Shared set-up for loan tests: a fund with capital, a borrower, a second user."""
from datetime import date

from desktop_app.domain.actors import Actor
from desktop_app.store.loans import services
from desktop_app.store.offices import UserRepository
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import Session

TODAY = date(2027, 6, 1)


def second_user(session, username="checker", role="loan_officer") -> Session:
    user = UserRepository(session).create({"username": username, "display_name": username,
                                           "role": role, "active": 1})
    actor = Actor(user_id=user["id"], username=username, role=role,
                  office_id=session.office_id)
    return Session(session.conn, actor)


def borrower(session, sex="female", status="returned", phones="+992 93 111 22 33",
             family="Раҳимова", given="Нигора"):
    return PersonRepository(session).create({
        "family_name": family, "given_name": given, "sex": sex, "phones": phones,
        "migration_status": status})


def fund_with_capital(session, amount="100000", currency="TJS", on=date(2025, 1, 1)):
    fund = services.create_fund(session, "Gharm revolving fund", currency)
    services.add_capital(session, fund["id"], amount, on, today=TODAY)
    return fund


def active_loan(session, checker, fund, person, *, amount="12000", product="jrc_business",
                applied=date(2026, 1, 5), disbursed=date(2026, 1, 10), terms=None,
                today=TODAY):
    """``today``: the services' day (tests that go on through the page, which works on
    the real date, pass the real date)."""
    loan = services.apply(session, person_id=person["id"], fund_id=fund["id"], amount=amount,
                          purpose="business", product_code=product, terms=terms,
                          applied_on=applied, guarantor_name="Саидов Карим", today=today)
    services.approve(checker, loan["id"], on=applied, today=today)
    return services.disburse(session, loan["id"], on=disbursed, today=today)
