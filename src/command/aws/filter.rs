//! `--filters` of describe calls: each filter a name and values; several filters
//! must all match, several values of one filter any. Values may hold the wildcards
//! `*` (any run of characters) and `?` (one character), escaped with `\` as AWS does.

use serde::Serialize;
use serde_json::Value;

/// One `Name=...,Values=...` filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// The filter's name (`vpc-id`, `tag:Name`).
    pub name: String,
    /// The values, any of which may match.
    pub values: Vec<String>,
}

/// Reads `--filters` words: shorthand (`Name=vpc-id,Values=a,b`, one filter per word)
/// or one JSON list (`[{"Name": "vpc-id", "Values": ["a"]}]`).
pub fn parse(words: &[String]) -> Result<Vec<Filter>, String> {
    let mut out = Vec::new();
    for word in words {
        match super::shorthand::parse(word)? {
            Value::Array(items) => {
                for item in &items {
                    out.push(one(item)?);
                }
            }
            item => out.push(one(&item)?),
        }
    }
    Ok(out)
}

fn one(item: &Value) -> Result<Filter, String> {
    let bad = || format!("Error parsing parameter '--filters': expected Name=NAME,Values=V1,V2, got {item}");
    let Value::Object(map) = item else { return Err(bad()) };
    if let Some(key) = map.keys().find(|k| *k != "Name" && *k != "Values") {
        return Err(format!("Parameter validation failed:\nUnknown parameter in Filters: \"{key}\", must be one of: Name, Values"));
    }
    let name = map.get("Name").and_then(Value::as_str).ok_or_else(bad)?.to_string();
    let values = match map.get("Values") {
        Some(Value::String(v)) => vec![v.clone()],
        Some(Value::Array(vs)) => vs.iter().map(scalar_text).collect::<Option<_>>().ok_or_else(bad)?,
        Some(_) => return Err(bad()),
        None => Vec::new(),
    };
    Ok(Filter { name, values })
}

/// A JSON scalar as the text a filter value is compared with (`true`, `80`, `vpc-1`).
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Filter {
    /// Whether any of `candidates` matches any of the filter's values.
    pub fn matches_any<'a>(&self, mut candidates: impl Iterator<Item = &'a str>) -> bool {
        candidates.any(|c| self.values.iter().any(|v| wildcard(v.as_bytes(), c.as_bytes())))
    }
}

/// `*` and `?` wildcard match of a whole string; `\*`, `\?` and `\\` match themselves.
pub fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, t));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                t += 1;
                continue;
            }
            Some(b'\\') if p + 1 < pattern.len() && pattern[p + 1] == text[t] => {
                p += 2;
                t += 1;
                continue;
            }
            Some(&c) if c != b'\\' && c == text[t] => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                p = sp;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(p: &str, t: &str) -> bool {
        wildcard(p.as_bytes(), t.as_bytes())
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(w("My*", "MyVPC"));
        assert!(w("*VPC", "MyVPC"));
        assert!(w("M?VPC", "MyVPC"));
        assert!(!w("M?VPC", "MyyVPC"));
        assert!(w("*", ""));
        assert!(!w("MyVPC", "MyVPC2"));
        assert!(w(r"a\*b", "a*b"));
        assert!(!w(r"a\*b", "axb"));
    }

    #[test]
    fn shorthand_and_json_filters_read_the_same() {
        let short = parse(&["Name=tag:Name,Values=a,b".to_string()]).unwrap();
        let json = parse(&[r#"[{"Name":"tag:Name","Values":["a","b"]}]"#.to_string()]).unwrap();
        assert_eq!(short, json);
        assert_eq!(short[0].values, ["a", "b"]);
    }

    #[test]
    fn a_filter_with_an_unknown_key_is_refused() {
        let err = parse(&["Name=vpc-id,Value=a".to_string()]).unwrap_err();
        assert!(err.contains("Unknown parameter in Filters: \"Value\""), "{err}");
    }
}
