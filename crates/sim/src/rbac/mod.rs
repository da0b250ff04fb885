//! RBAC: Kubernetes' authorizer over the Roles and bindings in the files,
//! answering `can-i`, `who-can`, a permission matrix, the escalation checks
//! for creating roles and bindings, and least-privilege findings.
//!
//! The decision follows `plugin/pkg/auth/authorizer/rbac/rbac.go`: deny by
//! default; ClusterRoleBindings first, then the RoleBindings of the request's
//! namespace; the first rule that allows ends the search. This module does no
//! I/O: a caller hands it parsed objects.

pub mod builtin;
mod findings;
mod matrix;
pub mod resources;
pub mod rule;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use crate::manifest::{Document, Object};

pub use findings::findings;
pub use matrix::{
    matrix, subjects, user_for, Cell, Matrix, MatrixRow, Permission, KEY_PERMISSIONS,
};
pub use rule::{covers, Rule, Target};

/// The group the API server authorizes for everything, before RBAC.
pub const SYSTEM_MASTERS: &str = "system:masters";
/// The group every authenticated user is in.
pub const AUTHENTICATED: &str = "system:authenticated";
/// The API group of Roles and bindings.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Where an object was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The file, when known.
    pub file: Option<String>,
    /// The 1-based line of the document, when known.
    pub line: Option<usize>,
}

/// Role or ClusterRole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RoleKind {
    /// A namespaced Role.
    Role,
    /// A cluster-wide ClusterRole.
    ClusterRole,
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        })
    }
}

/// A label selector of an `aggregationRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// `matchLabels`.
    pub labels: BTreeMap<String, String>,
    /// `matchExpressions` as (key, operator, values).
    pub expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    /// Whether labels satisfy the selector (an empty selector matches all).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self
                .expressions
                .iter()
                .all(|(k, op, values)| match op.as_str() {
                    "In" => labels.get(k).is_some_and(|v| values.contains(v)),
                    "NotIn" => labels.get(k).is_none_or(|v| !values.contains(v)),
                    "Exists" => labels.contains_key(k),
                    "DoesNotExist" => !labels.contains_key(k),
                    _ => false,
                })
    }
}

/// A Role or ClusterRole with its rules (after aggregation).
#[derive(Debug, Clone, PartialEq)]
pub struct RoleDef {
    /// Role or ClusterRole.
    pub kind: RoleKind,
    /// The namespace of a Role; "" for a ClusterRole.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// Its rules; for an aggregated ClusterRole, the collected rules.
    pub rules: Vec<Rule>,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `aggregationRule.clusterRoleSelectors`, when present.
    pub aggregation: Option<Vec<Selector>>,
    /// A built-in ClusterRole (`cluster-admin`, `admin`, `edit`, `view`)
    /// known by name, not defined in the files.
    pub builtin: bool,
    /// Where it was written.
    pub source: Source,
}

impl RoleDef {
    /// `Role/ns/name` or `ClusterRole/name`.
    pub fn reference(&self) -> String {
        match self.kind {
            RoleKind::Role => format!("Role/{}/{}", self.namespace, self.name),
            RoleKind::ClusterRole => format!("ClusterRole/{}", self.name),
        }
    }
}

/// A subject of a binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount` (other kinds never match).
    pub kind: String,
    /// The name.
    pub name: String,
    /// A ServiceAccount's namespace as written ("" when absent).
    pub namespace: String,
}

impl Subject {
    /// The username a ServiceAccount subject matches in a binding of this
    /// namespace, or None (an empty namespace never matches).
    pub fn service_account_username(&self, binding_namespace: &str) -> Option<String> {
        let ns = if self.namespace.is_empty() {
            binding_namespace
        } else {
            &self.namespace
        };
        (!ns.is_empty()).then(|| format!("system:serviceaccount:{ns}:{}", self.name))
    }

