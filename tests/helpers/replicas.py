"""Replicas for sync tests: set-up databases with keys, a shared passphrase and mutual trust.

Templates are built once per run (migrations are the slow part) and copied per test.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app.store.access import default_actor, open_database
from desktop_app.store.session import Session
from desktop_app.store.setup import initialise
from desktop_app.sync import keys

ORG_KEY = bytes(range(32))
OFFICES = [("GRM", "jrc"), ("TJB", "jrc"), ("KHJ", "union_centre"), ("NUR", "jrc"),
           ("DSH", "coordinator")]


@dataclass
class Replica:
    name: str
    path: Path
    session: Session

    @property
    def conn(self):
        return self.session.conn

    @property
    def device_id(self) -> str:
        return self.session.device_id

    def reopen(self) -> None:
        self.session.conn.close()
        conn = open_database(self.path)
        self.session = Session(conn, default_actor(conn))

    def close(self) -> None:
        self.session.conn.close()


@pytest.fixture(scope="session")
def replica_templates(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("replicas")
    conns, publics = [], []
    for code, office_type in OFFICES:
        path = folder / f"{code}.db"
        conn = open_database(path, create=True)
        initialise(conn, office_code=code, office_name=f"{code} office", office_type=office_type,
                   device_name=f"{code} laptop", admin_username="admin")
        keys.set_org_key(conn, ORG_KEY)
        identity = keys.load_identity(conn)
        conns.append((path, conn))
        publics.append((identity, code))
    for _path, conn in conns:
        for identity, code in publics:
            keys.trust(conn, identity.public_key, device_id=identity.device_id,
                       office_code=code, name=identity.name)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return [path for path, _conn in conns]


@pytest.fixture
def make_replicas(replica_templates, tmp_path):
    """make_replicas(n) -> n replicas (the last one of 5 is the coordinator)."""
    opened: list[Replica] = []
    counter = [0]

    def make(codes) -> list[Replica]:
        counter[0] += 1
        result = []
        for position, code in enumerate(codes):
            index = [c for c, _t in OFFICES].index(code)
            target = tmp_path / f"{counter[0]}-{position}-{code}.db"
            shutil.copyfile(replica_templates[index], target)
            conn = open_database(target)
            replica = Replica(code, target, Session(conn, default_actor(conn)))
            opened.append(replica)
            result.append(replica)
        return result

    yield make
    for replica in opened:
        try:
            replica.close()
        except Exception:
            pass


def exchange_files(src: Replica, dst: Replica, folder: Path, *, target=None, full=False):
    """Export from ``src`` for ``dst`` (its device, or ``target``) and import into ``dst``."""
    from desktop_app.sync import exchange
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{src.name}-{dst.name}-{len(list(folder.iterdir()))}.hamroh"
    if target is None:
        exchange.export_bundle(src.conn, path, peer_device=dst.device_id, full=full)
    else:
        exchange.export_bundle(src.conn, path, target=target, full=full)
    return exchange.import_bundle(dst.conn, path, actor=dst.session.actor)
