//! The deployment controller's arithmetic as pure functions over ReplicaSet
//! counts: fenceposts, `NewRSNewReplicas`, the two halves of
//! `reconcileOldReplicaSets`, proportional scaling, progress, timeouts,
//! revision history and cleanup. Restated from Kubernetes'
//! `pkg/controller/deployment/{rolling,sync,progress}.go` and
//! `util/deployment_util.go`; the event loop that drives them lives in
//! `engine.rs`. Counts are `i64` so no replica count can overflow.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// The label the controller adds to a ReplicaSet's pod template.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// How a Deployment replaces its Pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyKind {
    /// Kill every old Pod, then start the new ones.
    Recreate,
    /// Replace Pods a few at a time within maxSurge / maxUnavailable.
    RollingUpdate,
}

/// The parts of a Deployment's spec the arithmetic reads.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentParams {
    /// `spec.replicas`.
    pub replicas: i64,
    /// `spec.strategy.type`.
    pub strategy: StrategyKind,
    /// `spec.strategy.rollingUpdate.maxSurge` (None counts as 0).
    pub max_surge: Option<IntOrString>,
    /// `spec.strategy.rollingUpdate.maxUnavailable` (None counts as 0).
    pub max_unavailable: Option<IntOrString>,
}

/// A maxSurge or maxUnavailable string that is not `N%`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadIntOrPercent(pub String);

/// `GetScaledValueFromIntOrPercent`: an integer as is, a percent of `total`
/// rounded up (`round_up`) or down.
pub fn scaled_value(
    v: Option<&IntOrString>,
    total: i64,
    round_up: bool,
) -> Result<i64, BadIntOrPercent> {
    match v {
        None => Ok(0),
        Some(IntOrString::Int(i)) => Ok(i64::from(*i)),
        Some(IntOrString::String(s)) => {
            let p: i64 = s
                .strip_suffix('%')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| BadIntOrPercent(s.clone()))?;
            let x = p as f64 * total as f64 / 100.0;
            Ok(if round_up { x.ceil() } else { x.floor() } as i64)
        }
    }
}

/// `ResolveFenceposts`: (surge, unavailable) for `desired` replicas; both 0
/// on error; unavailable becomes 1 when both round to 0.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i64,
) -> Result<(i64, i64), BadIntOrPercent> {
    let surge = scaled_value(max_surge, desired, true)?;
    let mut unavailable = scaled_value(max_unavailable, desired, false)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

impl DeploymentParams {
    fn fenceposts(&self) -> (i64, i64) {
        resolve_fenceposts(
            self.max_surge.as_ref(),
            self.max_unavailable.as_ref(),
            self.replicas,
        )
        .unwrap_or((0, 0))
    }

    /// `MaxUnavailable`: 0 unless rolling with replicas > 0; at most replicas.
    pub fn max_unavailable(&self) -> i64 {
        if self.strategy != StrategyKind::RollingUpdate || self.replicas == 0 {
            return 0;
        }
        self.fenceposts().1.min(self.replicas)
    }

    /// `MinAvailable`: replicas − MaxUnavailable (0 for Recreate).
    pub fn min_available(&self) -> i64 {
        if self.strategy != StrategyKind::RollingUpdate {
            return 0;
        }
        self.replicas - self.max_unavailable()
    }

    /// `MaxSurge`: the resolved surge (0 for Recreate).
    pub fn max_surge(&self) -> i64 {
        if self.strategy != StrategyKind::RollingUpdate {
            return 0;
        }
        self.fenceposts().0
    }

    /// `NewRSNewReplicas`: the new ReplicaSet's next size, given the sum of
    /// every ReplicaSet's spec (`total_spec`) and its current size.
    pub fn new_rs_new_replicas(
        &self,
        total_spec: i64,
        new_spec: i64,
    ) -> Result<i64, BadIntOrPercent> {
        match self.strategy {
            StrategyKind::Recreate => Ok(self.replicas),
            StrategyKind::RollingUpdate => {
                // Converted on its own, not through ResolveFenceposts.
                let surge = scaled_value(self.max_surge.as_ref(), self.replicas, true)?;
                let max_total = self.replicas + surge;
                if total_spec >= max_total {
                    return Ok(new_spec);
                }
                let up = (max_total - total_spec).min(self.replicas - new_spec);
                Ok(new_spec + up)
            }
        }
    }
}

/// What the arithmetic needs of one ReplicaSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsCounts {
    /// `spec.replicas`.
    pub spec: i64,
    /// `status.availableReplicas`.
    pub available: i64,
}

