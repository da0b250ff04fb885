//! `kubeprep check`: static findings and scenario requirements.

use anyhow::{bail, Result};

use super::Global;
use crate::Outcome;

/// Flags.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_g: &Global, _a: Args) -> Result<Outcome> {
    bail!("not available yet")
}
