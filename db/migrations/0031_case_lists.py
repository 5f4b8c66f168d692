"""Case work lists and search at 300,000 cases (issue 5).

- Partial indexes whose order is the list order (opened_on, number newest first) and
  that carry the filter columns, so a list is read from the index alone as rowids.
- A partial index of open follow-ups by due date (the due / overdue list).
- ``case_search``: FTS5 over script-independent keys of each case (number, person,
  caller, employer, phones, description) and tags of its list filters (status,
  category, assignee, employer), so a filtered search is answered by the index alone;
  rowid = hotline_case.rowid. Derived, local.
- ``case_search_stale``: cases whose person's name or phone changed since their keys
  were written (filled by a trigger on person; emptied by store.cases.search).
"""

STATEMENTS = [
    "DROP INDEX IF EXISTS hotline_case_list",
    # all cases; covers the status / category / assignee filters
    "CREATE INDEX hotline_case_order ON hotline_case(opened_on DESC, number DESC, status,"
    " category, assigned_to) WHERE deleted = 0",
    # open cases (default view) and my open cases
    "CREATE INDEX hotline_case_open_order ON hotline_case(opened_on DESC, number DESC,"
    " category, assigned_to) WHERE deleted = 0 AND status IN ('new', 'in_progress', 'referred')",
    "CREATE INDEX hotline_case_mine ON hotline_case(assigned_to, opened_on DESC, number DESC,"
    " category) WHERE deleted = 0 AND status IN ('new', 'in_progress', 'referred')",
    # by status, by category (each covers the other filter)
    "CREATE INDEX hotline_case_status_order ON hotline_case(status, opened_on DESC,"
    " number DESC, category, assigned_to) WHERE deleted = 0",
    "CREATE INDEX hotline_case_category_order ON hotline_case(category, opened_on DESC,"
    " number DESC, status, assigned_to) WHERE deleted = 0",
    "CREATE INDEX hotline_case_employer_order ON hotline_case(employer_id, opened_on DESC,"
    " number DESC) WHERE deleted = 0",
    # the few deleted cases, to leave their follow-ups out of the due list
    "CREATE INDEX hotline_case_deleted ON hotline_case(id) WHERE deleted = 1",
    "CREATE INDEX case_followup_open ON case_followup(due_on, case_id, assigned_to)"
    " WHERE done_on IS NULL AND deleted = 0",
    "CREATE VIRTUAL TABLE case_search USING fts5(keys, tags, content='', contentless_delete=1,"
    " tokenize='unicode61', prefix='2 3 4')",
    "CREATE TABLE case_search_stale (case_rowid INTEGER PRIMARY KEY)",
    """CREATE TRIGGER person_case_search_stale AFTER UPDATE OF family_name, given_name,
       patronymic, phones, document_number ON person
       BEGIN
         INSERT OR IGNORE INTO case_search_stale(case_rowid)
           SELECT rowid FROM hotline_case WHERE person_id = NEW.id;
       END""",
    # a person that arrives (sync) after their case
    """CREATE TRIGGER person_case_search_new AFTER INSERT ON person
       BEGIN
         INSERT OR IGNORE INTO case_search_stale(case_rowid)
           SELECT rowid FROM hotline_case WHERE person_id = NEW.id;
       END""",
]


def migrate(conn) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
    from desktop_app.store.cases import search as cases_search
    cases_search.rebuild(conn)
