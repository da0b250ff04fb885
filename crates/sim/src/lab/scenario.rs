//! The lab's starting state: three nodes and the seed's shop (a Node.js
//! `api` Deployment talking to `postgres` and `redis`), with the one fault
//! written into the objects. Seeded: the seed picks names, IPs, passwords and
//! which variant of the fault is injected. Not the controllers: those live
//! in `mod.rs` and start the Pods from these objects.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Node, Secret, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde_json::{json, Value};

use super::Fault;

/// splitmix64: small, seedable and the same on every platform.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed ^ 0x6b75_6265_7072_6570)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// `n` characters from the alphabet Kubernetes uses for generated names.
    pub(crate) fn suffix(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| SAFE[self.below(SAFE.len() as u64) as usize] as char)
            .collect()
    }

    /// A version-4-looking UID.
    pub(crate) fn uid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

/// `k8s.io/apimachinery/pkg/util/rand` alphanums: no vowels, no 0/1/3.
pub(crate) const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The good image of the app, and the other tags that exist in the registry.
pub(crate) const API_IMAGE: &str = "ghcr.io/kubeprep/shop-api:1.4.2";
pub(crate) const KNOWN_IMAGES: &[&str] = &[
    "ghcr.io/kubeprep/shop-api:1.4.2",
    "ghcr.io/kubeprep/shop-api:1.4.1",
    "ghcr.io/kubeprep/shop-api:1.5.0",
    "ghcr.io/kubeprep/shop-api:latest",
    "postgres:16.4",
    "postgres:16",
    "redis:7.4",
    "redis:7",
    "busybox",
    "busybox:1.36",
];

/// What the seed decided, kept for the app model and the solution text.
#[derive(Debug, Clone)]
pub(crate) struct Details {
    /// Which variant of the fault (0..3).
    pub variant: u64,
    pub db_password: String,
    pub redis_password: String,
    pub postgres_ip: String,
    pub redis_ip: String,
    pub api_ip: String,
    /// The api's memory need in MiB (its limit must be at least this).
    pub memory_need_mib: f64,
    /// How long the app takes to reach each step, in ms.
    pub boot_ms: i64,
}

/// The starting objects.
pub(crate) struct Start {
    pub nodes: Vec<Node>,
    pub deployments: Vec<Deployment>,
    pub services: Vec<Service>,
    pub config_maps: Vec<ConfigMap>,
    pub secrets: Vec<Secret>,
    pub network_policies: Vec<NetworkPolicy>,
    pub details: Details,
}

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    // The values below are literals of this file; a failure is a bug here.
    serde_json::from_value(v).expect("lab scenario object")
}

fn cluster_ip(rng: &mut Rng, used: &mut Vec<String>) -> String {
    loop {
        let ip = format!("10.96.{}.{}", rng.below(250), 2 + rng.below(250));
        if !used.contains(&ip) {
            used.push(ip.clone());
            return ip;
        }
    }
}

fn password(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..16 {
        let c = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[rng.below(55) as usize];
        s.push(c as char);
    }
    s
}

