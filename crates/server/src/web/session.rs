//! Driving the interview engine from HTTP requests, statelessly: load a
//! session's events, replay them, store a new event, then apply it — the
//! order the CLI uses, so an answer is durable before anything reacts to
//! it. Also who may open a session ([`access`]).
//!
//! Not for: rendering (`view.rs`) or routing (`pages.rs`).

use kubeprep_interview::{Event, Interview, Output};
use kubeprep_store::{NewSession, SessionId, SessionStatus, Store, User};

use super::error::{WebError, WebResult};

use super::{now_ms, AppState};

/// How a viewer relates to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Their own interview: they may answer.
    Owner,
    /// A reviewer (or admin) of the owner's cohort: they may read, write
    /// notes and override ratings.
    Reviewer,
}

/// What `user` may do with session `id`. Anything else — no such session,
/// someone else's, a CLI session without owner — is [`WebError::NotFound`],
/// so that ids cannot be probed.
pub async fn access(state: &AppState, user: &User, id: &SessionId) -> WebResult<Access> {
    let Some(owner) = state.store.session_owner(id).await? else {
        return Err(WebError::NotFound);
    };
    if owner == Some(user.id) {
        return Ok(Access::Owner);
    }
    if owner.is_some() && state.store.can_review(user, id).await? {
        return Ok(Access::Reviewer);
    }
    Err(WebError::NotFound)
}

/// A session's stored events as engine events.
pub async fn events(state: &AppState, id: &SessionId) -> WebResult<Vec<Event>> {
    state
        .store
        .events(id)
        .await?
        .into_iter()
        .map(|stored| {
            serde_json::from_value(stored.payload).map_err(|err| {
                WebError::Internal(anyhow::anyhow!(
                    "session {id}: event {} cannot be read by this version: {err}",
                    stored.seq
                ))
            })
        })
        .collect()
}

/// Most engines kept; beyond it the cache starts afresh.
const CACHED_ENGINES: usize = 20_000;

/// An engine and the sequence number of the last event it has applied.
pub struct Loaded {
    /// The engine.
    pub engine: Interview<'static>,
    /// The last stored event it reflects.
    pub seq: i64,
    /// Another request appended to the session while this one acted, so
    /// the fold may not follow the stored order: do not cache it.
    stale: bool,
}

impl std::ops::Deref for Loaded {
    type Target = Interview<'static>;
    fn deref(&self) -> &Self::Target {
        &self.engine
    }
}

/// Replayed engines by session id. Replaying grades every answer again, so
/// a long session costs more with each request; the cache keeps the fold
/// and [`load`] only applies the events stored since (by this replica or
/// another one). Losing it costs time, never data.
#[derive(Default)]
pub struct EngineCache {
    engines: std::sync::Mutex<std::collections::HashMap<String, Loaded>>,
}

impl EngineCache {
    fn take(&self, id: &SessionId) -> Option<Loaded> {
        self.engines.lock().ok()?.remove(id.as_str())
    }

    fn put(&self, id: &SessionId, loaded: Loaded) {
        if let Ok(mut engines) = self.engines.lock() {
            if engines.len() >= CACHED_ENGINES {
                engines.clear();
            }
            engines.insert(id.as_str().to_owned(), loaded);
        }
    }
}

/// The engine with every stored event of the session applied: the cached
/// fold plus the events stored since, or a full replay.
pub async fn load(state: &AppState, id: &SessionId) -> WebResult<Loaded> {
    let mut loaded = state.engines.take(id).unwrap_or_else(|| Loaded {
        engine: Interview::new(state.pack, state.grader),
        seq: 0,
        stale: false,
    });
    for stored in state.store.events_after(id, loaded.seq).await? {
        let event: Event = serde_json::from_value(stored.payload).map_err(|err| {
            WebError::Internal(anyhow::anyhow!(
                "session {id}: event {} cannot be read by this version: {err}",
                stored.seq
            ))
        })?;
        loaded.engine.apply(&event);
        loaded.seq = stored.seq;
    }
    Ok(loaded)
}

/// Gives a loaded engine back to the cache for the next request.
pub fn keep(state: &AppState, id: &SessionId, loaded: Loaded) {
    if !loaded.stale {
        state.engines.put(id, loaded);
    }
}

