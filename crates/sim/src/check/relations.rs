//! Checks across objects: a Deployment's `replicas` fighting its HPA, a
//! CronJob scaling a Deployment an HPA owns, a CronJob running kubectl
//! without a ServiceAccount, an HPA whose target is not in the files, a
//! Service or PodDisruptionBudget that selects nothing, a PDB that can never
//! allow an eviction.
//!
//! kubectl commands are read from a container's command and args, including
//! scripts passed to `sh -c`; this is not a shell, only enough of one to find
//! `kubectl scale` and its flags.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::workload::replicas;
use super::{namespace, pod_template, selector, Finding, Severity, Written};
use crate::manifest::{Document, Object};

/// The HPA in `docs` that targets the workload `doc`, if any.
pub fn hpa_for<'a>(doc: &Document, docs: &'a [Document]) -> Option<&'a HorizontalPodAutoscaler> {
    let ns = namespace(&doc.object);
    docs.iter().find_map(|d| match &d.object {
        Object::HorizontalPodAutoscaler(h)
            if namespace(&d.object) == ns
                && h.spec.as_ref().is_some_and(|s| {
                    s.scale_target_ref.kind == doc.object.kind()
                        && s.scale_target_ref.name == doc.object.name()
                }) =>
        {
            Some(&**h)
        }
        _ => None,
    })
}

/// One kubectl invocation found in a container: its arguments after `kubectl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kubectl {
    /// The words after `kubectl`, quotes removed.
    pub args: Vec<String>,
}

/// A `kubectl scale` of a Deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    /// The Deployment's name.
    pub deployment: String,
    /// `-n`/`--namespace`, when given.
    pub namespace: Option<String>,
    /// `--replicas`, when given and a number.
    pub replicas: Option<i64>,
}

fn is_separator(w: &str) -> bool {
    matches!(w, ";" | "&&" | "||" | "|" | "&")
}

/// Splits shell-ish text into words, keeping separators as their own words and
/// dropping quotes.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(std::mem::take(cur));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {}
            ';' | '|' | '&' => {
                flush(&mut cur, &mut out);
                let mut sep = c.to_string();
                if chars.peek() == Some(&c) && c != ';' {
                    sep.push(c);
                    chars.next();
                }
                out.push(sep);
            }
            c if c.is_whitespace() => flush(&mut cur, &mut out),
            c => cur.push(c),
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Every kubectl invocation in a container's command and args.
pub fn kubectl_commands(c: &Container) -> Vec<Kubectl> {
    let all: Vec<String> = c
        .command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .flat_map(|a| words(a))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let w = &all[i];
        if w == "kubectl" || w.ends_with("/kubectl") {
            let args: Vec<String> = all[i + 1..]
                .iter()
                .take_while(|w| !is_separator(w))
                .cloned()
                .collect();
            i += 1 + args.len();
            out.push(Kubectl { args });
        } else {
            i += 1;
        }
    }
    out
}

impl Kubectl {
    /// The scale this invocation does, when it is `kubectl scale` of a Deployment.
    pub fn scale(&self) -> Option<Scale> {
        let mut positional = Vec::new();
        let mut namespace = None;
        let mut replicas = None;
        let mut it = self.args.iter();
        while let Some(a) = it.next() {
            if let Some(v) = a.strip_prefix("--replicas=") {
                replicas = v.parse().ok();
            } else if a == "--replicas" {
                replicas = it.next().and_then(|v| v.parse().ok());
            } else if let Some(v) = a.strip_prefix("--namespace=").or(a.strip_prefix("-n=")) {
                namespace = Some(v.to_string());
            } else if a == "-n" || a == "--namespace" {
                namespace = it.next().cloned();
            } else if !a.starts_with('-') {
                positional.push(a.as_str());
            }
        }
        if positional.first() != Some(&"scale") {
            return None;
        }
        let is_deploy = |t: &str| {
            matches!(
                t,
                "deployment" | "deployments" | "deploy" | "deployment.apps" | "deployments.apps"
            )
        };
        let deployment = match positional.get(1).and_then(|t| t.split_once('/')) {
            Some((t, name)) if is_deploy(t) => name.to_string(),
            Some(_) => return None,
            None => {
                let t = positional.get(1)?;
                if !is_deploy(t) {
                    return None;
                }
                positional.get(2)?.to_string()
            }
        };
        Some(Scale {
            deployment,
            namespace,
            replicas,
        })
    }
}

