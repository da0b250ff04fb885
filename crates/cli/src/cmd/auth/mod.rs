//! `kubeprep auth`: RBAC questions answered from policy files, with
//! `kubectl auth can-i` syntax: `can-i`, `who-can`, `matrix`, `lint` and
//! `can-create` (the escalation check for a new role or binding).
//!
//! The policy comes from `-f` files, not from a cluster; the answers come
//! from `kubeprep_sim::rbac`.

mod render;

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Subcommand;
use kubeprep_sim::check::Severity;
use kubeprep_sim::manifest::{Document, ProblemKind};
use kubeprep_sim::rbac::{self, resources, Attributes, Policy, Subject, Target, UserInfo};

use super::{manifests, Global, Output};
use crate::{term, Outcome};

/// RBAC questions.
#[derive(Subcommand)]
pub enum Command {
    /// Whether a user may do something, as `kubectl auth can-i` answers (prints yes or no; exit 0 or 1)
    #[command(name = "can-i")]
    CanI(CanI),
    /// Who may do something, with the binding that grants it
    #[command(name = "who-can")]
    WhoCan(WhoCan),
    /// Subjects × namespaces × key permissions, then the least-privilege findings
    Matrix(MatrixArgs),
    /// Least-privilege findings only (exit 1 when there is a warning or an error)
    Lint(LintArgs),
    /// Whether a user may create the Roles and bindings in FILE (the API server's escalation check)
    #[command(name = "can-create")]
    CanCreate(CanCreate),
}

/// The policy files.
#[derive(clap::Args)]
struct PolicyFiles {
    /// A file of Roles, ClusterRoles and bindings (repeat for more; `-` is stdin)
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

/// Where a request is made.
#[derive(clap::Args)]
struct Scope {
    /// The namespace of the request
    #[arg(short = 'n', long, value_name = "NS", default_value = "default")]
    namespace: String,
    /// All namespaces: can-i asks with namespace "" (cluster-wide); who-can lists every namespace's RoleBindings too
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    all_namespaces: bool,
    /// The subresource (`exec`, `log`, `scale`, `status`)
    #[arg(long, value_name = "S")]
    subresource: Option<String>,
}

/// The user asking.
#[derive(clap::Args)]
struct AsUser {
    /// The username to ask as (`system:serviceaccount:NS:NAME` for a ServiceAccount)
    #[arg(long = "as", value_name = "USER")]
    user: Option<String>,
    /// A group of that user (repeat for more); `system:authenticated` is always added
    #[arg(long = "as-group", value_name = "GROUP")]
    groups: Vec<String>,
}

impl AsUser {
    fn user(&self) -> Result<UserInfo> {
        match &self.user {
            Some(u) if !u.is_empty() => Ok(UserInfo::impersonated(u, &self.groups)),
            _ if !self.groups.is_empty() => {
                bail!("--as-group needs --as USER: name the user whose groups these are")
            }
            _ => bail!(
                "no user to ask as: there is no logged-in user here, name one with --as USER (and --as-group GROUP)"
            ),
        }
    }
}

/// `can-i` flags.
#[derive(clap::Args)]
pub struct CanI {
    /// The verb: get, list, watch, create, update, patch, delete, bind, escalate, impersonate, ...
    verb: String,
    /// TYPE[.GROUP] [NAME], TYPE/NAME, or a non-resource URL starting with `/`
    #[arg(value_name = "TYPE|URL", num_args = 1..=2, required = true)]
    what: Vec<String>,
    #[command(flatten)]
    policy: PolicyFiles,
    #[command(flatten)]
    scope: Scope,
    #[command(flatten)]
    who: AsUser,
    /// Print the reason after yes/no: the binding, role and subject that allow it
    #[arg(long)]
    why: bool,
    /// Print nothing; the exit code is the answer
    #[arg(short, long, conflicts_with = "why")]
    quiet: bool,
    /// Text (yes/no) or JSON
    #[arg(short, long, value_enum, default_value_t)]
    output: Output,
}

/// `who-can` flags.
#[derive(clap::Args)]
pub struct WhoCan {
    /// The verb
    verb: String,
    /// TYPE[.GROUP] [NAME], TYPE/NAME, or a non-resource URL starting with `/`
    #[arg(value_name = "TYPE|URL", num_args = 1..=2, required = true)]
    what: Vec<String>,
    #[command(flatten)]
    policy: PolicyFiles,
    #[command(flatten)]
    scope: Scope,
    /// Text table or JSON
    #[arg(short, long, value_enum, default_value_t)]
    output: Output,
}

/// `matrix` flags.
#[derive(clap::Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    policy: PolicyFiles,
    /// Only this subject: `User:NAME`, `Group:NAME` or `ServiceAccount:NS:NAME` (repeat for more)
    #[arg(long, value_name = "KIND:NAME")]
    subject: Vec<String>,
    /// Text tables or JSON
    #[arg(short, long, value_enum, default_value_t)]
    output: Output,
}

