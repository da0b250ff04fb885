//! One YAML document into a typed object: kind resolution, strict decoding
//! (unknown fields, wrong types, missing required fields), then defaults and
//! validation, each problem located in the written document.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use super::path::{FieldPath, Segment};
use super::yaml::{Node, Value};
use super::{defaults, schema, validate};
use super::{Document, Object, Parsed, Problem, ProblemKind, Skipped, KINDS};

/// Real Kubernetes kinds that kubeprep reads past with a notice.
pub const SKIPPED_KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "DaemonSet",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "StorageClass",
    "VolumeAttachment",
    "CSIDriver",
    "CSINode",
    "Ingress",
    "IngressClass",
    "Endpoints",
    "EndpointSlice",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "RuntimeClass",
    "Lease",
    "Event",
    "Node",
    "ControllerRevision",
    "CustomResourceDefinition",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ServiceCIDR",
    "IPAddress",
];

/// API versions that are no longer served, as
/// `(apiVersion, kind, removed in, version to use)`.
pub const REMOVED_VERSIONS: &[(&str, &str, &str, &str)] = &[
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "Deployment", "1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", "1.16", "apps/v1"),
    ("apps/v1beta1", "StatefulSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "StatefulSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "1.16", "apps/v1"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        "1.16",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "1.25",
        "autoscaling/v2",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "1.26",
        "autoscaling/v2",
    ),
];

/// Most repairs (a missing required field filled in, a float quantity
/// quoted) tried on one document before giving up.
const MAX_REPAIRS: usize = 64;

macro_rules! by_kind {
    ($kind:expr, $t:ident, $wrap:ident => $e:expr, _ => $other:expr) => {
        match $kind {
            "Deployment" => by_kind!(@ $t, $wrap, Deployment, $e),
            "ReplicaSet" => by_kind!(@ $t, $wrap, ReplicaSet, $e),
            "StatefulSet" => by_kind!(@ $t, $wrap, StatefulSet, $e),
            "Service" => by_kind!(@ $t, $wrap, Service, $e),
            "HorizontalPodAutoscaler" => by_kind!(@ $t, $wrap, HorizontalPodAutoscaler, $e),
            "PodDisruptionBudget" => by_kind!(@ $t, $wrap, PodDisruptionBudget, $e),
            "CronJob" => by_kind!(@ $t, $wrap, CronJob, $e),
            "Job" => by_kind!(@ $t, $wrap, Job, $e),
            "ConfigMap" => by_kind!(@ $t, $wrap, ConfigMap, $e),
            "Secret" => by_kind!(@ $t, $wrap, Secret, $e),
            "Namespace" => by_kind!(@ $t, $wrap, Namespace, $e),
            "ServiceAccount" => by_kind!(@ $t, $wrap, ServiceAccount, $e),
            "Role" => by_kind!(@ $t, $wrap, Role, $e),
            "ClusterRole" => by_kind!(@ $t, $wrap, ClusterRole, $e),
            "RoleBinding" => by_kind!(@ $t, $wrap, RoleBinding, $e),
            "ClusterRoleBinding" => by_kind!(@ $t, $wrap, ClusterRoleBinding, $e),
            "NetworkPolicy" => by_kind!(@ $t, $wrap, NetworkPolicy, $e),
            _ => $other,
        }
    };
    (@ $t:ident, $wrap:ident, $ty:ident, $e:expr) => {{
        type $t = $ty;
        #[allow(unused_variables)]
        let $wrap = |x: $ty| Object::$ty(Box::new(x));
        $e
    }};
}

impl Object {
    /// Runs the schema probe over the type of `kind`.
    pub(super) fn probe(kind: &str, probe: schema::Probe<'_>) -> Result<(), String> {
        use serde::Deserialize;
        by_kind!(kind, T, _w => T::deserialize(probe).map(drop).map_err(|e| e.to_string()),
            _ => Err(format!("no kind {kind}")))
    }
}

