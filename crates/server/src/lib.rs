//! kubeprep's HTTP faces, over the libraries:
//!
//! - [`web`]: `kubeprep serve`, the interview in a browser for many
//!   candidates, with reviewers and admins. Sessions are stored as the CLI
//!   stores them (event by event, before the engine sees an event), in SQLite
//!   or PostgreSQL; the server keeps no state a second replica would need.
//! - [`lab`]: the troubleshooting lab's Kubernetes-compatible API that the
//!   real kubectl talks to.
//!
//! Not for: interview logic (`kubeprep-interview`), grading
//! (`kubeprep-grade`), simulation (`kubeprep-sim`) or SQL (`kubeprep-store`).

pub mod lab;
pub mod web;
