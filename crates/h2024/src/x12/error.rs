//! Why an interchange was not written. Messages name the element and its path, never a
//! value: an envelope carries names, member ids and birth dates.

use std::io;

/// Why [`write_837p`](crate::x12::write_837p) (or [`Envelope::from_json`](crate::x12::Envelope::from_json))
/// refused. Every variant but [`X12Error::Io`] is raised before anything is written.
///
/// Paths are JSON paths: into the envelope (`billing_provider.npi`,
/// `subscribers[0].birth_date`, `separators.segment`) or into the response (`claims[2]`,
/// `lines[7].charge_cents`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum X12Error {
    /// The envelope text is not JSON, or not of the envelope's shape (an unknown or missing
    /// field, a value of the wrong type).
    #[error("envelope at `{path}`: {message}")]
    Envelope {
        /// Where (empty for the whole document).
        path: String,
        /// What is wrong, naming no value.
        message: String,
    },
    /// An element the 837P requires is missing.
    #[error("`{path}`: missing; the 837P requires {element}")]
    Missing {
        /// Where it should be.
        path: String,
        /// The element and what it holds (`SV102, the line's charge`).
        element: &'static str,
    },
    /// A value the 837P cannot carry, or an envelope value out of its range.
    #[error("`{path}`: {problem}")]
    Invalid {
        /// Where.
        path: String,
        /// What is wrong, naming no value.
        problem: String,
    },
    /// A value holds one of the separators (or a character outside printable ASCII).
    #[error(
        "`{path}`: holds a separator or a character outside printable ASCII; change the value or the separators"
    )]
    HoldsSeparator {
        /// Where.
        path: String,
    },
    /// Writing to the output failed; what was written is incomplete.
    #[error("the interchange could not be written: {0}")]
    Io(#[from] io::Error),
}

impl X12Error {
    /// The path of the value at fault (`None` for an output failure).
    pub fn path(&self) -> Option<&str> {
        match self {
            X12Error::Envelope { path, .. }
            | X12Error::Missing { path, .. }
            | X12Error::Invalid { path, .. }
            | X12Error::HoldsSeparator { path } => Some(path),
            X12Error::Io(_) => None,
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, problem: impl Into<String>) -> X12Error {
        X12Error::Invalid {
            path: path.into(),
            problem: problem.into(),
        }
    }
}
