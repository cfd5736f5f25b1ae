//! Typed errors, end to end: the Wasm binding turns each variant into a JS `Error` whose
//! `name` is "EcaGuardError" and whose `kind` is the variant name (and, for pairing, whose
//! `variant` is the [`PairingError`] variant's name).

use crate::pairing::PairingError;

/// Everything the core can refuse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A pack's JSON does not parse (or has unknown or missing fields).
    #[error("the pack does not parse at line {line}, column {column}: {reason}")]
    PackSyntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said, without its own position suffix.
        reason: String,
    },
    /// A pack parses but says something impossible.
    #[error("pack `{pack}` is invalid{}: {reason}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    PackInvalid {
        /// Pack id.
        pack: String,
        /// 1-based line where the offending value first appears, when found.
        line: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// No pack has this id.
    #[error("there is no rule pack `{id}` (known: {known})")]
    UnknownPack {
        /// The id asked for.
        id: String,
        /// The ids there are.
        known: String,
    },
    /// The settings or a snapshot are not of the expected shape.
    #[error("{what} is not valid: {reason}")]
    BadInput {
        /// "settings", "snapshot", …
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A pairing or sealing step failed.
    #[error("pairing: {0}")]
    Pairing(PairingError),
}

impl Error {
    /// The variant name, for JS to branch on.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::PackSyntax { .. } => "PackSyntax",
            Error::PackInvalid { .. } => "PackInvalid",
            Error::UnknownPack { .. } => "UnknownPack",
            Error::BadInput { .. } => "BadInput",
            Error::Pairing(_) => "Pairing",
        }
    }
}
