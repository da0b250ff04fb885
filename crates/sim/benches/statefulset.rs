//! StatefulSet simulation speed: the pack's Redis Cluster through a node
//! loss, and large sets created in order and in parallel.

use kubeprep_sim::manifest::{parse_str, Object};
use kubeprep_sim::statefulset::{findings, pick, simulate, Action, Model};

fn main() {
    divan::main();
}

fn corrected() -> Vec<Object> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/statefulset/corrected.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    parse_str("corrected.yaml", &text)
        .objects()
        .cloned()
        .collect()
}

fn large(replicas: i64, policy: &str) -> Vec<Object> {
    let text = format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: web}}
spec:
  replicas: {replicas}
  podManagementPolicy: {policy}
  serviceName: web
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 5}}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
"
    );
    parse_str("large.yaml", &text).objects().cloned().collect()
}

#[divan::bench]
fn redis_node_loss(bencher: divan::Bencher) {
    let objects = corrected();
    let model = Model {
        nodes: 7,
        actions: vec![
            Action::FailNode {
                node: "node-5".into(),
                at_ms: 120_000,
            },
            Action::OutOfService { at_ms: 500_000 },
        ],
        ..Model::default()
    };
    bencher.bench(|| simulate(pick(&objects, None).unwrap(), &objects, &model).unwrap());
}

#[divan::bench(args = ["OrderedReady", "Parallel"])]
fn thousand_replicas_on_100_nodes(bencher: divan::Bencher, policy: &str) {
    let objects = large(1000, policy);
    let model = Model {
        nodes: 100,
        actions: vec![Action::Update { at_ms: 100_000 }],
        ..Model::default()
    };
    bencher.bench(|| simulate(pick(&objects, None).unwrap(), &objects, &model).unwrap());
}

#[divan::bench]
fn check_corrected(bencher: divan::Bencher) {
    let objects = corrected();
    bencher.bench(|| findings(&objects));
}
