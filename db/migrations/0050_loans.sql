-- Micro-loans from revolving funds: funds, their append-only ledger, loans, schedule versions.
-- Amounts are integer minor units with an ISO 4217 currency column. No foreign keys between
-- synced tables (sync may deliver a child before its parent).

-- An office's revolving fund (one currency).
CREATE TABLE loan_fund (
    id          TEXT PRIMARY KEY,
    office_id   TEXT,
    name        TEXT NOT NULL,
    currency    TEXT NOT NULL,
    notes       TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX loan_fund_office ON loan_fund(office_id);

-- The fund ledger (append-only; mistakes are corrected by a reversal entry that negates
-- the corrected one and names it in reverses_id). Signs:
--   cash       effect on the fund's money  (capital +, disbursement -, repayment +)
--   principal  effect on the loan's outstanding principal (disbursement +, repayment -,
--              write-off -)
--   interest, penalty  received with a repayment (+)
CREATE TABLE fund_entry (
    id          TEXT PRIMARY KEY,
    office_id   TEXT,
    fund_id     TEXT NOT NULL,
    loan_id     TEXT,
    kind        TEXT NOT NULL,      -- capital | disbursement | repayment | write_off
    value_date  TEXT NOT NULL,
    currency    TEXT NOT NULL,
    cash        INTEGER NOT NULL DEFAULT 0,
    principal   INTEGER NOT NULL DEFAULT 0,
    interest    INTEGER NOT NULL DEFAULT 0,
    penalty     INTEGER NOT NULL DEFAULT 0,
    reverses_id TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL DEFAULT '{}'
);
-- covering: fund balances and figures on a date without touching the table
CREATE INDEX fund_entry_fund ON fund_entry(fund_id, value_date, kind, cash, principal, interest,
    penalty) WHERE deleted=0;
-- covering: the portfolio aggregates by loan without touching the table
CREATE INDEX fund_entry_loan ON fund_entry(loan_id, value_date, kind, principal, interest)
    WHERE loan_id IS NOT NULL AND deleted=0;
CREATE INDEX fund_entry_reverses ON fund_entry(reverses_id) WHERE reverses_id IS NOT NULL;

-- A loan: application, decision, disbursement, closing or write-off. Terms are copied from
-- the product at application so that editing a product changes no existing loan.
CREATE TABLE loan (
    id                    TEXT PRIMARY KEY,
    office_id             TEXT,
    number                TEXT NOT NULL,
    fund_id               TEXT NOT NULL,
    person_id             TEXT NOT NULL,
    product_code          TEXT,
    purpose               TEXT NOT NULL,
    purpose_note          TEXT,
    amount                INTEGER NOT NULL,
    currency              TEXT NOT NULL,
    annual_rate           TEXT NOT NULL,      -- percent, decimal text
    term                  INTEGER NOT NULL,
    frequency             TEXT NOT NULL,
    method                TEXT NOT NULL,
    amortisation          TEXT NOT NULL,
    grace                 INTEGER NOT NULL DEFAULT 0,
    tolerance_days        INTEGER NOT NULL DEFAULT 0,
    late_fee_percent      TEXT NOT NULL DEFAULT '0',
    allocation            TEXT NOT NULL DEFAULT 'penalty,interest,principal',
    guarantor_name        TEXT,
    guarantor_phone       TEXT,
    guarantor_person_id   TEXT,
    borrower_language     TEXT,
    status                TEXT NOT NULL DEFAULT 'applied',
    applied_on            TEXT NOT NULL,
    decided_by            TEXT,
    decided_on            TEXT,
    decision_note         TEXT,
    disbursed_on          TEXT,
    closed_on             TEXT,
    writeoff_requested_by TEXT,
    writeoff_requested_on TEXT,
    writeoff_reason       TEXT,
    written_off_by        TEXT,
    written_off_on        TEXT,
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL,
    deleted               INTEGER NOT NULL DEFAULT 0,
    hlc                   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX loan_person ON loan(person_id);
CREATE INDEX loan_office_status ON loan(office_id, status);
CREATE INDEX loan_fund_idx ON loan(fund_id);
CREATE INDEX loan_disbursed ON loan(disbursed_on, currency, amount, office_id, fund_id, person_id)
    WHERE deleted=0;
CREATE INDEX loan_applied ON loan(applied_on, number) WHERE deleted=0;
-- covering: the portfolio reads these for every loan without touching the wide rows
CREATE INDEX loan_portfolio ON loan(id, office_id, fund_id, currency, person_id, number, amount)
    WHERE deleted=0;

-- Schedule versions: version 1 at disbursement, a new one per rescheduling (old kept).
-- base_paid_principal / base_paid_interest: repaid before effective_from (payments from
-- effective_from on count against this version's instalments).
CREATE TABLE loan_schedule (
    id                  TEXT PRIMARY KEY,
    office_id           TEXT,
    loan_id             TEXT NOT NULL,
    version             INTEGER NOT NULL,
    effective_from      TEXT NOT NULL,
    reason              TEXT,
    principal           INTEGER NOT NULL,     -- principal this version repays
    base_paid_principal INTEGER NOT NULL DEFAULT 0,
    base_paid_interest  INTEGER NOT NULL DEFAULT 0,
    annual_rate         TEXT NOT NULL,
    term                INTEGER NOT NULL,
    frequency           TEXT NOT NULL,
    method              TEXT NOT NULL,
    amortisation        TEXT NOT NULL,
    grace               INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    deleted             INTEGER NOT NULL DEFAULT 0,
    hlc                 TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX loan_schedule_version ON loan_schedule(loan_id, version);
CREATE INDEX loan_schedule_effective ON loan_schedule(loan_id, version, effective_from,
    base_paid_principal, base_paid_interest) WHERE deleted=0;

-- Instalments of a schedule version (append-only). cum_* are running totals within the
-- version so that arrears on any date are one indexed lookup.
CREATE TABLE loan_instalment (
    id             TEXT PRIMARY KEY,
    office_id      TEXT,
    loan_id        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    number         INTEGER NOT NULL,
    due_date       TEXT NOT NULL,
    principal      INTEGER NOT NULL,
    interest       INTEGER NOT NULL,
    cum_principal  INTEGER NOT NULL,
    cum_interest   INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    hlc            TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX loan_instalment_due ON loan_instalment(loan_id, version, due_date, cum_principal,
    cum_interest) WHERE deleted=0;
