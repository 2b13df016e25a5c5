//! "Did you mean ...?": the closest valid spellings of a mistyped word.

/// How far (in edits) a word may be from a candidate and still count as a typo of it.
fn threshold(word: &str) -> usize {
    (word.chars().count() / 3).max(2)
}

/// The candidates within typo distance of `word`, closest first (ties keep the given order).
pub fn close_matches<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = threshold(word);
    if word.len() > 256 {
        return Vec::new(); // nothing is a typo of a word this long; levenshtein would cost its square
    }
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= limit || (word.len() >= 4 && c.contains(word)))
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    scored.into_iter().map(|(_, c)| c).collect()
}

/// The single closest candidate within typo distance of `word`, if any.
///
/// ```
/// assert_eq!(vpcsim::command::closest("wiat-for", ["run", "wait", "wait-for"]), Some("wait-for"));
/// ```
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    close_matches(word, candidates).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transposition_is_found() {
        assert_eq!(closest("ouptut-contains", ["output-contains", "exit"]), Some("output-contains"));
    }

    #[test]
    fn an_unrelated_word_has_no_suggestion() {
        assert_eq!(closest("zebra", ["output-contains", "exit"]), None);
    }
}
