-- Indexes for the People list (desktop_app/store/people_list.py): every listed person is
-- "deleted=0 AND merged_into IS NULL", so partial indexes over exactly those rows let the
-- list of a million people be read in display order from the index alone.
CREATE INDEX IF NOT EXISTS person_list_name ON person(
    family_name COLLATE NOCASE, given_name COLLATE NOCASE, sex, migration_status, district)
    WHERE deleted=0 AND merged_into IS NULL;
CREATE INDEX IF NOT EXISTS person_list_birth ON person(birth_date)
    WHERE deleted=0 AND merged_into IS NULL;
CREATE INDEX IF NOT EXISTS person_list_created ON person(created_at)
    WHERE deleted=0 AND merged_into IS NULL;
CREATE INDEX IF NOT EXISTS person_list_place ON person(district, jamoat)
    WHERE deleted=0 AND merged_into IS NULL;
CREATE INDEX IF NOT EXISTS person_list_sex ON person(sex)
    WHERE deleted=0 AND merged_into IS NULL;
CREATE INDEX IF NOT EXISTS person_list_status ON person(migration_status)
    WHERE deleted=0 AND merged_into IS NULL;
CREATE INDEX IF NOT EXISTS person_list_phone ON person(phones)
    WHERE deleted=0 AND merged_into IS NULL;