/// Runs the cross-object checks whose subject is `doc`.
pub fn check(doc: &Document, docs: &[Document], written: &Written, out: &mut Vec<Finding>) {
    match &doc.object {
        Object::Deployment(d) => {
            if let Some(h) = hpa_for(doc, docs) {
                let typed = d.spec.as_ref().and_then(|s| s.replicas);
                if written.replicas(doc, typed) {
                    out.push(Finding::at(
                        doc,
                        "hpa.replicas-set",
                        Severity::Warning,
                        "spec.replicas",
                        format!("`spec.replicas` is set while HorizontalPodAutoscaler/{} scales this Deployment: every `kubectl apply` resets the count the HPA chose", h.metadata.name.as_deref().unwrap_or("")),
                        "drop `spec.replicas` from the manifest and let the HPA's minReplicas set the floor",
                    ));
                }
            }
        }
        Object::CronJob(_) => cronjob(doc, docs, out),
        Object::HorizontalPodAutoscaler(h) => {
            let Some(target) = h.spec.as_ref().map(|s| &s.scale_target_ref) else {
                return;
            };
            let ns = namespace(&doc.object);
            let found = docs.iter().any(|d| {
                d.object.kind() == target.kind
                    && d.object.name() == target.name
                    && namespace(&d.object) == ns
            });
            if !found {
                out.push(Finding::at(
                    doc,
                    "hpa.target-missing",
                    Severity::Info,
                    "spec.scaleTargetRef",
                    format!("the HPA scales {}/{}, which is not in the files checked", target.kind, target.name),
                    "check the name and kind in `spec.scaleTargetRef`, or pass the target's manifest with another -f",
                ));
            }
        }
        Object::Service(s) => {
            let Some(sel) = s
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .filter(|m| !m.is_empty())
            else {
                return;
            };
            let ns = namespace(&doc.object);
            let any = docs.iter().any(|d| {
                namespace(&d.object) == ns
                    && pod_template(&d.object).is_some_and(|(t, _)| {
                        selector::map_matches(
                            Some(sel),
                            t.metadata.as_ref().and_then(|m| m.labels.as_ref()),
                        )
                    })
            });
            if !any {
                let pairs: Vec<String> = sel.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                out.push(Finding::at(
                    doc,
                    "service.selector-matches-nothing",
                    Severity::Warning,
                    "spec.selector",
                    format!("the selector `{}` matches no Pod template in the files: the Service would have no endpoints", pairs.join(", ")),
                    "make `spec.selector` a subset of the workload's `spec.template.metadata.labels` (or add those labels to the template)",
                ));
            }
        }
        Object::PodDisruptionBudget(p) => pdb(doc, p, docs, out),
        _ => {}
    }
}

fn cronjob(doc: &Document, docs: &[Document], out: &mut Vec<Finding>) {
    let Some((template, tpath)) = pod_template(&doc.object) else {
        return;
    };
    let Some(spec) = template.spec.as_ref() else {
        return;
    };
    let ns = namespace(&doc.object);
    let mut runs_kubectl = false;
    for (i, c) in spec.containers.iter().enumerate() {
        for k in kubectl_commands(c) {
            runs_kubectl = true;
            let Some(scale) = k.scale() else { continue };
            let target_ns = scale.namespace.as_deref().unwrap_or(ns);
            // The HPA owns the count whether or not the Deployment's manifest is in the files.
            let Some(h) = docs.iter().find_map(|d| match &d.object {
                Object::HorizontalPodAutoscaler(h)
                    if namespace(&d.object) == target_ns
                        && h.spec.as_ref().is_some_and(|s| {
                            s.scale_target_ref.kind == "Deployment"
                                && s.scale_target_ref.name == scale.deployment
                        }) =>
                {
                    Some(&**h)
                }
                _ => None,
            }) else {
                continue;
            };
            let hpa = h.metadata.name.as_deref().unwrap_or("");
            let n = scale.replicas.map_or("N".to_string(), |n| n.to_string());
            out.push(Finding::at(
                doc,
                "cronjob.scales-hpa-target",
                Severity::Error,
                format!("{tpath}.spec.containers[{i}].command"),
                format!("the CronJob runs `kubectl scale deployment/{} --replicas={n}`, but HorizontalPodAutoscaler/{hpa} owns that count: every 15 s it recomputes the replicas from the current load, and once its scale-down window forgets the sync that saw the new Pods unmeasured (minutes, not hours) it scales back down, before a sale an hour away", scale.deployment),
                format!("raise the HPA's floor instead: `kubectl patch hpa {hpa} -p '{{\"spec\":{{\"minReplicas\":{n}}}}}'`, and lower it again after the event"),
            ));
        }
    }
    let sa = spec
        .service_account_name
        .as_deref()
        .or(spec.service_account.as_deref())
        .filter(|s| !s.is_empty() && *s != "default");
    if runs_kubectl && sa.is_none() {
        out.push(Finding::at(
            doc,
            "cronjob.kubectl-no-service-account",
            Severity::Error,
            format!("{tpath}.spec.serviceAccountName"),
            "the CronJob runs kubectl as the namespace's `default` ServiceAccount, which has no RBAC rights: the command is forbidden",
            "create a ServiceAccount, a Role granting only what the command needs (e.g. `patch` on `horizontalpodautoscalers`), a RoleBinding, and set `serviceAccountName` on the Job's Pod template",
        ));
    }
}

