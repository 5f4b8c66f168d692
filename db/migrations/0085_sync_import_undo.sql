-- A big bundle is imported in committed chunks (sync.import_undo): while it runs, the
-- marker row says so, and what each chunk changed can be undone.
--   sync_import_running: the import under way (one row at most) and the process running it
--   sync_import_range:   per chunk and table, the rowids the chunk inserted (lo, hi]
--   sync_import_undo:    per chunk, the statements that put back the rows it changed,
--                        deleted or inserted below its range (run in reverse order)
CREATE TABLE sync_import_running (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    bundle_id TEXT NOT NULL,
    file_name TEXT,
    started_at TEXT NOT NULL,
    pid INTEGER NOT NULL,
    process_started REAL NOT NULL,
    phase TEXT NOT NULL DEFAULT 'import'
);

CREATE TABLE sync_import_range (
    chunk INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    lo INTEGER NOT NULL,
    hi INTEGER NOT NULL,
    PRIMARY KEY (chunk, tbl)
);

CREATE TABLE sync_import_undo (
    seq INTEGER PRIMARY KEY,
    chunk INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    rid INTEGER NOT NULL,
    sql TEXT NOT NULL
);
