//! Build script for `kubeprep-store`: it only tells Cargo to rebuild the crate
//! when a migration is added, because `sqlx::migrate!` embeds the
//! `migrations/` folder at compile time and stable Rust cannot track that by
//! itself. It generates no code and touches no database.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