/// `lint` flags.
#[derive(clap::Args)]
pub struct LintArgs {
    #[command(flatten)]
    policy: PolicyFiles,
    /// Text or JSON
    #[arg(short, long, value_enum, default_value_t)]
    output: Output,
}

/// `can-create` flags.
#[derive(clap::Args)]
pub struct CanCreate {
    /// Files holding the Roles, ClusterRoles and bindings the user wants to write
    #[arg(value_name = "OBJECT_FILE", required = true)]
    objects: Vec<PathBuf>,
    #[command(flatten)]
    policy: PolicyFiles,
    #[command(flatten)]
    who: AsUser,
    /// Text or JSON
    #[arg(short, long, value_enum, default_value_t)]
    output: Output,
}

pub fn run(g: &Global, c: Command) -> Result<Outcome> {
    match c {
        Command::CanI(a) => can_i(g, a),
        Command::WhoCan(a) => who_can(g, a),
        Command::Matrix(a) => matrix(g, a),
        Command::Lint(a) => lint(g, a),
        Command::CanCreate(a) => can_create(g, a),
    }
}

fn is_rbac(object: &str) -> bool {
    [
        "Role/",
        "ClusterRole/",
        "RoleBinding/",
        "ClusterRoleBinding/",
    ]
    .iter()
    .any(|k| object.starts_with(k))
}

/// Reads the files. A file that cannot be read, and a Role or binding the
/// API server would refuse, are errors; other kinds are ignored.
fn load_documents(files: &[PathBuf]) -> Result<Vec<Document>> {
    let parsed = manifests::load(files)?;
    let fatal = parsed
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Syntax || p.object.as_deref().is_some_and(is_rbac));
    if let Some(p) = fatal {
        bail!("{p}");
    }
    Ok(parsed.documents)
}

fn load_policy(files: &PolicyFiles) -> Result<Policy> {
    Ok(Policy::from_documents(&load_documents(&files.files)?))
}

/// The request target of kubectl's positional arguments, with kubectl's warnings.
fn target(verb: &str, what: &[String], scope: &Scope) -> Result<(Target, Vec<String>)> {
    let namespace = (!scope.all_namespaces).then_some(scope.namespace.as_str());
    Ok(resources::request(
        verb,
        what,
        namespace,
        scope.subresource.as_deref(),
    )?)
}

fn warn(warnings: &[String]) {
    for w in warnings {
        term::eprint(&format!("Warning: {w}\n"));
    }
}

