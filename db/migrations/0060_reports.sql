-- Reports: resolving merged people to their surviving identity reads only merged rows.
CREATE INDEX IF NOT EXISTS person_merged_into ON person(merged_into)
    WHERE merged_into IS NOT NULL AND merged_into != '';
