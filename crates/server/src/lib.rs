//! kubeprep's HTTP faces. [`lab`] is the troubleshooting lab's
//! Kubernetes-compatible API that the real kubectl talks to. The logic lives
//! in the libraries (`kubeprep-sim`); this crate only speaks HTTP.

pub mod lab;
