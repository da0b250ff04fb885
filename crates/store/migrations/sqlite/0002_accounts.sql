-- Accounts for `kubeprep serve`: users and their roles, cohorts, invites,
-- browser sessions, API tokens, reviewer notes and area rating overrides,
-- and the owner of an interview session. The sqlite/ and postgres/ copies
-- describe the same schema; only the spelling of an auto-numbered key
-- differs. Secrets (session ids, invite and API tokens) are stored only as
-- SHA-256 hashes, so a copy of the database cannot be used to log in.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT   NOT NULL UNIQUE,  -- lower-cased by the application
    password_hash TEXT   NOT NULL,         -- argon2id PHC string
    role          TEXT   NOT NULL CHECK (role IN ('candidate', 'reviewer', 'admin')),
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE cohorts (
    id            INTEGER PRIMARY KEY,
    name          TEXT   NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL
);

-- Candidates belong to cohorts; reviewers are given cohorts to review.
CREATE TABLE cohort_members (
    cohort_id BIGINT NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_by_user ON cohort_members (user_id);

CREATE TABLE invites (
    token_hash    TEXT   NOT NULL PRIMARY KEY,
    role          TEXT   NOT NULL CHECK (role IN ('candidate', 'reviewer', 'admin')),
    cohort_id     BIGINT REFERENCES cohorts (id) ON DELETE CASCADE,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT,
    used_by       BIGINT REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE web_sessions (
    id_hash       TEXT   NOT NULL PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at_ms);

CREATE TABLE api_tokens (
    token_hash      TEXT   NOT NULL PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT   NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    last_used_at_ms BIGINT
);

CREATE TABLE reviewer_notes (
    id            INTEGER PRIMARY KEY,
    session_id    TEXT   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    author_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body          TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX reviewer_notes_by_session ON reviewer_notes (session_id, created_at_ms);

-- A reviewer's rating of an area replaces the grader's on the scorecard;
-- the grader's rating is kept beside it, with the reviewer's reason.
CREATE TABLE area_overrides (
    session_id    TEXT   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    area          TEXT   NOT NULL,
    rating        TEXT   NOT NULL,
    grader_rating TEXT,
    reason        TEXT   NOT NULL CHECK (length(reason) > 0),
    reviewer_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at_ms         BIGINT NOT NULL,
    PRIMARY KEY (session_id, area)
);

-- Sessions started in the browser belong to a user; CLI sessions have none.
ALTER TABLE sessions ADD COLUMN owner_id BIGINT REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX sessions_by_owner ON sessions (owner_id, started_at_ms DESC);
