-- Security: local credentials, consent records, erasure markers.

-- Local to this database file (never synced): the password verifier of each user who
-- can log in here (the wrapped database keys themselves live in the <db>.keys sidecar,
-- which must be readable before the database is decrypted).
CREATE TABLE user_credential (
    user_id             TEXT PRIMARY KEY,
    username            TEXT NOT NULL,
    verifier            TEXT NOT NULL,
    must_change         INTEGER NOT NULL DEFAULT 0,
    password_changed_at TEXT NOT NULL,
    last_login_at       TEXT
);

-- A person's consent (synced): what they agreed to, when, who recorded it, until when.
-- scope: storage | referral | sharing | photo | all
CREATE TABLE consent (
    id            TEXT PRIMARY KEY,
    office_id     TEXT,
    person_id     TEXT NOT NULL,
    consent_date  TEXT NOT NULL,
    scope         TEXT NOT NULL,
    taken_by      TEXT,
    expiry_date   TEXT,
    withdrawn_date TEXT,
    method        TEXT,              -- written | oral | electronic
    notes         TEXT,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    hlc           TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX consent_person ON consent(person_id, scope);
CREATE INDEX consent_expiry ON consent(expiry_date) WHERE expiry_date IS NOT NULL;

-- The mark left when a person's personal data was erased at their request (synced, so
-- every office that has the person erases it too). Counts for reports stay.
CREATE TABLE person_erasure (
    id          TEXT PRIMARY KEY,
    office_id   TEXT,
    person_id   TEXT NOT NULL,
    erased_on   TEXT NOT NULL,
    reason      TEXT,
    fields      TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX person_erasure_person ON person_erasure(person_id);
