-- Hotline and case management, employers, labour inspections (issue 5).
-- All tables are synced (standard columns); no foreign keys between synced tables.

CREATE TABLE employer (
    id                  TEXT PRIMARY KEY,
    office_id           TEXT,
    name                TEXT NOT NULL,
    name_key            TEXT,              -- derived, script-independent
    country             TEXT,
    city                TEXT,
    region              TEXT,
    sector              TEXT,              -- reference kind 'sector'
    size                TEXT,              -- large | medium | small
    tax_number          TEXT,
    union_present       INTEGER NOT NULL DEFAULT 0,
    collective_agreement INTEGER NOT NULL DEFAULT 0,
    high_risk           INTEGER NOT NULL DEFAULT 0,
    attestation_date    TEXT,
    attestation_result  TEXT,
    notes               TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX employer_name_key ON employer(name_key);

CREATE TABLE hotline_case (
    id              TEXT PRIMARY KEY,
    office_id       TEXT,
    number          TEXT NOT NULL,         -- OFFICE-DEVICE-YEAR-NNNNN, people-facing
    person_id       TEXT,                  -- NULL: anonymous caller, linked later
    caller_name     TEXT,                  -- as the caller gave it (may be a first name only)
    caller_phone    TEXT,
    caller_key      TEXT,                  -- derived name key of caller_name
    channel         TEXT NOT NULL,         -- reference kind 'case_channel'
    category        TEXT NOT NULL,         -- reference kind 'case_category'
    subcategory     TEXT,                  -- reference kind 'case_subcategory'
    status          TEXT NOT NULL DEFAULT 'new',
    assigned_to     TEXT,                  -- app_user id
    sensitive       INTEGER NOT NULL DEFAULT 0,   -- computed: flag, category or minor
    sensitive_flag  INTEGER NOT NULL DEFAULT 0,   -- set by a person
    risk_level      TEXT NOT NULL DEFAULT 'medium',
    summary         TEXT,
    country         TEXT,                  -- where it happened
    city            TEXT,
    employer_id     TEXT,
    opened_on       TEXT NOT NULL,
    resolved_on     TEXT,
    closed_on       TEXT,
    outcome         TEXT,                  -- reference kind 'case_outcome'
    wages_recovered_minor INTEGER,
    wages_currency  TEXT,
    returned_home   INTEGER NOT NULL DEFAULT 0,
    inspection_opened INTEGER NOT NULL DEFAULT 0,
    fine_imposed    INTEGER NOT NULL DEFAULT 0,
    outcome_notes   TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX hotline_case_number ON hotline_case(number);
CREATE INDEX hotline_case_person ON hotline_case(person_id);
CREATE INDEX hotline_case_list ON hotline_case(deleted, opened_on DESC, number DESC);
CREATE INDEX hotline_case_assigned ON hotline_case(assigned_to, status, opened_on);
CREATE INDEX hotline_case_status ON hotline_case(status, category, opened_on);
CREATE INDEX hotline_case_category ON hotline_case(category, status);
CREATE INDEX hotline_case_employer ON hotline_case(employer_id);
CREATE INDEX hotline_case_caller_key ON hotline_case(caller_key);

-- The dated timeline of a case: notes, calls, status changes, reopenings. Append-only.
CREATE TABLE case_event (
    id          TEXT PRIMARY KEY,
    office_id   TEXT,
    case_id     TEXT NOT NULL,
    event_on    TEXT NOT NULL,             -- ISO date
    kind        TEXT NOT NULL,             -- note | call | status | reopened | referral | follow_up | outcome | person_linked
    from_status TEXT,
    to_status   TEXT,
    text        TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_event_case ON case_event(case_id, event_on, created_at);

CREATE TABLE case_followup (
    id          TEXT PRIMARY KEY,
    office_id   TEXT,
    case_id     TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    action      TEXT NOT NULL,
    assigned_to TEXT,
    done_on     TEXT,
    result      TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_followup_case ON case_followup(case_id, due_on);
CREATE INDEX case_followup_due ON case_followup(done_on, due_on);

CREATE TABLE case_referral (
    id              TEXT PRIMARY KEY,
    office_id       TEXT,
    case_id         TEXT NOT NULL,
    target          TEXT NOT NULL,         -- reference kind 'referral_target'
    target_detail   TEXT,                  -- the organisation or person referred to
    referred_on     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'sent',  -- sent | accepted | declined | completed | no_answer
    answer          TEXT,
    answered_on     TEXT,
    consent_override INTEGER NOT NULL DEFAULT 0,
    override_reason TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_referral_case ON case_referral(case_id);
CREATE INDEX case_referral_target ON case_referral(target, status);

CREATE TABLE inspection (
    id              TEXT PRIMARY KEY,
    office_id       TEXT,
    number          TEXT NOT NULL,
    employer_id     TEXT NOT NULL,
    inspector_id    TEXT,                  -- app_user id
    inspector_name  TEXT,
    inspected_on    TEXT NOT NULL,
    trigger         TEXT NOT NULL,         -- reference kind 'inspection_trigger'
    status          TEXT NOT NULL DEFAULT 'completed',  -- planned | completed
    findings        TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX inspection_employer ON inspection(employer_id, inspected_on);
CREATE INDEX inspection_date ON inspection(inspected_on);

CREATE TABLE inspection_violation (
    id              TEXT PRIMARY KEY,
    office_id       TEXT,
    inspection_id   TEXT NOT NULL,
    violation       TEXT NOT NULL,         -- reference kind 'violation'
    workers_affected INTEGER,
    notes           TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX inspection_violation_inspection ON inspection_violation(inspection_id);

CREATE TABLE inspection_sanction (
    id              TEXT PRIMARY KEY,
    office_id       TEXT,
    inspection_id   TEXT NOT NULL,
    sanction        TEXT NOT NULL,         -- reference kind 'sanction'
    fine_minor      INTEGER,
    fine_currency   TEXT,
    notes           TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX inspection_sanction_inspection ON inspection_sanction(inspection_id);

-- Cases an inspection was triggered by or closed (many to many).
CREATE TABLE inspection_case (
    id              TEXT PRIMARY KEY,
    office_id       TEXT,
    inspection_id   TEXT NOT NULL,
    case_id         TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX inspection_case_inspection ON inspection_case(inspection_id);
CREATE INDEX inspection_case_case ON inspection_case(case_id);