/// Starts a new interview owned by `user` and returns its id.
pub async fn start(state: &AppState, user: &User, seed: u64) -> WebResult<SessionId> {
    let id = SessionId::new();
    let at_ms = now_ms();
    state
        .store
        .create_owned_session(
            NewSession {
                id: id.clone(),
                pack: state.pack.id.clone(),
                pack_version: state.pack.version.clone(),
                candidate: Some(user.email.clone()),
                started_at_ms: at_ms,
            },
            user.id,
        )
        .await?;
    let mut loaded = Loaded {
        engine: Interview::new(state.pack, state.grader),
        seq: 0,
        stale: false,
    };
    let started = Event::Started {
        at_ms,
        pack: state.pack.id.clone(),
        pack_version: state.pack.version.clone(),
        candidate: Some(user.email.clone()),
        seed,
    };
    act(state, &id, &mut loaded, started).await?;
    keep(state, &id, loaded);
    Ok(id)
}

/// Applies `event` to the engine and stores it with the new session
/// summary in one transaction; only then are the outputs returned to be
/// shown. The engine is pure, so applying first changes nothing outside
/// it: if the write fails, the caller drops the engine (it is not kept)
/// and nothing of the event is seen or stored.
pub async fn act(
    state: &AppState,
    id: &SessionId,
    loaded: &mut Loaded,
    event: Event,
) -> WebResult<Vec<Output>> {
    let payload = serde_json::to_value(&event)
        .map_err(|err| WebError::Internal(anyhow::anyhow!("serialising an event: {err}")))?;
    let kind = payload
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("event")
        .to_owned();
    // Until the write succeeds, the engine is not to be kept.
    loaded.stale = true;
    let engine = &mut loaded.engine;
    let outputs = engine.apply(&event);
    let card = engine.scorecard();
    let status = if engine.is_finished() {
        SessionStatus::Finished
    } else if engine.is_paused() {
        SessionStatus::Paused
    } else {
        SessionStatus::InProgress
    };
    let answered = card.questions.iter().filter(|q| !q.skipped).count() as u32;
    let score = (!card.questions.is_empty()).then_some(card.overall_score);
    let seq = state
        .store
        .append_with_summary(id, &kind, event.at_ms(), &payload, status, score, answered)
        .await?;
    state.metrics.count_event();
    // Another request may have appended in between: then this fold is not
    // the stored order, and the next load must replay from scratch.
    loaded.stale = seq != loaded.seq + 1;
    loaded.seq = seq;
    Ok(outputs)
}
/// The answer as the engine reads it: the text, then the manifest in a
/// fenced block (as the CLI's `/yaml` makes it).
pub fn answer_text(text: &str, yaml: &str) -> String {
    let text = text.trim();
    let yaml = yaml.trim_matches(|c| c == '\n' || c == '\r');
    if yaml.trim().is_empty() {
        return text.to_owned();
    }
    let block = format!("```yaml\n{}\n```", yaml.replace("\r\n", "\n"));
    if text.is_empty() {
        block
    } else {
        format!("{text}\n\n{block}")
    }
}

/// The event an action of the interview page (or the API) stands for:
/// `answer` (with the text and an optional manifest), `hint`, `skip`,
/// `easier`, `harder`, `pause`, `resume` or `finish`. `None` for an empty
/// answer, which changes nothing.
pub fn event_for(action: &str, text: &str, yaml: &str, at_ms: i64) -> WebResult<Option<Event>> {
    Ok(Some(match action {
        "answer" => {
            let text = answer_text(text, yaml);
            if text.is_empty() {
                return Ok(None);
            }
            Event::Answered { at_ms, text }
        }
        "hint" => Event::HintRequested { at_ms },
        "skip" => Event::Skipped { at_ms },
        "easier" => Event::Easier { at_ms },
        "harder" => Event::Harder { at_ms },
        "pause" => Event::Paused { at_ms },
        "resume" => Event::Resumed { at_ms },
        "finish" => Event::Finished { at_ms },
        _ => {
            return Err(WebError::BadRequest(
                "Unknown action; use answer, hint, skip, easier, harder, pause, resume or finish."
                    .to_owned(),
            ))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::{answer_text, event_for};
    use kubeprep_interview::Event;

    #[test]
    fn a_manifest_is_appended_as_a_fenced_block() {
        assert_eq!(answer_text("  plain ", ""), "plain");
        assert_eq!(
            answer_text("see below", "kind: Pod\r\n"),
            "see below\n\n```yaml\nkind: Pod\n```"
        );
        assert_eq!(answer_text("", "kind: Pod"), "```yaml\nkind: Pod\n```");
        assert_eq!(answer_text(" ", " \n "), "");
    }

    #[test]
    fn actions_map_to_events_and_unknown_ones_are_refused() {
        assert_eq!(
            event_for("hint", "", "", 5).unwrap(),
            Some(Event::HintRequested { at_ms: 5 })
        );
        assert_eq!(event_for("answer", " ", "", 5).unwrap(), None);
        assert!(event_for("delete", "", "", 5).is_err());
    }
}
