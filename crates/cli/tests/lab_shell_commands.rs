//! End-to-end tests of the lab shell's describe, apply/create/edit,
//! exec/run/debug sub-shells, rollout and events commands: whole sessions
//! piped into the real `kubeprep lab start crashloop` binary, for several
//! faults, asserting what differs between them.

mod util;

use std::io::Write;
use std::process::Stdio;

use util::Kubeprep;

/// Runs a lab session with `fault` and seed 1, `env` added, in `k`'s directory.
fn session_in(k: &Kubeprep, fault: &str, env: &[(&str, &str)], stdin: &str) -> util::Run {
    let mut c = k.command(&["lab", "start", "crashloop", "--fault", fault, "--seed", "1"]);
    c.env_remove("EDITOR").env_remove("KUBE_EDITOR");
    for (key, v) in env {
        c.env(key, v);
    }
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubeprep");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.as_bytes().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    let run = util::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn session(fault: &str, stdin: &str) -> util::Run {
    session_in(&Kubeprep::new(), fault, &[], stdin)
}

/// What the shell printed before the closing solution text.
fn shell_part(out: &str) -> &str {
    out.split("\nLab scorecard: ").next().unwrap_or(out)
}

#[test]
fn describe_shows_each_kind_in_kubectl_layout() {
    let run = session(
        "egress-blocked",
        "kubectl describe deploy api\nkubectl describe svc postgres\nkubectl describe secret api-secrets\n\
         kubectl describe netpol api-egress\nkubectl describe cm api-config\nkubectl describe rs api\n\
         kubectl describe node node-1\nkubectl describe ep postgres\nkubectl describe svc nope\nkubectl describe widgets\n",
    );
    let out = shell_part(&run.stdout);
    // Deployment: aligned header, template, conditions, ReplicaSets, events last.
    assert!(out.contains("Name:                   api\n"), "{out}");
    assert!(
        out.contains(
            "Replicas:               3 desired | 3 updated | 3 total | 0 available | 3 unavailable"
        ),
        "{out}"
    );
    assert!(
        out.contains("RollingUpdateStrategy:  25% max unavailable, 25% max surge"),
        "{out}"
    );
    assert!(out.contains("    Liveness:   http-get http://:http/healthz delay=15s timeout=1s period=10s #success=1 #failure=3"), "{out}");
    assert!(
        out.contains("      api-config   ConfigMap  Optional: false"),
        "{out}"
    );
    assert!(
        out.contains("  Available      False   MinimumReplicasUnavailable"),
        "{out}"
    );
    assert!(out.contains("NewReplicaSet:   api-"), "{out}");
    assert!(
        out.contains("deployment-controller  Scaled up replica set api-"),
        "{out}"
    );
    // Service: selector and ready endpoints (postgres is up here).
    assert!(out.contains("Selector:          app=postgres\n"), "{out}");
    assert!(out.contains("Endpoints:         10.244."), "{out}");
    // Secret: sizes, never values.
    assert!(out.contains("DB_PASSWORD:     16 bytes"), "{out}");
    let secret_block = out
        .split("Name:         api-secrets")
        .nth(1)
        .and_then(|s| s.split("Name:").next())
        .unwrap_or_default();
    assert!(!secret_block.contains("shop"), "{secret_block}");
    // NetworkPolicy: the egress rules as kubectl words them.
    assert!(out.contains("  PodSelector:     app=api"), "{out}");
    assert!(out.contains("  Not affecting ingress traffic"), "{out}");
    assert!(
        out.contains("    To Port: 6379/TCP\n    To:\n      PodSelector: app=redis"),
        "{out}"
    );
    assert!(out.contains("  Policy Types: Egress"), "{out}");
    // ConfigMap data, ReplicaSet by prefix, node, endpoints.
    assert!(out.contains("DB_HOST:\n----\npostgres\n"), "{out}");
    assert!(out.contains("Controlled By:  Deployment/api"), "{out}");
    assert!(
        out.contains("Pods Status:    3 Running / 0 Waiting"),
        "{out}"
    );
    assert!(out.contains("Kubelet Version:            v1.34.1"), "{out}");
    assert!(out.contains("  Addresses:          10.244."), "{out}");
    assert!(
        out.contains("Error from server (NotFound): services \"nope\" not found"),
        "{out}"
    );
    assert!(
        out.contains("error: the server doesn't have a resource type \"widgets\""),
        "{out}"
    );
}