/// Builds the starting world for `fault` from `rng`.
pub(crate) fn build(fault: Fault, rng: &mut Rng) -> Start {
    let variant = rng.below(3);
    let mut used = vec!["10.96.0.1".to_string(), "10.96.0.10".to_string()];
    let details = Details {
        variant,
        db_password: password(rng),
        redis_password: password(rng),
        postgres_ip: cluster_ip(rng, &mut used),
        redis_ip: cluster_ip(rng, &mut used),
        api_ip: cluster_ip(rng, &mut used),
        memory_need_mib: 180.0,
        boot_ms: 300 + rng.below(500) as i64,
    };
    let nodes = (1..=3)
        .map(|i| {
            from(json!({
                "metadata": {"name": format!("node-{i}"), "labels": {
                    "kubernetes.io/hostname": format!("node-{i}"),
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/zone": format!("zone-{}", ["a", "b", "c"][i - 1]),
                }},
                "spec": {"podCIDR": format!("10.244.{i}.0/24")},
                "status": {
                    "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                    "allocatable": {"cpu": "3800m", "memory": "15Gi", "pods": "110"},
                    "addresses": [
                        {"type": "InternalIP", "address": format!("172.18.0.{}", i + 1)},
                        {"type": "Hostname", "address": format!("node-{i}")}
                    ],
                    "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "message": "kubelet is posting ready status"}],
                    "nodeInfo": {"kubeletVersion": "v1.34.1", "kubeProxyVersion": "v1.34.1",
                        "containerRuntimeVersion": "containerd://2.1.4", "osImage": "Debian GNU/Linux 12 (bookworm)",
                        "kernelVersion": "6.8.0-45-generic", "operatingSystem": "linux", "architecture": "amd64",
                        "machineID": "", "systemUUID": "", "bootID": ""}
                }
            }))
        })
        .collect();

    // The api's container, then the fault written into it.
    let mut api_container = json!({
        "name": "api",
        "image": API_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["node", "server.js"],
        "ports": [{"name": "http", "containerPort": 3000, "protocol": "TCP"}],
        "envFrom": [{"configMapRef": {"name": "api-config"}}, {"secretRef": {"name": "api-secrets"}}],
        "resources": {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"},
            "initialDelaySeconds": 5, "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
            "initialDelaySeconds": 15, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
    });
    let mut config_name = "api-config";
    let mut db_host = "postgres";
    let mut db_key = "DB_PASSWORD";
    let mut redis_value = details.redis_password.clone();
    let mut pg_selector = json!({"app": "postgres"});
    let mut network_policies = Vec::new();
    match fault {
        Fault::ServiceSelectorMismatch => {
            pg_selector = [
                json!({"app": "postgresql"}),
                json!({"app": "postgres-db"}),
                json!({"app": "postgres", "tier": "db"}),
            ][variant as usize]
                .clone();
        }
        Fault::MissingSecretKey => {
            db_key = ["DB_PASS", "DATABASE_PASSWORD", "POSTGRES_PASSWORD"][variant as usize]
        }
        Fault::OomKilled => {
            let limit = ["64Mi", "96Mi", "128Mi"][variant as usize];
            api_container["resources"] = json!({"requests": {"cpu": "100m", "memory": "64Mi"},
                "limits": {"memory": limit}});
        }
        Fault::WrongCommand => {
            api_container["command"] = [
                json!(["node", "--version"]),
                json!(["npm", "run", "build"]),
                json!(["node", "migrate.js"]),
            ][variant as usize]
                .clone();
        }
        Fault::BadImage => {
            let image = [
                "ghcr.io/kubeprep/shop-api:v1.4.2",
                "ghcr.io/kubeprep/shopapi:1.4.2",
                "ghcr.io/kubeprep/shop-api:1.42",
            ][variant as usize];
            api_container["image"] = json!(image);
        }
        Fault::LivenessWrongPort => {
            api_container["livenessProbe"]["httpGet"] = [
                json!({"path": "/healthz", "port": 8080}),
                json!({"path": "/healthz", "port": 3001}),
                json!({"path": "/health", "port": "http"}),
            ][variant as usize]
                .clone();
        }
        Fault::WrongDbHost => {
            db_host = [
                "postgres-svc",
                "postgresql",
                "postgres.database.svc.cluster.local",
            ][variant as usize]
        }
        Fault::RedisAuth => {
            redis_value = if variant == 0 {
                String::new()
            } else {
                password(rng)
            };
        }
        Fault::EgressBlocked => {
            let pg_rule = match variant {
                0 => json!(null),
                1 => json!({"to": [{"podSelector": {"matchLabels": {"app": "postgres"}}}],
                    "ports": [{"protocol": "TCP", "port": 5433}]}),
                _ => json!({"to": [{"podSelector": {"matchLabels": {"app": "postgresql"}}}],
                    "ports": [{"protocol": "TCP", "port": 5432}]}),
            };
            let mut egress = vec![
                json!({"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}),
                json!({"to": [{"podSelector": {"matchLabels": {"app": "redis"}}}],
                    "ports": [{"protocol": "TCP", "port": 6379}]}),
            ];
            if !pg_rule.is_null() {
                egress.push(pg_rule);
            }
            network_policies.push(from(json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "api-egress", "namespace": "default"},
                "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"], "egress": egress}
            })));
        }
        Fault::MissingConfigmap => {
            config_name = ["api-settings", "api-env", "api-configuration"][variant as usize]
        }
    }

    let deployment = |name: &str, labels: Value, container: Value, replicas: i64| -> Deployment {
        from(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": name}, "generation": 1},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "revisionHistoryLimit": 10,
                "progressDeadlineSeconds": 600,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [container], "restartPolicy": "Always",
                        "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst"}
                }
            }
        }))
    };
    let deployments = vec![
        deployment(
            "api",
            json!({"app": "api", "tier": "backend"}),
            api_container,
            3,
        ),
        deployment(
            "postgres",
            json!({"app": "postgres", "tier": "database"}),
            json!({"name": "postgres", "image": "postgres:16.4", "imagePullPolicy": "IfNotPresent",
                "ports": [{"name": "postgres", "containerPort": 5432, "protocol": "TCP"}],
                "envFrom": [{"secretRef": {"name": "postgres-credentials"}}],
                "readinessProbe": {"exec": {"command": ["pg_isready", "-U", "shop"]},
                    "initialDelaySeconds": 5, "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}}),
            1,
        ),
        deployment(
            "redis",
            json!({"app": "redis", "tier": "cache"}),
            json!({"name": "redis", "image": "redis:7.4", "imagePullPolicy": "IfNotPresent",
                "args": ["--requirepass", "$(REDIS_PASSWORD)"],
                "env": [{"name": "REDIS_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "redis-auth", "key": "password"}}}],
                "ports": [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}],
                "readinessProbe": {"tcpSocket": {"port": 6379},
                    "initialDelaySeconds": 2, "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}}),
            1,
        ),
    ];

    let service = |name: &str, ip: &str, selector: Value, port: i64, port_name: &str| -> Service {
        from(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
            "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "selector": selector,
                "ports": [{"name": port_name, "port": port, "targetPort": port, "protocol": "TCP"}],
                "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"}
        }))
    };
    let services = vec![
        service("api", &details.api_ip, json!({"app": "api"}), 80, "http"),
        service(
            "postgres",
            &details.postgres_ip,
            pg_selector,
            5432,
            "postgres",
        ),
        service(
            "redis",
            &details.redis_ip,
            json!({"app": "redis"}),
            6379,
            "redis",
        ),
    ];
    let mut services = services;
    // The api Service sends port 80 to the named container port.
    if let Some(p) = services[0].spec.as_mut().and_then(|s| s.ports.as_mut()) {
        p[0].target_port =
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String("http".into()));
    }

    let config_maps = vec![from(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": config_name, "namespace": "default", "labels": {"app": "api"}},
        "data": {"DB_HOST": db_host, "DB_PORT": "5432", "DB_NAME": "shop", "DB_USER": "shop",
            "REDIS_HOST": "redis", "REDIS_PORT": "6379", "PORT": "3000", "NODE_ENV": "production",
            "LOG_LEVEL": "info"}
    }))];
    let mut api_secret = serde_json::Map::new();
    api_secret.insert(db_key.into(), json!(details.db_password));
    api_secret.insert("REDIS_PASSWORD".into(), json!(redis_value));
    api_secret.insert("SESSION_SECRET".into(), json!(password(rng)));
    let secret = |name: &str, data: Value| -> Secret {
        from(
            json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": "default"}, "stringData": data}),
        )
    };
    let secrets = vec![
        secret("api-secrets", Value::Object(api_secret)),
        secret(
            "postgres-credentials",
            json!({"POSTGRES_USER": "shop", "POSTGRES_DB": "shop", "POSTGRES_PASSWORD": details.db_password}),
        ),
        secret("redis-auth", json!({"password": details.redis_password})),
    ];
    Start {
        nodes,
        deployments,
        services,
        config_maps,
        secrets,
        network_policies,
        details,
    }
}
