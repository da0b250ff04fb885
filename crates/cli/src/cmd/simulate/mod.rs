//! `kubeprep simulate`: run manifests on the simulated cluster.

mod hpa;
mod rollout;
mod statefulset;

use anyhow::Result;
use clap::Subcommand;

use super::Global;
use crate::Outcome;

/// What to simulate.
#[derive(Subcommand)]
pub enum Command {
    /// A Deployment's rolling update (and rollback) with request-level traffic
    Rollout(rollout::Args),
    /// A HorizontalPodAutoscaler against a traffic profile
    Hpa(hpa::Args),
    /// A StatefulSet's ordered creation, identities and volumes
    Statefulset(statefulset::Args),
}

pub fn run(g: &Global, c: Command) -> Result<Outcome> {
    match c {
        Command::Rollout(a) => rollout::run(g, a),
        Command::Hpa(a) => hpa::run(g, a),
        Command::Statefulset(a) => statefulset::run(g, a),
    }
}