/// The same probes from a debug Pod answer differently per fault.
#[test]
fn debug_pod_probes_differ_by_fault() {
    let probe =
        "kubectl run debug --image=busybox --rm -it --restart=Never --labels=app=api -- sh\n\
                 nslookup $DB_HOST_UNSET postgres\nnc -zv -w 2 postgres 5432\nnc -zv redis 6379\n\
                 cat /etc/resolv.conf\nexit\n";
    let refused = session("service-selector-mismatch", probe);
    let out = shell_part(&refused.stdout);
    assert!(
        out.contains("If you don't see a command prompt, try pressing enter."),
        "{out}"
    );
    assert!(
        out.contains("Name:\tpostgres.default.svc.cluster.local\nAddress: 10.96."),
        "{out}"
    );
    assert!(
        out.contains("nc: postgres (10.96.") && out.contains(":5432): Connection refused"),
        "{out}"
    );
    assert!(
        out.contains("redis (10.96.") && out.contains(":6379) open"),
        "{out}"
    );
    assert!(
        out.contains("nameserver 10.96.0.10\noptions ndots:5"),
        "{out}"
    );
    assert!(out.contains("pod \"debug\" deleted"), "{out}");

    // With the api's labels, the NetworkPolicy drops the packets.
    let blocked = session("egress-blocked", probe);
    let out = shell_part(&blocked.stdout);
    assert!(out.contains(":5432): Connection timed out"), "{out}");
    assert!(out.contains(":6379) open"), "{out}");

    // Without them, the debug Pod is not selected and gets through.
    let other = session(
        "egress-blocked",
        "kubectl run debug --image=busybox --rm -it -- nc -zv -w 2 postgres 5432\n",
    );
    assert!(other.stdout.contains(":5432) open"), "{}", other.stdout);

    // The api's own (wrong) DB_HOST does not resolve.
    let nx = session(
        "wrong-db-host",
        "kubectl get cm api-config -o yaml\nkubectl run debug --image=busybox --rm -it -- sh\nnslookup postgres-svc\nnc -zv postgres-svc 5432\nwget -qO- -T 2 http://postgres-svc:5432/\nexit\n",
    );
    let out = shell_part(&nx.stdout);
    let host = out
        .lines()
        .find_map(|l| l.strip_prefix("  DB_HOST: "))
        .expect("DB_HOST in the ConfigMap");
    if host == "postgres-svc" {
        assert!(
            out.contains("** server can't find postgres-svc.default.svc.cluster.local: NXDOMAIN"),
            "{out}"
        );
        assert!(out.contains("nc: bad address 'postgres-svc'"), "{out}");
        assert!(
            out.contains("wget: bad address 'postgres-svc:5432'"),
            "{out}"
        );
    }
}

#[test]
fn exec_answers_from_the_pod_and_refuses_a_crashed_container() {
    let run = session(
        "service-selector-mismatch",
        "kubectl exec deploy/redis -- env\nkubectl exec -it deploy/redis -- sh -c 'echo len=${REDIS_PASSWORD}; wc'\n\
         kubectl exec deploy/api -- env\nkubectl exec deploy/redis ls\nkubectl exec -it deploy/postgres -- bash\nhostname\nnslookup postgres\nexit\n",
    );
    let out = shell_part(&run.stdout);
    assert!(out.contains("REDIS_SERVICE_HOST=10.96."), "{out}");
    assert!(out.contains("HOSTNAME=redis-"), "{out}");
    assert!(out.contains("len="), "{out}");
    assert!(
        out.contains("bash: wc: command not found\ncommand terminated with exit code 127"),
        "{out}"
    );
    assert!(
        out.contains("error: unable to upgrade connection: container not found (\"api\")"),
        "{out}"
    );
    assert!(
        out.contains("exec [POD] [COMMAND] is not supported anymore"),
        "{out}"
    );
    assert!(out.contains("\npostgres-"), "{out}");
    assert!(out.contains("bash: nslookup: command not found"), "{out}");
}

