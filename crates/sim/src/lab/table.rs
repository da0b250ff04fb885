//! What `kubectl get` shows for each kind the lab holds: the resource names
//! kubectl accepts ([`Resource`]), the columns the API server's printers
//! publish for a `Table` ([`columns`]), one row per object with the cells
//! and the fields a field selector reads ([`items`]), and kubectl's text
//! rendering of such a table ([`render`]). Also the selector languages:
//! label selectors as kubectl writes them ([`Selector`], `app=api,tier!=db,
//! env in (a,b),!x`) and field selectors ([`FieldSelector`],
//! `involvedObject.name=api-0,metadata.name!=x`).
//!
//! One implementation serves the lab shell and the lab's HTTP API, so both
//! show the same table. Pure: no I/O, no clock but the world's.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{ContainerStatus, Pod, PodSpec, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use serde_json::Value;

use super::World;

/// A kind of object the lab serves, by its REST resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `pods`
    Pods,
    /// `deployments.apps`
    Deployments,
    /// `replicasets.apps`
    ReplicaSets,
    /// `services`
    Services,
    /// `endpoints`
    Endpoints,
    /// `configmaps`
    ConfigMaps,
    /// `secrets`
    Secrets,
    /// `networkpolicies.networking.k8s.io`
    NetworkPolicies,
    /// `events`
    Events,
    /// `nodes` (cluster-scoped)
    Nodes,
    /// `namespaces` (cluster-scoped; only `default`)
    Namespaces,
}

impl Resource {
    /// Every resource, in discovery order.
    pub const ALL: [Resource; 11] = [
        Resource::Pods,
        Resource::Services,
        Resource::Endpoints,
        Resource::ConfigMaps,
        Resource::Secrets,
        Resource::Events,
        Resource::Nodes,
        Resource::Namespaces,
        Resource::Deployments,
        Resource::ReplicaSets,
        Resource::NetworkPolicies,
    ];

    /// The resource a kubectl word names: plural, singular, short name, or
    /// any of them with the group (`deployments.apps`, `deploy.apps`).
    pub fn from_word(word: &str) -> Option<Resource> {
        let lower = word.to_ascii_lowercase();
        Resource::ALL.into_iter().find(|r| {
            let (base, group) = match lower.split_once('.') {
                Some((b, g)) => (b, Some(g)),
                None => (lower.as_str(), None),
            };
            let names = [r.plural(), r.singular()];
            (names.contains(&base) || r.short_names().contains(&base))
                && group.is_none_or(|g| g == r.group() || (r.group().is_empty() && g.is_empty()))
        })
    }

    /// The REST plural, e.g. `pods`.
    pub fn plural(self) -> &'static str {
        match self {
            Resource::Pods => "pods",
            Resource::Deployments => "deployments",
            Resource::ReplicaSets => "replicasets",
            Resource::Services => "services",
            Resource::Endpoints => "endpoints",
            Resource::ConfigMaps => "configmaps",
            Resource::Secrets => "secrets",
            Resource::NetworkPolicies => "networkpolicies",
            Resource::Events => "events",
            Resource::Nodes => "nodes",
            Resource::Namespaces => "namespaces",
        }
    }

    /// The singular name, e.g. `pod`.
    pub fn singular(self) -> &'static str {
        match self {
            Resource::Endpoints => "endpoints",
            Resource::NetworkPolicies => "networkpolicy",
            _ => self.plural().trim_end_matches('s'),
        }
    }

    /// kubectl's short names, e.g. `po`.
    pub fn short_names(self) -> &'static [&'static str] {
        match self {
            Resource::Pods => &["po"],
            Resource::Deployments => &["deploy"],
            Resource::ReplicaSets => &["rs"],
            Resource::Services => &["svc"],
            Resource::Endpoints => &["ep"],
            Resource::ConfigMaps => &["cm"],
            Resource::Secrets => &[],
            Resource::NetworkPolicies => &["netpol"],
            Resource::Events => &["ev"],
            Resource::Nodes => &["no"],
            Resource::Namespaces => &["ns"],
        }
    }

    /// The object kind, e.g. `Pod`.
    pub fn kind(self) -> &'static str {
        match self {
            Resource::Pods => "Pod",
            Resource::Deployments => "Deployment",
            Resource::ReplicaSets => "ReplicaSet",
            Resource::Services => "Service",
            Resource::Endpoints => "Endpoints",
            Resource::ConfigMaps => "ConfigMap",
            Resource::Secrets => "Secret",
            Resource::NetworkPolicies => "NetworkPolicy",
            Resource::Events => "Event",
            Resource::Nodes => "Node",
            Resource::Namespaces => "Namespace",
        }
    }

    /// The API group: "" for core, `apps`, `networking.k8s.io`.
    pub fn group(self) -> &'static str {
        match self {
            Resource::Deployments | Resource::ReplicaSets => "apps",
            Resource::NetworkPolicies => "networking.k8s.io",
            _ => "",
        }
    }

    /// `apiVersion` of its objects, e.g. `apps/v1`.
    pub fn api_version(self) -> &'static str {
        match self.group() {
            "apps" => "apps/v1",
            "networking.k8s.io" => "networking.k8s.io/v1",
            _ => "v1",
        }
    }

    /// The plural with its group, as the API server names it in messages
    /// (`deployments.apps`, `pods`).
    pub fn qualified(self) -> String {
        match self.group() {
            "" => self.plural().to_string(),
            g => format!("{}.{g}", self.plural()),
        }
    }

    /// Whether its objects live in a namespace.
    pub fn namespaced(self) -> bool {
        !matches!(self, Resource::Nodes | Resource::Namespaces)
    }

    /// The field labels its field selectors accept (besides `metadata.name`
    /// and `metadata.namespace`, which every kind accepts).
    pub fn field_labels(self) -> &'static [&'static str] {
        match self {
            Resource::Pods => &[
                "spec.nodeName",
                "spec.restartPolicy",
                "status.phase",
                "status.podIP",
            ],
            Resource::Events => &[
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ],
            Resource::Secrets => &["type"],
            Resource::Nodes => &["spec.unschedulable"],
            Resource::ReplicaSets => &["status.replicas"],
            _ => &[],
        }
    }
}

