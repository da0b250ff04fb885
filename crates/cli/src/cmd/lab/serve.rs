//! `kubeprep lab serve crashloop`: the lab world behind a Kubernetes-compatible
//! API on 127.0.0.1, for the candidate's own kubectl. Builds the world as
//! `lab start` does, writes a kubeconfig (mode 0600) with a fresh bearer
//! token, serves until Ctrl-C or SIGTERM, then prints the solution and
//! whether the fault was fixed. The HTTP side lives in `kubeprep-server`.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use kubeprep_interview::lab::{self as score, LabSession};
use kubeprep_server::lab::{router, serve_tls, Certificate, Lab, LabState};

use super::Global;
use crate::term::print;
use crate::Outcome;

/// Where the kubeconfig goes when `--kubeconfig` is not given: the current
/// directory, so the candidate's own `~/.kube/config` is never touched.
pub const DEFAULT_KUBECONFIG: &str = "kubeprep-lab.kubeconfig";

/// The lab scenarios `lab serve` offers.
#[derive(clap::Subcommand)]
pub enum Scenario {
    /// Three api Pods in CrashLoopBackOff, served to your own kubectl
    Crashloop(Args),
}

/// Flags of `lab serve crashloop`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    world: super::WorldChoice,
    /// The port on 127.0.0.1 (0: any free port)
    #[arg(long, value_name = "P", default_value_t = 0)]
    port: u16,
    /// Where to write the kubeconfig for kubectl
    #[arg(long, value_name = "FILE", default_value = DEFAULT_KUBECONFIG)]
    kubeconfig: PathBuf,
    /// Simulated seconds per wall-clock second (0 stops the clock; then
    /// only POST /lab/v1/advance moves it)
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    time_scale: f64,
}

/// Runs `lab serve crashloop` to the end.
pub fn run(g: &Global, s: Scenario) -> Result<Outcome> {
    let Scenario::Crashloop(a) = s;
    if !a.time_scale.is_finite() || !(0.0..=10_000.0).contains(&a.time_scale) {
        bail!(
            "--time-scale {} is out of range; use a number from 0 to 10000 (1 = real time)",
            a.time_scale
        );
    }
    let (seed, fault) = a.world.resolve()?;
    // The pack and grader live as long as the server: the scoring session
    // inside the shared state borrows them.
    let pack: &'static Pack = Box::leak(Box::new(g.load_pack()?));
    let grader: &'static Grader = Box::leak(Box::new(Grader::new(pack)?));
    let session = LabSession::new(pack, grader, "crashloop", fault.id(), seed)
        .with_context(|| format!("the pack has no lab `crashloop` with fault `{fault}`"))?;
    refuse_foreign_kubeconfig(&a.kubeconfig)?;
    let world = super::arrival(fault, seed);
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let lab = Lab::new(LabState::new(world, a.time_scale).scored(session), &token);
    let listener = std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, a.port)))
        .with_context(|| format!("listening on 127.0.0.1:{}", a.port))?;
    let addr = listener.local_addr()?;
    // kubectl sends the token only over TLS.
    let cert = Certificate::self_signed()?;
    let server = format!("https://{addr}");
    write_kubeconfig(&a.kubeconfig, &server, &cert.authority_data(), &token)?;
    let shown = a.kubeconfig.canonicalize().unwrap_or(a.kubeconfig.clone());
    print(&format!(
        "Lab API listening on {server} (loopback only, TLS)\n\
         Point kubectl at it:\n\n  export KUBECONFIG={}\n  kubectl get pods\n\n{BRIEFING}\n\
         Ctrl-C to finish: the solution and whether the fault is fixed follow.\n",
        shell_quote(&shown.display().to_string())
    ))?;
    runtime
        .block_on(serve_tls(
            listener,
            router(lab.clone()),
            &cert,
            kubeprep_server::web::ops::shutdown_signal(),
        ))
        .context("serving the lab API")?;
    // Watches may still hold the runtime; they end with it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    let st = lab.lock();
    let card = st.scorecard().context("the lab lost its scoring session")?;
    print(&format!(
        "\nRequests served: {}\n\n{}",
        st.requests.len(),
        score::text(&card)
    ))?;
    Ok(if card.fix.fixed {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

const BRIEFING: &str = "\
Lab: crashloop
A teammate deployed the `api` Deployment (3 replicas) in namespace default.
All 3 api Pods are in CrashLoopBackOff. \"It works on my laptop.\"
It talks to PostgreSQL and Redis, which run in the cluster.
Find the cause and fix it with kubectl. The cluster's clock follows yours.
You are scored on the diagnosis, the fix and the path: look before you change.
  kubectl get --raw /lab/v1/status                          is it fixed?
  kubectl create --raw /lab/v1/hint -f /dev/null            the next hint
  echo 'ROOT CAUSE' | kubectl create --raw /lab/v1/diagnose -f -
";

/// A kubeconfig this command did not write is never overwritten.
fn refuse_foreign_kubeconfig(path: &Path) -> Result<()> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.contains("name: kubeprep-lab\n") => bail!(
            "{} exists and is not a kubeprep lab kubeconfig; pass --kubeconfig with another file",
            path.display()
        ),
        _ => Ok(()),
    }
}

fn write_kubeconfig(path: &Path, server: &str, authority: &str, token: &str) -> Result<()> {
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: kubeprep-lab
  cluster:
    server: {server}
    certificate-authority-data: {authority}
users:
- name: kubeprep-lab
  user:
    token: {token}
contexts:
- name: kubeprep-lab
  context:
    cluster: kubeprep-lab
    user: kubeprep-lab
    namespace: default
current-context: kubeprep-lab
preferences: {{}}
"
    );
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("writing the kubeconfig {}", path.display()))?;
    #[cfg(unix)]
    {
        // An existing file keeps its mode on open: tighten it.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing the kubeconfig {}", path.display()))?;
    Ok(())
}

/// Quotes a path for a POSIX shell when it needs it.
fn shell_quote(s: &str) -> String {
    // Control characters never reach the terminal.
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
