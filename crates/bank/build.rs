//! Rebuilds the crate when the embedded Kubernetes pack changes, including
//! when a file is added (include_dir! alone does not notice new files).

fn main() {
    println!("cargo:rerun-if-changed=../../packs/kubernetes");
    println!("cargo:rerun-if-changed=../../packs/kubernetes/questions");
    println!("cargo:rerun-if-changed=../../packs/kubernetes/scenarios");
}
