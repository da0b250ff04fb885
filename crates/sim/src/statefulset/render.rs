//! A StatefulSet simulation as plain text for a terminal: a timeline of Pods
//! by ordinal over time, the identities table, the events and a summary.
//! It returns a `String`; printing (and colour) is the caller's business.

use std::fmt::Write;

use super::{seconds, PodRecord, StsReport};

/// The widest timeline, in columns.
const MAX_COLUMNS: u64 = 60;

fn secs(ms: u64) -> String {
    let s = seconds(ms);
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}

/// The state letter of one Pod object at `t`, if it exists then.
fn letter(r: &PodRecord, t: u64) -> Option<char> {
    if r.created_ms > t || r.gone_ms.is_some_and(|g| g <= t) {
        return None;
    }
    let at = |x: Option<u64>| x.is_some_and(|x| x <= t);
    Some(if at(r.deleting_ms) {
        'T'
    } else if at(r.unready_ms) {
        'U'
    } else if at(r.ready_ms) {
        'R'
    } else if at(r.running_ms) {
        'r'
    } else if at(r.scheduled_ms) {
        'c'
    } else {
        'p'
    })
}

/// The report as text: timeline, identities, events, summary.
pub fn render_text(r: &StsReport) -> String {
    let mut s = String::new();
    let zones = r
        .nodes
        .iter()
        .map(|n| n.zone.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let _ = writeln!(
        s,
        "StatefulSet {}: {} replicas, {}, {}; {} nodes in {} zone{}",
        r.set,
        r.replicas,
        r.policy,
        r.update_strategy,
        r.nodes.len(),
        zones,
        if zones == 1 { "" } else { "s" }
    );
    let m = &r.model;
    let _ = writeln!(
        s,
        "Pod start {}, app warm-up {}, node-monitor grace {}, unreachable toleration {}s, force detach after {}",
        secs(m.pod_start_ms),
        secs(m.app_warmup_ms),
        secs(m.node_monitor_grace_ms),
        m.default_toleration_s,
        secs(m.force_detach_ms)
    );

    // Timeline.
    let end = r.end_ms.max(1000);
    let step = [1u64, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]
        .into_iter()
        .map(|x| x * 1000)
        .find(|st| end.div_ceil(*st) < MAX_COLUMNS)
        .unwrap_or_else(|| end.div_ceil(MAX_COLUMNS).max(1));
    let cols = end / step + 2;
    let width = r
        .pods
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(3)
        .max(4);
    let _ = writeln!(
        s,
        "\nTimeline (one column = {}; p Pending, c ContainerCreating, r Running, R Ready, U node lost, T Terminating, . no Pod)",
        secs(step)
    );
    let mut axis = String::new();
    let mut c = 0;
    while c < cols {
        let label = secs(c * step);
        if c % 10 == 0 {
            axis.push_str(&format!("{label:<10}"));
            c += 10;
        } else {
            c += 1;
        }
    }
    let _ = writeln!(s, "{:width$}  {}", "", axis.trim_end());
    for p in &r.pods {
        let recs: Vec<&PodRecord> = r
            .records
            .iter()
            .filter(|x| x.ordinal == p.ordinal)
            .collect();
        let row: String = (0..cols)
            .map(|c| {
                let t = c * step;
                recs.iter().rev().find_map(|x| letter(x, t)).unwrap_or('.')
            })
            .collect();
        let _ = writeln!(s, "{:width$}  {row}", p.name);
    }

    // Identities.
    let _ = writeln!(s, "\nIdentities");
    let rows: Vec<[String; 6]> = r
        .pods
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                p.node.clone().unwrap_or_else(|| "-".into()),
                if p.pvcs.is_empty() {
                    "-".into()
                } else {
                    format!(
                        "{}{}",
                        p.pvcs.join(","),
                        p.volume_zone
                            .as_ref()
                            .map(|z| format!(" ({z})"))
                            .unwrap_or_default()
                    )
                },
                p.dns
                    .clone()
                    .unwrap_or_else(|| "- (no headless Service)".into()),
                p.ready_ms.map(secs).unwrap_or_else(|| "-".into()),
                p.state.clone(),
            ]
        })
        .collect();
    let header = ["POD (hostname)", "NODE", "PVC", "DNS", "READY AT", "STATE"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(&format!("{c:w$}  "));
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(s, "{}", line(&header));
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        let _ = writeln!(s, "{}", line(&cells));
    }

    // Events.
    let _ = writeln!(s, "\nEvents");
    for e in &r.events {
        let _ = writeln!(
            s,
            "{:>8}  {:<28} {:<22} {}",
            secs(e.t_ms),
            e.object,
            e.reason,
            e.message
        );
    }

    // Summary.
    let _ = writeln!(s, "\nSummary");
    match r.ready_ms {
        Some(t) => {
            let _ = writeln!(
                s,
                "  all {} replicas Running and Ready at {}",
                r.replicas,
                secs(t)
            );
        }
        None => {
            let _ = writeln!(s, "  the replicas were never all Running and Ready");
        }
    }
    let disrupted = r.model.actions.iter().any(|a| {
        matches!(
            a,
            super::Action::DeletePod { .. } | super::Action::FailNode { .. }
        )
    });
    if disrupted {
        match r.recovered_ms {
            Some(t) => {
                let _ = writeln!(
                    s,
                    "  after the disruption, all replicas Running and Ready again at {}",
                    secs(t)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "  after the disruption, the replicas were not all Running and Ready again by {}",
                    secs(r.end_ms)
                );
            }
        }
    }
    for p in &r.pods {
        if p.incarnations > 1 {
            let _ = writeln!(
                s,
                "  {} came back {} time(s) with the same name{}{}",
                p.name,
                p.incarnations - 1,
                if p.pvcs.is_empty() {
                    String::new()
                } else {
                    format!(", the same PVC {}", p.pvcs.join(","))
                },
                p.dns
                    .as_ref()
                    .map(|d| format!(" and the same DNS name {d}"))
                    .unwrap_or_default()
            );
        }
    }
    if r.truncated {
        let _ = writeln!(
            s,
            "  stopped at the horizon ({}) with work pending",
            secs(r.end_ms)
        );
    }
    if !r.findings.is_empty() {
        let _ = writeln!(s, "\nFindings");
        for f in &r.findings {
            let sev = match f.severity {
                crate::check::Severity::Error => "error",
                crate::check::Severity::Warning => "warning",
                crate::check::Severity::Info => "info",
            };
            let _ = writeln!(s, "  {sev:<7} {} {}: {}", f.id, f.object, f.message);
            let _ = writeln!(s, "          fix: {}", f.remediation);
        }
    }
    s
}
