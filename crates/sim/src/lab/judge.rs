//! Judging the candidate's fix from the world's state, and the solution
//! text. A fix counts when a fresh `api` container, started now from the
//! Deployment's template against the current Services, Pods, ConfigMaps,
//! Secrets and NetworkPolicies, would pull, start, connect, pass its probes
//! and stay up, whatever change got the world there. Not scoring.

use super::app::{self, View};
use super::kubelet;
use super::{Fault, World};

impl World {
    /// Ok when the fault is really gone; otherwise why not, in one sentence.
    /// Judged from state: a new api Pod would now run and become Ready.
    /// Running Pods pick up Secret and ConfigMap changes at their next restart.
    pub fn fault_fixed(&self) -> Result<(), String> {
        let Some(d) = self
            .deployments
            .iter()
            .find(|d| d.metadata.name.as_deref() == Some("api"))
        else {
            return Err("the api Deployment is gone".into());
        };
        let Some(spec) = &d.spec else {
            return Err("the api Deployment has no spec".into());
        };
        if spec.replicas == Some(0) {
            return Err("the api Deployment is scaled to 0, so nothing serves".into());
        }
        let Some(c) = spec
            .template
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
        else {
            return Err("the api Pod template has no container".into());
        };
        let image = c.image.clone().unwrap_or_default();
        if !app::image_exists(&image) {
            return Err(format!(
                "the image \"{image}\" does not exist in the registry, so api Pods stay in ErrImagePull/ImagePullBackOff"
            ));
        }
        let view: View<'_> = self.view();
        let labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        let env = app::resolve_env(c, &view).map_err(|e| {
            format!("api containers cannot be created: CreateContainerConfigError: {e}")
        })?;
        let run = kubelet::run_for(c, &env, &labels, &view);
        if let Some((at, code, reason)) = run.exit {
            let last = run
                .lines
                .iter()
                .rev()
                .find(|(_, l)| {
                    l.starts_with("Error") || l.contains("Error:") || l.starts_with("error")
                })
                .or(run.lines.last())
                .map(|(_, l)| l.trim().to_string())
                .unwrap_or_default();
            let why = if last.is_empty() {
                String::new()
            } else {
                format!(", logging `{last}`")
            };
            return Err(format!(
                "a new api container still exits with code {code} ({reason}) {:.1}s after it starts{why}",
                at as f64 / 1000.0
            ));
        }
        let Some(port) = run.port else {
            return Err("the api process never listens on its port".into());
        };
        if let Some(p) = &c.liveness_probe {
            if let Err(msg) = app::probe(p, c, "<pod-ip>", Some(port)) {
                return Err(format!("the liveness probe still fails (`{msg}`), so the kubelet keeps killing the container"));
            }
        }
        if let Some(p) = &c.readiness_probe {
            if let Err(msg) = app::probe(p, c, "<pod-ip>", Some(port)) {
                return Err(format!(
                    "the readiness probe fails (`{msg}`), so the Pods never become Ready"
                ));
            }
        }
        Ok(())
    }

