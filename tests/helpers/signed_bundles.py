"""Bundles signed with an office's own device key whatever their lines hold: what a stolen
or buggy laptop of a trusted office can send (tests of received values)."""
from __future__ import annotations

import json

import pytest

from desktop_app.store.cases import services as cases
from desktop_app.store.session import get_meta
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys
from tests.helpers import loans as loan_helpers
from tests.helpers import trainings as training_helpers
from tests.helpers.replicas import ORG_KEY, exchange_files


class Sender:
    """Signs bundles with an office's own device key, whatever their lines hold."""

    def __init__(self, replica):
        self.replica = replica
        self.seq = 1_000_000
        self.ms = 4_000_000_000_000      # after every clock the office wrote

    def change(self, table: str, record_id: str, fields: dict, **keys_) -> dict:
        self.seq += 1
        self.ms += 1
        device = self.replica.device_id
        return {"a": None, "b": None, "d": device, "h": f"{self.ms:015d}.00000.{device}",
                "o": get_meta(self.replica.conn, "office_id"), "r": record_id, "s": self.seq,
                "t": table, "f": fields, **keys_}

    def bundle(self, path, changes: list[dict]):
        """A bundle for the coordinator with the fields last in each line, as an export
        writes them."""
        conn = self.replica.conn
        writer = fmt.BundleWriter(path, keys.load_identity(conn), ORG_KEY,
                                  schema=exchange.schema_names(conn),
                                  manifest={"version_vector": {}, "fields_last": True},
                                  addressee={"kind": "coordinator"},
                                  device_code=get_meta(conn, "device_code"))
        for change in changes:
            head = json.dumps({k: v for k, v in change.items() if k != "f"},
                              ensure_ascii=False, separators=(",", ":"))
            line = (head[:-1] + ',"f":' + json.dumps(change["f"], ensure_ascii=False,
                                                     separators=(",", ":")) + "}\n")
            writer.add_line(str(change["t"]), line.encode("utf-8"), str(change["d"]))
        writer.finish()
        return path


@pytest.fixture
def signed_office(make_replicas, tmp_path):
    """GRM with a borrower, her case and an active loan, and a training; the coordinator
    DSH holds all of it."""
    grm, dsh = make_replicas(["GRM", "DSH"])
    person = loan_helpers.borrower(grm.session)
    case = cases.open_case(grm.session, {"person_id": person["id"], "category": "unpaid_wages",
                                         "channel": "hotline", "summary": "Иҷрои шартнома"})
    fund = loan_helpers.fund_with_capital(grm.session)
    loan = loan_helpers.active_loan(grm.session, loan_helpers.second_user(grm.session), fund,
                                    person)
    event = training_helpers.event(grm.session)
    exchange_files(grm, dsh, tmp_path / "first", target="coordinator")
    ids = {"person": person["id"], "hotline_case": case["id"], "loan": loan["id"],
           "training_event": event["id"], "loan_fund": fund["id"]}
    return Sender(grm), dsh, ids