struct Ctx<'a> {
    file: &'a str,
    tree: &'a Node,
    object: Option<String>,
    out: &'a mut Parsed,
}

impl Ctx<'_> {
    fn problem(
        &mut self,
        kind: ProblemKind,
        path: &FieldPath,
        message: String,
        hint: Option<String>,
    ) {
        let ((line, column), _) = locate(self.tree, path);
        self.out.problems.push(Problem {
            kind,
            file: self.file.to_string(),
            line: Some(line),
            column: Some(column),
            object: self.object.clone(),
            path: path.to_string(),
            message,
            hint,
        });
    }
}

/// Reads one document (or each item of a `v1` `List`) into `out`.
pub(super) fn document(file: &str, tree: Arc<Node>, index: &mut usize, out: &mut Parsed) {
    let this = *index;
    *index += 1;
    let mut cx = Ctx {
        file,
        tree: &tree,
        object: None,
        out,
    };
    let root = FieldPath::default();
    if !matches!(tree.value, Value::Map(_)) {
        let what = tree.value.describe();
        cx.problem(
            ProblemKind::Syntax,
            &root,
            format!("a manifest must be a mapping with apiVersion and kind, not {what}"),
            None,
        );
        return;
    }
    let text = |key: &str| tree.get(key).map(|e| &e.value.value);
    let kind = match text("kind") {
        Some(Value::Str(k)) if !k.is_empty() => k.clone(),
        Some(Value::Str(_)) | Some(Value::Null) | None => {
            cx.problem(
                ProblemKind::UnknownKind,
                &root.key("kind"),
                "Required value: kind is missing".into(),
                Some("write the object's kind, e.g. `kind: Deployment`".into()),
            );
            return;
        }
        Some(other) => {
            let what = other.describe();
            cx.problem(
                ProblemKind::UnknownKind,
                &root.key("kind"),
                format!("kind must be a string, not {what}"),
                None,
            );
            return;
        }
    };
    let api_version = match text("apiVersion") {
        Some(Value::Str(v)) => v.clone(),
        _ => String::new(),
    };
    let name = match tree.get("metadata").and_then(|m| m.value.get("name")) {
        Some(e) => match &e.value.value {
            Value::Str(s) => s.clone(),
            _ => String::new(),
        },
        None => String::new(),
    };
    cx.object = Some(format!("{kind}/{name}"));

    if kind == "List" && (api_version == "v1" || api_version.is_empty()) {
        match tree.get("items").map(|e| &e.value) {
            Some(Node {
                value: Value::Seq(items),
                ..
            }) => {
                *index = this;
                for item in items {
                    document(file, Arc::new(item.clone()), index, out);
                }
            }
            Some(Node {
                value: Value::Null, ..
            }) => {}
            _ => cx.problem(
                ProblemKind::Syntax,
                &root.key("items"),
                "a List needs `items`, a list of objects".into(),
                None,
            ),
        }
        return;
    }

    let known = KINDS.iter().find(|(_, k)| *k == kind);
    let Some(&(want_version, _)) = known else {
        if SKIPPED_KINDS.contains(&kind.as_str()) {
            cx.out.skipped.push(Skipped {
                file: file.to_string(),
                line: tree.line,
                api_version,
                kind,
                name,
            });
            return;
        }
        let names = KINDS
            .iter()
            .map(|(_, k)| *k)
            .chain(SKIPPED_KINDS.iter().copied());
        let hint = schema::closest(&kind, names).map(|k| format!("did you mean `{k}`?"));
        let hint = hint.or_else(|| {
            Some("kubeprep reads Deployment, StatefulSet, Service, HorizontalPodAutoscaler, RBAC and the other kinds listed by `kubeprep check --help`".into())
        });
        cx.problem(
            ProblemKind::UnknownKind,
            &root.key("kind"),
            format!("unknown kind {kind:?}"),
            hint,
        );
        return;
    };
    if api_version != want_version {
        let (message, hint) = if api_version.is_empty() {
            (
                "Required value: apiVersion is missing".to_string(),
                format!("write `apiVersion: {want_version}`"),
            )
        } else if let Some((_, _, removed, to)) = REMOVED_VERSIONS
            .iter()
            .find(|(v, k, _, _)| *v == api_version && *k == kind)
        {
            (
                format!(
                    "{api_version} {kind} is no longer served (removed in Kubernetes {removed})"
                ),
                format!("use `apiVersion: {to}`"),
            )
        } else {
            (
                format!("kubeprep reads {kind} as {want_version}, not {api_version:?}"),
                format!("use `apiVersion: {want_version}`"),
            )
        };
        cx.problem(
            ProblemKind::UnknownKind,
            &root.key("apiVersion"),
            message,
            Some(hint),
        );
        return;
    }

    let json = tree.to_json();
    let start = cx.out.problems.len();
    let object =
        by_kind!(kind.as_str(), T, wrap => decode::<T>(&mut cx, &kind, json).map(wrap), _ => None);
    let Some(mut object) = object else { return };
    defaults::apply(&mut object);
    let missing: Vec<String> = cx.out.problems[start..]
        .iter()
        .filter(|p| p.kind == ProblemKind::MissingField)
        .map(|p| p.path.clone())
        .collect();
    let written = |p: &str| FieldPath::parse(p).is_some_and(|p| locate(&tree, &p).1);
    let violations = validate::check(&object, &written);
    let mut missing = missing;
    missing.extend(
        violations
            .iter()
            .filter(|v| v.kind == ProblemKind::MissingField)
            .map(|v| v.path.to_string()),
    );
    for v in violations {
        // A field already reported missing is not also reported invalid.
        let shown = v.path.to_string();
        let under =
            |m: &String| shown.starts_with(&format!("{m}.")) || shown.starts_with(&format!("{m}["));
        let same = |m: &String| *m == shown && v.kind != ProblemKind::MissingField;
        if missing.iter().any(|m| same(m) || under(m)) {
            continue;
        }
        cx.problem(v.kind, &v.path, v.message, v.hint);
    }
    cx.out.documents.push(Document {
        object,
        file: file.to_string(),
        line: tree.line,
        index: this,
        tree: Some(tree.clone()),
    });
}