/// One column of a table, as a `meta.k8s.io/v1` `TableColumnDefinition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name, e.g. `Name`, `Restarts` (kubectl prints it upper-cased).
    pub name: &'static str,
    /// The OpenAPI type: `string`, `integer`.
    pub type_: &'static str,
    /// The OpenAPI format: `name` for the name column, else "".
    pub format: &'static str,
    /// 0 for the default columns, 1 for those `-o wide` adds.
    pub priority: i32,
    /// What the column shows.
    pub description: &'static str,
}

const fn col(name: &'static str, priority: i32, description: &'static str) -> Column {
    Column {
        name,
        type_: "string",
        format: "",
        priority,
        description,
    }
}

const NAME: Column = Column {
    name: "Name",
    type_: "string",
    format: "name",
    priority: 0,
    description: "Name must be unique within a namespace.",
};
const AGE: Column = col(
    "Age",
    0,
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
);

/// The columns the API server's printer publishes for `resource`.
pub fn columns(resource: Resource) -> &'static [Column] {
    match resource {
        Resource::Pods => {
            const C: &[Column] = &[
            NAME,
            col("Ready", 0, "The aggregate readiness state of this pod for accepting traffic."),
            col("Status", 0, "The aggregate status of the containers in this pod."),
            col("Restarts", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            AGE,
            col("IP", 1, "IP address allocated to the pod. Routable at least within the cluster."),
            col("Node", 1, "NodeName is a request to schedule this pod onto a specific node."),
            col("Nominated Node", 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
            col("Readiness Gates", 1, "If specified, all readiness gates will be evaluated for pod readiness."),
        ];
            C
        }
        Resource::Deployments => {
            const C: &[Column] = &[
            NAME,
            col("Ready", 0, "Number of the pod with ready state"),
            Column { type_: "integer", ..col("Up-to-date", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec.") },
            Column { type_: "integer", ..col("Available", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.") },
            AGE,
            col("Containers", 1, "Names of each container in the template."),
            col("Images", 1, "Images referenced by each container in the template."),
            col("Selector", 1, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
        ];
            C
        }
        Resource::ReplicaSets => {
            const C: &[Column] = &[
                NAME,
                Column {
                    type_: "integer",
                    ..col("Desired", 0, "Replicas is the number of desired replicas.")
                },
                Column {
                    type_: "integer",
                    ..col(
                        "Current",
                        0,
                        "Replicas is the most recently observed number of replicas.",
                    )
                },
                Column {
                    type_: "integer",
                    ..col(
                        "Ready",
                        0,
                        "The number of ready replicas for this replica set.",
                    )
                },
                AGE,
                col("Containers", 1, "Names of each container in the template."),
                col(
                    "Images",
                    1,
                    "Images referenced by each container in the template.",
                ),
                col(
                    "Selector",
                    1,
                    "Selector is a label query over pods that should match the replica count.",
                ),
            ];
            C
        }
        Resource::Services => {
            const C: &[Column] = &[
            NAME,
            col("Type", 0, "type determines how the Service is exposed."),
            col("Cluster-IP", 0, "clusterIP is the IP address of the service and is usually assigned randomly."),
            col("External-IP", 0, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
            col("Port(s)", 0, "The list of ports that are exposed by this service."),
            AGE,
            col("Selector", 1, "Route service traffic to pods with label keys and values matching this selector."),
        ];
            C
        }
        Resource::Endpoints => {
            const C: &[Column] = &[
                NAME,
                col(
                    "Endpoints",
                    0,
                    "Endpoints is the list of endpoints in this object.",
                ),
                AGE,
            ];
            C
        }
        Resource::ConfigMaps => {
            const C: &[Column] = &[
                NAME,
                Column {
                    type_: "integer",
                    ..col("Data", 0, "Data contains the configuration data.")
                },
                AGE,
            ];
            C
        }
        Resource::Secrets => {
            const C: &[Column] = &[
                NAME,
                col(
                    "Type",
                    0,
                    "Used to facilitate programmatic handling of secret data.",
                ),
                Column {
                    type_: "integer",
                    ..col("Data", 0, "Data contains the secret data.")
                },
                AGE,
            ];
            C
        }
        Resource::NetworkPolicies => {
            const C: &[Column] = &[
                NAME,
                col(
                    "Pod-Selector",
                    0,
                    "Selects the pods to which this NetworkPolicy object applies.",
                ),
                AGE,
            ];
            C
        }
        Resource::Events => {
            const C: &[Column] = &[
            col("Last Seen", 0, "The time at which the most recent occurrence of this event was recorded."),
            col("Type", 0, "Type of this event (Normal, Warning), new types could be added in the future."),
            col("Reason", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            col("Object", 0, "The object that this event is about."),
            col("Subobject", 1, "The field of the object that this event is about."),
            col("Source", 1, "The component reporting this event."),
            col("Message", 0, "A human-readable description of the status of this operation."),
            col("First Seen", 1, "The time at which the event was first recorded."),
            Column { type_: "integer", ..col("Count", 1, "The number of times this event has occurred.") },
            Column { format: "name", ..col("Name", 1, "Name must be unique within a namespace.") },
        ];
            C
        }
        Resource::Nodes => {
            const C: &[Column] = &[
            NAME,
            col("Status", 0, "The status of the node"),
            col("Roles", 0, "The roles of the node"),
            AGE,
            col("Version", 0, "Kubelet Version reported by the node."),
            col("Internal-IP", 1, "List of addresses reachable to the node."),
            col("External-IP", 1, "List of addresses reachable to the node."),
            col("OS-Image", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
            col("Kernel-Version", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
            col("Container-Runtime", 1, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
        ];
            C
        }
        Resource::Namespaces => {
            const C: &[Column] = &[NAME, col("Status", 0, "The status of the namespace"), AGE];
            C
        }
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A string cell.
    Text(String),
    /// An integer cell.
    Int(i64),
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Int(n) => write!(f, "{n}"),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

/// One object of a listing: its metadata, its JSON, its cells (one per
/// [`columns`] entry) and the values its field selectors read.
#[derive(Debug, Clone)]
pub struct Item {
    /// The object's metadata.
    pub meta: ObjectMeta,
    /// The whole object, as the API serves it (with `apiVersion` and `kind`).
    pub object: Value,
    /// The table cells.
    pub cells: Vec<Cell>,
    /// Field-selector values, by field label.
    pub fields: BTreeMap<&'static str, String>,
}

impl Item {
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.meta.name.as_deref().unwrap_or_default()
    }

    /// Whether the label and field selectors both select this object.
    pub fn selected(&self, labels: &Selector, fields: &FieldSelector) -> bool {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        labels.matches(self.meta.labels.as_ref().unwrap_or(&EMPTY))
            && fields.matches(|f| self.fields.get(f).map(String::as_str))
    }
}

fn to_value<T: serde::Serialize>(resource: Resource, o: &T) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("apiVersion".into(), resource.api_version().into());
        m.insert("kind".into(), resource.kind().into());
    }
    v
}

fn ms(t: Option<&Time>) -> Option<i64> {
    t.map(|t| t.0.timestamp_millis())
}

fn since(t: Option<&Time>, now: i64) -> String {
    match ms(t) {
        Some(t) => age(now - t),
        None => "<unknown>".into(),
    }
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

/// Every object of `resource` in the world, in the API server's order
/// (by name; events by last occurrence), with its cells.
pub fn items(world: &World, resource: Resource) -> Vec<Item> {
    let now = world.now().timestamp_millis();
    // The starting ConfigMaps, Secrets and NetworkPolicies were written
    // before the lab began: they are served as created when the databases were.
    let created = super::time(-super::WARM_UP_MS);
    let mut out: Vec<Item> = Vec::new();
    let mut push =
        |meta: &ObjectMeta, object: Value, cells: Vec<Cell>, extra: Vec<(&'static str, String)>| {
            let mut meta = meta.clone();
            let mut object = object;
            if meta.creation_timestamp.is_none() {
                meta.creation_timestamp = Some(created.clone());
                if let Some(m) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.insert(
                        "creationTimestamp".into(),
                        serde_json::to_value(&created).unwrap_or(Value::Null),
                    );
                }
            }
            let mut fields: BTreeMap<&'static str, String> = extra.into_iter().collect();
            fields.insert("metadata.name", meta.name.clone().unwrap_or_default());
            if resource.namespaced() {
                fields.insert("metadata.namespace", "default".into());
            } else {
                fields.insert("metadata.namespace", String::new());
            }
            out.push(Item {
                meta: meta.clone(),
                object,
                cells,
                fields,
            });
        };
    match resource {
        Resource::Pods => {
            for p in world.pods() {
                let spec = p.spec.clone().unwrap_or_default();
                let st = p.status.clone().unwrap_or_default();
                let mut cells = pod_cells(&p, now);
                cells.push(st.pod_ip.clone().unwrap_or("<none>".into()).into());
                cells.push(spec.node_name.clone().unwrap_or("<none>".into()).into());
                cells.push("<none>".into());
                cells.push("<none>".into());
                push(
                    &p.metadata,
                    to_value(resource, &p),
                    cells,
                    vec![
                        ("spec.nodeName", spec.node_name.clone().unwrap_or_default()),
                        (
                            "spec.restartPolicy",
                            spec.restart_policy.clone().unwrap_or_default(),
                        ),
                        ("status.phase", st.phase.clone().unwrap_or_default()),
                        ("status.podIP", st.pod_ip.clone().unwrap_or_default()),
                    ],
                );
            }
        }
        Resource::Deployments => {
            for d in world.deployments() {
                let st = d.status.clone().unwrap_or_default();
                let spec = d.spec.clone().unwrap_or_default();
                let (names, images) = containers(spec.template.spec.as_ref());
                push(
                    &d.metadata,
                    to_value(resource, d),
                    vec![
                        format!(
                            "{}/{}",
                            st.ready_replicas.unwrap_or(0),
                            spec.replicas.unwrap_or(1)
                        )
                        .into(),
                        Cell::Int(st.updated_replicas.unwrap_or(0).into()),
                        Cell::Int(st.available_replicas.unwrap_or(0).into()),
                        since(
                            Some(d.metadata.creation_timestamp.as_ref().unwrap_or(&created)),
                            now,
                        )
                        .into(),
                        names.into(),
                        images.into(),
                        label_selector_string(&spec.selector).into(),
                    ],
                    vec![],
                );
            }
        }
        Resource::ReplicaSets => {
            for r in world.replica_sets() {
                let st = r.status.clone().unwrap_or_default();
                let spec = r.spec.clone().unwrap_or_default();
                let (names, images) =
                    containers(spec.template.as_ref().and_then(|t| t.spec.as_ref()));
                push(
                    &r.metadata,
                    to_value(resource, r),
                    vec![
                        Cell::Int(spec.replicas.unwrap_or(1).into()),
                        Cell::Int(st.replicas.into()),
                        Cell::Int(st.ready_replicas.unwrap_or(0).into()),
                        since(
                            Some(r.metadata.creation_timestamp.as_ref().unwrap_or(&created)),
                            now,
                        )
                        .into(),
                        names.into(),
                        images.into(),
                        label_selector_string(&spec.selector).into(),
                    ],
                    vec![("status.replicas", st.replicas.to_string())],
                );
            }
        }
        Resource::Services => {
            for s in world.services() {
                push(
                    &s.metadata,
                    to_value(resource, s),
                    service_cells(s, now),
                    vec![],
                );
            }
        }
        Resource::Endpoints => {
            for e in world.endpoints() {
                let mut eps = Vec::new();
                for s in e.subsets.iter().flatten() {
                    for a in s.addresses.iter().flatten() {
                        for p in s.ports.iter().flatten() {
                            eps.push(format!("{}:{}", a.ip, p.port));
                        }
                    }
                }
                let shown = if eps.is_empty() {
                    "<none>".to_string()
                } else if eps.len() > 3 {
                    format!("{} + {} more...", eps[..3].join(","), eps.len() - 3)
                } else {
                    eps.join(",")
                };
                push(
                    &e.metadata,
                    to_value(resource, &e),
                    vec![
                        shown.into(),
                        since(
                            Some(e.metadata.creation_timestamp.as_ref().unwrap_or(&created)),
                            now,
                        )
                        .into(),
                    ],
                    vec![],
                );
            }
        }
        Resource::ConfigMaps => {
            for c in world.config_maps() {
                let n = c.data.as_ref().map_or(0, |d| d.len())
                    + c.binary_data.as_ref().map_or(0, |d| d.len());
                push(
                    &c.metadata,
                    to_value(resource, c),
                    vec![
                        Cell::Int(n as i64),
                        since(
                            Some(c.metadata.creation_timestamp.as_ref().unwrap_or(&created)),
                            now,
                        )
                        .into(),
                    ],
                    vec![],
                );
            }
        }
        Resource::Secrets => {
            for s in world.secrets() {
                let n = s.data.as_ref().map_or(0, |d| d.len())
                    + s.string_data.as_ref().map_or(0, |d| d.len());
                let type_ = s.type_.clone().unwrap_or("Opaque".into());
                push(
                    &s.metadata,
                    to_value(resource, s),
                    vec![
                        type_.clone().into(),
                        Cell::Int(n as i64),
                        since(s.metadata.creation_timestamp.as_ref(), now).into(),
                    ],
                    vec![("type", type_)],
                );
            }
        }
        Resource::NetworkPolicies => {
            for n in world.network_policies() {
                let sel = n
                    .spec
                    .as_ref()
                    .and_then(|s| s.pod_selector.as_ref())
                    .map(label_selector_string)
                    .unwrap_or_default();
                push(
                    &n.metadata,
                    to_value(resource, n),
                    vec![
                        none_if_empty(sel).into(),
                        since(
                            Some(n.metadata.creation_timestamp.as_ref().unwrap_or(&created)),
                            now,
                        )
                        .into(),
                    ],
                    vec![],
                );
            }
        }
        Resource::Events => {
            for e in world.events() {
                let o = &e.involved_object;
                let target = format!(
                    "{}/{}",
                    o.kind.clone().unwrap_or_default().to_lowercase(),
                    o.name.clone().unwrap_or_default()
                );
                let source = e.source.clone().unwrap_or_default();
                let source_text = match (&source.component, &source.host) {
                    (Some(c), Some(h)) if !h.is_empty() => format!("{c}, {h}"),
                    (Some(c), _) => c.clone(),
                    _ => String::new(),
                };
                push(
                    &e.metadata,
                    to_value(resource, &e),
                    vec![
                        since(e.last_timestamp.as_ref(), now).into(),
                        e.type_.clone().unwrap_or_default().into(),
                        e.reason.clone().unwrap_or_default().into(),
                        target.into(),
                        o.field_path.clone().unwrap_or_default().into(),
                        source_text.into(),
                        e.message.clone().unwrap_or_default().trim().into(),
                        since(e.first_timestamp.as_ref(), now).into(),
                        Cell::Int(e.count.unwrap_or(1).into()),
                        e.metadata.name.clone().unwrap_or_default().into(),
                    ],
                    vec![
                        ("involvedObject.kind", o.kind.clone().unwrap_or_default()),
                        (
                            "involvedObject.namespace",
                            o.namespace.clone().unwrap_or_default(),
                        ),
                        ("involvedObject.name", o.name.clone().unwrap_or_default()),
                        ("involvedObject.uid", o.uid.clone().unwrap_or_default()),
                        (
                            "involvedObject.apiVersion",
                            o.api_version.clone().unwrap_or_default(),
                        ),
                        (
                            "involvedObject.resourceVersion",
                            o.resource_version.clone().unwrap_or_default(),
                        ),
                        (
                            "involvedObject.fieldPath",
                            o.field_path.clone().unwrap_or_default(),
                        ),
                        ("reason", e.reason.clone().unwrap_or_default()),
                        (
                            "reportingComponent",
                            e.reporting_component.clone().unwrap_or_default(),
                        ),
                        ("source", source.component.clone().unwrap_or_default()),
                        ("type", e.type_.clone().unwrap_or_default()),
                    ],
                );
            }
        }
        Resource::Nodes => {
            for n in world.nodes() {
                let st = n.status.clone().unwrap_or_default();
                let ready = st
                    .conditions
                    .iter()
                    .flatten()
                    .find(|c| c.type_ == "Ready")
                    .map_or("Unknown", |c| {
                        if c.status == "True" {
                            "Ready"
                        } else {
                            "NotReady"
                        }
                    });
                let mut roles: Vec<&str> = n
                    .metadata
                    .labels
                    .iter()
                    .flatten()
                    .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
                    .collect();
                roles.sort();
                let addr = |t: &str| {
                    st.addresses
                        .iter()
                        .flatten()
                        .find(|a| a.type_ == t)
                        .map_or("<none>".to_string(), |a| a.address.clone())
                };
                let info = st.node_info.clone().unwrap_or_default();
                push(
                    &n.metadata,
                    to_value(resource, n),
                    vec![
                        ready.into(),
                        none_if_empty(roles.join(",")).into(),
                        since(
                            Some(n.metadata.creation_timestamp.as_ref().unwrap_or(&created)),
                            now,
                        )
                        .into(),
                        info.kubelet_version.clone().into(),
                        addr("InternalIP").into(),
                        addr("ExternalIP").into(),
                        info.os_image.clone().into(),
                        info.kernel_version.clone().into(),
                        info.container_runtime_version.clone().into(),
                    ],
                    vec![(
                        "spec.unschedulable",
                        n.spec
                            .as_ref()
                            .and_then(|s| s.unschedulable)
                            .unwrap_or(false)
                            .to_string(),
                    )],
                );
            }
        }
        Resource::Namespaces => {
            let created = world
                .nodes()
                .first()
                .and_then(|n| n.metadata.creation_timestamp.clone());
            let meta = ObjectMeta {
                name: Some("default".into()),
                creation_timestamp: created,
                labels: Some(BTreeMap::from([(
                    "kubernetes.io/metadata.name".to_string(),
                    "default".to_string(),
                )])),
                ..Default::default()
            };
            let object = serde_json::json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": serde_json::to_value(&meta).unwrap_or(Value::Null),
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            let age = since(meta.creation_timestamp.as_ref(), now);
            push(
                &meta,
                object,
                vec!["Active".into(), age.into()],
                vec![("status.phase", "Active".into())],
            );
        }
    }
    if resource != Resource::Events {
        out.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
    }
    // Events are already oldest-last-seen first (the world sorts them).
    if matches!(
        resource,
        Resource::Deployments
            | Resource::ReplicaSets
            | Resource::Services
            | Resource::Endpoints
            | Resource::ConfigMaps
            | Resource::Secrets
            | Resource::NetworkPolicies
            | Resource::Nodes
            | Resource::Namespaces
    ) {
        // Put the name cell first for the kinds whose first column is the name.
        for i in &mut out {
            let name = i.name().to_string();
            i.cells.insert(0, Cell::Text(name));
        }
    }
    out
}

fn containers(spec: Option<&PodSpec>) -> (String, String) {
    let cs = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
    (
        cs.iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// A label selector as kubectl prints it (`app=api,tier in (a,b)`); "" for
/// an empty one.
pub fn label_selector_string(s: &LabelSelector) -> String {
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let mut values = e.values.clone().unwrap_or_default();
        values.sort();
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({})", e.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", e.key, values.join(",")),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            op => format!("{} {op}", e.key),
        });
    }
    parts.join(",")
}

/// kubectl's short duration (apimachinery's `HumanDuration`): `59s`, `3m20s`,
/// `12m`, `5h7m`, `20h`, `3d4h`, `30d`, `2y10d`, `9y`.
pub fn age(ms: i64) -> String {
    // Seconds truncated toward zero, as Go's int(d.Seconds()).
    if ms / 1000 < -1 {
        return "<invalid>".into();
    }
    let s = ms.max(0) / 1000;
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = s / 3600;
    if h < 8 {
        return match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        return match h % 24 {
            0 => format!("{}d", h / 24),
            r => format!("{}d{r}h", h / 24),
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        return match (h / 24) % 365 {
            0 => format!("{}y", h / 24 / 365),
            r => format!("{}y{r}d", h / 24 / 365),
        };
    }
    format!("{}y", h / 24 / 365)
}

/// What kubectl's pod printer derives from a Pod: ready containers, total
/// containers, the STATUS word, the restart count and the latest restart (ms).
pub fn pod_status(p: &Pod) -> (usize, usize, String, i32, Option<i64>) {
    let st = p.status.clone().unwrap_or_default();
    let cs: Vec<ContainerStatus> = st.container_statuses.clone().unwrap_or_default();
    let total = p.spec.as_ref().map_or(cs.len(), |s| s.containers.len());
    let mut reason = st
        .reason
        .clone()
        .filter(|r| !r.is_empty())
        .or(st.phase.clone())
        .unwrap_or_default();
    let mut ready = 0;
    let mut restarts = 0i32;
    let mut last_restart: Option<i64> = None;
    let mut running = false;
    for c in cs.iter().rev() {
        restarts = restarts.saturating_add(c.restart_count);
        if let Some(t) = c
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
        {
            let t = t.0.timestamp_millis();
            last_restart = Some(last_restart.map_or(t, |l| l.max(t)));
        }
        let state = c.state.clone().unwrap_or_default();
        let waiting = state.waiting.as_ref().and_then(|w| w.reason.clone());
        if let Some(r) = waiting.filter(|r| !r.is_empty()) {
            reason = r;
        } else if let Some(t) = &state.terminated {
            reason = match t.reason.clone().filter(|r| !r.is_empty()) {
                Some(r) => r,
                None => match t.signal.unwrap_or(0) {
                    0 => format!("ExitCode:{}", t.exit_code),
                    s => format!("Signal:{s}"),
                },
            };
        } else if c.ready && state.running.is_some() {
            running = true;
            ready += 1;
        }
    }
    if reason == "Completed" && running {
        let pod_ready = st
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        reason = if pod_ready { "Running" } else { "NotReady" }.into();
    }
    let terminal = matches!(st.phase.as_deref(), Some("Succeeded" | "Failed"));
    if p.metadata.deletion_timestamp.is_some() && !terminal {
        reason = "Terminating".into();
    }
    (ready, total, reason, restarts, last_restart)
}

/// NAME READY STATUS RESTARTS AGE, as kubectl's pod printer shows them.
fn pod_cells(p: &Pod, now: i64) -> Vec<Cell> {
    let (ready, total, reason, restarts, last_restart) = pod_status(p);
    let restarts = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", age(now - t)),
        _ => restarts.to_string(),
    };
    vec![
        p.metadata.name.clone().unwrap_or_default().into(),
        format!("{ready}/{total}").into(),
        reason.into(),
        restarts.into(),
        since(p.metadata.creation_timestamp.as_ref(), now).into(),
    ]
}

fn service_cells(s: &Service, now: i64) -> Vec<Cell> {
    let spec = s.spec.clone().unwrap_or_default();
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or("TCP".into());
            match p.node_port {
                Some(n) => format!("{}:{}/{}", p.port, n, proto),
                None => format!("{}/{}", p.port, proto),
            }
        })
        .collect();
    let external = spec
        .external_ips
        .clone()
        .filter(|v| !v.is_empty())
        .map(|v| v.join(","))
        .unwrap_or_else(|| match spec.type_.as_deref() {
            Some("LoadBalancer") => "<pending>".into(),
            _ => "<none>".into(),
        });
    let selector = spec
        .selector
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    vec![
        spec.type_.clone().unwrap_or("ClusterIP".into()).into(),
        spec.cluster_ip.clone().unwrap_or("<none>".into()).into(),
        external.into(),
        none_if_empty(ports.join(",")).into(),
        since(s.metadata.creation_timestamp.as_ref(), now).into(),
        none_if_empty(selector).into(),
    ]
}

/// How [`render`] lays a table out.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// `-o wide`: add the priority-1 columns.
    pub wide: bool,
    /// `-A`: a NAMESPACE column first.
    pub namespace: bool,
    /// Leave out the header line (every table after the first in
    /// `kubectl get pods,svc` keeps its own header, so this is rarely set).
    pub no_headers: bool,
}

/// kubectl's text table for `items` of `resource`: upper-cased headers,
/// columns padded to the widest cell plus three spaces, trailing spaces
/// trimmed. Empty input gives "".
pub fn render(resource: Resource, items: &[Item], opts: RenderOptions) -> String {
    let cols = columns(resource);
    let shown: Vec<usize> = (0..cols.len())
        .filter(|&i| opts.wide || cols[i].priority == 0)
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !opts.no_headers {
        let mut h: Vec<String> = Vec::new();
        if opts.namespace && resource.namespaced() {
            h.push("NAMESPACE".into());
        }
        h.extend(shown.iter().map(|&i| cols[i].name.to_uppercase()));
        rows.push(h);
    }
    for it in items {
        let mut r: Vec<String> = Vec::new();
        if opts.namespace && resource.namespaced() {
            r.push("default".into());
        }
        r.extend(
            shown
                .iter()
                .map(|&i| it.cells.get(i).map(Cell::to_string).unwrap_or_default()),
        );
        rows.push(r);
    }
    text_table(&rows)
}

/// Columns padded to the widest cell plus three spaces (kubectl's tabwriter
/// with padding 3), trailing spaces trimmed, one line per row.
pub fn text_table(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line += c;
            if i + 1 < r.len() {
                line += &" ".repeat(widths[i] - c.chars().count() + 3);
            }
        }
        out += line.trim_end();
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------- selectors

/// A label selector string that does not parse, worded like apimachinery's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Eq,
    NotEq,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// A parsed label selector; all requirements must hold. The empty selector
/// selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector(Vec<Requirement>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Not,
    Eq,
    DoubleEq,
    NotEq,
    In,
    NotIn,
    Open,
    Close,
    Comma,
    Gt,
    Lt,
    End,
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Not => "!".into(),
            Tok::Eq => "=".into(),
            Tok::DoubleEq => "==".into(),
            Tok::NotEq => "!=".into(),
            Tok::In => "in".into(),
            Tok::NotIn => "notin".into(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
            Tok::Comma => ",".into(),
            Tok::Gt => ">".into(),
            Tok::Lt => "<".into(),
            Tok::End => String::new(),
        }
    }
}

fn lex(input: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                toks.push(Tok::Open);
                i += 1
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1
            }
            ',' => {
                toks.push(Tok::Comma);
                i += 1
            }
            '>' => {
                toks.push(Tok::Gt);
                i += 1
            }
            '<' => {
                toks.push(Tok::Lt);
                i += 1
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                toks.push(Tok::NotEq);
                i += 2
            }
            '!' => {
                toks.push(Tok::Not);
                i += 1
            }
            '=' if chars.get(i + 1) == Some(&'=') => {
                toks.push(Tok::DoubleEq);
                i += 2
            }
            '=' => {
                toks.push(Tok::Eq);
                i += 1
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t\n\r(),><!=".contains(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                toks.push(match word.as_str() {
                    "in" => Tok::In,
                    "notin" => Tok::NotIn,
                    _ => Tok::Ident(word),
                });
            }
        }
    }
    toks.push(Tok::End);
    toks
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn check_key(k: &str) -> Result<(), SelectorError> {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                !l.is_empty()
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    });
    if !prefix_ok || !valid_name(name) {
        return Err(SelectorError(format!(
            "key: Invalid value: \"{k}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        )));
    }
    Ok(())
}

fn check_value(v: &str) -> Result<(), SelectorError> {
    if !v.is_empty() && !valid_name(v) {
        return Err(SelectorError(format!(
            "values[0]: Invalid value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        )));
    }
    Ok(())
}

impl Selector {
    /// Parses kubectl's label-selector syntax: `k=v`, `k==v`, `k!=v`,
    /// `k in (a,b)`, `k notin (a)`, `k`, `!k`, `k>1`, `k<9`, joined by commas.
    pub fn parse(input: &str) -> Result<Selector, SelectorError> {
        let toks = lex(input);
        let mut i = 0;
        let mut reqs = Vec::new();
        if toks[0] == Tok::End {
            return Ok(Selector(reqs));
        }
        loop {
            // key or !key
            let negated = toks[i] == Tok::Not;
            if negated {
                i += 1;
            }
            let key = match &toks[i] {
                Tok::Ident(k) => k.clone(),
                t => {
                    return Err(SelectorError(format!(
                        "unable to parse requirement: found '{}', expected: identifier",
                        t.text()
                    )))
                }
            };
            check_key(&key)?;
            i += 1;
            if negated {
                reqs.push(Requirement {
                    key,
                    op: Op::DoesNotExist,
                    values: vec![],
                });
            } else {
                match &toks[i] {
                    Tok::Comma | Tok::End => reqs.push(Requirement { key, op: Op::Exists, values: vec![] }),
                    Tok::Eq | Tok::DoubleEq | Tok::NotEq | Tok::Gt | Tok::Lt => {
                        let op = match toks[i] {
                            Tok::Eq | Tok::DoubleEq => Op::Eq,
                            Tok::NotEq => Op::NotEq,
                            Tok::Gt => Op::Gt,
                            _ => Op::Lt,
                        };
                        i += 1;
                        let value = match &toks[i] {
                            Tok::Ident(v) => {
                                i += 1;
                                v.clone()
                            }
                            Tok::Comma | Tok::End => String::new(),
                            t => {
                                return Err(SelectorError(format!(
                                    "found '{}', expected: ',' or 'end of string'",
                                    t.text()
                                )))
                            }
                        };
                        if matches!(op, Op::Gt | Op::Lt) && value.parse::<i64>().is_err() {
                            return Err(SelectorError(format!(
                                "values[0]: Invalid value: \"{value}\": for 'Gt', 'Lt' operators, the value must be an integer"
                            )));
                        }
                        check_value(&value)?;
                        reqs.push(Requirement { key, op, values: vec![value] });
                    }
                    Tok::In | Tok::NotIn => {
                        let op = if toks[i] == Tok::In { Op::In } else { Op::NotIn };
                        i += 1;
                        if toks[i] != Tok::Open {
                            return Err(SelectorError(format!(
                                "found '{}', expected: '('",
                                toks[i].text()
                            )));
                        }
                        i += 1;
                        let mut values = Vec::new();
                        loop {
                            match &toks[i] {
                                Tok::Ident(v) => {
                                    check_value(v)?;
                                    values.push(v.clone());
                                    i += 1;
                                }
                                Tok::Comma | Tok::Close => values.push(String::new()),
                                t => {
                                    return Err(SelectorError(format!(
                                        "found '{}', expected: ',', ')' or identifier",
                                        t.text()
                                    )))
                                }
                            }
                            match &toks[i] {
                                Tok::Comma => i += 1,
                                Tok::Close => {
                                    i += 1;
                                    break;
                                }
                                t => {
                                    return Err(SelectorError(format!(
                                        "found '{}', expected: ',' or ')'",
                                        t.text()
                                    )))
                                }
                            }
                        }
                        reqs.push(Requirement { key, op, values });
                    }
                    t => {
                        return Err(SelectorError(format!(
                            "unable to parse requirement: found '{}', expected: in, notin, =, ==, !=, gt, lt",
                            t.text()
                        )))
                    }
                }
            }
            match &toks[i] {
                Tok::End => break,
                Tok::Comma => {
                    i += 1;
                    if toks[i] == Tok::End {
                        return Err(SelectorError(
                            "found '', expected: !, identifier, or 'end of string'".into(),
                        ));
                    }
                }
                t => {
                    return Err(SelectorError(format!(
                        "found '{}', expected: ',' or 'end of string'",
                        t.text()
                    )))
                }
            }
        }
        Ok(Selector(reqs))
    }

    /// Whether the selector selects an object labelled `labels`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| {
            let have = labels.get(&r.key);
            match r.op {
                Op::Eq => have == r.values.first(),
                Op::NotEq => have != r.values.first(),
                Op::In => have.is_some_and(|v| r.values.contains(v)),
                Op::NotIn => have.is_none_or(|v| !r.values.contains(v)),
                Op::Exists => have.is_some(),
                Op::DoesNotExist => have.is_none(),
                Op::Gt | Op::Lt => {
                    let (Some(h), Some(w)) = (
                        have.and_then(|v| v.parse::<i64>().ok()),
                        r.values.first().and_then(|v| v.parse::<i64>().ok()),
                    ) else {
                        return false;
                    };
                    if r.op == Op::Gt {
                        h > w
                    } else {
                        h < w
                    }
                }
            }
        })
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A field selector: `field=value`, `field==value`, `field!=value`, joined
/// by commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses `input` and checks every field label against what `resource`
    /// supports (the API server's `field label not supported: X`).
    pub fn parse(input: &str, resource: Resource) -> Result<FieldSelector, SelectorError> {
        let mut out = Vec::new();
        for term in split_unescaped(input) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            let (field, eq, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, true, v)
            } else {
                return Err(SelectorError(format!(
                    "invalid selector: '{input}'; can't understand '{term}'"
                )));
            };
            let field = field.trim();
            if field != "metadata.name"
                && field != "metadata.namespace"
                && !resource.field_labels().contains(&field)
            {
                return Err(SelectorError(format!("field label not supported: {field}")));
            }
            out.push((
                field.to_string(),
                eq,
                value.replace("\\,", ",").replace("\\=", "="),
            ));
        }
        Ok(FieldSelector(out))
    }

    /// Whether the object whose field values `get` returns is selected.
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.0
            .iter()
            .all(|(f, eq, v)| (get(f).unwrap_or("") == v) == *eq)
    }
}