    /// `appliesTo` for one subject: whether it names this user in a binding
    /// of `binding_namespace` ("" for a ClusterRoleBinding).
    pub fn applies_to(&self, user: &UserInfo, binding_namespace: &str) -> bool {
        match self.kind.as_str() {
            "User" => user.name == self.name,
            "Group" => user.groups.contains(&self.name),
            "ServiceAccount" => {
                let ns = if self.namespace.is_empty() {
                    binding_namespace
                } else {
                    &self.namespace
                };
                !ns.is_empty() && service_account_matches(&user.name, ns, &self.name)
            }
            _ => false,
        }
    }

    /// How the API server describes the subject: `User "alice"`,
    /// `ServiceAccount "name/ns"`.
    pub fn describe(&self, binding_namespace: &str) -> String {
        if self.kind == "ServiceAccount" {
            let ns = if self.namespace.is_empty() {
                binding_namespace
            } else {
                &self.namespace
            };
            format!("{} {:?}", self.kind, format!("{}/{}", self.name, ns))
        } else {
            format!("{} {:?}", self.kind, self.name)
        }
    }
}

fn service_account_matches(username: &str, ns: &str, name: &str) -> bool {
    // "system:serviceaccount:" + ns + ":" + name, compared without allocating.
    let Some(rest) = username.strip_prefix("system:serviceaccount:") else {
        return false;
    };
    rest.len() == ns.len() + 1 + name.len()
        && rest.starts_with(ns)
        && rest.as_bytes()[ns.len()] == b':'
        && rest.ends_with(name)
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The namespace of a RoleBinding; None for a ClusterRoleBinding.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// `roleRef.kind` as written (`Role` or `ClusterRole`).
    pub role_kind: String,
    /// `roleRef.name`.
    pub role_name: String,
    /// The subjects.
    pub subjects: Vec<Subject>,
    /// Where it was written.
    pub source: Source,
}

impl Binding {
    /// `ClusterRoleBinding` or `RoleBinding`.
    pub fn kind(&self) -> &'static str {
        if self.namespace.is_some() {
            "RoleBinding"
        } else {
            "ClusterRoleBinding"
        }
    }

    /// The binding's namespace, "" for a ClusterRoleBinding.
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    /// `RoleBinding/ns/name` or `ClusterRoleBinding/name`.
    pub fn reference(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("RoleBinding/{ns}/{}", self.name),
            None => format!("ClusterRoleBinding/{}", self.name),
        }
    }

    /// How the API server describes a grant through this binding.
    pub fn describe(&self, subject: &Subject) -> String {
        let name = match &self.namespace {
            Some(ns) => format!("{}/{ns}", self.name),
            None => self.name.clone(),
        };
        format!(
            "{} {:?} of {} {:?} to {}",
            self.kind(),
            name,
            self.role_kind,
            self.role_name,
            subject.describe(self.ns())
        )
    }

    /// The message the API server gives when the role is missing.
    fn missing_role(&self) -> String {
        match self.role_kind.as_str() {
            "Role" => format!(
                "role.rbac.authorization.k8s.io {:?} not found",
                self.role_name
            ),
            "ClusterRole" => format!(
                "clusterrole.rbac.authorization.k8s.io {:?} not found",
                self.role_name
            ),
            other => format!("unsupported role reference kind: {other:?}"),
        }
    }

    fn from_parts(
        namespace: Option<String>,
        name: &str,
        role_ref: &k8s_openapi::api::rbac::v1::RoleRef,
        subjects: Option<&Vec<k8s_openapi::api::rbac::v1::Subject>>,
        source: Source,
    ) -> Binding {
        Binding {
            namespace,
            name: name.to_string(),
            role_kind: role_ref.kind.clone(),
            role_name: role_ref.name.clone(),
            subjects: subjects
                .map(|s| {
                    s.iter()
                        .map(|s| Subject {
                            kind: s.kind.clone(),
                            name: s.name.clone(),
                            namespace: s.namespace.clone().unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            source,
        }
    }
}

/// The user a request is made as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    /// The username.
    pub name: String,
    /// The groups.
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The user `kubectl --as NAME --as-group G...` impersonates: a
    /// `system:serviceaccount:NS:NAME` user without explicit groups gets
    /// `system:serviceaccounts` and `system:serviceaccounts:NS`; every user
    /// but `system:anonymous` gets `system:authenticated` (the anonymous user
    /// gets `system:unauthenticated`).
    pub fn impersonated(name: &str, groups: &[String]) -> UserInfo {
        let mut all: Vec<String> = groups.to_vec();
        if groups.is_empty() {
            if let Some(ns) = service_account_namespace(name) {
                all.push("system:serviceaccounts".into());
                all.push(format!("system:serviceaccounts:{ns}"));
            }
        }
        let implied = if name == "system:anonymous" {
            "system:unauthenticated"
        } else {
            AUTHENTICATED
        };
        if !all.iter().any(|g| g == implied) {
            all.push(implied.into());
        }
        UserInfo {
            name: name.to_string(),
            groups: all,
        }
    }
}

/// The namespace of a `system:serviceaccount:NS:NAME` username.
pub fn service_account_namespace(username: &str) -> Option<&str> {
    let rest = username.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some(ns)
}

/// One authorization question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes {
    /// Who asks.
    pub user: UserInfo,
    /// The verb (`get`, `list`, `create`, `bind`, ...).
    pub verb: String,
    /// What for.
    pub target: Target,
}

/// What allowed a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// `RoleBinding/ns/name` or `ClusterRoleBinding/name`.
    pub binding: String,
    /// `Role/ns/name` or `ClusterRole/name`.
    pub role: String,
    /// The first subject of the binding that matched the user.
    pub subject: Subject,
}

