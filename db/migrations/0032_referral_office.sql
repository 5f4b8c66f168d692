-- Referrals to another office of the network (issue 3 item 8, issue 5): the office the
-- case is referred to receives the case, its person and its history in its sync bundles.
ALTER TABLE case_referral ADD COLUMN target_office_id TEXT;
CREATE INDEX case_referral_office ON case_referral(target_office_id, case_id)
    WHERE target_office_id IS NOT NULL AND deleted = 0;
