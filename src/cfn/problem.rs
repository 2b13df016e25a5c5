//! [`Problem`]: one located problem in a template, before the file name is known, and
//! "did you mean" suggestions for misspelt names.

use crate::error::{FileProblem, Location};

/// One problem found in a template, at a location, optionally tied to a logical id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{loc}: {message}")]
pub struct Problem {
    /// Where in the template.
    pub loc: Location,
    /// `Resources.X`, `Parameters.X`, `Outputs.X`, `Conditions.X`.
    pub context: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem without context or hint.
    pub fn new(loc: Location, message: impl Into<String>) -> Problem {
        Problem { loc, context: None, message: message.into(), hint: None }
    }

    /// The same problem with a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }

    /// The same problem tied to `context` unless it already has one.
    pub fn within(mut self, context: &str) -> Problem {
        self.context.get_or_insert_with(|| context.to_string());
        self
    }

    /// The problem as a [`FileProblem`] of `file`.
    pub fn in_file(self, file: &str) -> FileProblem {
        FileProblem {
            file: file.to_string(),
            location: self.loc,
            context: self.context,
            message: self.message,
            hint: self.hint,
        }
    }
}

/// Most candidates [`did_you_mean`] compares: past this many names a suggestion costs
/// more than it helps (a template with tens of thousands of resources).
pub const MAX_SUGGESTION_CANDIDATES: usize = 2_000;

/// The closest of `candidates` to `name`, when one is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    let candidates: Vec<&str> = candidates.into_iter().take(MAX_SUGGESTION_CANDIDATES + 1).collect();
    if candidates.len() > MAX_SUGGESTION_CANDIDATES || name.len() > 256 {
        return None;
    }
    let best = candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(name.chars().count()) <= limit && c.len() <= 256)
        .map(|c| (levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .min_by_key(|(d, _)| *d)?;
    (best.0 <= limit).then(|| format!("did you mean `{}`?", best.1))
}

/// Edit distance between two strings, by characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_and_far_ones_are_not() {
        assert_eq!(did_you_mean("MyVCP", ["MyVPC", "CustomVPC"]).as_deref(), Some("did you mean `MyVPC`?"));
        assert_eq!(did_you_mean("Zebra", ["MyVPC", "CustomVPC"]), None);
    }
}
