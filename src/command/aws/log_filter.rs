//! CloudWatch Logs filter patterns (`aws logs filter-log-events --filter-pattern`), checked
//! when the line is parsed. Two forms are modelled: terms (`REJECT`, `"10.0.1.5"`; all must
//! appear, `-term` must not, `?a ?b` any of them), matched against the event's words; and
//! the space-delimited form `[version, account, eni, ..., action="REJECT", status]`, one
//! name per space-separated field of the event, with `=` and `!=` (a `*` in the value is a
//! wildcard) and `<`, `<=`, `>`, `>=` on numbers. JSON patterns (`{ $.x = 1 }`), regular
//! expressions (`%...%`), `...` and `&&`/`||` inside brackets are refused.

use std::fmt;

/// A parsed filter pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterPattern {
    /// Terms: every `all` term appears, no `none` term does, and one of `any` when there are some.
    Terms {
        /// Terms that must appear.
        all: Vec<String>,
        /// `-term`: terms that must not.
        none: Vec<String>,
        /// `?term`: at least one must appear.
        any: Vec<String>,
    },
    /// `[a, b=VALUE, ...]`: one entry per space-separated field of the event.
    Fields(Vec<FieldTest>),
}

/// One field of a space-delimited pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldTest {
    /// The name given to the field.
    pub name: String,
    /// The condition on it, if any.
    pub condition: Option<(Comparison, String)>,
}

/// How a field is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `=` (a `*` in the value matches any text).
    Eq,
    /// `!=`.
    Ne,
    /// `<` (numbers).
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// Why a filter pattern was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError(String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FilterPattern {
    /// Parses a pattern; the empty pattern matches every event.
    pub fn parse(text: &str) -> Result<FilterPattern, PatternError> {
        let t = text.trim();
        if t.starts_with('{') {
            return Err(PatternError(format!("Invalid filter pattern {text:?}: JSON filter patterns are not modelled by vpcsim (flow log records are not JSON)")));
        }
        if t.starts_with('%') {
            return Err(PatternError(format!(
                "Invalid filter pattern {text:?}: regular expressions are not modelled by vpcsim; use terms or [field=value, ...]"
            )));
        }
        match t.strip_prefix('[') {
            Some(inner) => {
                let inner = inner
                    .strip_suffix(']')
                    .ok_or_else(|| PatternError(format!("Invalid filter pattern {text:?}: missing ]")))?;
                Ok(FilterPattern::Fields(inner.split(',').map(field_test).collect::<Result<_, _>>()?))
            }
            None => terms(t),
        }
    }

    /// Whether `message` matches.
    pub fn matches(&self, message: &str) -> bool {
        match self {
            FilterPattern::Terms { all, none, any } => {
                all.iter().all(|t| has_term(message, t))
                    && !none.iter().any(|t| has_term(message, t))
                    && (any.is_empty() || any.iter().any(|t| has_term(message, t)))
            }
            FilterPattern::Fields(tests) => {
                let words: Vec<&str> = message.split_whitespace().collect();
                words.len() == tests.len() && tests.iter().zip(words).all(|(t, w)| t.holds(w))
            }
        }
    }
}

fn terms(text: &str) -> Result<FilterPattern, PatternError> {
    let (mut all, mut none, mut any) = (Vec::new(), Vec::new(), Vec::new());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let (prefix, body) = match rest.as_bytes()[0] {
            b'-' => (Some('-'), &rest[1..]),
            b'?' => (Some('?'), &rest[1..]),
            _ => (None, rest),
        };
        let (term, after) = match body.strip_prefix('"') {
            Some(quoted) => {
                let end = quoted.find('"').ok_or_else(|| {
                    PatternError(format!("Invalid filter pattern {text:?}: unclosed quote"))
                })?;
                (&quoted[..end], &quoted[end + 1..])
            }
            None => {
                let end = body.find(char::is_whitespace).unwrap_or(body.len());
                (&body[..end], &body[end..])
            }
        };
        if term.is_empty() {
            return Err(PatternError(format!("Invalid filter pattern {text:?}: an empty term")));
        }
        match prefix {
            Some('-') => none.push(term.to_string()),
            Some(_) => any.push(term.to_string()),
            None => all.push(term.to_string()),
        }
        rest = after;
    }
    if !any.is_empty() && !all.is_empty() {
        return Err(PatternError(format!(
            "Invalid filter pattern {text:?}: vpcsim does not model ?terms mixed with plain terms"
        )));
    }
    Ok(FilterPattern::Terms { all, none, any })
}

/// A term appears when it is one of the message's words (split at anything but letters,
/// digits, `-`, `.`, `_` and `:`), or, for a term holding other characters, anywhere in it.
fn has_term(message: &str, term: &str) -> bool {
    let word_char = |c: char| c.is_alphanumeric() || "-._:".contains(c);
    if term.chars().all(word_char) {
        message.split(|c: char| !word_char(c)).any(|w| w == term)
    } else {
        message.contains(term)
    }
}