/// Strict decoding: unknown fields are problems, missing required fields are
/// problems (and filled with empty values so the rest can be checked), a
/// wrong type is a problem that stops this document.
fn decode<T: DeserializeOwned>(cx: &mut Ctx<'_>, kind: &str, mut json: Json) -> Option<T> {
    for _ in 0..MAX_REPAIRS {
        let mut ignored = Vec::new();
        let result: Result<T, _> = {
            let mut record = |p: serde_ignored::Path<'_>| ignored.push(ignored_path(&p));
            let de = serde_ignored::Deserializer::new(json.clone(), &mut record);
            serde_path_to_error::deserialize(de)
        };
        match result {
            Ok(v) => {
                for path in ignored {
                    let hint = schema::suggest(kind, &path);
                    cx.problem(
                        ProblemKind::UnknownField,
                        &path,
                        format!("unknown field \"{path}\""),
                        hint,
                    );
                }
                return Some(v);
            }
            Err(e) => {
                let path = error_path(e.path());
                let message = e.inner().to_string();
                if let Some(field) = missing_field(&message) {
                    let at = path.key(field);
                    if !fill(&mut json, &at, Json::Object(Default::default())) {
                        break;
                    }
                    cx.problem(
                        ProblemKind::MissingField,
                        &at,
                        "Required value".into(),
                        None,
                    );
                    continue;
                }
                if let Some(repaired) = repair(&json, &path, &message) {
                    fill(&mut json, &path, repaired);
                    continue;
                }
                cx.problem(ProblemKind::Invalid, &path, tidy(&message), None);
                return None;
            }
        }
    }
    cx.problem(
        ProblemKind::Invalid,
        &FieldPath::default(),
        "too many problems in this document to read it".into(),
        None,
    );
    None
}