/// The answer to an authorization question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Allowed or not (RBAC never denies explicitly; "not" is no opinion).
    pub allowed: bool,
    /// The API server's reason: `RBAC: allowed by ClusterRoleBinding "x" of
    /// ClusterRole "y" to User "z"`; on a denial, the role-resolution errors
    /// of the bindings that named the user, or "".
    pub reason: String,
    /// The binding that allowed it, when RBAC did.
    pub grant: Option<Grant>,
}

/// FNV-1a: the index keys are short names, hashed a million times a second;
/// SipHash's flooding resistance buys nothing for a policy read from files.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

#[derive(Debug, Default, Clone)]
struct SubjectIndex {
    /// Bindings by the username a User or ServiceAccount subject matches.
    by_user: FastMap<String, Vec<u32>>,
    /// Bindings by a Group subject's name.
    by_group: FastMap<String, Vec<u32>>,
}

impl SubjectIndex {
    fn add(&mut self, i: u32, b: &Binding) {
        for s in &b.subjects {
            let (map, key) = match s.kind.as_str() {
                "User" => (&mut self.by_user, s.name.clone()),
                "Group" => (&mut self.by_group, s.name.clone()),
                "ServiceAccount" => match s.service_account_username(b.ns()) {
                    Some(u) => (&mut self.by_user, u),
                    None => continue,
                },
                _ => continue,
            };
            let list = map.entry(key).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }

    /// The bindings that may name this user, in file order: one index list
    /// as it is, several merged into `scratch`.
    fn candidates<'s>(&'s self, user: &UserInfo, scratch: &'s mut Vec<u32>) -> &'s [u32] {
        let mut lists = std::iter::once(self.by_user.get(&user.name))
            .chain(user.groups.iter().map(|g| self.by_group.get(g)))
            .flatten()
            .filter(|l| !l.is_empty());
        let Some(first) = lists.next() else {
            return &[];
        };
        let Some(second) = lists.next() else {
            return first;
        };
        scratch.clear();
        scratch.extend_from_slice(first);
        scratch.extend_from_slice(second);
        for l in lists {
            scratch.extend_from_slice(l);
        }
        scratch.sort_unstable();
        scratch.dedup();
        scratch
    }
}

/// The RBAC policy of a set of files: roles, bindings and indexes.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    roles: Vec<RoleDef>,
    bindings: Vec<Binding>,
    /// For each binding, the index of its role in `roles`, if it resolves.
    resolved: Vec<Option<usize>>,
    cluster_roles_by_name: HashMap<String, usize>,
    roles_by_key: HashMap<(String, String), usize>,
    cluster_index: SubjectIndex,
    namespace_index: FastMap<String, SubjectIndex>,
    namespaces: Vec<String>,
}