fn field_test(text: &str) -> Result<FieldTest, PatternError> {
    let t = text.trim();
    if t == "..." || t.contains("&&") || t.contains("||") {
        return Err(PatternError(format!(
            "Invalid filter pattern field {t:?}: `...`, && and || are not modelled by vpcsim; name every field"
        )));
    }
    const OPS: [(&str, Comparison); 6] = [
        ("!=", Comparison::Ne),
        ("<=", Comparison::Le),
        (">=", Comparison::Ge),
        ("=", Comparison::Eq),
        ("<", Comparison::Lt),
        (">", Comparison::Gt),
    ];
    let found = OPS.iter().filter_map(|(op, c)| t.find(op).map(|i| (i, *op, *c))).min_by_key(|(i, _, _)| *i);
    let Some((i, op, comparison)) = found else {
        return Ok(FieldTest { name: valid_name(t)?, condition: None });
    };
    let name = valid_name(t[..i].trim())?;
    let raw = t[i + op.len()..].trim();
    let value = raw.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(raw).to_string();
    let numeric = !matches!(comparison, Comparison::Eq | Comparison::Ne);
    if value.is_empty() || (numeric && value.parse::<f64>().is_err()) {
        return Err(PatternError(format!(
            "Invalid filter pattern field {t:?}: a value is needed (a number for < and >)"
        )));
    }
    Ok(FieldTest { name, condition: Some((comparison, value)) })
}

fn valid_name(name: &str) -> Result<String, PatternError> {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    match ok {
        true => Ok(name.to_string()),
        false => Err(PatternError(format!("Invalid filter pattern field name {name:?}"))),
    }
}

impl FieldTest {
    fn holds(&self, word: &str) -> bool {
        let Some((comparison, value)) = &self.condition else { return true };
        let number = |s: &str| s.parse::<f64>().ok();
        match comparison {
            Comparison::Eq => wildcard(value, word),
            Comparison::Ne => !wildcard(value, word),
            c => match (number(word), number(value)) {
                (Some(w), Some(v)) => match c {
                    Comparison::Lt => w < v,
                    Comparison::Le => w <= v,
                    Comparison::Gt => w > v,
                    _ => w >= v,
                },
                _ => false,
            },
        }
    }
}

/// `pattern` with `*` matching any text (numbers compare as numbers: `6` = `6.0`).
fn wildcard(pattern: &str, word: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == word
            || matches!((pattern.parse::<f64>(), word.parse::<f64>()), (Ok(a), Ok(b)) if a == b);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !word.starts_with(first) || word.len() < first.len() + last.len() || !word.ends_with(last) {
        return false;
    }
    let mut rest = &word[first.len()..word.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str =
        "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";

    #[test]
    fn a_plain_term_matches_a_word_of_the_record() {
        assert!(FilterPattern::parse("REJECT").unwrap().matches(RECORD));
        assert!(!FilterPattern::parse("ACCEPT").unwrap().matches(RECORD));
        assert!(!FilterPattern::parse("REJ").unwrap().matches(RECORD));
        assert!(FilterPattern::parse("172.31.9.69 3389").unwrap().matches(RECORD));
        assert!(!FilterPattern::parse("REJECT -3389").unwrap().matches(RECORD));
        assert!(FilterPattern::parse("?ACCEPT ?REJECT").unwrap().matches(RECORD));
        assert!(FilterPattern::parse("").unwrap().matches(RECORD));
    }

    #[test]
    fn the_space_delimited_form_names_each_field_and_tests_some() {
        let p = "[version, account, eni, source, destination, srcport, destport=\"3389\", protocol=\"6\", packets, bytes, windowstart, windowend, action=\"REJECT\", flowlogstatus]";
        assert!(FilterPattern::parse(p).unwrap().matches(RECORD));
        assert!(!FilterPattern::parse(&p.replace("REJECT", "ACCEPT")).unwrap().matches(RECORD));
        let q = "[v, a, e, source=172.31.*, d, sp, dp, p, packets>=20, bytes<5000, ws, we, action, s]";
        assert!(FilterPattern::parse(q).unwrap().matches(RECORD));
        let short = "[version, account, action=REJECT]";
        assert!(!FilterPattern::parse(short).unwrap().matches(RECORD));
    }

    #[test]
    fn unmodelled_pattern_syntax_is_refused_with_a_reason() {
        for p in [
            "{ $.action = \"REJECT\" }",
            "%REJ.*%",
            "[..., action=REJECT]",
            "[a=1 && a=2]",
            "[a, b",
            "\"open",
        ] {
            assert!(FilterPattern::parse(p).is_err(), "{p}");
        }
    }
}
