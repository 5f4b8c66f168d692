-- Trainings: events of a course, their sessions, participants, attendance and follow-up
-- outcomes. All synced (standard columns); no foreign keys between synced tables because
-- sync may deliver a child before its parent. Courses, topics, provider types, funding
-- sources and outcome labels are reference data (db/reference/trainings.csv).

CREATE TABLE training_event (
    id             TEXT PRIMARY KEY,
    office_id      TEXT,
    course_code    TEXT NOT NULL,          -- reference_item kind 'course'
    title          TEXT,                   -- optional name of this run of the course
    provider_type  TEXT,                   -- reference kind 'training_provider_type'
    provider_name  TEXT,
    trainers       TEXT,
    funding_source TEXT,                   -- reference kind 'funding_source' (project / donor)
    district       TEXT,
    jamoat         TEXT,
    place          TEXT,
    start_date     TEXT,
    end_date       TEXT,
    language       TEXT,                   -- ru | tg | uz | en: language of instruction
    notes          TEXT,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    hlc            TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX training_event_start ON training_event(start_date);
CREATE INDEX training_event_course ON training_event(course_code);
CREATE INDEX training_event_funding ON training_event(funding_source);

CREATE TABLE training_session (
    id           TEXT PRIMARY KEY,
    office_id    TEXT,
    event_id     TEXT NOT NULL,
    session_date TEXT NOT NULL,
    minutes      INTEGER NOT NULL DEFAULT 0,   -- length; hours = minutes / 60
    topic        TEXT,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    hlc          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX training_session_event ON training_session(event_id, session_date);

CREATE TABLE training_participant (
    id                  TEXT PRIMARY KEY,
    office_id           TEXT,
    event_id            TEXT NOT NULL,
    person_id           TEXT NOT NULL,     -- resolve merges with store.people.resolve_person
    completion_override TEXT,              -- completed | not_completed (manual decision)
    override_reason     TEXT,              -- required with an override
    language            TEXT,              -- certificate language: ru | tg | uz | en
    certificate_number  TEXT,
    certificate_date    TEXT,
    notes               TEXT,
    -- derived locally from attendance, sessions and the course rule (not synced):
    attended_sessions   INTEGER NOT NULL DEFAULT 0,
    attended_minutes    INTEGER NOT NULL DEFAULT 0,
    completed           INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    deleted             INTEGER NOT NULL DEFAULT 0,
    hlc                 TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX training_participant_event ON training_participant(event_id);
CREATE INDEX training_participant_person ON training_participant(person_id);

-- One row per marked cell of the grid. Its id is derived from (session, participant), so
-- two laptops marking the same cell write the same record and sync merges it.
CREATE TABLE training_attendance (
    id             TEXT PRIMARY KEY,
    office_id      TEXT,
    event_id       TEXT NOT NULL,
    session_id     TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    present        INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    hlc            TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX training_attendance_event ON training_attendance(event_id);
CREATE INDEX training_attendance_participant ON training_attendance(participant_id);

-- Dated follow-up outcomes of a trainee (a person may have several over time).
CREATE TABLE training_outcome (
    id             TEXT PRIMARY KEY,
    office_id      TEXT,
    person_id      TEXT NOT NULL,
    event_id       TEXT,                   -- the training it follows, when known
    participant_id TEXT,
    outcome        TEXT NOT NULL,          -- job_home | migrated_contract | business_started | loan_received | none_yet
    outcome_date   TEXT NOT NULL,
    notes          TEXT,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    hlc            TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX training_outcome_person ON training_outcome(person_id);
CREATE INDEX training_outcome_event ON training_outcome(event_id);
