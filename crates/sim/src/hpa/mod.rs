//! HPA.
pub mod calculator; pub mod controller; pub mod cron; pub mod profile;