fn split_unescaped(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            if let Some(l) = out.last_mut() {
                l.push('\\');
                l.push(c);
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' {
            out.push(String::new());
        } else if let Some(l) = out.last_mut() {
            l.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    #[track_caller]
    fn check_age(secs: i64, want: &str) {
        assert_eq!(age(secs * 1000), want, "{secs}s");
    }

    /// Cases after apimachinery's `TestHumanDuration` (util/duration/duration_test.go).
    #[test]
    fn human_duration() {
        let cases = [
            (0, "0s"),
            (1, "1s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (120, "2m"),
            (121, "2m1s"),
            (599, "9m59s"),
            (600, "10m"),
            (10_799, "179m"),
            (10_800, "3h"),
            (10_860, "3h1m"),
            (28_799, "7h59m"),
            (28_800, "8h"),
            (172_799, "47h"),
            (172_800, "2d"),
            (176_400, "2d1h"),
            (691_199, "7d23h"),
            (691_200, "8d"),
            (63_071_999, "729d"),
            (63_072_000, "2y"),
            (63_158_400, "2y1d"),
            (252_287_999, "7y364d"),
            (252_288_000, "8y"),
        ];
        for (s, want) in cases {
            check_age(s, want);
        }
        assert_eq!(age(-500), "0s");
        assert_eq!(age(-1999), "0s");
        assert_eq!(age(-5000), "<invalid>");
    }

    #[track_caller]
    fn check_pod(pod: serde_json::Value, want: (usize, usize, &str, i32)) {
        let p: Pod = serde_json::from_value(pod).expect("pod");
        let (ready, total, reason, restarts, _) = pod_status(&p);
        assert_eq!((ready, total, reason.as_str(), restarts), want);
    }

    /// Cases after kubectl's `TestPrintPod` (pkg/printers/internalversion/printers_test.go).
    #[test]
    fn pod_status_words() {
        use serde_json::json;
        let spec = json!({"containers": [{"name": "a"}, {"name": "b"}]});
        // Basic: one running ready, one waiting without reason.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": true, "restartCount": 6,
                 "state": {"running": {}}},
                {"name": "b", "image": "", "imageID": "", "ready": false, "restartCount": 0}
            ]}}),
            (1, 2, "podPhase", 6),
        );
        // Waiting reason wins.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3,
                 "state": {"waiting": {"reason": "ContainerWaitingReason"}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 3,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "ContainerWaitingReason", 6),
        );
        // Terminated reason.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3,
                 "state": {"terminated": {"reason": "ContainerTerminatedReason", "exitCode": 1}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 3,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "ContainerTerminatedReason", 6),
        );
        // Terminated without reason: ExitCode, or Signal when one is set.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3,
                 "state": {"terminated": {"exitCode": 1}}},
                {"name": "b", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"exitCode": 0, "signal": 9}}}
            ]}}),
            (0, 2, "ExitCode:1", 3),
        );
        // Completed with a container still running and a Ready condition: Running.
        check_pod(
            json!({"spec": spec, "status": {"phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"reason": "Completed", "exitCode": 0}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "Running", 0),
        );
        // ... and without the Ready condition: NotReady.
        check_pod(
            json!({"spec": spec, "status": {"phase": "Running", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"reason": "Completed", "exitCode": 0}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "NotReady", 0),
        );
        // Deleting and not terminal: Terminating.
        check_pod(
            json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
                "spec": spec, "status": {"phase": "Running"}}),
            (0, 2, "Terminating", 0),
        );
        // Deleting a Succeeded Pod keeps its phase.
        check_pod(
            json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
                "spec": spec, "status": {"phase": "Succeeded"}}),
            (0, 2, "Succeeded", 0),
        );
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[track_caller]
    fn check(sel: &str, l: &[(&str, &str)], want: bool) {
        let s = Selector::parse(sel).unwrap_or_else(|e| panic!("{sel}: {e}"));
        assert_eq!(s.matches(&labels(l)), want, "{sel} on {l:?}");
    }

    #[test]
    fn label_selectors_match_like_kubectl() {
        check("", &[], true);
        check("app=api", &[("app", "api")], true);
        check("app==api", &[("app", "api")], true);
        check("app=api", &[("app", "db")], false);
        check("app!=api", &[], true);
        check("app=api,tier!=db", &[("app", "api"), ("tier", "db")], false);
        check("env in (a,b)", &[("env", "b")], true);
        check("env in (a, b)", &[("env", "c")], false);
        check("env notin (a)", &[], true);
        check("!x", &[("x", "")], false);
        check("x", &[("x", "")], true);
        check(
            "app.kubernetes.io/name=api",
            &[("app.kubernetes.io/name", "api")],
            true,
        );
        check("n>2", &[("n", "3")], true);
        check("n<2", &[("n", "3")], false);
        check("app=", &[("app", "")], true);
    }

    #[track_caller]
    fn bad(sel: &str, contains: &str) {
        let e = Selector::parse(sel).expect_err(sel);
        assert!(e.0.contains(contains), "{sel}: {e}");
    }

    #[test]
    fn bad_label_selectors_say_why() {
        bad("app=api,", "found ''");
        bad("=api", "expected: identifier");
        bad("env in a", "expected: '('");
        bad("env in (a", "expected: ',' or ')'");
        bad("app=a b", "found 'b'");
        bad("-x=1", "key: Invalid value");
        bad("x=-1-", "Invalid value");
        bad("n>x", "must be an integer");
    }

    #[test]
    fn field_selectors_check_their_labels() {
        let f = FieldSelector::parse(
            "involvedObject.name=api-0,involvedObject.uid=u1,metadata.name!=x",
            Resource::Events,
        )
        .unwrap();
        let vals = BTreeMap::from([
            ("involvedObject.name", "api-0"),
            ("involvedObject.uid", "u1"),
            ("metadata.name", "e"),
        ]);
        assert!(f.matches(|k| vals.get(k).copied()));
        let vals = BTreeMap::from([("involvedObject.name", "api-1")]);
        assert!(!f.matches(|k| vals.get(k).copied()));
        let e = FieldSelector::parse("spec.foo=1", Resource::Pods).unwrap_err();
        assert_eq!(e.0, "field label not supported: spec.foo");
        assert!(FieldSelector::parse("nonsense", Resource::Pods).is_err());
    }

    #[test]
    fn kubectl_words_name_resources() {
        assert_eq!(Resource::from_word("po"), Some(Resource::Pods));
        assert_eq!(Resource::from_word("deploy"), Some(Resource::Deployments));
        assert_eq!(
            Resource::from_word("deployments.apps"),
            Some(Resource::Deployments)
        );
        assert_eq!(
            Resource::from_word("deployment.apps"),
            Some(Resource::Deployments)
        );
        assert_eq!(Resource::from_word("Endpoints"), Some(Resource::Endpoints));
        assert_eq!(
            Resource::from_word("netpol"),
            Some(Resource::NetworkPolicies)
        );
        assert_eq!(
            Resource::from_word("networkpolicy.networking.k8s.io"),
            Some(Resource::NetworkPolicies)
        );
        assert_eq!(Resource::from_word("deploy.batch"), None);
        assert_eq!(Resource::from_word("cronjobs"), None);
    }

    #[test]
    fn every_row_has_one_cell_per_column() {
        let mut w = World::new(super::super::Fault::ALL[0], 7);
        w.advance(180_000);
        for r in Resource::ALL {
            let items = items(&w, r);
            assert!(r == Resource::NetworkPolicies || !items.is_empty(), "{r:?}");
            for i in &items {
                assert_eq!(i.cells.len(), columns(r).len(), "{r:?}");
            }
        }
        let pods = render(
            Resource::Pods,
            &items(&w, Resource::Pods),
            RenderOptions::default(),
        );
        assert!(pods.starts_with("NAME "), "{pods}");
        assert!(
            pods.contains("CrashLoopBackOff") || pods.contains("Running"),
            "{pods}"
        );
    }
}
