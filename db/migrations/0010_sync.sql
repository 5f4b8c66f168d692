-- Sync: device keys, trust, peers, bundle history, conflicts, possible duplicates.
-- All tables here are local bookkeeping of this installation; none of them syncs.

-- Base clocks of a write: for each written field, the clock of the value it replaced.
-- Lets a receiver tell a concurrent edit (a conflict) from a later edit of a seen value.
ALTER TABLE change_log ADD COLUMN base TEXT;

-- This installation's signing key (Ed25519) and the organisation's bundle key
-- (derived from the sync passphrase with scrypt; the passphrase itself is not stored).
CREATE TABLE sync_identity (
    name       TEXT PRIMARY KEY,        -- 'device_key' | 'org_key'
    secret     BLOB NOT NULL,
    public     BLOB,
    params     TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);

-- Devices whose bundles this installation accepts (or refuses: status 'revoked').
CREATE TABLE sync_trust (
    fingerprint TEXT PRIMARY KEY,
    public_key  BLOB,                              -- NULL: trusted by fingerprint only
    device_id   TEXT,
    office_id   TEXT,
    office_code TEXT,
    name        TEXT,
    status      TEXT NOT NULL DEFAULT 'trusted',   -- trusted | revoked
    changed_at  TEXT NOT NULL,
    changed_by  TEXT
);
CREATE INDEX sync_trust_device ON sync_trust(device_id);

-- What we know each peer device holds (its version vector from its last bundle).
CREATE TABLE sync_peer (
    device_id    TEXT PRIMARY KEY,
    office_id    TEXT,
    office_code  TEXT,
    office_type  TEXT,
    fingerprint  TEXT,
    acked        TEXT NOT NULL DEFAULT '{}',   -- JSON {origin_device: max origin_seq}
    last_in_at   TEXT,
    last_out_at  TEXT
);

-- Bundles in and out.
CREATE TABLE sync_bundle_log (
    seq          INTEGER PRIMARY KEY,
    bundle_id    TEXT NOT NULL,
    direction    TEXT NOT NULL,                -- in | out
    at           TEXT NOT NULL,
    peer_device  TEXT,
    peer_office  TEXT,
    target       TEXT,                         -- out: 'coordinator' | office code | 'full'
    file_name    TEXT,
    changes      INTEGER NOT NULL DEFAULT 0,
    new_records  INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    conflicts    INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    result       TEXT NOT NULL DEFAULT 'ok',
    actor        TEXT
);
CREATE INDEX sync_bundle_log_bundle ON sync_bundle_log(bundle_id, direction);

-- Same-field conflicts: both values, who and when on each side.
CREATE TABLE sync_conflict (
    id            INTEGER PRIMARY KEY,
    table_name    TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    field         TEXT NOT NULL,
    winner_value  TEXT,                        -- JSON
    winner_hlc    TEXT NOT NULL,
    winner_author TEXT,
    loser_value   TEXT,                        -- JSON
    loser_hlc     TEXT NOT NULL,
    loser_author  TEXT,
    found_at      TEXT NOT NULL,
    bundle_id     TEXT,
    status        TEXT NOT NULL DEFAULT 'open', -- open | kept | taken | superseded
    resolved_at   TEXT,
    resolved_by   TEXT
);
CREATE UNIQUE INDEX sync_conflict_unique ON sync_conflict(table_name, record_id, field, loser_hlc);
CREATE INDEX sync_conflict_status ON sync_conflict(status);

-- People who are probably the same, found after an import (or on demand).
CREATE TABLE sync_duplicate (
    id          INTEGER PRIMARY KEY,
    person_a    TEXT NOT NULL,
    person_b    TEXT NOT NULL,
    score       INTEGER NOT NULL,
    reason      TEXT,
    found_at    TEXT NOT NULL,
    bundle_id   TEXT,
    status      TEXT NOT NULL DEFAULT 'open',  -- open | merged | dismissed
    decided_at  TEXT,
    decided_by  TEXT
);
CREATE UNIQUE INDEX sync_duplicate_pair ON sync_duplicate(person_a, person_b);

-- Usernames are unique within an office: every office's first administrator is 'admin',
-- and a coordinator holds the users of all offices.
DROP INDEX IF EXISTS app_user_username;
CREATE UNIQUE INDEX app_user_office_username ON app_user(office_id, username);
