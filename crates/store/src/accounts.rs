//! Accounts for the web server, on every backend: users with roles, cohorts
//! and their members, invites, browser sessions, personal API tokens,
//! reviewer notes, area rating overrides, and which user owns an interview
//! session. Every method is on [`AnyStore`] and runs the same SQL on SQLite
//! and PostgreSQL (both accept `$1` placeholders), so the two backends
//! cannot drift apart.
//!
//! Not for: hashing. Passwords arrive as argon2id PHC strings and secrets
//! (session ids, invite and API tokens) as hashes; the store never sees
//! them in the clear. Not for deciding who may see what either, beyond the
//! queries that answer it ([`AnyStore::can_review`]).

use std::fmt;
use std::str::FromStr;

use sqlx::Row;

use crate::{AnyStore, NewSession, SessionId, SessionSummary, StoreError};

/// Runs `$body` once per backend with `$pool` bound to that backend's pool
/// and `backend` naming its module (for the row decoders). The body is
/// compiled twice, so it must only use what both drivers offer.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            AnyStore::Sqlite(store) => {
                #[allow(unused_imports)]
                use crate::sqlite as backend;
                let $pool = &store.pool;
                $body
            }
            AnyStore::Postgres(store) => {
                #[allow(unused_imports)]
                use crate::postgres as backend;
                let $pool = &store.pool;
                $body
            }
        }
    };
}

/// A user's id (the database's number for them).
pub type UserId = i64;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Takes interviews; sees only their own sessions.
    Candidate,
    /// Reads the sessions of the cohorts they are given; writes notes and
    /// area overrides.
    Reviewer,
    /// Manages cohorts, invites and roles; may review everything.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Candidate, Role::Reviewer, Role::Admin];

    /// The stored spelling: `candidate`, `reviewer` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Candidate => "candidate",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "candidate" => Ok(Self::Candidate),
            "reviewer" => Ok(Self::Reviewer),
            "admin" => Ok(Self::Admin),
            other => Err(format!(
                "unknown role {other:?}; use candidate, reviewer or admin"
            )),
        }
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct User {
    /// The database's number for the user.
    pub id: UserId,
    /// The login, lower-cased.
    pub email: String,
    /// The argon2id PHC string of the password.
    pub password_hash: String,
    /// What the user may do.
    pub role: Role,
    /// When the account was made, in Unix milliseconds.
    pub created_at_ms: i64,
}

/// A group of candidates, reviewed together.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cohort {
    /// The database's number for the cohort.
    pub id: i64,
    /// Its unique name.
    pub name: String,
    /// When it was made, in Unix milliseconds.
    pub created_at_ms: i64,
}

/// An invite to make, by [`AnyStore::create_invite`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    /// SHA-256 (hex) of the token in the link.
    pub token_hash: String,
    /// The role the new account gets.
    pub role: Role,
    /// The cohort the new account joins, if any.
    pub cohort_id: Option<i64>,
    /// The admin who made it.
    pub created_by: Option<UserId>,
    /// Now, in Unix milliseconds.
    pub created_at_ms: i64,
    /// After this instant the link no longer works.
    pub expires_at_ms: i64,
}

/// An invite as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invite {
    /// SHA-256 (hex) of the token in the link.
    pub token_hash: String,
    /// The role the new account gets.
    pub role: Role,
    /// The cohort the new account joins, if any.
    pub cohort_id: Option<i64>,
    /// When it was made.
    pub created_at_ms: i64,
    /// When it stops working.
    pub expires_at_ms: i64,
    /// When it was used, if it was.
    pub used_at_ms: Option<i64>,
    /// Who used it, if anyone.
    pub used_by: Option<UserId>,
}

/// A reviewer's note on a session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Note {
    /// The database's number for the note.
    pub id: i64,
    /// The session it is about.
    pub session_id: SessionId,
    /// Who wrote it.
    pub author_id: UserId,
    /// Their e-mail, for display.
    pub author_email: String,
    /// The text, as written (escape it when rendering).
    pub body: String,
    /// When it was written.
    pub created_at_ms: i64,
}

/// A reviewer's rating of one area of a session, beside the grader's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AreaOverride {
    /// The session.
    pub session_id: SessionId,
    /// The rubric area's id.
    pub area: String,
    /// The reviewer's rating (a rubric level id).
    pub rating: String,
    /// The grader's rating when the override was made (kept, not replaced).
    pub grader_rating: Option<String>,
    /// Why the reviewer disagrees.
    pub reason: String,
    /// Who overrode it.
    pub reviewer_id: UserId,
    /// Their e-mail, for display.
    pub reviewer_email: String,
    /// When.
    pub at_ms: i64,
}

