-- Core tables: identity of this database, offices, users, reference data,
-- the change log that sync reads, the audit log, local number sequences.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);
INSERT INTO meta(key, value) VALUES ('app', 'hamroh');

-- Offices (JRC, trade-union centre, inspectorate, coordinator). Synced.
CREATE TABLE office (
    id          TEXT PRIMARY KEY,
    office_id   TEXT,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    office_type TEXT NOT NULL DEFAULT 'jrc',
    country     TEXT,
    region      TEXT,
    district    TEXT,
    jamoat      TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX office_code ON office(code);

-- Devices known to this database (this one included). Local.
CREATE TABLE device (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL,
    office_id  TEXT,
    name       TEXT,
    is_self    INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- Users. Synced (security adds credentials in its own local table).
CREATE TABLE app_user (
    id           TEXT PRIMARY KEY,
    office_id    TEXT,
    username     TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL DEFAULT 'field_officer',
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    hlc          TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX app_user_username ON app_user(username);

-- Reference data (countries, regions, districts, jamoats, categories, courses ...).
-- Labels in every language; codes are what records store. Synced (administrators extend it).
CREATE TABLE reference_item (
    id          TEXT PRIMARY KEY,
    office_id   TEXT,
    kind        TEXT NOT NULL,
    code        TEXT NOT NULL,
    parent_code TEXT,
    label_en    TEXT NOT NULL,
    label_ru    TEXT NOT NULL,
    label_tg    TEXT NOT NULL,
    label_uz    TEXT NOT NULL,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1,
    attributes  TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX reference_item_kind_code ON reference_item(kind, code);
CREATE INDEX reference_item_parent ON reference_item(kind, parent_code);

-- One row per record write, local or received: what sync exports.
CREATE TABLE change_log (
    seq           INTEGER PRIMARY KEY,
    origin_device TEXT NOT NULL,
    origin_seq    INTEGER NOT NULL,
    table_name    TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    hlc           TEXT NOT NULL,
    fields        TEXT NOT NULL,
    author        TEXT,
    office_id     TEXT
);
CREATE UNIQUE INDEX change_log_origin ON change_log(origin_device, origin_seq);
CREATE INDEX change_log_record ON change_log(table_name, record_id);

-- Who did what, with before/after values; each row hashes the previous one.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    at         TEXT NOT NULL,
    user_id    TEXT,
    device_id  TEXT,
    action     TEXT NOT NULL,
    table_name TEXT,
    record_id  TEXT,
    before     TEXT,
    after      TEXT,
    detail     TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log(table_name, record_id);
CREATE INDEX audit_log_at ON audit_log(at);

-- Local counters for people-facing numbers (case numbers, certificates ...).
CREATE TABLE local_sequence (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