/// `reconcileNewReplicaSet`: the new ReplicaSet's target size, or None when
/// it stays as it is.
pub fn reconcile_new(d: &DeploymentParams, total_spec: i64, new_spec: i64) -> Option<i64> {
    if new_spec == d.replicas {
        return None;
    }
    if new_spec > d.replicas {
        return Some(d.replicas);
    }
    let n = d.new_rs_new_replicas(total_spec, new_spec).ok()?;
    (n != new_spec).then_some(n)
}

/// `reconcileOldReplicaSets`: new sizes for the old ReplicaSets (given
/// oldest first), or None when nothing is scaled down. `all_spec` and
/// `all_available` are over every ReplicaSet, the new one included.
pub fn reconcile_old(d: &DeploymentParams, old: &[RsCounts], new: &RsCounts) -> Option<Vec<i64>> {
    let old_spec: i64 = old.iter().map(|r| r.spec).sum();
    if old_spec == 0 {
        return None;
    }
    let all_spec = old_spec + new.spec;
    let min_available = d.replicas - d.max_unavailable();
    let new_unavailable = new.spec - new.available;
    let max_scaled_down = all_spec - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return None;
    }
    let mut sizes: Vec<i64> = old.iter().map(|r| r.spec).collect();
    let cleaned = cleanup_unhealthy(old, &mut sizes, max_scaled_down);
    // Step b reads the available counts from before step a.
    let all_available: i64 = old.iter().map(|r| r.available).sum::<i64>() + new.available;
    let scaled = scale_down_old_for_rolling_update(&mut sizes, all_available, min_available);
    (cleaned + scaled > 0).then_some(sizes)
}

/// `cleanupUnhealthyReplicas`: lowers `sizes` (old ReplicaSets, oldest
/// first) by their unavailable Pods, at most `max_cleanup` in all; returns
/// how many were removed.
pub fn cleanup_unhealthy(old: &[RsCounts], sizes: &mut [i64], max_cleanup: i64) -> i64 {
    let mut total = 0;
    for (rs, size) in old.iter().zip(sizes.iter_mut()) {
        if total >= max_cleanup {
            break;
        }
        if *size == 0 || *size == rs.available {
            continue;
        }
        let n = (max_cleanup - total).min(*size - rs.available);
        if n <= 0 {
            continue;
        }
        *size -= n;
        total += n;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: removes up to the
/// availability surplus (`all_available − min_available`) from `sizes`,
/// oldest first; returns how many were removed.
pub fn scale_down_old_for_rolling_update(
    sizes: &mut [i64],
    all_available: i64,
    min_available: i64,
) -> i64 {
    if all_available <= min_available {
        return 0;
    }
    let surplus = all_available - min_available;
    let mut total = 0;
    for size in sizes.iter_mut() {
        if total >= surplus {
            break;
        }
        if *size == 0 {
            continue;
        }
        let n = (*size).min(surplus - total);
        *size -= n;
        total += n;
    }
    total
}

/// The status fields `DeploymentComplete` and `DeploymentProgressing` compare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// `status.replicas`: non-terminating Pods of every ReplicaSet.
    pub replicas: i64,
    /// `status.updatedReplicas`: non-terminating Pods of the new ReplicaSet.
    pub updated: i64,
    /// `status.readyReplicas`.
    pub ready: i64,
    /// `status.availableReplicas`.
    pub available: i64,
}

/// `DeploymentComplete` (observedGeneration is always current here).
pub fn deployment_complete(replicas: i64, s: &StatusCounts) -> bool {
    s.updated == replicas && s.replicas == replicas && s.available == replicas
}

/// `DeploymentProgressing`: more updated, fewer old, more ready or more
/// available Pods than before.
pub fn deployment_progressing(old: &StatusCounts, new: &StatusCounts) -> bool {
    let old_old = old.replicas - old.updated;
    let new_old = new.replicas - new.updated;
    new.updated > old.updated
        || new_old < old_old
        || new.ready > old.ready
        || new.available > old.available
}

/// The Progressing condition's reason, as far as the timeout reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressReason {
    /// `NewReplicaSetCreated`, `FoundNewReplicaSet` or `ReplicaSetUpdated`.
    Progressing,
    /// `NewReplicaSetAvailable`: complete.
    NewReplicaSetAvailable,
    /// `ProgressDeadlineExceeded`.
    DeadlineExceeded,
}