/// A session with the e-mail of its owner, for reviewers' listings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OwnedSummary {
    /// The session's summary.
    pub summary: SessionSummary,
    /// Its owner, if it has one.
    pub owner_id: Option<UserId>,
    /// The owner's e-mail.
    pub owner_email: Option<String>,
}

fn db(action: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let action = action.into();
    move |source| StoreError::Database { action, source }
}

fn is_unique(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|db| db.is_unique_violation())
}

const USER_COLUMNS: &str = "id, email, password_hash, role, created_at_ms";

fn decode_role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(|_| StoreError::Missing {
        what: format!("valid role (found {text:?} in the database)"),
    })
}

/// Decodes a row of [`USER_COLUMNS`] from either backend.
macro_rules! user_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<(i64, String, String, String, i64), sqlx::Error> {
            Ok((
                row.try_get("id")?,
                row.try_get("email")?,
                row.try_get("password_hash")?,
                row.try_get("role")?,
                row.try_get("created_at_ms")?,
            ))
        })()
        .map_err(db("decoding a user"))
        .and_then(|(id, email, password_hash, role, created_at_ms)| {
            Ok(User {
                id,
                email,
                password_hash,
                role: decode_role(&role)?,
                created_at_ms,
            })
        })
    }};
}

macro_rules! cohort_from_row {
    ($row:expr) => {{
        let row = $row;
        (|| -> Result<Cohort, sqlx::Error> {
            Ok(Cohort {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                created_at_ms: row.try_get("created_at_ms")?,
            })
        })()
        .map_err(db("decoding a cohort"))
    }};
}

