//! ECA Guard core: the settings model, rule packs, page snapshots, checks, callback rules and
//! the scope model for Salesforce External Client Apps. Pure Rust: no browser types; the Wasm
//! binding lives in `wasm.rs` and only converts. docs/ARCHITECTURE.md shows how the parts fit.

pub mod callback;
pub mod catalogue;
pub mod check;
pub mod error;
pub mod finding;
pub mod json;
#[cfg(feature = "metadata")]
pub mod metadata;
pub mod org;
pub mod org_status;
pub mod pack;
pub mod pairing;
pub mod probe;
pub mod report;
pub mod scopes;
pub mod settings;
pub mod snapshot;
pub mod urls;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use check::{check, check_config, CheckResult};
pub use error::Error;
pub use finding::{Counts, Finding, Severity};
pub use pack::{Config, Pack, Params};
pub use settings::Field;
pub use snapshot::Snapshot;
