//! (in progress)

use anyhow::{bail, Result};

use crate::cmd::Global;
use crate::Outcome;

/// Flags.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_g: &Global, _a: Args) -> Result<Outcome> {
    bail!("not available yet")
}
