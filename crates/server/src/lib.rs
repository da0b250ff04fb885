//! `kubeprep serve`: the interview in a browser for many candidates, with
//! reviewers and admins ([`web`]). Sessions are stored as the CLI stores
//! them (event by event, before the engine sees an event), in SQLite or
//! PostgreSQL; the server keeps no state a second replica would need.
//!
//! Not for: interview logic (`kubeprep-interview`), grading
//! (`kubeprep-grade`) or SQL (`kubeprep-store`).

pub mod web;
