//! HPA.
pub mod calculator; pub mod controller; pub mod profile;
