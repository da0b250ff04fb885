//! The lab API driven by the REAL kubectl: `kubeprep lab serve` runs as a
//! child process, kubectl talks to it through the kubeconfig it writes, and
//! whole labs are investigated and fixed the way a candidate would. kubectl
//! must be on PATH (CI installs it); these tests fail, not skip, without it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

fn kubectl_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
        .expect("kubectl is not on PATH: these tests drive the real kubectl (CI installs Debian's kubernetes-client; install it or put kubectl on PATH)")
}

struct Lab {
    dir: tempfile::TempDir,
    child: Child,
    out: Arc<Mutex<String>>,
    kubectl: PathBuf,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Lab {
    fn start(fault: &str, seed: u64) -> Lab {
        let dir = tempfile::tempdir().expect("tempdir");
        let kc = dir.path().join("lab.kubeconfig");
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubeprep"))
            .args(["lab", "serve", "crashloop", "--fault", fault])
            .args([
                "--seed",
                &seed.to_string(),
                "--port",
                "0",
                "--time-scale",
                "60",
            ])
            .arg("--kubeconfig")
            .arg(&kc)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kubeprep lab serve");
        let out = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().expect("stdout");
        let sink = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let started = Instant::now();
        loop {
            if out.lock().unwrap().contains("Ctrl-C to finish") {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "lab serve exited early ({status}):\n{}",
                    out.lock().unwrap()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "lab serve did not start:\n{}",
                out.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Lab {
            dir,
            child,
            out,
            kubectl: kubectl_binary(),
        }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("lab.kubeconfig")
    }

    fn kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> Out {
        let o = Command::new(&self.kubectl)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .env("EDITOR", "false")
            .stdin(Stdio::null())
            .output()
            .expect("run kubectl");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// kubectl that must succeed; its stdout.
    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let o = self.kubectl_with(&self.kubeconfig(), args);
        assert_eq!(
            o.code, 0,
            "kubectl {args:?} failed\n--- stdout\n{}\n--- stderr\n{}",
            o.stdout, o.stderr
        );
        assert!(
            !o.stderr.contains("E1") && !o.stderr.contains("Unhandled Error"),
            "kubectl {args:?} logged errors:\n{}",
            o.stderr
        );
        o.stdout
    }

    /// kubectl that must fail; its stderr.
    #[track_caller]
    fn fails(&self, args: &[&str]) -> String {
        let o = self.kubectl_with(&self.kubeconfig(), args);
        assert_ne!(o.code, 0, "kubectl {args:?} should fail:\n{}", o.stdout);
        o.stderr
    }

    fn advance(&self, seconds: u32) {
        let path = format!("/lab/v1/advance?seconds={seconds}");
        self.ok(&["create", "--raw", &path, "-f", "/dev/null"]);
    }

    fn status(&self) -> Value {
        serde_json::from_str(&self.ok(&["get", "--raw", "/lab/v1/status"])).expect("status JSON")
    }

    fn api_pod(&self) -> String {
        let names = self.ok(&["get", "pods", "-l", "app=api", "-o", "name"]);
        names
            .lines()
            .next()
            .expect("an api pod")
            .trim_start_matches("pod/")
            .to_string()
    }

    #[track_caller]
    fn assert_api_running(&self) {
        let pods = self.ok(&["get", "pods", "-l", "app=api"]);
        let api: Vec<&str> = pods.lines().skip(1).collect();
        assert!(!api.is_empty(), "{pods}");
        assert!(
            api.iter()
                .all(|l| l.contains(" Running ") && l.contains("1/1")),
            "{pods}"
        );
        let status = self.status();
        assert_eq!(status["fixed"], true, "{status}");
    }

    /// Sends SIGTERM and returns the exit code and everything printed.
    fn stop(mut self) -> (i32, String) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("wait");
        std::thread::sleep(Duration::from_millis(100));
        let out = self.out.lock().unwrap().clone();
        (status.code().unwrap_or(-1), out)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn service_selector_mismatch_found_and_fixed_with_kubectl() {
    let lab = Lab::start("service-selector-mismatch", 3);
    let pods = lab.ok(&["get", "pods"]);
    assert!(pods.starts_with("NAME "), "{pods}");
    assert_eq!(pods.matches("CrashLoopBackOff").count(), 3, "{pods}");
    let pod = lab.api_pod();
    let describe = lab.ok(&["describe", "pod", &pod]);
    assert!(
        describe.contains("Last State:     Terminated"),
        "{describe}"
    );
    assert!(describe.contains("Exit Code:    1"), "{describe}");
    assert!(
        describe.contains("Back-off restarting failed container api"),
        "{describe}"
    );
    // Ages come out as the world has them, not months off.
    assert!(!describe.contains("d (x"), "{describe}");
    let logs = lab.ok(&["logs", &pod, "--previous"]);
    assert!(logs.contains("ECONNREFUSED"), "{logs}");
    let tail = lab.ok(&["logs", &pod, "--previous", "--tail=1"]);
    assert_eq!(tail.lines().count(), 1, "{tail}");
    let ep = lab.ok(&["get", "endpoints", "postgres"]);
    assert!(ep.contains("<none>"), "{ep}");
    let events = lab.ok(&[
        "get",
        "events",
        "--field-selector",
        &format!("involvedObject.name={pod}"),
    ]);
    assert!(events.lines().skip(1).all(|l| l.contains(&pod)), "{events}");
    assert!(events.contains("BackOff"), "{events}");
    // The diagnosis and a hint go through the lab's own endpoints.
    std::fs::write(
        lab.dir.path().join("diagnosis.txt"),
        "The postgres Service's selector does not match the postgres Pods' labels, so \
         its endpoints are empty and the api gets ECONNREFUSED and exits.",
    )
    .expect("write the diagnosis");
    let ack = lab.ok(&["create", "--raw", "/lab/v1/diagnose", "-f", "diagnosis.txt"]);
    assert!(ack.contains("\"recorded\":1"), "{ack}");
    let hint: Value =
        serde_json::from_str(&lab.ok(&["create", "--raw", "/lab/v1/hint", "-f", "/dev/null"]))
            .expect("hint JSON");
    assert_eq!(hint["level"], 1, "{hint}");
    // A patch that does not fix it is taken, and the lab says why not.
    lab.ok(&["label", "pod", &pod, "checked=yes"]);
    assert_eq!(lab.status()["fixed"], false);
    lab.ok(&[
        "patch",
        "svc",
        "postgres",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/selector","value":{"app":"postgres"}}]"#,
    ]);
    let ep = lab.ok(&["get", "endpoints", "postgres"]);
    assert!(ep.contains(":5432"), "{ep}");
    lab.advance(600);
    lab.assert_api_running();
    // Scored from the requests kubectl made: every expected check was done
    // before the first change, the diagnosis is right, one hint was used.
    let card: Value = serde_json::from_str(&lab.ok(&["get", "--raw", "/lab/v1/scorecard"]))
        .expect("scorecard JSON");
    assert_eq!(card["fix"]["fixed"], true, "{card}");
    assert_eq!(card["guessed"], false, "{card}");
    assert_eq!(card["hints"], 1, "{card}");
    assert!(card["diagnosis"]["score"].as_u64() >= Some(70), "{card}");
    let expected: Vec<&Value> = card["path"]
        .as_array()
        .expect("path")
        .iter()
        .filter(|c| c["expected"] == true)
        .collect();
    assert!(expected.len() >= 3, "{card}");
    for c in expected {
        assert_eq!(c["done"], true, "{c}");
        assert_eq!(c["before_first_change"], true, "{c}");
    }
    let (code, out) = lab.stop();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Lab scorecard"), "{out}");
    assert!(out.contains("Fault fixed: yes"), "{out}");
}

#[test]
fn missing_configmap_found_and_fixed_with_apply() {
    let lab = Lab::start("missing-configmap", 5);
    let pods = lab.ok(&["get", "pods", "-l", "app=api"]);
    assert_eq!(
        pods.matches("CreateContainerConfigError").count(),
        3,
        "{pods}"
    );
    let pod = lab.api_pod();
    let describe = lab.ok(&["describe", "pod", &pod]);
    assert!(
        describe.contains("CreateContainerConfigError"),
        "{describe}"
    );
    assert!(describe.contains("not found"), "{describe}");
    let err = lab.fails(&["logs", &pod]);
    assert!(err.contains("is waiting to start"), "{err}");
    // The Deployment names a ConfigMap; the one that exists is called otherwise.
    let deploy: Value =
        serde_json::from_str(&lab.ok(&["get", "deploy", "api", "-o", "json"])).unwrap();
    let wanted = deploy["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["configMapRef"]["name"].as_str())
        .expect("a configMapRef")
        .to_string();
    let cms = lab.ok(&["get", "configmaps", "-o", "json"]);
    let cms: Value = serde_json::from_str(&cms).unwrap();
    let existing = &cms["items"][0];
    assert_ne!(existing["metadata"]["name"], wanted.as_str());
    let manifest = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": wanted},
        "data": existing["data"],
    });
    let file = lab.dir.path().join("cm.json");
    std::fs::write(&file, manifest.to_string()).unwrap();
    let applied = lab.ok(&["apply", "-f", file.to_str().unwrap()]);
    assert!(applied.contains("created"), "{applied}");
    let again = lab.ok(&["apply", "-f", file.to_str().unwrap()]);
    assert!(again.contains("unchanged"), "{again}");
    lab.advance(120);
    lab.assert_api_running();
}

#[test]
fn oom_killed_found_and_fixed_with_set_resources() {
    let lab = Lab::start("oom-killed", 11);
    let pod = lab.api_pod();
    let describe = lab.ok(&["describe", "pod", &pod]);
    assert!(describe.contains("OOMKilled"), "{describe}");
    assert!(describe.contains("Exit Code:    137"), "{describe}");
    let out = lab.ok(&[
        "set",
        "resources",
        "deployment/api",
        "--limits=memory=512Mi",
    ]);
    assert!(out.contains("resource requirements updated"), "{out}");
    lab.advance(300);
    let rollout = lab.ok(&["rollout", "status", "deployment/api", "--timeout=60s"]);
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
    lab.assert_api_running();
}

#[test]
fn bad_image_found_and_fixed_with_set_image() {
    let lab = Lab::start("bad-image", 3);
    let pods = lab.ok(&["get", "pods", "-l", "app=api"]);
    assert!(
        pods.contains("ImagePullBackOff") || pods.contains("ErrImagePull"),
        "{pods}"
    );
    let describe = lab.ok(&["describe", "pod", &lab.api_pod()]);
    assert!(describe.contains("Failed to pull image"), "{describe}");
    let image = lab.ok(&[
        "get",
        "deploy",
        "api",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_ne!(image, "ghcr.io/kubeprep/shop-api:1.4.2");
    lab.ok(&[
        "set",
        "image",
        "deployment/api",
        "api=ghcr.io/kubeprep/shop-api:1.4.2",
    ]);
    lab.advance(300);
    lab.assert_api_running();
    let history = lab.ok(&["rollout", "history", "deployment/api"]);
    assert!(history.contains("2 "), "{history}");
}

#[test]
fn refuses_what_a_real_api_server_refuses() {
    let lab = Lab::start("wrong-command", 2);
    // No or a wrong token: 401.
    let text = std::fs::read_to_string(lab.kubeconfig()).unwrap();
    let token = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .to_string();
    let wrong = lab.dir.path().join("wrong.kubeconfig");
    std::fs::write(&wrong, text.replace(&token, "not-the-token")).unwrap();
    let o = lab.kubectl_with(&wrong, &["get", "pods"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("Unauthorized") || o.stderr.contains("provide credentials"),
        "{}",
        o.stderr
    );
    // The kubeconfig is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(lab.kubeconfig())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A body over 1 MiB: 413.
    let big = lab.dir.path().join("big.json");
    let blob = "x".repeat(2 * 1024 * 1024);
    std::fs::write(&big, format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"big"}},"data":{{"a":"{blob}"}}}}"#)).unwrap();
    let err = lab.fails(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/configmaps",
        "-f",
        big.to_str().unwrap(),
    ]);
    assert!(err.contains("RequestEntityTooLarge"), "{err}");
    // Malformed and invalid changes: the API server's wording.
    let err = lab.fails(&[
        "patch",
        "deploy",
        "api",
        "--type=merge",
        "-p",
        r#"{"spec":{"replicass":2}}"#,
    ]);
    assert!(
        err.contains("strict decoding error") && err.contains("replicass"),
        "{err}"
    );
    let err = lab.fails(&[
        "patch",
        "deploy",
        "api",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/nope"}]"#,
    ]);
    assert!(err.contains("BadRequest"), "{err}");
    let err = lab.fails(&["get", "pods", "nope"]);
    assert!(err.contains(r#"pods "nope" not found"#), "{err}");
    let err = lab.fails(&["get", "pods", "-l", "app in (a"]);
    assert!(err.contains("expected"), "{err}");
    let err = lab.fails(&["get", "pods", "--field-selector", "spec.bogus=1"]);
    assert!(
        err.contains("field label not supported: spec.bogus"),
        "{err}"
    );
    // Not fixed: exit 1 and the solution.
    let (code, out) = lab.stop();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Fault fixed: no"), "{out}");
}

#[test]
fn get_shows_kubectl_tables_for_every_kind() {
    let lab = Lab::start("egress-blocked", 4);
    for (what, header) in [
        ("deploy", "READY   UP-TO-DATE   AVAILABLE   AGE"),
        ("rs", "DESIRED   CURRENT   READY"),
        ("svc", "TYPE        CLUSTER-IP"),
        ("cm", "DATA"),
        ("secrets", "TYPE"),
        ("netpol", "POD-SELECTOR"),
        ("nodes", "STATUS   ROLES"),
        ("ns", "STATUS"),
        ("events", "LAST SEEN   TYPE"),
    ] {
        let out = lab.ok(&["get", what]);
        assert!(
            out.lines().next().unwrap_or("").contains(header),
            "{what}:\n{out}"
        );
    }
    let wide = lab.ok(&["get", "pods", "-o", "wide"]);
    assert!(wide.contains("NOMINATED NODE"), "{wide}");
    let all = lab.ok(&["get", "pods", "-A"]);
    assert!(all.starts_with("NAMESPACE"), "{all}");
    let yaml = lab.ok(&["get", "netpol", "-o", "yaml"]);
    assert!(yaml.contains("policyTypes"), "{yaml}");
    let watch = Command::new(&lab.kubectl)
        .arg("--kubeconfig")
        .arg(lab.kubeconfig())
        .arg("--cache-dir")
        .arg(lab.dir.path().join("cache"))
        .args(["get", "pods", "-l", "app=api", "-w", "--request-timeout=3s"])
        .env("HOME", lab.dir.path())
        .output()
        .expect("kubectl get -w");
    let text = String::from_utf8_lossy(&watch.stdout);
    assert!(text.lines().count() > 3, "a watch streams changes:\n{text}");
}

/// The shell renders from the same table code as the API: its `get` takes
/// kubectl's selectors and `-A`, and its header matches real kubectl's.
#[test]
fn the_shell_and_real_kubectl_print_the_same_table() {
    let lab = Lab::start("service-selector-mismatch", 1);
    let real = lab.ok(&["get", "pods", "-A", "-l", "app=api"]);
    let shell = Command::new(env!("CARGO_BIN_EXE_kubeprep"))
        .args([
            "lab",
            "start",
            "crashloop",
            "--fault",
            "service-selector-mismatch",
            "--seed",
            "1",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(
                b"kubectl get pods -A -l app=api\n\
                  kubectl get events --field-selector involvedObject.kind=Deployment\n\
                  kubectl get pods -l 'app in (a'\n\
                  kubectl get pods --field-selector spec.bogus=1\n",
            )?;
            c.wait_with_output()
        })
        .expect("run the shell");
    let shell = String::from_utf8_lossy(&shell.stdout);
    let header = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("NAMESPACE"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(
        header(&real),
        header(&shell),
        "real:\n{real}\nshell:\n{shell}"
    );
    let names = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("default "))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(names(&real), names(&shell));
    assert_eq!(names(&shell).len(), 3, "{shell}");
    assert!(shell.contains("deployment/api"), "{shell}");
    assert!(
        !shell.contains("pod/api-"),
        "events were filtered:\n{shell}"
    );
    assert!(shell.contains("expected: ',' or ')'"), "{shell}");
    assert!(
        shell.contains("field label not supported: spec.bogus"),
        "{shell}"
    );
}
