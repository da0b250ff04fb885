//! `kubeprep auth`: RBAC questions answered from policy files, with
//! `kubectl auth can-i` syntax.

use anyhow::{bail, Result};
use clap::Subcommand;

use super::Global;
use crate::Outcome;

/// RBAC questions.
#[derive(Subcommand)]
pub enum Command {}

pub fn run(_g: &Global, _c: Command) -> Result<Outcome> {
    bail!("not available yet")
}
