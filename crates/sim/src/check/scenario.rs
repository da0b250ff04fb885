//! Running a scenario: the pack's scenario data turned into requirements,
//! the scenario's simulation run on the candidate's manifests, and what each
//! requirement measures collected into [`Measurements`]. `kubeprep check
//! --scenario` and the interview both come through here, so a manifest is
//! judged the same way wherever it is written.
//!
//! Not for: judging a measurement against its requirement
//! ([`super::requirement::evaluate`]) or rendering.

use kubeprep_bank::scenario::{parse_measure, Measure as BankMeasure};
use kubeprep_bank::Scenario;

use super::requirement::{
    evaluate, CanI, Comparison, Measure, Measurements, Requirement, RequirementResult,
};
use crate::manifest::Parsed;
use crate::rbac::{self, Attributes, Policy, UserInfo};

/// The scenario's requirements in the simulator's terms. Fails only on a
/// measure the pack validator would have refused.
pub fn requirements(s: &Scenario) -> Result<Vec<Requirement>, String> {
    s.requirements
        .iter()
        .map(|r| {
            let measure = match parse_measure(&r.measure)
                .map_err(|e| format!("scenario {}: requirement {}: {e}", s.id, r.id))?
            {
                BankMeasure::Metric {
                    metric,
                    timing,
                    op,
                    value,
                } => Measure::Metric {
                    metric,
                    timing,
                    op: Comparison::parse(&op).ok_or_else(|| {
                        format!("scenario {}: requirement {}: bad operator {op}", s.id, r.id)
                    })?,
                    value,
                },
                BankMeasure::CanI => Measure::CanI(
                    r.can_i
                        .iter()
                        .map(|c| CanI {
                            verb: c.verb.clone(),
                            resource: c.resource.clone(),
                            subresource: c.subresource.clone(),
                            namespace: c.namespace.clone(),
                            user: c.user.clone(),
                            groups: c.groups.clone(),
                            expected: c.allowed,
                        })
                        .collect(),
                ),
            };
            Ok(Requirement {
                id: r.id.clone(),
                text: r.text.clone(),
                measure,
                proves: r.proves.clone(),
            })
        })
        .collect()
}

/// A scenario run on a set of manifests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioRun {
    /// What the simulation measured (`None`: nothing in the manifests could be simulated).
    pub measured: Option<Measurements>,
    /// One verdict per requirement.
    pub results: Vec<RequirementResult>,
    /// What the simulation showed, in sentences with the numbers
    /// ("with this Deployment 37 of 4,100 requests failed: ...").
    pub notes: Vec<String>,
    /// Why the simulation could not run, when it could not.
    pub not_run: Option<String>,
}

/// Runs `scenario`'s simulation on `parsed` and judges every requirement.
pub fn run(scenario: &Scenario, parsed: &Parsed) -> Result<ScenarioRun, String> {
    let reqs = requirements(scenario)?;
    let mut notes = Vec::new();
    let measured = simulate(scenario, parsed, &reqs, &mut notes);
    let (measured, not_run) = match measured {
        Ok(m) => (Some(m), None),
        Err(why) => (None, Some(why)),
    };
    Ok(ScenarioRun {
        results: evaluate(&reqs, measured.as_ref()),
        measured,
        notes,
        not_run,
    })
}

fn simulate(
    scenario: &Scenario,
    parsed: &Parsed,
    reqs: &[Requirement],
    notes: &mut Vec<String>,
) -> Result<Measurements, String> {
    let sim = &scenario.simulation;
    let mut m = Measurements::default();
    if sim.rbac.is_some() {
        rbac_rows(parsed, reqs, &mut m, notes);
    }
    Ok(m)
}

/// Asks every can-i row of every requirement against the manifests' policy.
fn rbac_rows(parsed: &Parsed, reqs: &[Requirement], m: &mut Measurements, notes: &mut Vec<String>) {
    let policy = Policy::from_documents(&parsed.documents);
    for r in reqs {
        let Measure::CanI(rows) = &r.measure else {
            continue;
        };
        for row in rows {
            let what = vec![row.resource.clone()];
            let Ok((target, _warnings)) = rbac::resources::request(
                &row.verb,
                &what,
                Some(row.namespace.as_deref().unwrap_or("")),
                row.subresource.as_deref(),
            ) else {
                continue;
            };
            let user = UserInfo::impersonated(row.user.as_deref().unwrap_or(""), &row.groups);
            let decision = policy.authorize(&Attributes {
                user,
                verb: row.verb.clone(),
                target,
            });
            m.record_can_i(row, decision.allowed);
            if decision.allowed != row.expected {
                notes.push(format!(
                    "`kubectl auth {}` answers {} but should answer {}{}",
                    row.command(),
                    if decision.allowed { "yes" } else { "no" },
                    if row.expected { "yes" } else { "no" },
                    if decision.allowed {
                        format!(" ({})", decision.reason)
                    } else {
                        String::new()
                    }
                ));
            }
        }
    }
}