impl AnyStore {
    /// Makes an account. `email` is trimmed and lower-cased.
    /// Fails with [`StoreError::Duplicate`] if the e-mail is taken.
    pub async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        role: Role,
        now_ms: i64,
    ) -> Result<User, StoreError> {
        let email = normalise_email(email);
        let sql = format!(
            "INSERT INTO users (email, password_hash, role, created_at_ms) \
             VALUES ($1, $2, $3, $4) RETURNING {USER_COLUMNS}"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(&sql)
                .bind(&email)
                .bind(password_hash)
                .bind(role.as_str())
                .bind(now_ms)
                .fetch_one(pool)
                .await
                .map_err(|err| duplicate_or(err, &format!("user {email}"), "creating a user"))?;
            user_from_row!(&row)
        })
    }

    /// The user with this e-mail (case-insensitive), if any.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let email = normalise_email(email);
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        on_pool!(self, |pool| {
            let row = sqlx::query(&sql)
                .bind(&email)
                .fetch_optional(pool)
                .await
                .map_err(db("looking up a user"))?;
            row.map(|row| user_from_row!(&row)).transpose()
        })
    }

    /// The user with this id, if any.
    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on_pool!(self, |pool| {
            let row = sqlx::query(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db("looking up a user"))?;
            row.map(|row| user_from_row!(&row)).transpose()
        })
    }

    /// Every user, by e-mail.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY email");
        on_pool!(self, |pool| {
            let rows = sqlx::query(&sql)
                .fetch_all(pool)
                .await
                .map_err(db("listing users"))?;
            rows.iter().map(|row| user_from_row!(row)).collect()
        })
    }

    /// Changes a user's role. Fails with [`StoreError::Missing`] for an
    /// unknown user.
    pub async fn set_role(&self, id: UserId, role: Role) -> Result<(), StoreError> {
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE users SET role = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(role.as_str())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
        .map_err(db("changing a role"))?);
        if done == 0 {
            return Err(StoreError::Missing {
                what: format!("user {id}"),
            });
        }
        Ok(())
    }

    /// Replaces a user's password hash.
    pub async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "UPDATE users SET password_hash = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(hash)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db("changing a password"))?);
        Ok(())
    }

    /// Makes a cohort. Fails with [`StoreError::Duplicate`] if the name is
    /// taken.
    pub async fn create_cohort(&self, name: &str, now_ms: i64) -> Result<Cohort, StoreError> {
        let name = name.trim();
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "INSERT INTO cohorts (name, created_at_ms) VALUES ($1, $2) \
                 RETURNING id, name, created_at_ms",
            )
            .bind(name)
            .bind(now_ms)
            .fetch_one(pool)
            .await
            .map_err(|err| duplicate_or(err, &format!("cohort {name}"), "creating a cohort"))?;
            cohort_from_row!(&row)
        })
    }

    /// Every cohort, by name.
    pub async fn cohorts(&self) -> Result<Vec<Cohort>, StoreError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query("SELECT id, name, created_at_ms FROM cohorts ORDER BY name")
                .fetch_all(pool)
                .await
                .map_err(db("listing cohorts"))?;
            rows.iter().map(|row| cohort_from_row!(row)).collect()
        })
    }

    /// The cohorts a user belongs to (as candidate) or reviews.
    pub async fn cohorts_of(&self, user: UserId) -> Result<Vec<Cohort>, StoreError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT c.id, c.name, c.created_at_ms FROM cohorts c \
                 JOIN cohort_members m ON m.cohort_id = c.id WHERE m.user_id = $1 ORDER BY c.name",
            )
            .bind(user)
            .fetch_all(pool)
            .await
            .map_err(db("listing a user's cohorts"))?;
            rows.iter().map(|row| cohort_from_row!(row)).collect()
        })
    }

    /// The members of a cohort, by e-mail.
    pub async fn cohort_members(&self, cohort: i64) -> Result<Vec<User>, StoreError> {
        let sql = "SELECT u.id, u.email, u.password_hash, u.role, u.created_at_ms FROM users u \
                   JOIN cohort_members m ON m.user_id = u.id WHERE m.cohort_id = $1 \
                   ORDER BY u.email";
        on_pool!(self, |pool| {
            let rows = sqlx::query(sql)
                .bind(cohort)
                .fetch_all(pool)
                .await
                .map_err(db("listing a cohort"))?;
            rows.iter().map(|row| user_from_row!(row)).collect()
        })
    }

    /// Adds a user to a cohort; adding a member again changes nothing.
    pub async fn add_to_cohort(&self, cohort: i64, user: UserId) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO cohort_members (cohort_id, user_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING"
        )
        .bind(cohort)
        .bind(user)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(|err| {
            if err
                .as_database_error()
                .is_some_and(|db| db.is_foreign_key_violation())
            {
                StoreError::Missing {
                    what: format!("cohort {cohort} or user {user}"),
                }
            } else {
                db("adding a cohort member")(err)
            }
        })?);
        Ok(())
    }

    /// Removes a user from a cohort.
    pub async fn remove_from_cohort(&self, cohort: i64, user: UserId) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "DELETE FROM cohort_members WHERE cohort_id = $1 AND user_id = $2"
        )
        .bind(cohort)
        .bind(user)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db("removing a cohort member"))?);
        Ok(())
    }

    /// Records an invite.
    pub async fn create_invite(&self, invite: &NewInvite) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO invites (token_hash, role, cohort_id, created_by, created_at_ms, \
             expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(&invite.token_hash)
        .bind(invite.role.as_str())
        .bind(invite.cohort_id)
        .bind(invite.created_by)
        .bind(invite.created_at_ms)
        .bind(invite.expires_at_ms)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db("creating an invite"))?);
        Ok(())
    }

    /// The invite with this token hash, if any (used or not).
    pub async fn invite(&self, token_hash: &str) -> Result<Option<Invite>, StoreError> {
        Ok(self
            .invites_where(Some(token_hash))
            .await?
            .into_iter()
            .next())
    }

    /// Every invite, newest first.
    pub async fn invites(&self) -> Result<Vec<Invite>, StoreError> {
        self.invites_where(None).await
    }

    async fn invites_where(&self, token_hash: Option<&str>) -> Result<Vec<Invite>, StoreError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT token_hash, role, cohort_id, created_at_ms, expires_at_ms, used_at_ms, \
                 used_by FROM invites WHERE $1 IS NULL OR token_hash = $1 \
                 ORDER BY created_at_ms DESC",
            )
            .bind(token_hash)
            .fetch_all(pool)
            .await
            .map_err(db("listing invites"))?;
            rows.iter()
                .map(|row| {
                    let role: String = row.try_get("role").map_err(db("decoding an invite"))?;
                    (|| -> Result<Invite, sqlx::Error> {
                        Ok(Invite {
                            token_hash: row.try_get("token_hash")?,
                            role: Role::Candidate,
                            cohort_id: row.try_get("cohort_id")?,
                            created_at_ms: row.try_get("created_at_ms")?,
                            expires_at_ms: row.try_get("expires_at_ms")?,
                            used_at_ms: row.try_get("used_at_ms")?,
                            used_by: row.try_get("used_by")?,
                        })
                    })()
                    .map_err(db("decoding an invite"))
                    .and_then(|invite| {
                        Ok(Invite {
                            role: decode_role(&role)?,
                            ..invite
                        })
                    })
                })
                .collect()
        })
    }

    /// Uses an invite: in one transaction, marks it used (only if unused and
    /// not expired at `now_ms`), makes the account with the invite's role
    /// and adds it to the invite's cohort. Fails with
    /// [`StoreError::InviteInvalid`] or, when the e-mail is taken,
    /// [`StoreError::Duplicate`] (and the invite stays unused).
    pub async fn redeem_invite(
        &self,
        token_hash: &str,
        email: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<User, StoreError> {
        let email = normalise_email(email);
        let user_sql = format!(
            "INSERT INTO users (email, password_hash, role, created_at_ms) \
             VALUES ($1, $2, $3, $4) RETURNING {USER_COLUMNS}"
        );
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await.map_err(db("using an invite"))?;
            let claimed = sqlx::query(
                "UPDATE invites SET used_at_ms = $2 \
                 WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2 \
                 RETURNING role, cohort_id",
            )
            .bind(token_hash)
            .bind(now_ms)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("using an invite"))?;
            let Some(claimed) = claimed else {
                return Err(StoreError::InviteInvalid);
            };
            let role: String = claimed.try_get("role").map_err(db("reading an invite"))?;
            let cohort: Option<i64> = claimed
                .try_get("cohort_id")
                .map_err(db("reading an invite"))?;
            let row = sqlx::query(&user_sql)
                .bind(&email)
                .bind(password_hash)
                .bind(&role)
                .bind(now_ms)
                .fetch_one(&mut *tx)
                .await
                .map_err(|err| duplicate_or(err, &format!("user {email}"), "creating a user"))?;
            let user: User = user_from_row!(&row)?;
            sqlx::query("UPDATE invites SET used_by = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(user.id)
                .execute(&mut *tx)
                .await
                .map_err(db("using an invite"))?;
            if let Some(cohort) = cohort {
                sqlx::query("INSERT INTO cohort_members (cohort_id, user_id) VALUES ($1, $2)")
                    .bind(cohort)
                    .bind(user.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db("joining the invite's cohort"))?;
            }
            tx.commit().await.map_err(db("using an invite"))?;
            Ok(user)
        })
    }

    /// Records a browser session for `user`, known by the hash of its
    /// cookie value, with its CSRF token.
    pub async fn create_web_session(
        &self,
        id_hash: &str,
        user: UserId,
        csrf_token: &str,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id_hash)
        .bind(user)
        .bind(csrf_token)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db("creating a login session"))?
        });
        // Each sign-in also clears the login sessions that have expired.
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM web_sessions WHERE expires_at_ms <= $1")
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|_| ())
                .map_err(db("clearing expired login sessions"))?
        });
        Ok(())
    }

    /// The user and CSRF token of an unexpired browser session.
    pub async fn web_session(
        &self,
        id_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(User, String)>, StoreError> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT u.id, u.email, u.password_hash, u.role, u.created_at_ms, w.csrf_token \
                 FROM web_sessions w JOIN users u ON u.id = w.user_id \
                 WHERE w.id_hash = $1 AND w.expires_at_ms > $2",
            )
            .bind(id_hash)
            .bind(now_ms)
            .fetch_optional(pool)
            .await
            .map_err(db("reading a login session"))?;
            match row {
                None => Ok(None),
                Some(row) => {
                    let user: User = user_from_row!(&row)?;
                    let csrf: String = row
                        .try_get("csrf_token")
                        .map_err(db("reading a login session"))?;
                    Ok(Some((user, csrf)))
                }
            }
        })
    }

    /// Ends a browser session (logout), and any expired ones.
    pub async fn delete_web_session(&self, id_hash: &str, now_ms: i64) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "DELETE FROM web_sessions WHERE id_hash = $1 OR expires_at_ms <= $2"
        )
        .bind(id_hash)
        .bind(now_ms)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db("ending a login session"))?);
        Ok(())
    }

    /// Records a personal API token, known by its hash.
    pub async fn create_api_token(
        &self,
        token_hash: &str,
        user: UserId,
        name: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at_ms) \
             VALUES ($1, $2, $3, $4)"
        )
        .bind(token_hash)
        .bind(user)
        .bind(name)
        .bind(now_ms)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db("creating an API token"))?);
        Ok(())
    }

    /// The user an API token belongs to.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT u.id, u.email, u.password_hash, u.role, u.created_at_ms \
                 FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
            .map_err(db("reading an API token"))?;
            row.map(|row| user_from_row!(&row)).transpose()
        })
    }

    /// Records a new session that belongs to `owner` (see
    /// [`Store::create_session`](crate::Store::create_session)).
    pub async fn create_owned_session(
        &self,
        new: NewSession,
        owner: UserId,
    ) -> Result<(), StoreError> {
        let done = on_pool!(self, |pool| sqlx::query(
            "INSERT INTO sessions (id, pack, pack_version, candidate, started_at_ms, \
             updated_at_ms, owner_id) VALUES ($1, $2, $3, $4, $5, $5, $6)"
        )
        .bind(new.id.as_str())
        .bind(&new.pack)
        .bind(&new.pack_version)
        .bind(new.candidate.as_deref())
        .bind(new.started_at_ms)
        .bind(owner)
        .execute(pool)
        .await
        .map(|_| ()));
        match done {
            Ok(_) => Ok(()),
            Err(err) if is_unique(&err) => Err(StoreError::AlreadyExists { id: new.id }),
            Err(err) => Err(db(format!("creating session {}", new.id))(err)),
        }
    }

    /// Who owns a session: `None` if there is no such session,
    /// `Some(None)` for a session without an owner (made by the CLI).
    pub async fn session_owner(
        &self,
        id: &SessionId,
    ) -> Result<Option<Option<UserId>>, StoreError> {
        on_pool!(self, |pool| sqlx::query_scalar::<_, Option<i64>>(
            "SELECT owner_id FROM sessions WHERE id = $1"
        )
        .bind(id.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db(format!("reading the owner of session {id}"))))
    }

    /// A user's sessions, newest first.
    pub async fn sessions_of(&self, owner: UserId) -> Result<Vec<SessionSummary>, StoreError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, pack, pack_version, candidate, started_at_ms, updated_at_ms, status, \
                 score, questions_answered FROM sessions WHERE owner_id = $1 \
                 ORDER BY started_at_ms DESC, id DESC",
            )
            .bind(owner)
            .fetch_all(pool)
            .await
            .map_err(db("listing a user's sessions"))?;
            rows.iter().map(backend::decode_summary).collect()
        })
    }

    /// The owned sessions a reviewer may read: those of members of the
    /// cohorts the reviewer belongs to; every owned session for an admin.
    /// Newest first.
    pub async fn reviewable_sessions(
        &self,
        reviewer: &User,
    ) -> Result<Vec<OwnedSummary>, StoreError> {
        let all = reviewer.role == Role::Admin;
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT s.id, s.pack, s.pack_version, s.candidate, s.started_at_ms, \
                 s.updated_at_ms, s.status, s.score, s.questions_answered, \
                 s.owner_id, u.email AS owner_email \
                 FROM sessions s JOIN users u ON u.id = s.owner_id \
                 WHERE $2 OR s.owner_id IN ( \
                   SELECT m.user_id FROM cohort_members m WHERE m.cohort_id IN ( \
                     SELECT r.cohort_id FROM cohort_members r WHERE r.user_id = $1)) \
                 ORDER BY s.started_at_ms DESC, s.id DESC",
            )
            .bind(reviewer.id)
            .bind(all)
            .fetch_all(pool)
            .await
            .map_err(db("listing sessions to review"))?;
            rows.iter()
                .map(|row| {
                    Ok(OwnedSummary {
                        summary: backend::decode_summary(row)?,
                        owner_id: row.try_get("owner_id").map_err(db("decoding a session"))?,
                        owner_email: row
                            .try_get("owner_email")
                            .map_err(db("decoding a session"))?,
                    })
                })
                .collect()
        })
    }

    /// Whether `reviewer` may read `session`: an admin may read every
    /// session; a reviewer those whose owner shares a cohort with them.
    /// A candidate never (their own sessions are checked by ownership).
    pub async fn can_review(
        &self,
        reviewer: &User,
        session: &SessionId,
    ) -> Result<bool, StoreError> {
        match reviewer.role {
            Role::Candidate => return Ok(false),
            Role::Admin => return Ok(true),
            Role::Reviewer => {}
        }
        on_pool!(self, |pool| {
            let found = sqlx::query(
                "SELECT 1 AS one FROM sessions s \
                 JOIN cohort_members m ON m.user_id = s.owner_id \
                 JOIN cohort_members r ON r.cohort_id = m.cohort_id \
                 WHERE s.id = $1 AND r.user_id = $2 LIMIT 1",
            )
            .bind(session.as_str())
            .bind(reviewer.id)
            .fetch_optional(pool)
            .await
            .map_err(db("checking a reviewer's access"))?;
            Ok(found.is_some())
        })
    }

    /// Adds a reviewer's note to a session and returns it.
    pub async fn add_note(
        &self,
        session: &SessionId,
        author: &User,
        body: &str,
        now_ms: i64,
    ) -> Result<Note, StoreError> {
        let id = on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            "INSERT INTO reviewer_notes (session_id, author_id, body, created_at_ms) \
             VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(session.as_str())
        .bind(author.id)
        .bind(body)
        .bind(now_ms)
        .fetch_one(pool)
        .await
        .map_err(db(format!("adding a note to session {session}")))?);
        Ok(Note {
            id,
            session_id: session.clone(),
            author_id: author.id,
            author_email: author.email.clone(),
            body: body.to_owned(),
            created_at_ms: now_ms,
        })
    }

    /// A session's notes, oldest first.
    pub async fn notes(&self, session: &SessionId) -> Result<Vec<Note>, StoreError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT n.id, n.author_id, u.email, n.body, n.created_at_ms \
                 FROM reviewer_notes n JOIN users u ON u.id = n.author_id \
                 WHERE n.session_id = $1 ORDER BY n.created_at_ms, n.id",
            )
            .bind(session.as_str())
            .fetch_all(pool)
            .await
            .map_err(db(format!("reading the notes of session {session}")))?;
            rows.iter()
                .map(|row| {
                    (|| -> Result<Note, sqlx::Error> {
                        Ok(Note {
                            id: row.try_get("id")?,
                            session_id: session.clone(),
                            author_id: row.try_get("author_id")?,
                            author_email: row.try_get("email")?,
                            body: row.try_get("body")?,
                            created_at_ms: row.try_get("created_at_ms")?,
                        })
                    })()
                    .map_err(db("decoding a note"))
                })
                .collect()
        })
    }

    /// Sets (or replaces) a reviewer's rating of one area of a session; the
    /// grader's rating is stored beside it.
    #[allow(clippy::too_many_arguments)] // one row, one argument per column
    pub async fn set_override(
        &self,
        session: &SessionId,
        area: &str,
        rating: &str,
        grader_rating: Option<&str>,
        reason: &str,
        reviewer: &User,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO area_overrides (session_id, area, rating, grader_rating, reason, \
             reviewer_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (session_id, area) DO UPDATE SET rating = excluded.rating, \
             grader_rating = excluded.grader_rating, reason = excluded.reason, \
             reviewer_id = excluded.reviewer_id, at_ms = excluded.at_ms"
        )
        .bind(session.as_str())
        .bind(area)
        .bind(rating)
        .bind(grader_rating)
        .bind(reason)
        .bind(reviewer.id)
        .bind(now_ms)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db(format!("overriding an area of session {session}")))?);
        Ok(())
    }

    /// A session's area overrides, by area.
    pub async fn overrides(&self, session: &SessionId) -> Result<Vec<AreaOverride>, StoreError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT o.area, o.rating, o.grader_rating, o.reason, o.reviewer_id, u.email, \
                 o.at_ms FROM area_overrides o JOIN users u ON u.id = o.reviewer_id \
                 WHERE o.session_id = $1 ORDER BY o.area",
            )
            .bind(session.as_str())
            .fetch_all(pool)
            .await
            .map_err(db(format!("reading the overrides of session {session}")))?;
            rows.iter()
                .map(|row| {
                    (|| -> Result<AreaOverride, sqlx::Error> {
                        Ok(AreaOverride {
                            session_id: session.clone(),
                            area: row.try_get("area")?,
                            rating: row.try_get("rating")?,
                            grader_rating: row.try_get("grader_rating")?,
                            reason: row.try_get("reason")?,
                            reviewer_id: row.try_get("reviewer_id")?,
                            reviewer_email: row.try_get("email")?,
                            at_ms: row.try_get("at_ms")?,
                        })
                    })()
                    .map_err(db("decoding an override"))
                })
                .collect()
        })
    }

    /// Appends one event and sets the session's summary in one
    /// transaction (one commit, one fsync), returning the event's sequence
    /// number: the server's write per request. Durable when it returns, like
    /// [`Store::append`](crate::Store::append). Updating the session row
    /// first takes its lock, so concurrent appends to one session queue up
    /// and cannot pick the same number.
    /// Fails with [`StoreError::NotFound`] for an unknown session and
    /// [`StoreError::InvalidScore`] for a score above 100.
    #[allow(clippy::too_many_arguments)] // an event and a summary, as the two calls it replaces
    pub async fn append_with_summary(
        &self,
        id: &SessionId,
        kind: &str,
        at_ms: i64,
        payload: &serde_json::Value,
        status: crate::SessionStatus,
        score: Option<u8>,
        questions_answered: u32,
    ) -> Result<i64, StoreError> {
        if let Some(score) = score.filter(|&score| score > 100) {
            return Err(StoreError::InvalidScore {
                id: id.clone(),
                score,
            });
        }
        let payload = payload.to_string();
        let action = || format!("appending an event to session {id}");
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await.map_err(db(action()))?;
            let updated = sqlx::query(
                "UPDATE sessions SET status = $2, score = $3, questions_answered = $4, \
                 updated_at_ms = CASE WHEN updated_at_ms > $5 THEN updated_at_ms ELSE $5 END \
                 WHERE id = $1",
            )
            .bind(id.as_str())
            .bind(status.as_str())
            .bind(score.map(i64::from))
            .bind(i64::from(questions_answered))
            .bind(at_ms)
            .execute(&mut *tx)
            .await
            .map_err(db(action()))?
            .rows_affected();
            if updated == 0 {
                return Err(StoreError::NotFound { id: id.to_string() });
            }
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO events (session_id, seq, kind, at_ms, payload) \
                 VALUES ($1, COALESCE((SELECT MAX(seq) FROM events WHERE session_id = $1), 0) + 1, \
                         $2, $3, $4) RETURNING seq",
            )
            .bind(id.as_str())
            .bind(kind)
            .bind(at_ms)
            .bind(&payload)
            .fetch_one(&mut *tx)
            .await
            .map_err(db(action()))?;
            tx.commit().await.map_err(db(action()))?;
            Ok(seq)
        })
    }

    /// A session's events after sequence number `after` (all of them for
    /// 0), in order: what a cached replay of the first `after` events still
    /// has to apply. An unknown session has none.
    pub async fn events_after(
        &self,
        id: &SessionId,
        after: i64,
    ) -> Result<Vec<crate::StoredEvent>, StoreError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT seq, kind, at_ms, payload FROM events \
                 WHERE session_id = $1 AND seq > $2 ORDER BY seq",
            )
            .bind(id.as_str())
            .bind(after)
            .fetch_all(pool)
            .await
            .map_err(db(format!("reading the events of session {id}")))?;
            rows.iter()
                .map(|row| {
                    let (seq, kind, at_ms, payload) =
                        (|| -> Result<(i64, String, i64, String), sqlx::Error> {
                            Ok((
                                row.try_get("seq")?,
                                row.try_get("kind")?,
                                row.try_get("at_ms")?,
                                row.try_get("payload")?,
                            ))
                        })()
                        .map_err(db(format!("decoding an event of session {id}")))?;
                    let payload =
                        serde_json::from_str(&payload).map_err(|source| StoreError::Corrupt {
                            id: id.clone(),
                            what: format!("event {seq} payload"),
                            source: Some(source),
                        })?;
                    Ok(crate::StoredEvent {
                        seq,
                        kind,
                        at_ms,
                        payload,
                    })
                })
                .collect()
        })
    }

    /// Answers when the database does (for a readiness probe).
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ())
            .map_err(db("pinging the database"))?);
        Ok(())
    }
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn duplicate_or(err: sqlx::Error, what: &str, action: &str) -> StoreError {
    if is_unique(&err) {
        StoreError::Duplicate {
            what: what.to_owned(),
        }
    } else {
        db(action)(err)
    }
}
