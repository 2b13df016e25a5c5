//! How the AWS CLI prints an answer: `--query` (JMESPath, evaluated by the
//! `jmespath` crate) first, then `--output json` (four-space indented JSON),
//! `text` (tab-separated values, one line per record, keys sorted as the CLI's
//! text formatter does) or `table` (the CLI's boxed table, 80 columns wide as
//! the CLI prints when not on a terminal).

use std::str::FromStr;

use serde_json::Value;

use super::AwsError;

/// `--output`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// `json` (the default).
    #[default]
    Json,
    /// `text`.
    Text,
    /// `table`.
    Table,
}

impl FromStr for OutputFormat {
    type Err = AwsError;

    fn from_str(s: &str) -> Result<OutputFormat, AwsError> {
        match s {
            "json" => Ok(OutputFormat::Json),
            "text" => Ok(OutputFormat::Text),
            "table" => Ok(OutputFormat::Table),
            "yaml" | "yaml-stream" => Err(AwsError::Unmodelled {
                option: format!("--output {s}"),
                why: "vpcsim prints json, text or table".into(),
            }),
            _ => Err(AwsError::BadChoice {
                option: "output".into(),
                choices: "json | text | table | yaml | yaml-stream".into(),
            }),
        }
    }
}

/// The most operators (`.`, `|`, `!`, `&`, `[`, `{`, `(`) one `--query` holds outside its
/// quoted names and literals. JMESPath is parsed, evaluated and dropped by recursion, a
/// level or two per operator, so a deeper expression would overflow the stack; the
/// queries people write hold a few dozen at most.
pub const MAX_QUERY_OPERATORS: usize = 100;

/// How many operators `text` holds outside `'raw strings'`, `"quoted names"` and
/// `` `JSON literals` `` (a backslash escapes the next character inside them).
fn operators(text: &str) -> usize {
    let mut quote = None;
    let mut escaped = false;
    let mut count = 0;
    for c in text.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
            None if matches!(c, '.' | '|' | '!' | '&' | '[' | '{' | '(') => count += 1,
            None => {}
        }
    }
    count
}

/// A `--query` expression, checked when the line is parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query(String);

impl Query {
    /// Checks a JMESPath expression: it compiles, and holds at most
    /// [`MAX_QUERY_OPERATORS`] operators.
    pub fn parse(text: &str) -> Result<Query, AwsError> {
        let n = operators(text);
        if n > MAX_QUERY_OPERATORS {
            return Err(AwsError::ParamError(format!(
                "Bad value for --query: {n} operators, more than vpcsim evaluates ({MAX_QUERY_OPERATORS}, MAX_QUERY_OPERATORS); split the query"
            )));
        }
        jmespath::compile(text)
            .map_err(|e| AwsError::ParamError(format!("Bad value for --query {text}: {e}")))?;
        Ok(Query(text.to_string()))
    }

    /// The expression as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The expression applied to `doc`.
    pub fn search(&self, doc: &Value) -> Result<Value, String> {
        let expr = jmespath::compile(&self.0).map_err(|e| e.to_string())?;
        let found = expr.search(doc).map_err(|e| e.to_string())?;
        serde_json::to_value(&*found).map_err(|e| e.to_string())
    }
}

/// `--query` and `--output` of one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// `--output`.
    pub format: OutputFormat,
    /// `--query`.
    pub query: Option<Query>,
}

impl OutputOptions {
    /// The answer as `--query` selects it from `doc` (all of `doc` without a query).
    pub fn select(&self, doc: Value) -> Result<Value, String> {
        match &self.query {
            Some(q) => q.search(&doc),
            None => Ok(doc),
        }
    }

    /// What the CLI prints for a selected `answer` of the operation the API names
    /// `api_name` (`DescribeVpcs`, the table's title); an empty answer prints nothing.
    pub fn format(&self, api_name: &str, answer: &Value) -> String {
        match self.format {
            OutputFormat::Json if *answer == Value::Object(Default::default()) => String::new(),
            OutputFormat::Json => format!("{}\n", crate::describe::pretty(answer)),
            OutputFormat::Text => {
                let mut out = String::new();
                text(answer, None, None, &mut out);
                out
            }
            OutputFormat::Table => table::render(api_name, answer),
        }
    }

    /// [`select`](Self::select), then [`format`](Self::format).
    pub fn render(&self, api_name: &str, doc: &Value) -> Result<String, String> {
        Ok(self.format(api_name, &self.select(doc.clone())?))
    }
}

