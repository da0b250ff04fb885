//! One suite, two databases: every test here runs against a real SQLite
//! file and a real PostgreSQL database (see `common/backends.rs`), so the
//! two migration sets and the SQL that both backends share cannot drift.
//! It covers the event log (order, per-session numbering, concurrent
//! appends, summaries, prefixes) and the web accounts (users, invites,
//! cohorts and who may review what, sessions, tokens, notes, overrides).

mod common;

use common::backends;
use kubeprep_store::{
    AnyStore, NewInvite, NewSession, Role, SessionId, SessionStatus, Store, StoreError,
};
use serde_json::json;

/// Runs `body` against every configured backend, naming the backend when
/// an assertion fails.
async fn on_every_backend<F, Fut>(body: F)
where
    F: Fn(AnyStore, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends::all().await {
        body(backend.store.clone(), backend.name).await;
        backend.finish().await;
    }
}

fn new_session(id: &str, started_at_ms: i64) -> NewSession {
    NewSession {
        id: SessionId(id.to_owned()),
        pack: "kubernetes".to_owned(),
        pack_version: "1".to_owned(),
        candidate: None,
        started_at_ms,
    }
}

fn sid(text: &str) -> SessionId {
    SessionId(text.to_owned())
}

#[tokio::test]
async fn events_append_in_order_per_session_and_touch_the_session() {
    on_every_backend(|store, name| async move {
        store.create_session(new_session("a", 1_000)).await.unwrap();
        store.create_session(new_session("b", 2_000)).await.unwrap();
        for n in 0..3 {
            let seq = store
                .append(
                    &sid("a"),
                    "answered",
                    5_000 + n,
                    &json!({"n": n, "text": "<b>"}),
                )
                .await
                .unwrap();
            assert_eq!(seq, n + 1, "{name}");
        }
        assert_eq!(
            store
                .append(&sid("b"), "started", 2_000, &json!({}))
                .await
                .unwrap(),
            1,
            "{name}: numbering is per session"
        );
        let events = store.events(&sid("a")).await.unwrap();
        assert_eq!(events.len(), 3, "{name}");
        assert_eq!(events[2].payload, json!({"n": 2, "text": "<b>"}), "{name}");
        assert_eq!(events[1].kind, "answered", "{name}");
        // The trigger moved updated_at forward.
        assert_eq!(
            store.session(&sid("a")).await.unwrap().updated_at_ms,
            5_002,
            "{name}"
        );
        assert!(store.events(&sid("b")).await.unwrap().len() == 1, "{name}");
        let tail = store.events_after(&sid("a"), 1).await.unwrap();
        assert_eq!(
            tail.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [2, 3],
            "{name}"
        );
        assert_eq!(tail[1].payload, json!({"n": 2, "text": "<b>"}), "{name}");
        assert!(
            store.events_after(&sid("a"), 3).await.unwrap().is_empty(),
            "{name}"
        );
        assert!(
            matches!(
                store.append(&sid("nope"), "x", 1, &json!({})).await,
                Err(StoreError::NotFound { .. })
            ),
            "{name}"
        );
        assert!(
            matches!(
                store.events(&sid("nope")).await,
                Err(StoreError::NotFound { .. })
            ),
            "{name}"
        );
        assert!(
            matches!(
                store.create_session(new_session("a", 1)).await,
                Err(StoreError::AlreadyExists { .. })
            ),
            "{name}"
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_appends_get_distinct_gapless_sequence_numbers() {
    on_every_backend(|store, name| async move {
        store.create_session(new_session("busy", 0)).await.unwrap();
        let tasks: Vec<_> = (0..40)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .append(&sid("busy"), "answered", n, &json!({ "n": n }))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.push(task.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=40).collect::<Vec<i64>>(), "{name}");
        assert_eq!(
            store.events(&sid("busy")).await.unwrap().len(),
            40,
            "{name}"
        );
    })
    .await;
}

#[tokio::test]
async fn summaries_listing_prefixes_and_resumable_sessions_agree() {
    on_every_backend(|store, name| async move {
        store.create_session(new_session("abc-1", 1)).await.unwrap();
        store.create_session(new_session("abd-2", 2)).await.unwrap();
        store.create_session(new_session("x%_", 3)).await.unwrap();
        store
            .set_summary(&sid("abd-2"), SessionStatus::Finished, Some(77), 4, 10)
            .await
            .unwrap();
        let listed = store.list(None).await.unwrap();
        let ids: Vec<_> = listed.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["x%_", "abd-2", "abc-1"], "{name}");
        assert_eq!(store.list(Some(1)).await.unwrap().len(), 1, "{name}");
        let finished = store.session(&sid("abd-2")).await.unwrap();
        assert_eq!(finished.score, Some(77), "{name}");
        assert_eq!(finished.status, SessionStatus::Finished, "{name}");
        assert_eq!(finished.questions_answered, 4, "{name}");
        assert!(
            matches!(
                store
                    .set_summary(&sid("abc-1"), SessionStatus::Finished, Some(101), 0, 0)
                    .await,
                Err(StoreError::InvalidScore { .. })
            ),
            "{name}"
        );
        assert_eq!(
            store.resolve(" ABC ").await.unwrap(),
            sid("abc-1"),
            "{name}"
        );
        assert!(
            matches!(store.resolve("ab").await, Err(StoreError::Ambiguous { .. })),
            "{name}"
        );
        assert!(
            matches!(store.resolve("x_").await, Err(StoreError::NotFound { .. })),
            "{name}: _ is not a wildcard"
        );
        assert_eq!(store.resolve("x%").await.unwrap(), sid("x%_"), "{name}");
        assert_eq!(
            store.latest_resumable().await.unwrap(),
            Some(sid("x%_")),
            "{name}"
        );
    })
    .await;
}

#[tokio::test]
async fn users_have_unique_case_insensitive_emails_and_changeable_roles() {
    on_every_backend(|store, name| async move {
        let ada = store
            .create_user(" Ada@Example.com ", "$argon2id$x", Role::Candidate, 5)
            .await
            .unwrap();
        assert_eq!(ada.email, "ada@example.com", "{name}");
        assert!(
            matches!(
                store
                    .create_user("ADA@example.com", "h", Role::Admin, 6)
                    .await,
                Err(StoreError::Duplicate { .. })
            ),
            "{name}"
        );
        let found = store
            .user_by_email("ada@EXAMPLE.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, ada, "{name}");
        store.set_role(ada.id, Role::Reviewer).await.unwrap();
        assert_eq!(
            store.user(ada.id).await.unwrap().unwrap().role,
            Role::Reviewer,
            "{name}"
        );
        assert!(
            matches!(
                store.set_role(9_999, Role::Admin).await,
                Err(StoreError::Missing { .. })
            ),
            "{name}"
        );
        assert_eq!(store.users().await.unwrap().len(), 1, "{name}");
        assert!(
            store
                .user_by_email("bob@example.com")
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_invite_works_once_before_it_expires_and_joins_its_cohort() {
    on_every_backend(|store, name| async move {
        let admin = store
            .create_user("root@x", "h", Role::Admin, 0)
            .await
            .unwrap();
        let cohort = store.create_cohort("Spring 2026", 0).await.unwrap();
        assert!(
            matches!(
                store.create_cohort("Spring 2026", 1).await,
                Err(StoreError::Duplicate { .. })
            ),
            "{name}"
        );
        let invite = |hash: &str, expires| NewInvite {
            token_hash: hash.to_owned(),
            role: Role::Candidate,
            cohort_id: Some(cohort.id),
            created_by: Some(admin.id),
            created_at_ms: 0,
            expires_at_ms: expires,
        };
        store.create_invite(&invite("live", 1_000)).await.unwrap();
        store.create_invite(&invite("old", 10)).await.unwrap();

        assert!(
            matches!(
                store.redeem_invite("old", "late@x", "h", 500).await,
                Err(StoreError::InviteInvalid)
            ),
            "{name}: expired"
        );
        assert!(
            matches!(
                store.redeem_invite("forged", "f@x", "h", 500).await,
                Err(StoreError::InviteInvalid)
            ),
            "{name}: unknown"
        );
        // A taken e-mail rolls the whole redemption back: the invite stays usable.
        assert!(
            matches!(
                store.redeem_invite("live", "root@x", "h", 500).await,
                Err(StoreError::Duplicate { .. })
            ),
            "{name}"
        );
        let user = store
            .redeem_invite("live", "new@x", "h", 600)
            .await
            .unwrap();
        assert_eq!(user.role, Role::Candidate, "{name}");
        assert_eq!(
            store.cohorts_of(user.id).await.unwrap(),
            vec![cohort.clone()],
            "{name}"
        );
        assert!(
            matches!(
                store.redeem_invite("live", "again@x", "h", 700).await,
                Err(StoreError::InviteInvalid)
            ),
            "{name}: used"
        );
        let invites = store.invites().await.unwrap();
        let live = invites.iter().find(|i| i.token_hash == "live").unwrap();
        assert_eq!(
            (live.used_at_ms, live.used_by),
            (Some(600), Some(user.id)),
            "{name}"
        );
        assert!(
            store.user_by_email("again@x").await.unwrap().is_none(),
            "{name}"
        );
    })
    .await;
}

#[tokio::test]
async fn reviewers_see_only_their_cohorts_and_candidates_only_their_own() {
    on_every_backend(|store, name| async move {
        let a = store
            .create_user("a@x", "h", Role::Candidate, 0)
            .await
            .unwrap();
        let b = store
            .create_user("b@x", "h", Role::Candidate, 0)
            .await
            .unwrap();
        let rev = store
            .create_user("rev@x", "h", Role::Reviewer, 0)
            .await
            .unwrap();
        let admin = store
            .create_user("admin@x", "h", Role::Admin, 0)
            .await
            .unwrap();
        let red = store.create_cohort("red", 0).await.unwrap();
        let blue = store.create_cohort("blue", 0).await.unwrap();
        store.add_to_cohort(red.id, a.id).await.unwrap();
        store.add_to_cohort(red.id, a.id).await.unwrap(); // idempotent
        store.add_to_cohort(blue.id, b.id).await.unwrap();
        store.add_to_cohort(red.id, rev.id).await.unwrap();
        assert!(
            matches!(
                store.add_to_cohort(red.id, 9_999).await,
                Err(StoreError::Missing { .. })
            ),
            "{name}"
        );
        store
            .create_owned_session(new_session("sa", 1), a.id)
            .await
            .unwrap();
        store
            .create_owned_session(new_session("sb", 2), b.id)
            .await
            .unwrap();
        store.create_session(new_session("cli", 3)).await.unwrap();

        assert_eq!(
            store.session_owner(&sid("sa")).await.unwrap(),
            Some(Some(a.id)),
            "{name}"
        );
        assert_eq!(
            store.session_owner(&sid("cli")).await.unwrap(),
            Some(None),
            "{name}"
        );
        assert_eq!(
            store.session_owner(&sid("none")).await.unwrap(),
            None,
            "{name}"
        );
        let mine: Vec<_> = store.sessions_of(a.id).await.unwrap();
        assert_eq!(mine.len(), 1, "{name}");
        assert_eq!(mine[0].id, sid("sa"), "{name}");

        assert!(store.can_review(&rev, &sid("sa")).await.unwrap(), "{name}");
        assert!(!store.can_review(&rev, &sid("sb")).await.unwrap(), "{name}");
        assert!(!store.can_review(&a, &sid("sb")).await.unwrap(), "{name}");
        assert!(
            !store.can_review(&a, &sid("sa")).await.unwrap(),
            "{name}: not as a reviewer"
        );
        assert!(
            store.can_review(&admin, &sid("sb")).await.unwrap(),
            "{name}"
        );
        let listed = store.reviewable_sessions(&rev).await.unwrap();
        assert_eq!(listed.len(), 1, "{name}");
        assert_eq!(listed[0].owner_email.as_deref(), Some("a@x"), "{name}");
        assert_eq!(
            store.reviewable_sessions(&admin).await.unwrap().len(),
            2,
            "{name}"
        );

        store.remove_from_cohort(red.id, rev.id).await.unwrap();
        assert!(!store.can_review(&rev, &sid("sa")).await.unwrap(), "{name}");
        assert_eq!(
            store.cohort_members(red.id).await.unwrap(),
            vec![a.clone()],
            "{name}"
        );
        assert_eq!(store.cohorts().await.unwrap().len(), 2, "{name}");
    })
    .await;
}

#[tokio::test]
async fn login_sessions_expire_and_api_tokens_name_their_user() {
    on_every_backend(|store, name| async move {
        let u = store
            .create_user("u@x", "h", Role::Candidate, 0)
            .await
            .unwrap();
        store
            .create_web_session("h1", u.id, "csrf1", 0, 100)
            .await
            .unwrap();
        store
            .create_web_session("h2", u.id, "csrf2", 0, 50)
            .await
            .unwrap();
        let (who, csrf) = store.web_session("h1", 10).await.unwrap().unwrap();
        assert_eq!((who.id, csrf.as_str()), (u.id, "csrf1"), "{name}");
        assert!(
            store.web_session("h1", 100).await.unwrap().is_none(),
            "{name}: expired"
        );
        assert!(
            store.web_session("zz", 10).await.unwrap().is_none(),
            "{name}"
        );
        store.delete_web_session("h1", 10).await.unwrap();
        assert!(
            store.web_session("h1", 10).await.unwrap().is_none(),
            "{name}: logged out"
        );
        assert!(
            store.web_session("h2", 10).await.unwrap().is_some(),
            "{name}"
        );
        // The next sign-in clears the sessions that have expired by then.
        store
            .create_web_session("h3", u.id, "csrf3", 60, 200)
            .await
            .unwrap();
        assert!(
            store.web_session("h2", 10).await.unwrap().is_none(),
            "{name}: expired rows are gone"
        );
        assert!(
            store.web_session("h3", 60).await.unwrap().is_some(),
            "{name}"
        );

        store.create_api_token("t1", u.id, "ci", 0).await.unwrap();
        assert_eq!(
            store.api_token_user("t1").await.unwrap().map(|x| x.id),
            Some(u.id),
            "{name}"
        );
        assert!(
            store.api_token_user("t2").await.unwrap().is_none(),
            "{name}"
        );
        store.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn notes_and_overrides_keep_the_graders_rating_beside_the_reviewers() {
    on_every_backend(|store, name| async move {
        let rev = store
            .create_user("rev@x", "h", Role::Reviewer, 0)
            .await
            .unwrap();
        store.create_session(new_session("s", 0)).await.unwrap();
        store
            .add_note(&sid("s"), &rev, "<script>x</script> good", 5)
            .await
            .unwrap();
        store.add_note(&sid("s"), &rev, "second", 6).await.unwrap();
        let notes = store.notes(&sid("s")).await.unwrap();
        assert_eq!(notes.len(), 2, "{name}");
        assert_eq!(notes[0].body, "<script>x</script> good", "{name}");
        assert_eq!(notes[0].author_email, "rev@x", "{name}");

        store
            .set_override(
                &sid("s"),
                "networking",
                "strong",
                Some("basic"),
                "missed nuance",
                &rev,
                7,
            )
            .await
            .unwrap();
        store
            .set_override(
                &sid("s"),
                "networking",
                "expert",
                Some("basic"),
                "on reflection",
                &rev,
                8,
            )
            .await
            .unwrap();
        let overrides = store.overrides(&sid("s")).await.unwrap();
        assert_eq!(overrides.len(), 1, "{name}");
        assert_eq!(overrides[0].rating, "expert", "{name}");
        assert_eq!(
            overrides[0].grader_rating.as_deref(),
            Some("basic"),
            "{name}"
        );
        assert_eq!(overrides[0].reason, "on reflection", "{name}");
        assert!(
            store
                .set_override(&sid("s"), "storage", "x", None, "", &rev, 9)
                .await
                .is_err(),
            "{name}: a reason is required"
        );
    })
    .await;
}
