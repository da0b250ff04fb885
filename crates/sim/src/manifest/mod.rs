//! Manifests: multi-document YAML and JSON into typed Kubernetes objects.
//!
//! [`parse_str`] reads every document of a file. A document that cannot be
//! read at all (a syntax error, a kind kubeprep does not know) is left out
//! and reported as a [`Problem`]; a document that can be read but that the
//! API server would reject (an unknown field, a missing required field, a
//! selector that does not match its template) is kept, typed, and its
//! problems are reported beside it.

use std::fmt;
use std::sync::Arc;

mod defaults;
pub mod path;
mod read;
pub mod schema;
mod validate;
pub mod yaml;

pub use read::{REMOVED_VERSIONS, SKIPPED_KINDS};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// One Kubernetes object of a kind the simulator knows.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Object {
    Deployment(Box<Deployment>),
    ReplicaSet(Box<ReplicaSet>),
    StatefulSet(Box<StatefulSet>),
    Service(Box<Service>),
    HorizontalPodAutoscaler(Box<HorizontalPodAutoscaler>),
    PodDisruptionBudget(Box<PodDisruptionBudget>),
    CronJob(Box<CronJob>),
    Job(Box<Job>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
    Namespace(Box<Namespace>),
    ServiceAccount(Box<ServiceAccount>),
    Role(Box<Role>),
    ClusterRole(Box<ClusterRole>),
    RoleBinding(Box<RoleBinding>),
    ClusterRoleBinding(Box<ClusterRoleBinding>),
    NetworkPolicy(Box<NetworkPolicy>),
}

macro_rules! each_kind {
    ($self:expr, $o:ident => $e:expr) => {
        match $self {
            Object::Deployment($o) => $e,
            Object::ReplicaSet($o) => $e,
            Object::StatefulSet($o) => $e,
            Object::Service($o) => $e,
            Object::HorizontalPodAutoscaler($o) => $e,
            Object::PodDisruptionBudget($o) => $e,
            Object::CronJob($o) => $e,
            Object::Job($o) => $e,
            Object::ConfigMap($o) => $e,
            Object::Secret($o) => $e,
            Object::Namespace($o) => $e,
            Object::ServiceAccount($o) => $e,
            Object::Role($o) => $e,
            Object::ClusterRole($o) => $e,
            Object::RoleBinding($o) => $e,
            Object::ClusterRoleBinding($o) => $e,
            Object::NetworkPolicy($o) => $e,
        }
    };
}

/// The kinds [`Object`] holds, as `(apiVersion, kind)`.
pub const KINDS: &[(&str, &str)] = &[
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "StatefulSet"),
    ("v1", "Service"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("policy/v1", "PodDisruptionBudget"),
    ("batch/v1", "CronJob"),
    ("batch/v1", "Job"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Namespace"),
    ("v1", "ServiceAccount"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
];

impl Object {
    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        each_kind!(self, o => &o.metadata)
    }

    /// The object's kind, e.g. `Deployment`.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Deployment(_) => "Deployment",
            Object::ReplicaSet(_) => "ReplicaSet",
            Object::StatefulSet(_) => "StatefulSet",
            Object::Service(_) => "Service",
            Object::HorizontalPodAutoscaler(_) => "HorizontalPodAutoscaler",
            Object::PodDisruptionBudget(_) => "PodDisruptionBudget",
            Object::CronJob(_) => "CronJob",
            Object::Job(_) => "Job",
            Object::ConfigMap(_) => "ConfigMap",
            Object::Secret(_) => "Secret",
            Object::Namespace(_) => "Namespace",
            Object::ServiceAccount(_) => "ServiceAccount",
            Object::Role(_) => "Role",
            Object::ClusterRole(_) => "ClusterRole",
            Object::RoleBinding(_) => "RoleBinding",
            Object::ClusterRoleBinding(_) => "ClusterRoleBinding",
            Object::NetworkPolicy(_) => "NetworkPolicy",
        }
    }

    /// `metadata.name`, or "" when it is missing (reported as a problem).
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// `metadata.namespace`, if written.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata().namespace.as_deref()
    }

    /// `Kind/name`, as kubectl names objects.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }
}

/// One object read from a file, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The typed object, with API defaults applied.
    pub object: Object,
    /// The file it was read from, as given.
    pub file: String,
    /// The 1-based line where the document starts.
    pub line: usize,
    /// The 0-based position of the document in its file.
    pub index: usize,
    /// The document as written, with positions, for [`Document::locate`].
    tree: Option<Arc<yaml::Node>>,
}

