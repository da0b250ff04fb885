//! Who is asking: passwords (argon2id), the login cookie, CSRF tokens on
//! every form, the [`Viewer`] extractor that turns a cookie into a user,
//! and the login rate limiter.
//!
//! Secrets never reach the database or the log in the clear: a login
//! cookie, an invite token and an API token are stored as SHA-256 hashes
//! (they are long random values, so a fast hash is enough); passwords as
//! argon2id PHC strings. Not for: which user may see which session
//! (`pages.rs` asks the store).

use std::num::NonZeroU32;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kubeprep_store::{Role, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::error::WebError;
use super::{now_ms, State};

/// The login cookie.
pub const SESSION_COOKIE: &str = "kp_session";
/// The CSRF cookie of forms shown before login (sign-in, sign-up).
pub const PRELOGIN_CSRF_COOKIE: &str = "kp_csrf";
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// 32 random bytes from the OS, hex-encoded: session ids, CSRF, invite and
/// API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 of a secret, hex-encoded: what the store keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Hashes a password with argon2id (the crate's defaults, OWASP's minimum
/// parameters), off the async threads.
pub async fn hash_password(password: String) -> Result<String, WebError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|err| anyhow::anyhow!("hashing a password: {err}"))
    })
    .await
    .map_err(|err| anyhow::anyhow!("hashing a password: {err}"))?
    .map_err(WebError::Internal)
}

/// Whether `password` matches the stored argon2 `hash`, off the async
/// threads. A malformed hash never matches.
pub async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A fixed hash to verify against when the e-mail is unknown, so that a
/// wrong e-mail takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yl8XZKlWY1b6YxKqAOYfSl0k3Vq3mRl8FQ9Xh0p7Xbg"
}

/// The problem with a new password, if any.
pub fn password_problem(password: &str) -> Option<String> {
    (password.chars().count() < MIN_PASSWORD_CHARS)
        .then(|| format!("Choose a password of at least {MIN_PASSWORD_CHARS} characters."))
}

/// Whether the request came over HTTPS (directly or through a proxy that
/// says so), or the server was told to assume it.
pub fn is_secure(state: &State, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The client's address: the connecting peer, or, `behind_proxy`, the
/// address the proxy appended last to `X-Forwarded-For` (the rightmost
/// entry; those before it come from the client and can be forged).
pub fn client_ip(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    behind_proxy: bool,
) -> std::net::IpAddr {
    if !behind_proxy {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|ip| ip.trim().parse().ok())
        .unwrap_or(peer)
}

/// A cookie with the attributes every cookie of ours has: HttpOnly,
/// SameSite=Lax, path `/`, and Secure over HTTPS.
pub fn cookie(name: &'static str, value: String, secure: bool, max_age_s: i64) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(max_age_s))
        .build()
}

/// The signed-in user of a request, with the CSRF token their forms carry.
/// Extracting it from a request without a valid login cookie redirects to
/// the sign-in page.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who.
    pub user: User,
    /// The token every form of this login must send back.
    pub csrf: String,
    /// The hash of the login cookie (to log out).
    pub session_hash: String,
}

impl Viewer {
    /// Fails with [`WebError::Csrf`] unless `sent` is this login's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if same_secret(&self.csrf, sent) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Fails with [`WebError::Forbidden`] unless the user has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), WebError> {
        if self.user.role >= role {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// Why a [`Viewer`] could not be extracted.
pub enum NoViewer {
    /// Not signed in: go to the sign-in page.
    SignIn,
    /// The store failed.
    Failed(WebError),
}

impl IntoResponse for NoViewer {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn => Redirect::to("/login").into_response(),
            Self::Failed(err) => err.into_response(),
        }
    }
}

/// The signed-in user of a request with these headers, if any.
pub async fn current(state: &State, headers: &HeaderMap) -> Result<Option<Viewer>, WebError> {
    let jar = CookieJar::from_headers(headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    let session_hash = token_hash(cookie.value());
    Ok(state
        .store
        .web_session(&session_hash, now_ms())
        .await?
        .map(|(user, csrf)| Viewer {
            user,
            csrf,
            session_hash,
        }))
}

impl FromRequestParts<State> for Viewer {
    type Rejection = NoViewer;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        match current(state, &parts.headers).await {
            Ok(Some(viewer)) => Ok(viewer),
            Ok(None) => Err(NoViewer::SignIn),
            Err(err) => Err(NoViewer::Failed(err)),
        }
    }
}

/// Login attempts per client address and e-mail. Each replica counts its
/// own attempts; behind N replicas an attacker gets at most N times the
/// quota, still a handful a minute.
pub struct LoginLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl LoginLimiter {
    /// `per_minute` attempts a minute, all of them available at once.
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Counts one attempt; `false` when the quota is spent.
    pub fn allow(&self, address: &str, email: &str) -> bool {
        let key = format!("{address}|{}", email.trim().to_lowercase());
        let allowed = self.limiter.check_key(&key).is_ok();
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_is_the_proxys_last_entry_only_behind_a_proxy() {
        let peer: std::net::IpAddr = "10.0.0.9".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert_eq!(client_ip(peer, &headers, true), peer, "no header");
        headers.append("x-forwarded-for", "1.1.1.1, 203.0.113.7".parse().unwrap());
        assert_eq!(client_ip(peer, &headers, false), peer, "not trusted");
        assert_eq!(
            client_ip(peer, &headers, true),
            "203.0.113.7".parse::<std::net::IpAddr>().unwrap(),
            "the rightmost entry, which the proxy wrote"
        );
        headers.append("x-forwarded-for", "198.51.100.2".parse().unwrap());
        assert_eq!(
            client_ip(peer, &headers, true),
            "198.51.100.2".parse::<std::net::IpAddr>().unwrap(),
            "the last of several headers"
        );
        let mut junk = HeaderMap::new();
        junk.append("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(client_ip(peer, &junk, true), peer, "unreadable: the peer");
    }

    #[test]
    fn tokens_are_long_random_and_hashed_differently() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }

    #[tokio::test]
    async fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(hash.clone(), "correct horse".into()).await);
        assert!(!verify_password(hash, "wrong horse".into()).await);
        assert!(!verify_password(decoy_hash().into(), "x".into()).await);
    }

    #[test]
    fn the_limiter_counts_per_address_and_email() {
        let limiter = LoginLimiter::new(2);
        assert!(limiter.allow("1.2.3.4", "a@x"));
        assert!(limiter.allow("1.2.3.4", "A@x "));
        assert!(!limiter.allow("1.2.3.4", "a@x"));
        assert!(limiter.allow("1.2.3.4", "b@x"));
        assert!(limiter.allow("5.6.7.8", "a@x"));
    }
}