fn rules_of(rules: Option<&Vec<k8s_openapi::api::rbac::v1::PolicyRule>>) -> Vec<Rule> {
    rules
        .map(|rs| {
            rs.iter()
                .map(|r| Rule {
                    verbs: r.verbs.clone(),
                    api_groups: r.api_groups.clone().unwrap_or_default(),
                    resources: r.resources.clone().unwrap_or_default(),
                    resource_names: r.resource_names.clone().unwrap_or_default(),
                    non_resource_urls: r.non_resource_urls.clone().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The namespace of a namespaced object written without one, as
/// `kubectl apply` without `-n` would put it.
pub const DEFAULT_NAMESPACE: &str = "default";

impl Policy {
    /// The policy of these objects (other kinds are ignored).
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Policy {
        let mut b = PolicyBuilder::default();
        for o in objects {
            b.add(o, Source::default());
        }
        b.build()
    }

    /// The policy of these documents, keeping where each object came from.
    pub fn from_documents<'a>(docs: impl IntoIterator<Item = &'a Document>) -> Policy {
        let mut b = PolicyBuilder::default();
        for d in docs {
            let source = Source {
                file: Some(d.file.clone()),
                line: Some(d.line),
            };
            b.add(&d.object, source);
        }
        b.build()
    }

    /// Every role, defined or built-in, in the order read.
    pub fn roles(&self) -> &[RoleDef] {
        &self.roles
    }

    /// Every binding, in the order read.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The role a binding refers to, if it exists.
    pub fn role_of(&self, binding: usize) -> Option<&RoleDef> {
        self.resolved
            .get(binding)
            .copied()
            .flatten()
            .map(|i| &self.roles[i])
    }

    /// The namespaces the policy mentions (Namespace objects, roles, bindings
    /// and ServiceAccount subjects), sorted.
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    /// Finds a role by kind, namespace ("" for a ClusterRole) and name.
    pub fn role(&self, kind: &str, namespace: &str, name: &str) -> Option<&RoleDef> {
        let i = match kind {
            "ClusterRole" => self.cluster_roles_by_name.get(name),
            "Role" => self
                .roles_by_key
                .get(&(namespace.to_string(), name.to_string())),
            _ => None,
        }?;
        Some(&self.roles[*i])
    }

    fn role_rules(&self, kind: &str, namespace: &str, name: &str) -> Option<Vec<Rule>> {
        if let Some(r) = self.role(kind, namespace, name) {
            return Some(r.rules.clone());
        }
        (kind == "ClusterRole")
            .then(|| builtin::rules(name))
            .flatten()
    }

    /// Visits the bindings that apply to `user` for a request in `namespace`,
    /// ClusterRoleBindings first, each with its first matching subject; stops
    /// when `visit` returns true.
    fn visit(
        &self,
        user: &UserInfo,
        namespace: &str,
        mut visit: impl FnMut(usize, &Subject) -> bool,
    ) {
        let mut scratch = Vec::new();
        let mut scopes: [Option<&SubjectIndex>; 2] = [Some(&self.cluster_index), None];
        if !namespace.is_empty() {
            scopes[1] = self.namespace_index.get(namespace);
        }
        for (scope, index) in scopes.iter().enumerate() {
            let Some(index) = index else { continue };
            let binding_ns = if scope == 0 { "" } else { namespace };
            for &i in index.candidates(user, &mut scratch) {
                let b = &self.bindings[i as usize];
                if let Some(s) = b.subjects.iter().find(|s| s.applies_to(user, binding_ns)) {
                    if visit(i as usize, s) {
                        return;
                    }
                }
            }
        }
    }

    /// The authorizer: Allow when a binding naming the user grants a rule
    /// that allows the request; members of `system:masters` are allowed
    /// everything, as the API server's privileged-group authorizer does.
    pub fn authorize(&self, a: &Attributes) -> Decision {
        if a.user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return Decision {
                allowed: true,
                reason: format!(
                    "allowed: {SYSTEM_MASTERS} is authorized for everything before RBAC"
                ),
                grant: None,
            };
        }
        let mut errors: Vec<String> = Vec::new();
        let mut grant = None;
        self.visit(&a.user, a.target.namespace(), |i, s| {
            let b = &self.bindings[i];
            let Some(role) = self.resolved[i] else {
                // An aggregate error reports each message once.
                let e = b.missing_role();
                if !errors.contains(&e) {
                    errors.push(e);
                }
                return false;
            };
            let allows = self.roles[role]
                .rules
                .iter()
                .any(|r| rule::rule_allows(r, &a.verb, &a.target));
            if allows {
                grant = Some((i, s.clone()));
            }
            allows
        });
        match grant {
            Some((i, subject)) => {
                let b = &self.bindings[i];
                Decision {
                    allowed: true,
                    reason: format!("RBAC: allowed by {}", b.describe(&subject)),
                    grant: Some(Grant {
                        binding: b.reference(),
                        role: self.role_of(i).map(RoleDef::reference).unwrap_or_default(),
                        subject,
                    }),
                }
            }
            None => Decision {
                allowed: false,
                reason: match errors.len() {
                    0 => String::new(),
                    1 => format!("RBAC: {}", errors[0]),
                    _ => format!("RBAC: [{}]", errors.join(", ")),
                },
                grant: None,
            },
        }
    }

    /// Whether the request is allowed: [`Policy::authorize`] without
    /// building the reason, for callers asking many questions.
    pub fn allows(&self, a: &Attributes) -> bool {
        if a.user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return true;
        }
        let mut allowed = false;
        self.visit(&a.user, a.target.namespace(), |i, _| {
            allowed = self.resolved[i].is_some_and(|r| {
                self.roles[r]
                    .rules
                    .iter()
                    .any(|r| rule::rule_allows(r, &a.verb, &a.target))
            });
            allowed
        });
        allowed
    }

    /// `RulesFor`: every rule granted to `user` in `namespace` (cluster-wide
    /// rules included), with the role-resolution errors met on the way.
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> (Vec<Rule>, Vec<String>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        self.visit(user, namespace, |i, _| {
            match self.resolved[i] {
                Some(r) => rules.extend(self.roles[r].rules.iter().cloned()),
                None => errors.push(self.bindings[i].missing_role()),
            }
            false
        });
        (rules, errors)
    }

    /// The subjects that may do `verb` on `target`, each with the binding
    /// that grants it: ClusterRoleBindings first, then the RoleBindings of
    /// the target's namespace. ServiceAccount subjects carry their resolved
    /// namespace. (`system:masters` is always allowed and not listed.)
    pub fn who_can(&self, verb: &str, target: &Target) -> Vec<Grant> {
        let ns = target.namespace();
        let mut out = Vec::new();
        for (i, b) in self.bindings.iter().enumerate() {
            let in_scope = match &b.namespace {
                None => true,
                Some(bns) => !ns.is_empty() && bns == ns,
            };
            if !in_scope {
                continue;
            }
            let Some(role) = self.resolved[i] else {
                continue;
            };
            if !self.roles[role]
                .rules
                .iter()
                .any(|r| rule::rule_allows(r, verb, target))
            {
                continue;
            }
            for s in &b.subjects {
                let subject = match s.kind.as_str() {
                    "User" | "Group" => s.clone(),
                    "ServiceAccount" => {
                        let nsd = if s.namespace.is_empty() {
                            b.ns()
                        } else {
                            &s.namespace
                        };
                        if nsd.is_empty() {
                            continue;
                        }
                        Subject {
                            namespace: nsd.to_string(),
                            ..s.clone()
                        }
                    }
                    _ => continue,
                };
                out.push(Grant {
                    binding: b.reference(),
                    role: self.roles[role].reference(),
                    subject,
                });
            }
        }
        out
    }

    /// Whether `user` may create or update this RoleBinding or
    /// ClusterRoleBinding (`rolebinding/policybased/storage.go`):
    /// `system:masters`, then `bind` on the referenced role, then
    /// holding every permission of the role in the binding's namespace.
    pub fn can_create_binding(&self, user: &UserInfo, binding: &Binding) -> Escalation {
        if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return Escalation::allowed(Via::SystemMasters);
        }
        let ns = binding.ns();
        let resource = match binding.role_kind.as_str() {
            "ClusterRole" => "clusterroles",
            "Role" => "roles",
            _ => "",
        };
        if !resource.is_empty() {
            let bind = Attributes {
                user: user.clone(),
                verb: "bind".into(),
                target: Target::Resource {
                    namespace: ns.to_string(),
                    api_group: RBAC_GROUP.into(),
                    resource: resource.into(),
                    subresource: String::new(),
                    name: binding.role_name.clone(),
                },
            };
            if self.authorize(&bind).allowed {
                return Escalation::allowed(Via::Bind);
            }
        }
        let plural = if binding.namespace.is_some() {
            "rolebindings"
        } else {
            "clusterrolebindings"
        };
        let forbidden = format!("{plural}.{RBAC_GROUP} {:?} is forbidden: ", binding.name);
        let Some(rules) = self.role_rules(&binding.role_kind, ns, &binding.role_name) else {
            return Escalation {
                allowed: false,
                via: None,
                missing: Vec::new(),
                message: forbidden + &binding.missing_role(),
            };
        };
        self.confirm_no_escalation(user, ns, &rules, forbidden)
    }

    /// Whether `user` may create or update this Role or ClusterRole:
    /// `system:masters`, then `escalate` on roles/clusterroles, then
    /// holding every rule being written.
    pub fn can_create_role(&self, user: &UserInfo, role: &RoleDef) -> Escalation {
        if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            return Escalation::allowed(Via::SystemMasters);
        }
        let (resource, ns) = match role.kind {
            RoleKind::Role => ("roles", role.namespace.as_str()),
            RoleKind::ClusterRole => ("clusterroles", ""),
        };
        let escalate = Attributes {
            user: user.clone(),
            verb: "escalate".into(),
            target: Target::Resource {
                namespace: ns.to_string(),
                api_group: RBAC_GROUP.into(),
                resource: resource.into(),
                subresource: String::new(),
                name: role.name.clone(),
            },
        };
        if self.authorize(&escalate).allowed {
            return Escalation::allowed(Via::Escalate);
        }
        let forbidden = format!("{resource}.{RBAC_GROUP} {:?} is forbidden: ", role.name);
        self.confirm_no_escalation(user, ns, &role.rules, forbidden)
    }

    fn confirm_no_escalation(
        &self,
        user: &UserInfo,
        namespace: &str,
        rules: &[Rule],
        forbidden: String,
    ) -> Escalation {
        let (owned, errors) = self.rules_for(user, namespace);
        let (ok, missing) = covers(&owned, rules);
        if ok {
            return Escalation::allowed(Via::Covers);
        }
        let mut lines: Vec<String> = rule::compact(&missing)
            .iter()
            .map(rule::compact_string)
            .collect();
        lines.sort();
        lines.dedup();
        let groups: Vec<String> = user.groups.iter().map(|g| format!("{g:?}")).collect();
        let mut message = format!(
            "{forbidden}user {:?} (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
            user.name,
            groups.join(" "),
            lines.join("\n")
        );
        if !errors.is_empty() {
            // Go's `%v` of an error slice: space-separated in brackets.
            message.push_str(&format!("; resolution errors: [{}]", errors.join(" ")));
        }
        Escalation {
            allowed: false,
            via: None,
            missing,
            message,
        }
    }
}

