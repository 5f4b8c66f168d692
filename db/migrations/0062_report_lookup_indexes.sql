-- Reports: covering indexes for look-ups by id from the report passes, so that they read
-- small index entries instead of whole rows (tables of other modules are only indexed).
--
-- Referrals of the period look up their case (category, client) by id.
CREATE INDEX IF NOT EXISTS report_case_id ON hotline_case(id, category, person_id)
    WHERE deleted = 0;
-- Loan portfolio figures: every disbursed loan's disaggregation values (product, purpose,
-- office, borrower), read once per report.
CREATE INDEX IF NOT EXISTS report_loan ON loan(
    disbursed_on, id, product_code, purpose, office_id, person_id) WHERE deleted = 0;
