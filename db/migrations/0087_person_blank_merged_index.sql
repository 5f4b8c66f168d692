-- The Home page's people counts over every office (reports.dashboard): a survivor is a
-- living record whose merged_into is NULL (the partial index person_list_created, by
-- registration stamp) or '' (written by hand or by an older replica; normally none). This
-- index finds the second kind by stamp too, so that the counts read index ranges instead
-- of the whole register. It holds no row until such a record exists: nothing to write.
CREATE INDEX IF NOT EXISTS person_blank_merged ON person(created_at)
    WHERE deleted = 0 AND merged_into = '';