/// Which rule let a role or binding be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The user is in `system:masters`.
    SystemMasters,
    /// The user may `bind` the referenced role.
    Bind,
    /// The user may `escalate` roles.
    Escalate,
    /// The user already holds every permission granted.
    Covers,
}

/// The answer to "may this user write this role or binding?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// Allowed or Forbidden.
    pub allowed: bool,
    /// Why it is allowed.
    pub via: Option<Via>,
    /// The atomic permissions the user does not hold (when refused by Covers).
    pub missing: Vec<Rule>,
    /// The API server's Forbidden message, or "".
    pub message: String,
}

impl Escalation {
    fn allowed(via: Via) -> Escalation {
        Escalation {
            allowed: true,
            via: Some(via),
            missing: Vec::new(),
            message: String::new(),
        }
    }
}

#[derive(Default)]
struct PolicyBuilder {
    roles: Vec<RoleDef>,
    bindings: Vec<Binding>,
    namespaces: Vec<String>,
}

impl PolicyBuilder {
    fn add(&mut self, o: &Object, source: Source) {
        let ns = || o.namespace().unwrap_or(DEFAULT_NAMESPACE).to_string();
        let labels = || o.metadata().labels.clone().unwrap_or_default();
        match o {
            Object::Namespace(n) => self
                .namespaces
                .push(n.metadata.name.clone().unwrap_or_default()),
            Object::Role(r) => self.roles.push(RoleDef {
                kind: RoleKind::Role,
                namespace: ns(),
                name: o.name().to_string(),
                rules: rules_of(r.rules.as_ref()),
                labels: labels(),
                aggregation: None,
                builtin: false,
                source,
            }),
            Object::ClusterRole(r) => self.roles.push(RoleDef {
                kind: RoleKind::ClusterRole,
                namespace: String::new(),
                name: o.name().to_string(),
                rules: rules_of(r.rules.as_ref()),
                labels: labels(),
                aggregation: r.aggregation_rule.as_ref().map(|a| {
                    a.cluster_role_selectors
                        .iter()
                        .flatten()
                        .map(|s| Selector {
                            labels: s.match_labels.clone().unwrap_or_default(),
                            expressions: s
                                .match_expressions
                                .iter()
                                .flatten()
                                .map(|e| {
                                    (
                                        e.key.clone(),
                                        e.operator.clone(),
                                        e.values.clone().unwrap_or_default(),
                                    )
                                })
                                .collect(),
                        })
                        .collect()
                }),
                builtin: false,
                source,
            }),
            Object::RoleBinding(b) => self.bindings.push(Binding::from_parts(
                Some(ns()),
                o.name(),
                &b.role_ref,
                b.subjects.as_ref(),
                source,
            )),
            Object::ClusterRoleBinding(b) => self.bindings.push(Binding::from_parts(
                None,
                o.name(),
                &b.role_ref,
                b.subjects.as_ref(),
                source,
            )),
            _ => {}
        }
    }