impl Document {
    /// The 1-based (line, column) where the field at `path` (for example
    /// `spec.template.spec.containers[0].image`) is written: the key of a
    /// mapping entry, the item of a list. `None` when the document does not
    /// write that field (defaults are not located).
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let path = path::FieldPath::parse(path)?;
        let (pos, exact) = read::locate(self.tree.as_deref()?, &path);
        exact.then_some(pos)
    }

    /// Like [`Document::locate`], but falls back to the nearest written
    /// ancestor (where a missing field would go), and to the document's start.
    pub fn locate_nearest(&self, path: &str) -> (usize, usize) {
        let parsed = path::FieldPath::parse(path);
        match (self.tree.as_deref(), parsed) {
            (Some(tree), Some(p)) => read::locate(tree, &p).0,
            _ => (self.line, 1),
        }
    }
}

/// A document of a real Kubernetes kind that kubeprep does not simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file, as given.
    pub file: String,
    /// The 1-based line where the document starts.
    pub line: usize,
    /// `apiVersion` as written.
    pub api_version: String,
    /// The kind, e.g. `PersistentVolumeClaim`.
    pub kind: String,
    /// `metadata.name`, or "".
    pub name: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}/{} skipped: kubeprep does not simulate {} objects",
            self.file, self.line, self.kind, self.name, self.kind
        )
    }
}

/// What is wrong with a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not YAML or JSON, or too large, deep or aliased to read safely.
    Syntax,
    /// `apiVersion`/`kind` missing or not one kubeprep knows.
    UnknownKind,
    /// A field the object's schema does not have (the API server rejects it).
    UnknownField,
    /// A required field is missing.
    MissingField,
    /// A value the API server would refuse.
    Invalid,
}

/// A problem in a manifest, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The file, as given.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The object, as `Kind/name`, when known.
    pub object: Option<String>,
    /// The field path, e.g. `spec.template.spec.minReadySeconds`; empty for the document.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is a specific fix.
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(o) = &self.object {
            write!(f, "{o}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// The result of reading one or more files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The objects that could be read, in file order.
    pub documents: Vec<Document>,
    /// Everything wrong with the input.
    pub problems: Vec<Problem>,
    /// Documents of kinds kubeprep reads past without simulating.
    pub skipped: Vec<Skipped>,
}

impl Parsed {
    /// The objects, in file order.
    pub fn objects(&self) -> impl Iterator<Item = &Object> {
        self.documents.iter().map(|d| &d.object)
    }

    /// Appends another file's result.
    pub fn extend(&mut self, other: Parsed) {
        self.documents.extend(other.documents);
        self.problems.extend(other.problems);
        self.skipped.extend(other.skipped);
    }
}

/// Inputs larger than this are refused (the CLI refuses them earlier, at the same size).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Reads every document in `text` (YAML, possibly several documents, JSON, or
/// a `v1` `List`), checks each as the API server would on create, and applies
/// the API defaults. `file` names the input in problems.
pub fn parse_str(file: &str, text: &str) -> Parsed {
    let mut out = Parsed::default();
    if text.len() > MAX_BYTES {
        out.problems.push(Problem {
            kind: ProblemKind::Syntax,
            file: file.to_string(),
            line: None,
            column: None,
            object: None,
            path: String::new(),
            message: format!(
                "the input is larger than {} MB; split it into several files",
                MAX_BYTES / 1024 / 1024
            ),
            hint: None,
        });
        return out;
    }
    let (docs, error) = yaml::parse(text);
    let (docs, error) = match error {
        // JSON that YAML refuses (tabs, for one) is still JSON.
        Some(e) if text.trim_start().starts_with(['{', '[']) => {
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => {
                    let line = text.len() - text.trim_start().len();
                    let line = text[..line].matches('\n').count() + 1;
                    (vec![Some(yaml::Node::from_json(&v, line))], None)
                }
                Err(_) => (docs, Some(e)),
            }
        }
        other => (docs, other),
    };
    let mut index = 0;
    let written = docs.into_iter().flatten();
    for doc in written.filter(|d| d.value != yaml::Value::Null) {
        read::document(file, Arc::new(doc), &mut index, &mut out);
    }
    if let Some(e) = error {
        out.problems.push(Problem {
            kind: ProblemKind::Syntax,
            file: file.to_string(),
            line: Some(e.line),
            column: Some(e.column),
            object: None,
            path: String::new(),
            message: e.message,
            hint: None,
        });
    }
    out
}
