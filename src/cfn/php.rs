//! The little PHP a lab page is written in (M1): an `index.php` that httpd serves once php
//! is installed, rendered as PHP would render it on the instance. Text outside `<?php ... ?>`
//! (and `<?= ... ?>`) is kept; inside, statements `echo`/`print` and `$name = ...;` of
//! string literals (double-quoted ones with `$name` in them), variables, `.`
//! concatenation, `gethostname()`, `trim(...)` and `file_get_contents('http://169.254.169.254/...')`
//! (the instance's own metadata). Any other statement prints nothing.

use indexmap::IndexMap;

use super::shell::Metadata;
use crate::model::metadata_options::MetadataRequest;

/// The metadata service's base URL, as PHP pages write it.
const METADATA_URL: &str = "http://169.254.169.254";

/// The page `source` renders to on an instance whose metadata service is `metadata`.
///
/// ```
/// use vpcsim::model::metadata_options::{answer, MetadataOptions, MetadataRequest};
/// let value = |p: &str| (p == "/latest/meta-data/local-ipv4").then(|| "10.0.1.5".to_string());
/// let answer = |r: &MetadataRequest<'_>| answer(MetadataOptions::default(), r, value);
/// let page = "<h1><?php echo file_get_contents('http://169.254.169.254/latest/meta-data/local-ipv4'); ?></h1>";
/// assert_eq!(vpcsim::cfn::php::render(page, Some(&answer)), "<h1>10.0.1.5</h1>");
/// ```
pub fn render(source: &str, metadata: Option<&Metadata<'_>>) -> String {
    let mut vars = IndexMap::new();
    let mut out = String::new();
    let mut rest = source;
    while let Some(start) = rest.find("<?") {
        out.push_str(&rest[..start]);
        let code = &rest[start + 2..];
        let (short_echo, code) = match code.strip_prefix('=') {
            Some(c) => (true, c),
            None => (false, code.strip_prefix("php").unwrap_or(code)),
        };
        let (block, after) = code.split_once("?>").unwrap_or((code, ""));
        if short_echo {
            out.push_str(&eval(block.trim().trim_end_matches(';'), &vars, metadata));
        } else {
            for statement in statements(block) {
                run(statement.trim(), &mut vars, &mut out, metadata);
            }
        }
        rest = after.strip_prefix('\n').unwrap_or(after);
    }
    out.push_str(rest);
    out
}

fn run(
    statement: &str,
    vars: &mut IndexMap<String, String>,
    out: &mut String,
    metadata: Option<&Metadata<'_>>,
) {
    let echoed = ["echo ", "print ", "print("].iter().find_map(|k| statement.strip_prefix(k));
    if let Some(expr) = echoed {
        let expr =
            if statement.starts_with("print(") { expr.strip_suffix(')').unwrap_or(expr) } else { expr };
        out.push_str(&eval(expr, vars, metadata));
    } else if let Some((name, expr)) = statement.strip_prefix('$').and_then(|s| s.split_once('=')) {
        let value = eval(expr, vars, metadata);
        vars.insert(name.trim().to_string(), value);
    }
}

/// Splits code into statements at `;` outside quotes.
fn statements(code: &str) -> Vec<&str> {
    split_outside_quotes(code, ';')
}

fn split_outside_quotes(text: &str, at: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quote, mut depth, mut from) = (None, 0i32, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, c) if c == at && depth == 0 => {
                out.push(&text[from..i]);
                from = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&text[from..]);
    out
}

/// An expression: terms joined by `.`.
fn eval(expr: &str, vars: &IndexMap<String, String>, metadata: Option<&Metadata<'_>>) -> String {
    split_outside_quotes(expr, '.').iter().map(|t| term(t.trim(), vars, metadata)).collect()
}

fn term(t: &str, vars: &IndexMap<String, String>, metadata: Option<&Metadata<'_>>) -> String {
    if let Some(s) = t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return s.replace("\\'", "'");
    }
    if let Some(s) = t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return interpolate(s, vars);
    }
    if let Some(name) = t.strip_prefix('$') {
        return vars.get(name).cloned().unwrap_or_default();
    }
    let Some((function, args)) = t.strip_suffix(')').and_then(|c| c.split_once('(')) else {
        return String::new();
    };
    // The host name cloud-init set from the metadata service when the instance booted.
    let hostname = || {
        let get = MetadataRequest::get_with_token("/latest/meta-data/local-hostname");
        metadata.and_then(|m| m(&get).value()).unwrap_or_default()
    };
    match function.trim() {
        "gethostname" => hostname(),
        "trim" => eval(args, vars, metadata).trim().to_string(),
        "file_get_contents" => {
            let url = eval(args, vars, metadata);
            // An IMDSv1 GET: false (printed as nothing) on an error status.
            let get = |path| metadata.and_then(|m| m(&MetadataRequest::get(path)).value());
            url.strip_prefix(METADATA_URL).and_then(get).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// A double-quoted string's `$name`s replaced by their values; `\n` is a newline.
fn interpolate(s: &str, vars: &IndexMap<String, String>) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'n') => {
                chars.next();
                out.push('\n');
            }
            '$' if chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || *n == '_') => {
                let mut name = String::new();
                while let Some(n) = chars.next_if(|n| n.is_ascii_alphanumeric() || *n == '_') {
                    name.push(n);
                }
                out.push_str(vars.get(&name).map_or("", String::as_str));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metadata_options::{answer, MetadataOptions, Tokens};

    #[test]
    fn m1_a_php_page_shows_the_hostname_and_metadata_values_and_keeps_its_html() {
        let value = |p: &str| match p {
            "/latest/meta-data/local-hostname" => Some("ip-10-0-1-5.ec2.internal".to_string()),
            "/latest/meta-data/placement/availability-zone" => Some("us-east-1a".to_string()),
            _ => None,
        };
        let page = "<html><?php $az = file_get_contents(\"http://169.254.169.254/latest/meta-data/placement/availability-zone\");\necho \"<h1>Zone $az</h1>\"; ?>\n<p><?php echo 'host: ' . gethostname(); ?></p><?= trim($az) ?></html>";
        let optional = |r: &MetadataRequest<'_>| answer(MetadataOptions::default(), r, value);
        assert_eq!(
            render(page, Some(&optional)),
            "<html><h1>Zone us-east-1a</h1><p>host: ip-10-0-1-5.ec2.internal</p>us-east-1a</html>"
        );
        // M1: with tokens required, file_get_contents without one gets 401 and returns false.
        let required = MetadataOptions { tokens: Tokens::Required, ..MetadataOptions::default() };
        let strict = |r: &MetadataRequest<'_>| answer(required, r, value);
        assert_eq!(
            render(page, Some(&strict)),
            "<html><h1>Zone </h1><p>host: ip-10-0-1-5.ec2.internal</p></html>"
        );
    }
}