/// `DeploymentTimedOut`: times in milliseconds; `pds_s` None (or
/// MaxInt32) never times out.
pub fn timed_out(
    reason: ProgressReason,
    last_update_ms: u64,
    pds_s: Option<i64>,
    now_ms: u64,
) -> bool {
    let Some(pds) = pds_s.filter(|p| *p != i64::from(i32::MAX)) else {
        return false;
    };
    match reason {
        ProgressReason::NewReplicaSetAvailable => false,
        ProgressReason::DeadlineExceeded => true,
        ProgressReason::Progressing => {
            let deadline = last_update_ms.saturating_add((pds.max(0) as u64).saturating_mul(1000));
            deadline < now_ms
        }
    }
}

/// `requeueStuckDeployment`: how long (ms) until the progress deadline of
/// an unfinished rollout, as the controller estimates it; None when there
/// is nothing to estimate (no deadline, complete, or already timed out),
/// 0 when under a second is left. The controller then checks again at
/// [`requeue_at`].
pub fn requeue_after(
    reason: Option<ProgressReason>,
    complete: bool,
    last_update_ms: i64,
    pds_s: Option<i64>,
    now_ms: i64,
) -> Option<i64> {
    let pds = pds_s.filter(|p| *p != i64::from(i32::MAX))?;
    let reason = reason?;
    if complete || reason == ProgressReason::DeadlineExceeded {
        return None;
    }
    let after = last_update_ms + pds * 1000 - now_ms;
    Some(if after < 1000 { 0 } else { after })
}

/// When the controller looks again after [`requeue_after`] gave `after`: a
/// second later than the estimate ("to avoid milliseconds skew"), or at
/// once (rate-limited, the queue's 5 ms base delay) when under a second
/// was left.
pub fn requeue_at(now_ms: i64, after: i64) -> i64 {
    if after == 0 {
        now_ms + 5
    } else {
        now_ms + after + 1000
    }
}

/// `round()` as Go's `math.Round`: half away from zero.
fn round_half_away(x: f64) -> i64 {
    x.round() as i64
}

/// One active ReplicaSet as proportional scaling sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleInput {
    /// `spec.replicas`.
    pub spec: i64,
    /// The `deployment.kubernetes.io/max-replicas` annotation, if valid.
    pub max_replicas_annotation: Option<i64>,
    /// Creation order: larger is newer.
    pub created: u64,
    /// Name, for ties.
    pub name: String,
}

/// `scale()`'s proportional branch (RollingUpdate, several active
/// ReplicaSets, new one not saturated): new sizes in input order.
/// `status_replicas` is `deployment.status.replicas`.
pub fn proportional_scale(
    d: &DeploymentParams,
    rss: &[ScaleInput],
    status_replicas: i64,
) -> Vec<i64> {
    let max_surge = d.max_surge();
    let allowed = if d.replicas > 0 {
        d.replicas + max_surge
    } else {
        0
    };
    let current: i64 = rss.iter().map(|r| r.spec).sum();
    let to_add = allowed - current;
    let mut order: Vec<usize> = (0..rss.len()).collect();
    // Largest first; ties newer first when adding, older first when removing.
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&rss[a], &rss[b]);
        rb.spec.cmp(&ra.spec).then_with(|| {
            let by_age = ra
                .created
                .cmp(&rb.created)
                .then_with(|| ra.name.cmp(&rb.name));
            if to_add > 0 {
                by_age.reverse()
            } else {
                by_age
            }
        })
    });
    let mut sizes: Vec<i64> = rss.iter().map(|r| r.spec).collect();
    let mut done = 0i64;
    if to_add != 0 {
        for &i in &order {
            let r = &rss[i];
            let fraction = if d.replicas == 0 {
                -r.spec
            } else {
                let base = r
                    .max_replicas_annotation
                    .filter(|m| *m > 0)
                    .unwrap_or(status_replicas);
                if base == 0 {
                    0
                } else {
                    let target = r.spec as f64 * (d.replicas + max_surge) as f64 / base as f64;
                    round_half_away(target) - r.spec
                }
            };
            let share = if to_add > 0 {
                fraction.min(to_add - done)
            } else {
                fraction.max(to_add - done)
            };
            sizes[i] += share;
            done += share;
        }
    }
    if let Some(&first) = order.first() {
        let left = to_add - done;
        sizes[first] = (sizes[first] + left).max(0);
    }
    sizes
}