    /// The solution: the fault, the fix, and the systematic path to find it.
    pub fn solution(&self) -> String {
        let d = &self.details;
        let v = d.variant as usize;
        let (cause, fix) = match self.fault {
            Fault::ServiceSelectorMismatch => (
                format!(
                    "The postgres Service (ClusterIP {}) selects {}, but the postgres Pods are labelled app=postgres, tier=database, so `kubectl get endpoints postgres` is empty and kube-proxy rejects connections: the api logs `Error: connect ECONNREFUSED {}:5432` and exits 1.",
                    d.postgres_ip,
                    ["app=postgresql", "app=postgres-db", "app=postgres,tier=db"][v],
                    d.postgres_ip
                ),
                "Make the selector match the Pods: `kubectl patch svc postgres -p '{\"spec\":{\"selector\":{\"app\":\"postgres\",\"tier\":null}}}'` (or relabel the postgres Pods/template). The endpoints fill at once; the crash-looping api Pods connect at their next restart (`kubectl rollout restart deploy/api` to hurry).".to_string(),
            ),
            Fault::MissingSecretKey => (
                format!(
                    "The api reads DB_PASSWORD from the Secret api-secrets (envFrom), but the Secret stores it under `{}`: the app logs `Error: Missing required environment variable DB_PASSWORD` and exits 1.",
                    ["DB_PASS", "DATABASE_PASSWORD", "POSTGRES_PASSWORD"][v]
                ),
                "Add the key (`kubectl patch secret api-secrets -p '{\"stringData\":{\"DB_PASSWORD\":\"...\"}}'`) or map it in the Deployment (`env: DB_PASSWORD valueFrom secretKeyRef` to the existing key), then `kubectl rollout restart deploy/api`.".to_string(),
            ),
            Fault::OomKilled => (
                format!(
                    "The api's memory limit is {} but the app needs about {} Mi once its cache warms: the kernel kills it (Last State: Terminated, Reason: OOMKilled, Exit Code: 137).",
                    ["64Mi", "96Mi", "128Mi"][v],
                    d.memory_need_mib
                ),
                "Raise the limit (and request), e.g. `kubectl set resources deploy/api --limits=memory=256Mi --requests=memory=192Mi`.".to_string(),
            ),
            Fault::WrongCommand => (
                format!(
                    "The container command is `{}`, which finishes and exits 0 (Reason: Completed); restartPolicy Always restarts it, so the Pod shows CrashLoopBackOff with exit code 0.",
                    ["node --version", "npm run build", "node migrate.js"][v]
                ),
                "Run the server: set `command: [\"node\", \"server.js\"]` (or remove the command to use the image's default).".to_string(),
            ),
            Fault::BadImage => (
                format!(
                    "The image `{}` does not exist: the kubelet's pull fails (ErrImagePull) and it backs off (ImagePullBackOff, 10 s doubling to 5 min). The container never starts, so there are no logs.",
                    ["ghcr.io/kubeprep/shop-api:v1.4.2", "ghcr.io/kubeprep/shopapi:1.4.2", "ghcr.io/kubeprep/shop-api:1.42"][v]
                ),
                "Correct the image: `kubectl set image deploy/api api=ghcr.io/kubeprep/shop-api:1.4.2`.".to_string(),
            ),
            Fault::LivenessWrongPort => (
                format!(
                    "The liveness probe checks {} while the app serves /healthz on port 3000: after 3 failures the kubelet kills the container; Node.js as PID 1 ignores SIGTERM, so it is SIGKILLed after the 30 s grace period (Exit Code 137, Reason Error) and restarted with back-off.",
                    ["port 8080", "port 3001", "the path /health"][v]
                ),
                "Point the probe at `httpGet: {path: /healthz, port: http}` (3000).".to_string(),
            ),
            Fault::WrongDbHost => (
                format!(
                    "DB_HOST in the ConfigMap api-config is `{}`, a name cluster DNS cannot resolve: the app logs `Error: getaddrinfo ENOTFOUND` and exits 1.",
                    ["postgres-svc", "postgresql", "postgres.database.svc.cluster.local"][v]
                ),
                "Set DB_HOST to the Service's name (`postgres`, or postgres.default.svc.cluster.local) and restart the Deployment.".to_string(),
            ),
            Fault::RedisAuth => (
                if v == 0 {
                    "REDIS_PASSWORD in the Secret api-secrets is empty, so the app sends no AUTH and Redis answers `NOAUTH Authentication required.`; the app exits 1.".to_string()
                } else {
                    "REDIS_PASSWORD in the Secret api-secrets differs from the password Redis runs with (Secret redis-auth): Redis answers `WRONGPASS invalid username-password pair`; the app exits 1.".to_string()
                },
                "Copy the password from the Secret redis-auth (key `password`) into api-secrets' REDIS_PASSWORD, or point the env var at redis-auth with secretKeyRef; then restart the Deployment.".to_string(),
            ),
            Fault::EgressBlocked => (
                format!(
                    "The NetworkPolicy api-egress allows the api Pods egress to DNS and Redis only ({}): connections to PostgreSQL are dropped and the pg client gives up with `Connection terminated due to connection timeout`; the app exits 1.",
                    ["no rule for postgres", "postgres is allowed on port 5433, not 5432", "the postgres rule selects app=postgresql, which no Pod has"][v]
                ),
                "Allow egress to the postgres Pods on TCP 5432 (`to: [{podSelector: {matchLabels: {app: postgres}}}]`, `ports: [{port: 5432}]`), or delete the policy.".to_string(),
            ),
            Fault::MissingConfigmap => (
                format!(
                    "The api's envFrom references the ConfigMap `api-config`, which does not exist (the settings live in `{}`): the kubelet cannot create the container, the Pods stay Pending/Waiting with CreateContainerConfigError. It is not a crash loop: there are no logs and no restarts.",
                    ["api-settings", "api-env", "api-configuration"][v]
                ),
                "Create the ConfigMap api-config with the settings, or point envFrom at the existing ConfigMap.".to_string(),
            ),
        };
        format!(
            "Fault: {} ({}).\n\nWhat happened: {cause}\n\nFix: {fix}\n\nThe systematic path:\n1. `kubectl get pods` and `kubectl describe pod <api-pod>`: the waiting reason, Last State (exit code and reason), restart count and Events.\n2. `kubectl logs <api-pod> --previous`: what the crashed instance said before it died.\n3. `kubectl get svc,endpoints`: does each Service select ready Pods?\n4. `kubectl get configmap,secret -o yaml` and the Deployment's env: does every referenced name and key exist and hold the right value?\n5. From inside the cluster (`kubectl run debug --image=busybox --rm -it -- sh`): `nslookup postgres`, `nc -zv postgres 5432`, `nc -zv redis 6379`; then check NetworkPolicies.",
            self.fault.id(),
            self.fault.summary()
        )
    }
}
