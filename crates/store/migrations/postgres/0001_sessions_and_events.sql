-- Sessions and their event log: the PostgreSQL spelling of
-- migrations/sqlite/0001. Both sets must describe the same tables, columns,
-- constraints and behaviour; only the dialect differs. Added once, never
-- edited: a schema change is a new migration file in both folders.

CREATE TABLE sessions (
    id                 TEXT    NOT NULL PRIMARY KEY,
    pack               TEXT    NOT NULL,
    pack_version       TEXT    NOT NULL,
    candidate          TEXT,
    started_at_ms      BIGINT  NOT NULL,
    updated_at_ms      BIGINT  NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'in_progress'
                               CHECK (status IN ('in_progress', 'paused', 'finished')),
    score              BIGINT  CHECK (score BETWEEN 0 AND 100),
    questions_answered BIGINT  NOT NULL DEFAULT 0 CHECK (questions_answered >= 0)
);

CREATE INDEX sessions_by_started ON sessions (started_at_ms DESC, id DESC);
CREATE INDEX sessions_by_updated ON sessions (updated_at_ms DESC, id DESC);

CREATE TABLE events (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        BIGINT  NOT NULL CHECK (seq >= 1),
    kind       TEXT    NOT NULL,
    at_ms      BIGINT  NOT NULL,
    payload    TEXT    NOT NULL,
    PRIMARY KEY (session_id, seq)
);

-- Appending an event is activity: keep `updated_at_ms` current in the same
-- transaction, as the SQLite trigger does.
CREATE FUNCTION events_touch_session() RETURNS trigger AS $$
BEGIN
    UPDATE sessions
       SET updated_at_ms = GREATEST(updated_at_ms, NEW.at_ms)
     WHERE id = NEW.session_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER events_touch_session AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_touch_session();