    fn build(mut self) -> Policy {
        // Built-in ClusterRoles named by a binding but not defined.
        for b in &self.bindings {
            let defined = self
                .roles
                .iter()
                .any(|r| r.kind == RoleKind::ClusterRole && r.name == b.role_name);
            if b.role_kind == "ClusterRole" && !defined {
                if let Some(rules) = builtin::rules(&b.role_name) {
                    self.roles.push(RoleDef {
                        kind: RoleKind::ClusterRole,
                        namespace: String::new(),
                        name: b.role_name.clone(),
                        rules,
                        labels: BTreeMap::new(),
                        aggregation: builtin_aggregation(&b.role_name),
                        builtin: true,
                        source: Source::default(),
                    });
                }
            }
        }
        aggregate(&mut self.roles);

        let mut p = Policy::default();
        for (i, r) in self.roles.iter().enumerate() {
            // A later definition replaces an earlier one, as `kubectl apply` would.
            match r.kind {
                RoleKind::ClusterRole => {
                    p.cluster_roles_by_name.insert(r.name.clone(), i);
                }
                RoleKind::Role => {
                    p.roles_by_key
                        .insert((r.namespace.clone(), r.name.clone()), i);
                }
            }
        }
        for (i, b) in self.bindings.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            let role = match b.role_kind.as_str() {
                "ClusterRole" => p.cluster_roles_by_name.get(&b.role_name).copied(),
                // A ClusterRoleBinding may not name a Role; it resolves nothing.
                "Role" if b.namespace.is_some() => p
                    .roles_by_key
                    .get(&(b.ns().to_string(), b.role_name.clone()))
                    .copied(),
                _ => None,
            };
            p.resolved.push(role);
            match &b.namespace {
                None => p.cluster_index.add(i, b),
                Some(ns) => p.namespace_index.entry(ns.clone()).or_default().add(i, b),
            }
        }
        let mut namespaces = self.namespaces;
        for r in &self.roles {
            if r.kind == RoleKind::Role {
                namespaces.push(r.namespace.clone());
            }
        }
        for b in &self.bindings {
            if let Some(ns) = &b.namespace {
                namespaces.push(ns.clone());
            }
            for s in &b.subjects {
                if s.kind == "ServiceAccount" && !s.namespace.is_empty() {
                    namespaces.push(s.namespace.clone());
                }
            }
        }
        namespaces.retain(|n| !n.is_empty());
        namespaces.sort();
        namespaces.dedup();
        p.namespaces = namespaces;
        p.roles = self.roles;
        p.bindings = self.bindings;
        p
    }
}

