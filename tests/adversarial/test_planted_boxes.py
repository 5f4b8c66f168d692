"""A field officer who can write the key file beside the database plants their own box for
a reader, so that an administrator's login seals the sensitive-case key to it
(docs/dev/security.md, "Sensitive-case key"): only a box an administrator signed gets a
grant, so the planted one gets nothing and the attacker's key opens nothing."""
from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop_app.store.cases import services as cs
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive, signing
from tests.adversarial.test_sealed_cases import _log_in, _set_up, _stored
from tests.conftest import TEST_PASSWORD

SUMMARY = "Паспорташро гирифтанд"


def _office(db_path) -> dict:
    """Readers added by the administrator: malika while the administrator held the key
    (it is in her slot), nodira and dilnoza while they did not (a signed box each)."""
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    ids = {"malika": tools.add_user("malika", "worker-pass-1", "case_worker")["id"]}
    sensitive._HELD.pop(admin, None)              # noqa: SLF001 - a session without the key
    ids["nodira"] = tools.add_user("nodira", "worker-pass-2", "case_worker")["id"]
    ids["dilnoza"] = tools.add_user("dilnoza", "coord-pass-1", "coordinator")["id"]
    case = cs.open_case(admin, dict(channel="hotline", category="trafficking",
                                    summary=SUMMARY))
    sealed = _stored(admin, "hotline_case", case["id"], "summary")
    admin.conn.close()
    return {"ids": ids, "case": case["id"], "sealed": sealed}


def _plant(db_path, victim: str, ids: dict, how: str) -> X25519PrivateKey:
    mine = X25519PrivateKey.generate()
    path = keys.KeyFile.for_database(db_path).path
    data = json.loads(path.read_text())
    section = data["sensitive"]
    section["boxes"][ids[victim]] = sensitive.public_text(mine)
    section["grants"].pop(ids[victim], None)
    if how == "slot entry deleted":
        for slot in data["slots"]:
            if slot.get("user_id") == ids[victim]:
                slot.pop(sensitive.PURPOSE, None)
    elif how == "signature removed":
        section["box_signatures"].pop(ids[victim], None)
    elif how == "signature copied from another reader":
        section["box_signatures"][ids[victim]] = section["box_signatures"][ids["dilnoza"]]
    elif how == "signed with a key of their own":
        own = signing.new_key()
        data["signing"]["public"] = signing.public_text(own)
        section["box_signatures"][ids[victim]] = signing.sign(own, sensitive.box_statement(
            ids[victim], sensitive.public_text(mine)))
    path.write_text(json.dumps(data))
    return mine


@pytest.mark.parametrize(("victim", "how"), [
    ("nodira", "signature kept"),
    ("nodira", "signature removed"),
    ("malika", "slot entry deleted"),
    ("nodira", "signature copied from another reader"),
    ("nodira", "signed with a key of their own"),
])
def test_a_planted_box_gets_no_grant_and_its_key_opens_nothing(db_path, victim, how):
    office = _office(db_path)
    mine = _plant(db_path, victim, office["ids"], how)
    try:
        _log_in(db_path, "admin", TEST_PASSWORD).conn.close()      # an ordinary day
    except security.LoginFailed:
        assert how == "signed with a key of their own"     # not this database's key
    grants = keys.KeyFile.for_database(db_path).data["sensitive"]["grants"]
    assert office["ids"][victim] not in grants
    sealed = office["sealed"]
    assert sensitive.is_sealed(sealed) and SUMMARY not in sealed
    with pytest.raises(sensitive.SealBroken):
        sensitive.open_sealed(mine, "hotline_case", office["case"], "summary", sealed)


def test_the_readers_own_login_puts_her_signed_box_back(db_path):
    office = _office(db_path)
    _plant(db_path, "nodira", office["ids"], "signature kept")
    _log_in(db_path, "nodira", "worker-pass-2").conn.close()
    _log_in(db_path, "admin", TEST_PASSWORD).conn.close()
    assert office["ids"]["nodira"] in \
        keys.KeyFile.for_database(db_path).data["sensitive"]["grants"]
    worker = _log_in(db_path, "nodira", "worker-pass-2")
    assert sensitive.reveal(worker, "hotline_case", office["case"], "summary",
                            _stored(worker, "hotline_case", office["case"], "summary")
                            ) == SUMMARY
    worker.conn.close()