fn can_i(g: &Global, a: CanI) -> Result<Outcome> {
    let user = a.who.user()?;
    let (target, warnings) = target(&a.verb, &a.what, &a.scope)?;
    let policy = load_policy(&a.policy)?;
    if !a.quiet {
        warn(&warnings);
    }
    let attrs = Attributes {
        user,
        verb: a.verb,
        target,
    };
    let d = policy.authorize(&attrs);
    if a.output == Output::Json {
        term::print_json(&render::CanIJson::new(&attrs, &d))?;
    } else if !a.quiet {
        term::print(&render::can_i(&d, a.why, g.color()))?;
    }
    Ok(if d.allowed {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

fn who_can(g: &Global, a: WhoCan) -> Result<Outcome> {
    let (target, warnings) = target(&a.verb, &a.what, &a.scope)?;
    let policy = load_policy(&a.policy)?;
    warn(&warnings);
    let mut grants = policy.who_can(&a.verb, &target);
    if a.scope.all_namespaces {
        // -A: the RoleBindings of every namespace too, each in its own namespace.
        for ns in policy.namespaces() {
            let mut t = target.clone();
            if let Target::Resource { namespace, .. } = &mut t {
                namespace.clone_from(ns);
            }
            grants.extend(
                policy
                    .who_can(&a.verb, &t)
                    .into_iter()
                    .filter(|g| g.binding.starts_with("RoleBinding/")),
            );
        }
    }
    match a.output {
        Output::Json => term::print_json(&grants)?,
        Output::Text => term::print(&render::who_can(&a.verb, &target, &grants, g.color()))?,
    }
    Ok(Outcome::Ok)
}

fn parse_subject(s: &str) -> Result<Subject> {
    let bad = || {
        anyhow::anyhow!(
            "--subject {s:?} is not KIND:NAME; write User:alice, Group:devs or ServiceAccount:NS:NAME"
        )
    };
    let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
    let kind = match kind.to_ascii_lowercase().as_str() {
        "user" => "User",
        "group" => "Group",
        "serviceaccount" | "sa" => "ServiceAccount",
        _ => return Err(bad()),
    };
    let (namespace, name) = if kind == "ServiceAccount" {
        let (ns, n) = rest.split_once([':', '/']).ok_or_else(bad)?;
        (ns.to_string(), n.to_string())
    } else {
        (String::new(), rest.to_string())
    };
    if name.is_empty() || (kind == "ServiceAccount" && namespace.is_empty()) {
        return Err(bad());
    }
    Ok(Subject {
        kind: kind.into(),
        name,
        namespace,
    })
}

fn matrix(g: &Global, a: MatrixArgs) -> Result<Outcome> {
    let only = a
        .subject
        .iter()
        .map(|s| parse_subject(s))
        .collect::<Result<Vec<_>>>()?;
    let policy = load_policy(&a.policy)?;
    let m = rbac::matrix(&policy, &only);
    let findings = rbac::findings(&policy);
    match a.output {
        Output::Json => term::print_json(&render::MatrixJson {
            matrix: &m,
            findings: &findings,
        })?,
        Output::Text => {
            let mut s = render::matrix(&m, g.color());
            s.push('\n');
            s.push_str(&render::findings(&findings, g.color()));
            term::print(&s)?
        }
    }
    Ok(Outcome::Ok)
}

fn lint(g: &Global, a: LintArgs) -> Result<Outcome> {
    let policy = load_policy(&a.policy)?;
    let findings = rbac::findings(&policy);
    match a.output {
        Output::Json => term::print_json(&findings)?,
        Output::Text => term::print(&render::findings(&findings, g.color()))?,
    }
    Ok(
        if findings.iter().any(|f| f.severity >= Severity::Warning) {
            Outcome::Findings
        } else {
            Outcome::Ok
        },
    )
}

fn can_create(g: &Global, a: CanCreate) -> Result<Outcome> {
    let user = a.who.user()?;
    let policy = load_policy(&a.policy)?;
    let objects = load_documents(&a.objects)?;
    let wanted = Policy::from_documents(&objects);
    let mut verdicts = Vec::new();
    for role in wanted.roles().iter().filter(|r| !r.builtin) {
        verdicts.push((role.reference(), policy.can_create_role(&user, role)));
    }
    for b in wanted.bindings() {
        verdicts.push((b.reference(), policy.can_create_binding(&user, b)));
    }
    if verdicts.is_empty() {
        bail!(
            "no Role, ClusterRole, RoleBinding or ClusterRoleBinding in {}: name the file holding the objects to create",
            a.objects
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    match a.output {
        Output::Json => term::print_json(&render::can_create_json(&verdicts))?,
        Output::Text => term::print(&render::can_create(&verdicts, g.color()))?,
    }
    Ok(if verdicts.iter().all(|(_, e)| e.allowed) {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse() {
        let s = parse_subject("ServiceAccount:team:ci").unwrap();
        assert_eq!(
            (s.kind.as_str(), s.namespace.as_str(), s.name.as_str()),
            ("ServiceAccount", "team", "ci")
        );
        assert_eq!(
            parse_subject("Group:system:masters").unwrap().name,
            "system:masters"
        );
        assert!(parse_subject("Robot:x").is_err());
        assert!(parse_subject("ServiceAccount:ci").is_err());
    }
}