/// A replacement for a value the API server accepts but the typed reader
/// does not: a float quantity (`cpu: 0.5`), or an empty placeholder that
/// was filled in for a missing field and has the wrong shape.
fn repair(json: &Json, path: &FieldPath, message: &str) -> Option<Json> {
    let current = get(json, path)?;
    if message.contains("expected Quantity") {
        if let Json::Number(n) = current {
            return Some(Json::String(n.to_string()));
        }
    }
    if current == &Json::Object(Default::default()) && message.starts_with("invalid type: map") {
        if message.contains("expected a string") {
            return Some(Json::String(String::new()));
        }
        if message.contains("expected a sequence") {
            return Some(Json::Array(Vec::new()));
        }
        if message.contains("expected i32") || message.contains("expected i64") {
            return Some(Json::from(0));
        }
        if message.contains("expected a boolean") {
            return Some(Json::Bool(false));
        }
    }
    None
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

fn tidy(message: &str) -> String {
    let m = message
        .replace("expected i32", "expected an integer")
        .replace("expected i64", "expected an integer")
        .replace("expected a sequence", "expected a list")
        .replace("expected a map", "expected a mapping");
    format!("Invalid value: {m}")
}

fn get<'a>(json: &'a Json, path: &FieldPath) -> Option<&'a Json> {
    let mut cur = json;
    for seg in &path.0 {
        cur = match seg {
            Segment::Key(k) => cur.get(k)?,
            Segment::Index(i) => cur.get(i)?,
        };
    }
    Some(cur)
}

/// Sets the value at `path`, creating the last key; false when the parent is missing.
fn fill(json: &mut Json, path: &FieldPath, value: Json) -> bool {
    let Some((last, parents)) = path.0.split_last() else {
        return false;
    };
    let mut cur = json;
    for seg in parents {
        let next = match seg {
            Segment::Key(k) => cur.get_mut(k),
            Segment::Index(i) => cur.get_mut(*i),
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    match (last, cur) {
        (Segment::Key(k), Json::Object(m)) => {
            m.insert(k.clone(), value);
            true
        }
        (Segment::Index(i), Json::Array(a)) if *i < a.len() => {
            a[*i] = value;
            true
        }
        _ => false,
    }
}

fn ignored_path(p: &serde_ignored::Path<'_>) -> FieldPath {
    use serde_ignored::Path as P;
    let mut segs = Vec::new();
    let mut cur = p;
    loop {
        match cur {
            P::Root => break,
            P::Seq { parent, index } => {
                segs.push(Segment::Index(*index));
                cur = parent;
            }
            P::Map { parent, key } => {
                segs.push(Segment::Key(key.clone()));
                cur = parent;
            }
            P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
                cur = parent
            }
        }
    }
    segs.reverse();
    FieldPath(segs)
}

fn error_path(p: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment as S;
    FieldPath(
        p.iter()
            .filter_map(|s| match s {
                S::Seq { index } => Some(Segment::Index(*index)),
                S::Map { key } => Some(Segment::Key(key.clone())),
                S::Enum { variant } => Some(Segment::Key(variant.clone())),
                _ => None,
            })
            .collect(),
    )
}

/// The position of `path` in `tree`, and whether it is written there (when
/// not, the position is that of the nearest written ancestor).
pub(super) fn locate(tree: &Node, path: &FieldPath) -> ((usize, usize), bool) {
    let mut pos = (tree.line, tree.column);
    let mut cur = tree;
    for seg in &path.0 {
        let next = match (seg, &cur.value) {
            (Segment::Key(k), Value::Map(entries)) => entries
                .iter()
                .find(|e| &e.key == k)
                .map(|e| ((e.line, e.column), &e.value)),
            (Segment::Index(i), Value::Seq(items)) => {
                items.get(*i).map(|n| ((n.line, n.column), n))
            }
            _ => None,
        };
        match next {
            Some((p, n)) => {
                pos = p;
                cur = n;
            }
            None => return (pos, false),
        }
    }
    (pos, true)
}