/// A scalar as Python's `str()` prints it (`True`, `None`, `80`).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// The CLI's text format: a record's scalars on one line (keys sorted), prefixed by
/// the upper-cased key it was found under; nested lists and records on lines of their own.
fn text(v: &Value, identifier: Option<&str>, keys: Option<&[String]>, out: &mut String) {
    match v {
        Value::Object(map) => {
            let (scalars, nested): (Vec<String>, Vec<(&String, &Value)>) = match keys {
                None => {
                    let mut sorted: Vec<(&String, &Value)> = map.iter().collect();
                    sorted.sort_by(|a, b| a.0.cmp(b.0));
                    let scalars =
                        sorted.iter().filter(|(_, v)| is_scalar(v)).map(|(_, v)| scalar(v)).collect();
                    (scalars, sorted.into_iter().filter(|(_, v)| !is_scalar(v)).collect())
                }
                Some(keys) => {
                    let scalars = keys.iter().map(|k| map.get(k).map(scalar).unwrap_or_default()).collect();
                    let mut rest: Vec<(&String, &Value)> =
                        map.iter().filter(|(k, _)| !keys.contains(k)).collect();
                    rest.sort_by(|a, b| a.0.cmp(b.0));
                    (scalars, rest)
                }
            };
            if !scalars.is_empty() {
                let mut line: Vec<String> = identifier.map(|i| i.to_uppercase()).into_iter().collect();
                line.extend(scalars);
                out.push_str(&line.join("\t"));
                out.push('\n');
            }
            for (k, v) in nested {
                text(v, Some(k), None, out);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().any(Value::is_object) => {
            let mut keys: Vec<String> = items
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|m| m.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone()))
                .collect();
            keys.sort();
            keys.dedup();
            for item in items {
                text(item, identifier, Some(&keys), out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_array) => {
            let scalars: Vec<Value> = items.iter().filter(|v| is_scalar(v)).cloned().collect();
            if !scalars.is_empty() {
                scalar_list(&scalars, identifier, out);
            }
            for item in items.iter().filter(|v| !is_scalar(v)) {
                text(item, identifier, None, out);
            }
        }
        Value::Array(items) => scalar_list(items, identifier, out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar_list(items: &[Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for item in items {
                out.push_str(&format!("{}\t{}\n", id.to_uppercase(), scalar(item)));
            }
        }
        None => {
            out.push_str(&items.iter().map(scalar).collect::<Vec<_>>().join("\t"));
            out.push('\n');
        }
    }
}

mod table;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(format: OutputFormat, query: Option<&str>) -> OutputOptions {
        OutputOptions { format, query: query.map(|q| Query::parse(q).unwrap()) }
    }

    #[test]
    fn operators_inside_quoted_names_and_literals_are_not_counted() {
        assert_eq!(operators("Reservations[].Instances[?State.Name=='a.b.c'].InstanceId"), 5);
        assert_eq!(operators(r#""a.b"[0] | `{"x": [1]}`"#), 2);
        assert_eq!(operators(r"'it\'s.here'.x"), 1);
    }

    #[test]
    fn text_prints_a_queried_list_of_ids_on_one_line() {
        let doc = json!({"Vpcs": [{"VpcId": "vpc-1"}, {"VpcId": "vpc-2"}]});
        let out = opts(OutputFormat::Text, Some("Vpcs[].VpcId")).render("DescribeVpcs", &doc).unwrap();
        assert_eq!(out, "vpc-1\tvpc-2\n");
    }

    #[test]
    fn text_prints_records_under_their_key_with_sorted_scalars() {
        let doc = json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "IsDefault": false,
            "Tags": [{"Key": "Name", "Value": "MyVPC"}]}]});
        let out = opts(OutputFormat::Text, None).render("DescribeVpcs", &doc).unwrap();
        assert_eq!(out, "VPCS\t10.0.0.0/16\tFalse\tvpc-1\nTAGS\tName\tMyVPC\n");
    }

    #[test]
    fn json_prints_nothing_for_an_empty_answer_and_null_for_a_missing_field() {
        let none = opts(OutputFormat::Json, None);
        assert_eq!(none.render("DeleteRoute", &json!({})).unwrap(), "");
        let q = opts(OutputFormat::Json, Some("Nope"));
        assert_eq!(q.render("DescribeVpcs", &json!({"Vpcs": []})).unwrap(), "null\n");
    }

    #[test]
    fn a_query_that_does_not_parse_is_a_usage_error() {
        let err = Query::parse("Vpcs[").unwrap_err();
        assert_eq!(err.exit_code(), 252);
        assert!(err.to_string().contains("Bad value for --query Vpcs["), "{err}");
    }
}
