//! kubeprep's simulated cluster: a faithful model of the few Kubernetes
//! controllers an interview is about, in virtual time.
//!
//! - [`manifest`]: multi-document YAML/JSON into typed Kubernetes objects
//!   (k8s-openapi), strict like the API server, with defaults applied.
//! - [`duration`]: `30s`, `1m30s`, `500ms` as milliseconds, for every simulator.
//! - [`labels`]: label selectors, matched as the API machinery matches them.
//! - [`pod`]: when a Pod turns Ready and how long its preStop holds it.
//! - [`quantity`]: resource quantities (`512Mi`, `250m`) as numbers.
//! - [`rollout`]: the deployment controller's rolling update and rollback,
//!   with a pod lifecycle and request-level traffic model.
//! - [`hpa`]: the HorizontalPodAutoscaler controller against a traffic profile.
//! - [`rbac`]: the RBAC authorizer, `can-i`, `who-can`, escalation checks.
//! - [`statefulset`]: StatefulSet ordering, identities and volumes.
//! - [`check`]: static findings and scenario requirements.
//! - [`lab`]: the troubleshooting lab's world: a small cluster with one
//!   injected fault, a kubelet and controllers on a virtual clock.
//!
//! Nothing here prints or reads files beyond what a caller hands it.

pub mod check;
pub mod duration;
pub mod hpa;
pub mod lab;
pub mod labels;
pub mod manifest;
pub mod pod;
pub mod quantity;
pub mod rbac;
pub mod rollout;
pub mod statefulset;