/// `EqualIgnoreHash`: two pod templates equal once the pod-template-hash
/// label is removed from both.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    fn strip(t: &PodTemplateSpec) -> PodTemplateSpec {
        let mut t = t.clone();
        if let Some(m) = t.metadata.as_mut() {
            if let Some(l) = m.labels.as_mut() {
                l.remove(POD_TEMPLATE_HASH);
                if l.is_empty() {
                    m.labels = None;
                }
            }
        }
        t
    }
    strip(a) == strip(b)
}

/// One ReplicaSet as `FindNewReplicaSet` sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<'a> {
    /// Its pod template.
    pub template: &'a PodTemplateSpec,
    /// Creation order: smaller is older.
    pub created: u64,
    /// Name, for ties.
    pub name: &'a str,
}

/// `FindNewReplicaSet`: the index of the oldest ReplicaSet (by creation,
/// then name) whose template equals the Deployment's ignoring the
/// pod-template-hash label.
pub fn find_new_replica_set(deployment: &PodTemplateSpec, rss: &[Candidate<'_>]) -> Option<usize> {
    let mut order: Vec<usize> = (0..rss.len()).collect();
    order.sort_by(|&a, &b| {
        rss[a]
            .created
            .cmp(&rss[b].created)
            .then_with(|| rss[a].name.cmp(rss[b].name))
    });
    order
        .into_iter()
        .find(|&i| equal_ignore_hash(rss[i].template, deployment))
}

/// The revision-history annotation after a ReplicaSet at `old_revision`
/// is reused (`SetNewReplicaSetAnnotations`): `old_revision` appended,
/// the oldest entries dropped until the whole fits in `limit` characters;
/// unchanged when even that does not fit.
pub fn append_revision_history(history: &str, old_revision: &str, limit: usize) -> String {
    if history.split(',').next().is_none_or(str::is_empty) {
        return old_revision.to_string();
    }
    let entries: Vec<&str> = history.split(',').collect();
    let mut total = history.len() + old_revision.len() + 1;
    let mut start = 0;
    while total > limit && start < entries.len() {
        total -= entries[start].len() + 1;
        start += 1;
    }
    if total > limit {
        return history.to_string();
    }
    let mut kept = entries[start..].to_vec();
    kept.push(old_revision);
    kept.join(",")
}

/// `LastRevision`: the second-highest revision (0 when there is none).
pub fn last_revision(revisions: &[i64]) -> i64 {
    let (mut max, mut second) = (0, 0);
    for &r in revisions {
        if r >= max {
            second = max;
            max = r;
        } else if r > second {
            second = r;
        }
    }
    second
}

/// One old ReplicaSet as `cleanupDeployment` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanupInput {
    /// The revision annotation (None when missing or unparsable: sorts as 0).
    pub revision: Option<i64>,
    /// Creation order, for ties.
    pub created: u64,
    /// Name, for ties.
    pub name: String,
    /// `spec.replicas`.
    pub spec: i64,
    /// `status.replicas`.
    pub status_replicas: i64,
    /// Whether `observedGeneration` has caught up with `generation`.
    pub observed: bool,
}

/// `cleanupDeployment`: indices (into `old`) of the old ReplicaSets to
/// delete with `limit` revisions kept. No look-ahead: a skipped ReplicaSet
/// is not replaced by a later one.
pub fn cleanup_deployment(old: &[CleanupInput], limit: Option<i64>) -> Vec<usize> {
    let Some(limit) = limit.filter(|l| *l != i64::from(i32::MAX)) else {
        return Vec::new();
    };
    let diff = old.len() as i64 - limit;
    if diff <= 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..old.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&old[a], &old[b]);
        x.revision
            .unwrap_or(0)
            .cmp(&y.revision.unwrap_or(0))
            .then(x.created.cmp(&y.created))
            .then_with(|| x.name.cmp(&y.name))
    });
    order
        .into_iter()
        .take(diff as usize)
        .filter(|&i| old[i].spec == 0 && old[i].status_replicas == 0 && old[i].observed)
        .collect()
}

#[cfg(test)]
mod tests;