#[test]
fn apply_rejects_bad_files_with_file_and_line_and_a_good_one_fixes() {
    let k = Kubeprep::new();
    std::fs::write(
        k.dir.path().join("typo.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: postgres\nspec:\n  selectr:\n    app: postgres\n  ports:\n  - port: 5432\n",
    )
    .expect("write");
    std::fs::write(
        k.dir.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n spec: [\n",
    )
    .expect("write");
    std::fs::create_dir(k.dir.path().join("fix")).expect("mkdir");
    std::fs::write(
        k.dir.path().join("fix/postgres-svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: postgres\nspec:\n  selector:\n    app: postgres\n  ports:\n  - name: postgres\n    port: 5432\n    targetPort: 5432\n",
    )
    .expect("write");
    let run = session_in(
        &k,
        "service-selector-mismatch",
        &[],
        "kubectl apply -f typo.yaml\nkubectl apply -f broken.yaml\nkubectl apply -f missing.yaml\ncheck\n\
         kubectl create -f fix/postgres-svc.yaml\nkubectl apply -f fix\ncheck\nkubectl apply -f fix/\nkubectl replace -f fix/postgres-svc.yaml\n",
    );
    run.assert_code(0);
    let out = shell_part(&run.stdout);
    assert!(
        out.contains("Error from server (BadRequest): error when applying \"typo.yaml:6\"")
            && out.contains("unknown field \"spec.selectr\""),
        "{out}"
    );
    assert!(out.contains("error: error parsing broken.yaml:5"), "{out}");
    assert!(
        out.contains("error: the path \"missing.yaml\" does not exist"),
        "{out}"
    );
    assert!(out.contains("not fixed:"), "{out}");
    assert!(
        out.contains("Error from server (AlreadyExists): error when creating \"fix/postgres-svc.yaml\": services \"postgres\" already exists"),
        "{out}"
    );
    assert!(out.contains("service/postgres configured\nfixed:"), "{out}");
    assert!(out.contains("service/postgres unchanged"), "{out}");
    assert!(out.contains("service/postgres replaced"), "{out}");
}

#[test]
fn edit_through_an_editor_script_fixes_the_selector() {
    let k = Kubeprep::new();
    let script = k.dir.path().join("fix-selector.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nsed -i -e 's/^    app: postgres.*$/    app: postgres/' -e '/^    tier: db$/d' \"$1\"\n",
    )
    .expect("write");
    let noop = k.dir.path().join("noop.sh");
    std::fs::write(&noop, "#!/bin/sh\ntrue\n").expect("write");
    let breaks = k.dir.path().join("break.sh");
    std::fs::write(
        &breaks,
        "#!/bin/sh\nsed -i 's/^  selector:/  selectr:/' \"$1\"\n",
    )
    .expect("write");
    for f in [&script, &noop, &breaks] {
        let status = std::process::Command::new("chmod")
            .arg("+x")
            .arg(f)
            .status()
            .expect("chmod");
        assert!(status.success());
    }
    let noop_run = session_in(
        &k,
        "service-selector-mismatch",
        &[("EDITOR", noop.to_str().unwrap_or_default())],
        "kubectl edit svc postgres\n",
    );
    assert!(
        noop_run.stdout.contains("Edit cancelled, no changes made."),
        "{}",
        noop_run.stdout
    );
    let bad = session_in(
        &k,
        "service-selector-mismatch",
        &[("KUBE_EDITOR", breaks.to_str().unwrap_or_default())],
        "kubectl edit service/postgres\ncheck\n",
    );
    let out = shell_part(&bad.stdout);
    assert!(out.contains("unknown field"), "{out}");
    assert!(
        out.contains("A copy of your changes has been stored to"),
        "{out}"
    );
    assert!(
        out.contains("error: Edit cancelled, no valid changes were saved.\nnot fixed:"),
        "{out}"
    );
    let good = session_in(
        &k,
        "service-selector-mismatch",
        &[("EDITOR", script.to_str().unwrap_or_default())],
        "kubectl edit svc postgres\ncheck\n",
    );
    good.assert_code(0);
    assert!(
        good.stdout.contains("service/postgres edited\nfixed:"),
        "{}",
        good.stdout
    );
}

#[test]
fn create_configmap_fixes_the_missing_configmap() {
    let run = session(
        "missing-configmap",
        "kubectl get pods\nkubectl create configmap api-config --from-literal=DB_HOST=postgres --from-literal=DB_PORT=5432 \
         --from-literal=DB_NAME=shop --from-literal=DB_USER=shop --from-literal=REDIS_HOST=redis --from-literal=REDIS_PORT=6379 \
         --from-literal=PORT=3000\nkubectl create configmap api-config --from-literal=a=b\ncheck\n\
         kubectl create configmap x --from-literal='bad key=1'\nkubectl create secret generic s --from-literal=k=v --dry-run=client -o yaml\n\
         kubectl rollout restart deployment/api\nkubectl rollout status deployment/api\nkubectl rollout history deploy/api\n",
    );
    run.assert_code(0);
    let out = shell_part(&run.stdout);
    assert!(out.contains("CreateContainerConfigError"), "{out}");
    assert!(out.contains("configmap/api-config created"), "{out}");
    assert!(
        out.contains("error: failed to create configmap: configmaps \"api-config\" already exists"),
        "{out}"
    );
    assert!(out.contains("\nfixed:"), "{out}");
    assert!(
        out.contains("is not a valid key name for a ConfigMap"),
        "{out}"
    );
    assert!(
        out.contains("kind: Secret\nmetadata:\n  creationTimestamp: null\n  name: s\n"),
        "{out}"
    );
    assert!(
        out.contains("Waiting for deployment \"api\" rollout to finish: "),
        "{out}"
    );
    assert!(
        out.contains("deployment \"api\" successfully rolled out"),
        "{out}"
    );
    assert!(
        out.contains("REVISION  CHANGE-CAUSE\n1         <none>\n2         <none>"),
        "{out}"
    );
}

#[test]
fn rollout_undo_scale_and_events() {
    let run = session(
        "bad-image",
        "kubectl rollout undo deploy/api\nkubectl set image deployment/api api=ghcr.io/kubeprep/shop-api:1.4.2\n\
         kubectl rollout status deploy/api --timeout=5m\nkubectl rollout undo deployment/api --to-revision=7\n\
         kubectl rollout undo deployment/api\nkubectl rollout history deployment/api\nkubectl scale deploy/api --replicas=2\n\
         kubectl scale deploy/api\nkubectl events --for pod/nope\nkubectl events --types=Warning\n\
         kubectl get events --sort-by=.lastTimestamp\nkubectl logs deploy/api --tail=1\nkubectl logs -f deploy/api --tail=1\n",
    );
    let out = shell_part(&run.stdout);
    assert!(
        out.contains("error: no rollout history found for deployment \"api\""),
        "{out}"
    );
    assert!(
        out.contains("deployment \"api\" successfully rolled out"),
        "{out}"
    );
    assert!(
        out.contains("error: unable to find specified revision 7 in history"),
        "{out}"
    );
    assert!(out.contains("deployment.apps/api rolled back"), "{out}");
    // Revision 1 (the bad image) came back as revision 3.
    assert!(
        out.contains("REVISION  CHANGE-CAUSE\n2         <none>\n3         <none>"),
        "{out}"
    );
    assert!(out.contains("deployment.apps/api scaled"), "{out}");
    assert!(
        out.contains("error: required flag(s) \"replicas\" not set"),
        "{out}"
    );
    assert!(
        out.contains("No events found in default namespace."),
        "{out}"
    );
    assert!(out.contains("Warning   Failed"), "{out}");
    assert!(out.contains("LAST SEEN   TYPE"), "{out}");
    assert!(out.contains("Found 3 pods, using pod/api-"), "{out}");
}

#[test]
fn control_characters_from_objects_never_reach_the_terminal() {
    let run = session(
        "service-selector-mismatch",
        "kubectl create configmap evil --from-literal=x=\u{1b}[31mred\nkubectl describe cm evil\n",
    );
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    assert!(run.stdout.contains("^[[31mred"), "{}", run.stdout);
}

#[test]
fn describe_pod_shows_probes_state_and_events_as_kubectl() {
    let run = session("liveness-wrong-port", "kubectl describe pods api\n");
    let out = shell_part(&run.stdout);
    assert!(
        out.contains("Service Account:  default\nNode:             node-"),
        "{out}"
    );
    assert!(out.contains("IPs:\n  IP:           10.244."), "{out}");
    assert!(out.contains("Controlled By:  ReplicaSet/api-"), "{out}");
    assert!(out.contains("    Container ID:  containerd://"), "{out}");
    assert!(out.contains("    Port:          3000/TCP (http)"), "{out}");
    assert!(out.contains("    Liveness:   http-get http://:"), "{out}");
    assert!(
        out.contains(
            "    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    137"
        ),
        "{out}"
    );
    assert!(
        out.contains("QoS Class:                    Burstable"),
        "{out}"
    );
    assert!(out.contains("Events:\n  Type     Reason"), "{out}");
    // Three Pods matched the prefix, each described in turn.
    assert_eq!(out.matches("Namespace:        default").count(), 3, "{out}");

    // A waiting container shows its reason only; the message is in the events.
    let cm = session("missing-configmap", "kubectl describe pods api\n");
    let out = shell_part(&cm.stdout);
    assert!(
        out.contains("    State:          Waiting\n      Reason:       CreateContainerConfigError\n    Ready:"),
        "{out}"
    );
    assert!(
        out.contains("Error: configmap \"api-config\" not found"),
        "{out}"
    );
}

/// A crash loop never completes: rollout status waits out the ten-minute
/// progress deadline in simulated time, then fails at once afterwards.
#[test]
fn rollout_status_reports_an_exceeded_progress_deadline() {
    let run = session(
        "service-selector-mismatch",
        "kubectl rollout status deployment/api\nkubectl rollout status deploy/api\nkubectl describe deploy api\n",
    );
    let out = shell_part(&run.stdout);
    assert!(
        out.starts_with_line_after_briefing(
            "Waiting for deployment \"api\" rollout to finish: 0 of 3 updated replicas are available...\n\
             error: deployment \"api\" exceeded its progress deadline\n\
             error: deployment \"api\" exceeded its progress deadline\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  Progressing    False   ProgressDeadlineExceeded"),
        "{out}"
    );
    assert!(run.stdout.contains("simulated time: 7:"), "{}", run.stdout);
}

trait AfterBriefing {
    fn starts_with_line_after_briefing(&self, s: &str) -> bool;
}

impl AfterBriefing for str {
    /// The shell's output, past the briefing (which ends with "`exit`.\n"), starts with `s`.
    fn starts_with_line_after_briefing(&self, s: &str) -> bool {
        self.split_once("`exit`.\n")
            .is_some_and(|(_, rest)| rest.starts_with(s))
    }
}
