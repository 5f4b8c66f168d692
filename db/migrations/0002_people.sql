-- People registry: migrants, potential migrants, returnees, family members, trainees, borrowers.
-- Names are stored exactly as typed; name_key/phone_key/document_key are derived for matching.

CREATE TABLE person (
    id                    TEXT PRIMARY KEY,
    office_id             TEXT,
    family_name           TEXT NOT NULL,
    given_name            TEXT NOT NULL,
    patronymic            TEXT,
    sex                   TEXT,              -- female | male
    birth_date            TEXT,              -- ISO date
    birth_date_estimated  INTEGER NOT NULL DEFAULT 0,  -- 1: derived from an estimated age
    phones                TEXT,              -- as typed, several separated by ';'
    document_number       TEXT,
    country               TEXT,              -- reference codes
    region                TEXT,
    district              TEXT,
    jamoat                TEXT,
    village               TEXT,
    education             TEXT,
    disability            INTEGER NOT NULL DEFAULT 0,
    female_headed_household INTEGER NOT NULL DEFAULT 0,
    household_notes       TEXT,
    union_member          INTEGER NOT NULL DEFAULT 0,
    migration_status      TEXT,              -- potential | abroad | returned | stranded
    consent_date          TEXT,
    consent_scope         TEXT,
    notes                 TEXT,
    merged_into           TEXT,              -- redirect after a duplicate merge
    name_key              TEXT,
    phone_key             TEXT,
    document_key          TEXT,
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL,
    deleted               INTEGER NOT NULL DEFAULT 0,
    hlc                   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX person_family_name ON person(family_name COLLATE NOCASE, given_name COLLATE NOCASE);
CREATE INDEX person_created ON person(created_at);
CREATE INDEX person_phone_key ON person(phone_key) WHERE phone_key IS NOT NULL AND phone_key != '';
CREATE INDEX person_document_key ON person(document_key) WHERE document_key IS NOT NULL AND document_key != '';
CREATE INDEX person_birth_date ON person(birth_date);
CREATE INDEX person_district ON person(district, jamoat);
CREATE INDEX person_office ON person(office_id);

-- Name keys (every token, script-independent), phone and document keys: one row per person,
-- rowid = person.rowid.
CREATE VIRTUAL TABLE person_search USING fts5(
    keys, content='', contentless_delete=1, tokenize='unicode61', prefix='2 3 4'
);

CREATE TABLE migration_episode (
    id                  TEXT PRIMARY KEY,
    office_id           TEXT,
    person_id           TEXT NOT NULL,
    destination_country TEXT,
    destination_city    TEXT,
    sector              TEXT,
    employer_name       TEXT,
    departure_date      TEXT,
    return_date         TEXT,
    work_permit         TEXT,
    recruitment_channel TEXT,
    notes               TEXT,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    deleted             INTEGER NOT NULL DEFAULT 0,
    hlc                 TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX migration_episode_person ON migration_episode(person_id);
