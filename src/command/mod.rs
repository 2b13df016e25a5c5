//! Command lines as learners type them in a scenario step's `run:`.
//!
//! A line is split into words like a POSIX shell does (quotes and backslash escapes,
//! no expansion), then parsed once into a typed value: an [`app::AppCommand`] (`dig`,
//! `curl`, `ping`, `nc` on an instance) or an [`aws::AwsCall`] (`aws <service>
//! <operation> --flags`). Errors read like the real tool's, carry its exit code, and
//! never panic whatever the input.

pub mod app;
pub mod aws;
mod getopt;
mod suggest;

pub use suggest::{close_matches, closest};

/// Why a command line could not be split into words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SplitError {
    /// A quote was opened and never closed, or the line ends in a lone backslash.
    #[error("unterminated quote or trailing backslash in command line: {line}")]
    Unbalanced {
        /// The line as given.
        line: String,
    },
    /// The line holds no word at all.
    #[error("empty command line")]
    Empty,
}

/// Splits a command line into words as `sh` would (single and double quotes,
/// backslash escapes); nothing is expanded.
///
/// ```
/// let words = vpcsim::command::split(r#"curl -s "http://a b/""#).unwrap();
/// assert_eq!(words, ["curl", "-s", "http://a b/"]);
/// ```
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let words = shlex::split(line).ok_or_else(|| SplitError::Unbalanced { line: line.to_string() })?;
    if words.is_empty() {
        return Err(SplitError::Empty);
    }
    Ok(words)
}
