"""Who may approve a loan application under the real role table (maker-checker)."""
from datetime import date

import pytest

from desktop_app.store.loans import services
from desktop_app.store.security import accounts as security
from desktop_app.store.session import PermissionDenied
from tests.conftest import TEST_PASSWORD
from tests.helpers.loans import TODAY, borrower, fund_with_capital

APPLIED = date(2026, 1, 5)


def _login_as(db_path, username, role):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    security.UserAdmin(admin, db_path).add_user(username, "user-pass-123", role)
    admin.conn.close()
    return security.login(db_path, username, "user-pass-123")


@pytest.fixture
def application(db_path):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    fund = fund_with_capital(admin)
    person = borrower(admin)
    admin.conn.close()
    maker = _login_as(db_path, "maker", "loan_officer")
    loan = services.apply(maker, person_id=person["id"], fund_id=fund["id"], amount="5000",
                          purpose="business", product_code="jrc_business", applied_on=APPLIED,
                          today=TODAY)
    return maker, loan


@pytest.mark.parametrize("role", ["loan_officer", "coordinator", "administrator"])
def test_another_user_with_loan_rights_approves(db_path, application, role):
    maker, loan = application
    checker = _login_as(db_path, "checker", role)
    approved = services.approve(checker, loan["id"], on=APPLIED, today=TODAY)
    assert approved["status"] == "approved"
    assert approved["decided_by"] == checker.actor.user_id


def test_the_maker_may_not_approve_their_own_application(application):
    maker, loan = application
    with pytest.raises(PermissionDenied, match="another user must approve it"):
        services.approve(maker, loan["id"], on=APPLIED, today=TODAY)


@pytest.mark.parametrize("role", ["field_officer", "inspector"])
def test_roles_without_loan_rights_cannot_approve(db_path, application, role):
    maker, loan = application
    other = _login_as(db_path, "other", role)
    with pytest.raises(PermissionDenied):
        services.approve(other, loan["id"], on=APPLIED, today=TODAY)