/// The aggregation labels the built-in `admin`, `edit` and `view` collect
/// (their own rules already include the roles they aggregate in Kubernetes).
fn builtin_aggregation(name: &str) -> Option<Vec<Selector>> {
    let targets: &[&str] = match name {
        "admin" => &["admin", "edit", "view"],
        "edit" => &["edit", "view"],
        "view" => &["view"],
        _ => return None,
    };
    Some(
        targets
            .iter()
            .map(|t| Selector {
                labels: BTreeMap::from([(
                    format!("rbac.authorization.k8s.io/aggregate-to-{t}"),
                    "true".to_string(),
                )]),
                expressions: Vec::new(),
            })
            .collect(),
    )
}

/// The ClusterRole aggregation controller, one pass: an aggregated
/// ClusterRole gets the rules of every other ClusterRole a selector matches,
/// taken in name order, each rule once. A built-in keeps its own rules too.
fn aggregate(roles: &mut [RoleDef]) {
    let mut updates = Vec::new();
    for (i, r) in roles.iter().enumerate() {
        let Some(selectors) = &r.aggregation else {
            continue;
        };
        let mut sources: Vec<&RoleDef> = roles
            .iter()
            .enumerate()
            .filter(|(j, o)| {
                *j != i
                    && o.kind == RoleKind::ClusterRole
                    && o.aggregation.is_none()
                    && selectors.iter().any(|s| s.matches(&o.labels))
            })
            .map(|(_, o)| o)
            .collect();
        sources.sort_by(|a, b| a.name.cmp(&b.name));
        let mut rules: Vec<Rule> = if r.builtin {
            r.rules.clone()
        } else {
            Vec::new()
        };
        for o in sources {
            for rule in &o.rules {
                if !rules.contains(rule) {
                    rules.push(rule.clone());
                }
            }
        }
        updates.push((i, rules));
    }
    for (i, rules) in updates {
        roles[i].rules = rules;
    }
}

#[cfg(test)]
mod tests;
