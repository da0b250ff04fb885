//! `kubeprep serve` and `kubeprep admin create-user` as a user runs them:
//! the real binary, its printed address, one-line errors for bad input,
//! a JSON log that never contains a password, cookie or token, and a
//! graceful SIGTERM — requests in flight when the signal arrives all get
//! their answer, new connections are refused, and the process exits 0.

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use util::Kubeprep;

const PASSWORD: &str = "a long enough password";

struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(kp: &Kubeprep, extra: &[&str]) -> Served {
    let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = kp
        .command(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubeprep serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the address line");
    let addr = line
        .trim()
        .strip_prefix("kubeprep serving on http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .expect("an address");
    Served { child, addr }
}

fn create_admin(kp: &Kubeprep, email: &str) {
    kp.run(
        &[
            "admin",
            "create-user",
            "--email",
            email,
            "--role",
            "admin",
            "--password-stdin",
        ],
        format!("{PASSWORD}\n").as_bytes(),
    )
    .assert_code(0);
}

/// One HTTP/1.1 exchange on a new connection; returns the raw response.
fn http(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn cookie(response: &str, name: &str) -> String {
    let prefix = format!("set-cookie: {name}=");
    response
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {name} cookie in {response}"))
}

fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = html.find(marker).expect("a CSRF field") + marker.len();
    html[at..at + 64].to_owned()
}

#[test]
fn create_user_refuses_bad_input_in_one_line() {
    let kp = Kubeprep::new();
    kp.run(
        &["admin", "create-user", "--email", "a@x", "--password-stdin"],
        b"short\n",
    )
    .assert_code(2)
    .assert_one_line_error("at least 10 characters");
    kp.run(
        &[
            "admin",
            "create-user",
            "--email",
            "nobody",
            "--password-stdin",
        ],
        format!("{PASSWORD}\n").as_bytes(),
    )
    .assert_code(2)
    .assert_one_line_error("not an e-mail address");
    kp.run(&["admin", "create-user", "--email", "a@x"], b"")
        .assert_code(2)
        .assert_one_line_error("--password-stdin");
    kp.run(
        &[
            "admin",
            "create-user",
            "--email",
            "a@x",
            "--role",
            "owner",
            "--password-stdin",
        ],
        b"",
    )
    .assert_code(2);
    create_admin(&kp, "a@x");
    kp.run(
        &["admin", "create-user", "--email", "A@X", "--password-stdin"],
        format!("{PASSWORD}\n").as_bytes(),
    )
    .assert_code(2)
    .assert_one_line_error("already exists");
    kp.run(&["serve", "--addr", "nonsense"], b"").assert_code(2);
    kp.run(
        &[
            "serve",
            "--database-url",
            "postgres://u:hunter2@127.0.0.1:1/db",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("cannot connect to database postgres://u:***@127.0.0.1:1/db");
}

#[test]
fn logs_are_json_and_never_hold_passwords_cookies_or_tokens() {
    let kp = Kubeprep::new();
    create_admin(&kp, "admin@example.com");
    let mut served = serve(&kp, &["--log-format", "json"]);
    let addr = served.addr;

    let page = http(
        addr,
        "GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let csrf_cookie = cookie(&page, "kp_csrf");
    let csrf = csrf_field(&page);
    let body = format!("csrf={csrf}&email=admin%40example.com&password=a+long+enough+password");
    let login = http(
        addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: kp_csrf={csrf_cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(login.starts_with("HTTP/1.1 303"), "{login}");
    let session = cookie(&login, "kp_session");
    let home = http(
        addr,
        &format!("GET /home HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: kp_session={session}\r\n\r\n"),
    );
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    let _ = http(
        addr,
        "GET /invite/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );

    std::process::Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    let status = served.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut log = String::new();
    served
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("\"route\":\"/login\""), "{log}");
    assert!(log.contains("\"route\":\"/invite/{token}\""), "{log}");
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {line}"));
    }
    for secret in [
        PASSWORD,
        "a+long+enough+password",
        &session,
        &csrf,
        &csrf_cookie,
        "0123456789abcdef",
    ] {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
}

#[test]
fn sigterm_lets_requests_in_flight_finish_then_exits() {
    let kp = Kubeprep::new();
    let mut served = serve(&kp, &[]);
    let addr = served.addr;
    // Requests whose bodies are still arriving when the signal comes: the
    // server has read their headers and is waiting in the handler.
    let body = "csrf=x&email=a%40example.com&password=whatever-it-is";
    let mut slow: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            write!(
                stream,
                "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n\r\n{}",
                body.len(),
                &body[..10]
            )
            .unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    std::process::Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // No new connections once shutdown has begun.
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
        "the listener should be closed"
    );
    assert!(
        served.child.try_wait().unwrap().is_none(),
        "it waits for the requests"
    );
    for stream in &mut slow {
        stream.write_all(&body.as_bytes()[10..]).unwrap();
    }
    for stream in &mut slow {
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        // Forbidden: the CSRF token is wrong — but answered in full.
        assert!(response.starts_with("HTTP/1.1 403"), "{response}");
        assert!(response.contains("</html>"), "{response}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after the last request"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_deploy_manifests_pass_kubeprep_check_without_findings() {
    let kp = Kubeprep::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("deploy/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert_eq!(files.len(), 4, "{files:?}");
    // `-f deploy/` reads the same four files, as kubectl would.
    let run = kp.run(&["check", "-f", dir.to_str().unwrap()], b"");
    run.assert_code(0);
    assert!(
        run.stdout.contains("0 errors, 0 warnings, 0 infos"),
        "{}",
        run.stdout
    );
    let all: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    for kind in [
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    ] {
        assert!(all.contains(&format!("kind: {kind}")), "{kind}");
    }
    // Zero-downtime rollout and shutdown, probing the routes the server has.
    for needle in [
        "maxUnavailable: 0",
        "preStop:",
        "terminationGracePeriodSeconds:",
        "path: /readyz",
        "path: /livez",
        "path: /healthz",
    ] {
        assert!(all.contains(needle), "{needle}");
    }
}

#[test]
fn a_config_file_sets_what_flags_do_and_flags_win() {
    let kp = Kubeprep::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "addr: 127.0.0.1:0\nlog_formt: json\n").unwrap();
    let run = kp.run(&["serve", "--config", bad.to_str().unwrap()], b"");
    run.assert_code(2);
    assert!(run.stderr.contains("bad.yaml:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("log_formt"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);

    // The file asks for JSON logs and a body limit too small; the flag's
    // limit wins, the file's log format holds.
    let good = dir.path().join("serve.yaml");
    std::fs::write(
        &good,
        "addr: 127.0.0.1:9\nlog_format: json\nbody_limit: 100\n",
    )
    .unwrap();
    let run = kp.run(&["serve", "--config", good.to_str().unwrap()], b"");
    run.assert_code(2);
    assert!(run.stderr.contains("100 is too small"), "{}", run.stderr);
    let mut served = serve(
        &kp,
        &["--config", good.to_str().unwrap(), "--body-limit", "4096"],
    );
    let page = http(
        served.addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    std::process::Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .expect("kill");
    let mut log = String::new();
    served
        .child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("read the log");
    let first = log.lines().next().expect("a log line");
    let v: serde_json::Value = serde_json::from_str(first).expect("a JSON log line");
    assert_eq!(v["message"], "listening", "{log}");
}
