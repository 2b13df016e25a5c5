//! The AWS CLI's shorthand syntax for structured flag values (`Name=vpc-id,Values=a,b`,
//! `IpProtocol=tcp,IpRanges=[{CidrIp=10.0.0.0/8}]`) and its JSON form, both read into
//! a JSON value that typed requests then pick apart.
//!
//! As the CLI does, a bare comma-separated run after `Key=` is a list until a word
//! that looks like the next `Key=`; a list of one item is a plain string.

use serde_json::{Map, Value};

/// Reads one shorthand or JSON word; the error says where the text stops making sense.
///
/// ```
/// use vpcsim::command::aws::shorthand::parse;
/// let v = parse("Name=tag:Name,Values=a,b").unwrap();
/// assert_eq!(v["Name"], "tag:Name");
/// assert_eq!(v["Values"], serde_json::json!(["a", "b"]));
/// ```
pub fn parse(text: &str) -> Result<Value, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str(trimmed) {
            return Ok(v);
        }
    }
    let mut p = Parser { chars: text.chars().collect(), at: 0, depth: 0 };
    let v = p.keyvals(None)?;
    match p.peek() {
        None => Ok(v),
        Some(c) => Err(p.error(&format!("unexpected {c:?}"))),
    }
}

/// How deep `[...]` and `{...}` may nest in one shorthand value. The parser recurses once
/// per level, so a deeper value would overflow the stack; the structures the AWS CLI's
/// shorthand takes nest three or four deep.
pub const MAX_SHORTHAND_DEPTH: usize = 32;

struct Parser {
    chars: Vec<char>,
    at: usize,
    /// How many `[` and `{` are open at the cursor.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn error(&self, what: &str) -> String {
        let text: String = self.chars.iter().collect();
        format!("Error parsing parameter: {what} at position {} of {text:?}", self.at)
    }

    /// `Key=value,Key=value` up to `close` (or the end).
    fn keyvals(&mut self, close: Option<char>) -> Result<Value, String> {
        let mut map = Map::new();
        loop {
            let key = self.key()?;
            let value = self.values(close)?;
            map.insert(key, value);
            match self.peek() {
                Some(',') => self.at += 1,
                c if c == close => return Ok(Value::Object(map)),
                _ => return Err(self.error("expected ','")),
            }
        }
    }

    fn key(&mut self) -> Result<String, String> {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c == '=' {
                let key: String = self.chars[start..self.at].iter().collect();
                self.at += 1;
                return match key.trim() {
                    "" => Err(self.error("empty key")),
                    k => Ok(k.to_string()),
                };
            }
            if matches!(c, ',' | '[' | ']' | '{' | '}') {
                break;
            }
            self.at += 1;
        }
        Err(self.error("expected Key=value"))
    }

    /// The value after `Key=`: a list, a structure, or a comma-separated run of words.
    fn values(&mut self, close: Option<char>) -> Result<Value, String> {
        let first = self.value(close)?;
        if matches!(first, Value::Array(_) | Value::Object(_)) {
            return Ok(first);
        }
        let mut all = vec![first];
        while self.peek() == Some(',') && !self.next_is_key() {
            self.at += 1;
            all.push(self.value(close)?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Value::Array(all) })
    }

    /// Whether the text after the comma at the cursor reads `Key=`.
    fn next_is_key(&self) -> bool {
        for c in &self.chars[self.at + 1..] {
            match c {
                '=' => return true,
                ',' | '[' | ']' | '{' | '}' | '\'' | '"' => return false,
                _ => {}
            }
        }
        false
    }

    fn value(&mut self, close: Option<char>) -> Result<Value, String> {
        if matches!(self.peek(), Some('[' | '{')) {
            if self.depth == MAX_SHORTHAND_DEPTH {
                return Err(self.error(&format!(
                    "more than {MAX_SHORTHAND_DEPTH} levels of [ and {{ (limit MAX_SHORTHAND_DEPTH)"
                )));
            }
            self.depth += 1;
            let v = self.structure();
            self.depth -= 1;
            return v;
        }
        self.scalar(close)
    }

    /// A `[list]` or a `{Key=value,...}` structure at the cursor.
    fn structure(&mut self) -> Result<Value, String> {
        match self.peek() {
            Some('[') => {
                self.at += 1;
                let mut items = Vec::new();
                while self.peek() != Some(']') {
                    items.push(self.value(Some(']'))?);
                    match self.peek() {
                        Some(',') => self.at += 1,
                        Some(']') => {}
                        _ => return Err(self.error("expected ',' or ']'")),
                    }
                }
                self.at += 1;
                Ok(Value::Array(items))
            }
            Some('{') => {
                self.at += 1;
                let v = self.keyvals(Some('}'))?;
                self.at += 1;
                Ok(v)
            }
            _ => self.scalar(None),
        }
    }

    /// A quoted string, or a bare word up to a comma or the closing bracket.
    fn scalar(&mut self, close: Option<char>) -> Result<Value, String> {
        match self.peek() {
            Some(q @ ('\'' | '"')) => {
                self.at += 1;
                let start = self.at;
                while self.peek().is_some_and(|c| c != q) {
                    self.at += 1;
                }
                if self.peek().is_none() {
                    return Err(self.error("unterminated quote"));
                }
                let s: String = self.chars[start..self.at].iter().collect();
                self.at += 1;
                Ok(Value::String(s))
            }
            _ => {
                let start = self.at;
                while let Some(c) = self.peek() {
                    if c == ',' || Some(c) == close || (close.is_some() && matches!(c, ']' | '}')) {
                        break;
                    }
                    self.at += 1;
                }
                Ok(Value::String(self.chars[start..self.at].iter().collect()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_filter_in_shorthand_has_a_name_and_its_values() {
        assert_eq!(
            parse("Name=tag:Name,Values=MyVPC").unwrap(),
            json!({"Name": "tag:Name", "Values": "MyVPC"})
        );
        assert_eq!(
            parse("Name=vpc-id,Values=vpc-1,vpc-2").unwrap(),
            json!({"Name": "vpc-id", "Values": ["vpc-1", "vpc-2"]})
        );
    }

    #[test]
    fn nested_lists_and_structures_are_read() {
        let v =
            parse("IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8,Description='ssh in'}]")
                .unwrap();
        assert_eq!(v["IpRanges"][0]["CidrIp"], "10.0.0.0/8");
        assert_eq!(v["IpRanges"][0]["Description"], "ssh in");
        assert_eq!(v["ToPort"], "22");
    }

    #[test]
    fn the_json_form_is_read_as_json() {
        assert_eq!(parse(r#"[{"Name":"vpc-id","Values":["a"]}]"#).unwrap()[0]["Values"][0], "a");
    }

    #[test]
    fn nesting_deeper_than_max_shorthand_depth_is_an_error_not_a_stack_overflow() {
        let deep = |n: usize| format!("Values={}x{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(parse(&deep(MAX_SHORTHAND_DEPTH)).unwrap()["Values"].as_array().map(Vec::len), Some(1));
        let e = parse(&deep(100_000)).unwrap_err();
        assert!(e.contains("more than 32 levels of [ and { (limit MAX_SHORTHAND_DEPTH)"), "{}", &e[..200]);
        let tags = format!("Tags={}x{}", "[{Key=".repeat(50_000), "}]".repeat(50_000));
        assert!(parse(&tags).unwrap_err().contains("MAX_SHORTHAND_DEPTH"));
    }

    #[test]
    fn text_without_key_equals_value_is_an_error() {
        assert!(parse("vpc-1").unwrap_err().contains("expected Key=value"));
        assert!(parse("A=[1,2").is_err());
    }
}
