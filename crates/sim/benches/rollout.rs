//! Rollout simulation speed: a 10,000-replica rolling update with
//! request-level accounting at 1,000 req/s (the target is under 1 s), and
//! the seed's 6-replica Deployment as a baseline, both with a rollback
//! after completion.

use k8s_openapi::api::apps::v1::Deployment;
use kubeprep_sim::rollout::{simulate, Model, RollbackAt, Update};

fn main() {
    divan::main();
}

fn deployment(replicas: u32) -> Deployment {
    let yaml = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {replicas}
  minReadySeconds: 10
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: web
        image: web:v1
        readinessProbe: {{httpGet: {{path: /ready, port: 8080}}, periodSeconds: 5}}
        lifecycle: {{preStop: {{sleep: {{seconds: 5}}}}}}
"
    );
    serde_norway::from_str(&yaml).expect("bench manifest")
}

fn run(replicas: u32) {
    let d = deployment(replicas);
    let update = Update::Image {
        container: None,
        image: "web:v2".into(),
    };
    let model = Model {
        rps: 1000,
        rollback: Some(RollbackAt::AfterComplete(60_000)),
        ..Model::default()
    };
    let r = simulate(divan::black_box(&d), &update, &model).expect("simulate");
    assert!(r.duration_ms.is_some());
    divan::black_box(r);
}

#[divan::bench(sample_count = 10)]
fn replicas_10000_at_1000_rps() {
    run(10_000);
}

#[divan::bench(sample_count = 20)]
fn replicas_6_at_1000_rps() {
    run(6);
}
