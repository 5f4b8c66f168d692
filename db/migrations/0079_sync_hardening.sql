-- Sync hardening (docs/dev/sync.md, "Addressee, revocation, device codes").
-- The device code each trusted device numbers its cases and loans with (from its bundles'
-- signed header): two devices of one office must never share one.
ALTER TABLE sync_trust ADD COLUMN device_code TEXT;

-- Changes whose origin device is revoked here: kept out of the data and out of the change
-- log (never applied, never relayed) until an administrator decides. Local, not synced.
CREATE TABLE sync_quarantine (
    origin_device TEXT NOT NULL,
    origin_seq    INTEGER NOT NULL,
    table_name    TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    line          TEXT NOT NULL,      -- the change as it arrived (JSON)
    bundle_id     TEXT NOT NULL,
    sender_device TEXT,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (origin_device, origin_seq)
);

-- People-facing numbers are checked for clashes on import: one indexed look-up each.
CREATE INDEX IF NOT EXISTS loan_number ON loan(number);
CREATE INDEX IF NOT EXISTS inspection_number ON inspection(number);
CREATE INDEX IF NOT EXISTS training_participant_certificate
    ON training_participant(certificate_number) WHERE certificate_number IS NOT NULL;
