//! The fault catalog: the ten ways the lab's `api` Deployment is broken,
//! their ids (as `--fault` takes them) and one-line descriptions. What each
//! fault does to the world lives in `scenario.rs`; how it shows lives in the
//! app and kubelet models.

use std::fmt;
use std::str::FromStr;

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The `postgres` Service's selector matches no Pod: no endpoints, `ECONNREFUSED`.
    ServiceSelectorMismatch,
    /// The api's Secret lacks the key the app reads: exit 1 with the app's message.
    MissingSecretKey,
    /// The memory limit is below what the app needs: `OOMKilled`, exit 137.
    OomKilled,
    /// The container command runs something that exits at once: exit 0, `Completed`.
    WrongCommand,
    /// The image name or tag does not exist: `ErrImagePull` / `ImagePullBackOff`.
    BadImage,
    /// The liveness probe checks the wrong port or path: killed, exit 137.
    LivenessWrongPort,
    /// The database host name does not resolve: `getaddrinfo ENOTFOUND`.
    WrongDbHost,
    /// The Redis password is wrong or empty: `WRONGPASS` / `NOAUTH`.
    RedisAuth,
    /// A NetworkPolicy blocks egress to PostgreSQL: connection timeouts.
    EgressBlocked,
    /// A referenced ConfigMap does not exist: `CreateContainerConfigError`.
    MissingConfigmap,
}

impl Fault {
    /// The fault a seed picks when none is named: the same seed, the same fault.
    pub fn for_seed(seed: u64) -> Fault {
        Fault::ALL[(seed % Fault::ALL.len() as u64) as usize]
    }

    /// Every fault, in catalog order.
    pub const ALL: [Fault; 10] = [
        Fault::ServiceSelectorMismatch,
        Fault::MissingSecretKey,
        Fault::OomKilled,
        Fault::WrongCommand,
        Fault::BadImage,
        Fault::LivenessWrongPort,
        Fault::WrongDbHost,
        Fault::RedisAuth,
        Fault::EgressBlocked,
        Fault::MissingConfigmap,
    ];

    /// The id `--fault` takes, e.g. `service-selector-mismatch`.
    pub fn id(self) -> &'static str {
        match self {
            Fault::ServiceSelectorMismatch => "service-selector-mismatch",
            Fault::MissingSecretKey => "missing-secret-key",
            Fault::OomKilled => "oom-killed",
            Fault::WrongCommand => "wrong-command",
            Fault::BadImage => "bad-image",
            Fault::LivenessWrongPort => "liveness-wrong-port",
            Fault::WrongDbHost => "wrong-db-host",
            Fault::RedisAuth => "redis-auth",
            Fault::EgressBlocked => "egress-blocked",
            Fault::MissingConfigmap => "missing-configmap",
        }
    }

    /// One line saying what is broken (for the solution, not for the candidate).
    pub fn summary(self) -> &'static str {
        match self {
            Fault::ServiceSelectorMismatch => {
                "the postgres Service's selector matches no Pod, so it has no endpoints"
            }
            Fault::MissingSecretKey => "the Secret the api reads lacks the DB_PASSWORD key",
            Fault::OomKilled => "the api's memory limit is below what the app needs",
            Fault::WrongCommand => "the api's command runs something that exits at once",
            Fault::BadImage => "the api's image name or tag does not exist",
            Fault::LivenessWrongPort => "the api's liveness probe checks the wrong port or path",
            Fault::WrongDbHost => "DB_HOST names a host that does not resolve",
            Fault::RedisAuth => "the api's Redis password is wrong or empty",
            Fault::EgressBlocked => "a NetworkPolicy blocks the api's egress to PostgreSQL",
            Fault::MissingConfigmap => "the api references a ConfigMap that does not exist",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A fault id that is not in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault {0:?}: use one of {ids}", ids = Fault::ALL.map(Fault::id).join(", "))]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|f| f.id() == s)
            .ok_or_else(|| UnknownFault(s.to_string()))
    }
}
