-- Reports: covering indexes so that the indicator families read small index entries
-- instead of whole rows (person rows carry ~2 KB of clocks and notes). Tables of other
-- modules (person, migration_episode, hotline_case) are only indexed here, never altered.
--
-- People family (registered, on the register, reached) and every person looked up by
-- id from cases, trainings and loans: id first, so that a join on p.id reads the index
-- entry only; the full pass over the register reads the index in id order.
CREATE INDEX IF NOT EXISTS report_person ON person(
    id, created_at, office_id, merged_into, sex, birth_date, district, jamoat,
    migration_status) WHERE deleted = 0;
-- Destination country: the latest episode of each person, read backwards in the index.
CREATE INDEX IF NOT EXISTS report_migration_episode ON migration_episode(
    person_id, departure_date, created_at, destination_country) WHERE deleted = 0;
-- Cases family (opened, resolved, closed, open at the end, days to resolution, wages).
CREATE INDEX IF NOT EXISTS report_hotline_case ON hotline_case(
    opened_on, resolved_on, closed_on, office_id, person_id, category, channel, country,
    outcome, wages_recovered_minor, wages_currency) WHERE deleted = 0;
-- Referrals made in the period, by target and answer.
CREATE INDEX IF NOT EXISTS report_case_referral ON case_referral(
    referred_on, case_id, target, status, office_id) WHERE deleted = 0;