fn pdb(
    doc: &Document,
    p: &k8s_openapi::api::policy::v1::PodDisruptionBudget,
    docs: &[Document],
    out: &mut Vec<Finding>,
) {
    let Some(spec) = p.spec.as_ref() else { return };
    let ns = namespace(&doc.object);
    let selected: Vec<&Document> = docs
        .iter()
        .filter(|d| {
            namespace(&d.object) == ns
                && matches!(
                    d.object,
                    Object::Deployment(_) | Object::StatefulSet(_) | Object::ReplicaSet(_)
                )
                && pod_template(&d.object).is_some_and(|(t, _)| {
                    selector::matches(
                        spec.selector.as_ref(),
                        t.metadata.as_ref().and_then(|m| m.labels.as_ref()),
                    )
                })
        })
        .collect();
    if selected.is_empty() {
        out.push(Finding::at(
            doc,
            "pdb.selects-nothing",
            Severity::Warning,
            "spec.selector",
            "the PodDisruptionBudget selects no workload's Pods in the files: it protects nothing",
            "make `spec.selector.matchLabels` match the workload's `spec.template.metadata.labels`",
        ));
        return;
    }
    let total: i64 = selected
        .iter()
        .map(|d| replicas(d, docs))
        .fold(0i64, |a, b| a.saturating_add(b));
    // Allowed disruptions are 0 at full health: no voluntary eviction ever succeeds.
    let blocked = match (&spec.min_available, &spec.max_unavailable) {
        (Some(IntOrString::Int(m)), _) => i64::from(*m) >= total,
        (Some(IntOrString::String(s)), _) => {
            super::workload::scaled(&IntOrString::String(s.clone()), total, true)
                .is_some_and(|m| m >= total)
        }
        (None, Some(IntOrString::Int(m))) => *m <= 0,
        (None, Some(IntOrString::String(s))) => {
            super::workload::scaled(&IntOrString::String(s.clone()), total, true) == Some(0)
        }
        (None, None) => false,
    };
    if blocked {
        out.push(Finding::at(
            doc,
            "pdb.never-satisfiable",
            Severity::Warning,
            if spec.min_available.is_some() { "spec.minAvailable" } else { "spec.maxUnavailable" },
            format!("with {total} replicas selected the budget allows no disruption even when every Pod is healthy: node drains and cluster upgrades block"),
            format!("allow at least one: `maxUnavailable: 1`, or `minAvailable: {}`", (total - 1).max(0)),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(command: &[&str], args: &[&str]) -> Container {
        Container {
            name: "c".into(),
            command: Some(command.iter().map(|s| s.to_string()).collect()),
            args: (!args.is_empty()).then(|| args.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    #[track_caller]
    fn check_scale(
        command: &[&str],
        args: &[&str],
        want: Option<(&str, Option<&str>, Option<i64>)>,
    ) {
        let got: Vec<Scale> = kubectl_commands(&container(command, args))
            .iter()
            .filter_map(Kubectl::scale)
            .collect();
        let want: Vec<Scale> = want
            .into_iter()
            .map(|(d, ns, r)| Scale {
                deployment: d.into(),
                namespace: ns.map(str::to_string),
                replicas: r,
            })
            .collect();
        assert_eq!(got, want, "{command:?} {args:?}");
    }

    #[test]
    fn kubectl_scale_is_found_in_every_spelling() {
        check_scale(
            &[
                "kubectl",
                "scale",
                "deployment/ecommerce-api",
                "--replicas=50",
            ],
            &[],
            Some(("ecommerce-api", None, Some(50))),
        );
        check_scale(
            &["kubectl"],
            &["scale", "deploy", "web", "--replicas", "7", "-n", "shop"],
            Some(("web", Some("shop"), Some(7))),
        );
        check_scale(
            &[
                "/bin/sh",
                "-c",
                "kubectl scale deployments.apps/web --replicas=20 --namespace=shop && echo done",
            ],
            &[],
            Some(("web", Some("shop"), Some(20))),
        );
        check_scale(
            &["sh", "-c"],
            &["echo hi; kubectl scale 'deployment/web' --replicas=\"3\""],
            Some(("web", None, Some(3))),
        );
        check_scale(
            &[
                "/usr/local/bin/kubectl",
                "scale",
                "--replicas=4",
                "deployment/web",
            ],
            &[],
            Some(("web", None, Some(4))),
        );
        check_scale(
            &["kubectl", "scale", "statefulset/redis", "--replicas=4"],
            &[],
            None,
        );
        check_scale(
            &[
                "kubectl",
                "patch",
                "hpa",
                "web",
                "-p",
                "{\"spec\":{\"minReplicas\":50}}",
            ],
            &[],
            None,
        );
        check_scale(&["echo", "scale", "deployment/web"], &[], None);
    }
}
