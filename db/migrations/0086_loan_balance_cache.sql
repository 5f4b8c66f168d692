-- The Home page's loan figures per date (store.loans.balance_cache): what open_balances_at
-- computed for an office scope and a date, kept until a write could change it. Local: no
-- repository, so it is never synced, logged or exported; the import undo does not record
-- it (sync.import_undo) and empties it when it has run.
--   scope:    the formula's tag, '|', the office ids (sorted, comma-separated; none: every
--             office)
--   currency: '' marks the (scope, date) as computed, also when no currency has a balance
CREATE TABLE loan_balance_cache (
    scope        TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    outstanding  INTEGER NOT NULL,
    scheduled    INTEGER NOT NULL,
    late_over_30 INTEGER NOT NULL,
    PRIMARY KEY (scope, as_of, currency)
);
CREATE INDEX loan_balance_cache_as_of ON loan_balance_cache(as_of);

-- The triggers drop every cached date a written row could change, from what
-- _OPEN_BALANCES_SQL reads (compared as text, as that SQL compares them). A balance on
-- date D reads:
--   fund_entry      rows with loan_id set and value_date <= D (deleted, loan_id, kind,
--                   value_date, principal, interest)
--   loan            id, deleted, office_id (the scope) and currency, of loans with an entry
--                   dated on or before D (others have no balance on D)
--   loan_schedule   rows with effective_from <= D (loan_id, version, deleted, the base
--                   amounts; one row per loan and version: loan_schedule_version)
--   loan_instalment rows with due_date <= D - 31 days (loan_id, version, deleted, cum_*)
-- A missing date (NULL) drops everything. Nothing runs while the cache is empty.
CREATE TRIGGER loan_balance_cache_entry_insert AFTER INSERT ON fund_entry
WHEN new.loan_id IS NOT NULL AND EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache WHERE as_of >= COALESCE(new.value_date, '');
END;

CREATE TRIGGER loan_balance_cache_entry_update AFTER UPDATE ON fund_entry
WHEN (old.loan_id IS NOT NULL OR new.loan_id IS NOT NULL)
 AND (old.loan_id IS NOT new.loan_id OR old.deleted IS NOT new.deleted
      OR old.kind IS NOT new.kind OR old.value_date IS NOT new.value_date
      OR old.principal IS NOT new.principal OR old.interest IS NOT new.interest)
 AND EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache
     WHERE as_of >= COALESCE(min(old.value_date, new.value_date), '');
END;

CREATE TRIGGER loan_balance_cache_entry_delete AFTER DELETE ON fund_entry
WHEN old.loan_id IS NOT NULL AND EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache WHERE as_of >= COALESCE(old.value_date, '');
END;

-- a loan counts from its first entry on (fund_entry_loan finds it); without entries it
-- has no balance on any date
CREATE TRIGGER loan_balance_cache_loan_insert AFTER INSERT ON loan
WHEN EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache WHERE as_of >= (
        SELECT min(value_date) FROM fund_entry
         WHERE loan_id = new.id AND loan_id IS NOT NULL AND deleted = 0);
END;

CREATE TRIGGER loan_balance_cache_loan_update AFTER UPDATE ON loan
WHEN (old.id IS NOT new.id OR old.deleted IS NOT new.deleted
      OR old.office_id IS NOT new.office_id OR old.currency IS NOT new.currency)
 AND EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache WHERE as_of >= (
        SELECT min(value_date) FROM fund_entry
         WHERE loan_id IN (old.id, new.id) AND loan_id IS NOT NULL AND deleted = 0);
END;

CREATE TRIGGER loan_balance_cache_loan_delete AFTER DELETE ON loan
WHEN EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache WHERE as_of >= (
        SELECT min(value_date) FROM fund_entry
         WHERE loan_id = old.id AND loan_id IS NOT NULL AND deleted = 0);
END;

CREATE TRIGGER loan_balance_cache_schedule_insert AFTER INSERT ON loan_schedule
WHEN EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache WHERE as_of >= COALESCE(new.effective_from, '');
END;

CREATE TRIGGER loan_balance_cache_schedule_update AFTER UPDATE ON loan_schedule
WHEN (old.loan_id IS NOT new.loan_id OR old.version IS NOT new.version
      OR old.deleted IS NOT new.deleted OR old.effective_from IS NOT new.effective_from
      OR old.base_paid_principal IS NOT new.base_paid_principal
      OR old.base_paid_interest IS NOT new.base_paid_interest)
 AND EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache
     WHERE as_of >= COALESCE(min(old.effective_from, new.effective_from), '');
END;

CREATE TRIGGER loan_balance_cache_schedule_delete AFTER DELETE ON loan_schedule
WHEN EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache WHERE as_of >= COALESCE(old.effective_from, '');
END;

-- an instalment counts on D when due on or before D - 31 days (the SQL's late_by): the
-- cache's own dates are shifted, so the comparison is the SQL's, whatever the due date
CREATE TRIGGER loan_balance_cache_instalment_insert AFTER INSERT ON loan_instalment
WHEN EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache
     WHERE date(as_of, '-31 days') >= COALESCE(new.due_date, '');
END;

CREATE TRIGGER loan_balance_cache_instalment_update AFTER UPDATE ON loan_instalment
WHEN (old.loan_id IS NOT new.loan_id OR old.version IS NOT new.version
      OR old.deleted IS NOT new.deleted OR old.due_date IS NOT new.due_date
      OR old.cum_principal IS NOT new.cum_principal
      OR old.cum_interest IS NOT new.cum_interest)
 AND EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache
     WHERE date(as_of, '-31 days') >= COALESCE(min(old.due_date, new.due_date), '');
END;

CREATE TRIGGER loan_balance_cache_instalment_delete AFTER DELETE ON loan_instalment
WHEN EXISTS (SELECT 1 FROM loan_balance_cache)
BEGIN
    DELETE FROM loan_balance_cache
     WHERE date(as_of, '-31 days') >= COALESCE(old.due_date, '');
END;
