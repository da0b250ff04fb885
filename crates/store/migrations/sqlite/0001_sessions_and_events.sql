-- Sessions and their event log. Added once, never edited: a schema change
-- is a new migration file with the next number.

-- One row per interview session: who, which pack, and a summary that the
-- application recomputes from the events and stores for `kubeprep history`.
CREATE TABLE sessions (
    id                 TEXT    NOT NULL PRIMARY KEY,
    pack               TEXT    NOT NULL,
    pack_version       TEXT    NOT NULL,
    candidate          TEXT,
    started_at_ms      INTEGER NOT NULL,
    updated_at_ms      INTEGER NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'in_progress'
                               CHECK (status IN ('in_progress', 'paused', 'finished')),
    score              INTEGER CHECK (score BETWEEN 0 AND 100),
    questions_answered INTEGER NOT NULL DEFAULT 0 CHECK (questions_answered >= 0)
);

CREATE INDEX sessions_by_started ON sessions (started_at_ms DESC, id DESC);
CREATE INDEX sessions_by_updated ON sessions (updated_at_ms DESC, id DESC);

-- The append-only event log. `seq` counts from 1 within a session; the
-- primary key makes a lost or duplicated sequence number impossible.
-- `payload` is the engine's event as JSON text: the store does not know
-- its shape.
CREATE TABLE events (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    kind       TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    payload    TEXT    NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

-- Appending an event is activity: keep `updated_at_ms` current in the same
-- transaction, so "most recently active" needs no summary update.
CREATE TRIGGER events_touch_session AFTER INSERT ON events
BEGIN
    UPDATE sessions
       SET updated_at_ms = MAX(updated_at_ms, NEW.at_ms)
     WHERE id = NEW.session_id;
END;
