//! Endpoint policies (E2): the resource policy a gateway endpoint carries (default: full
//! access), which S3 or DynamoDB applies to every request that comes through the endpoint.
//!
//! vpcsim sees flows, not requests: a flow carries no bucket, action or signature. So a
//! policy is read for what it says about *every* request of the service. A statement
//! covers every request when its principal is `*`, its action `*` or `<service>:*` and its
//! resource `*` (or every bucket or table of the service), with conditions, if any, only on
//! `aws:SourceVpce` or `aws:SourceVpc` (StringEquals, StringNotEquals and their IfExists
//! forms), which a flow through an endpoint answers. Every other statement covers only
//! some requests: it cannot be decided for a flow and is named in a warning
//! ([`EndpointPolicy::undecided`]), never silently ignored.
//!
//! The decision ([`EndpointPolicy::decide`]) is IAM's for a request that every statement
//! deciding for a flow would match: an explicit Deny wins, then an Allow; with no Allow
//! that holds (and no statement that allows only some requests) nothing is allowed.

use serde_json::Value;

/// Allow or Deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// A condition key a flow through an endpoint answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionKey {
    /// `aws:SourceVpce`: the endpoint's id.
    SourceVpce,
    /// `aws:SourceVpc`: the endpoint's VPC's id.
    SourceVpc,
}

/// One condition a flow can decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The key.
    pub key: ConditionKey,
    /// StringNotEquals (else StringEquals).
    pub negated: bool,
    /// The values, any of which matches.
    pub values: Vec<String>,
}

impl Condition {
    /// Whether the condition holds for a request through endpoint `vpce` of VPC `vpc`.
    pub fn holds(&self, vpce: &str, vpc: &str) -> bool {
        let actual = match self.key {
            ConditionKey::SourceVpce => vpce,
            ConditionKey::SourceVpc => vpc,
        };
        self.values.iter().any(|v| v == actual) != self.negated
    }
}

/// What part of the service's requests a statement covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every request, when all these conditions hold (none: always).
    Every(Vec<Condition>),
    /// Only some requests: why a flow cannot decide it.
    Some(String),
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Its Sid, if it has one.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// What it covers.
    pub scope: Scope,
}

impl Statement {
    /// `statement 2 (Sid "DenyAll")`, as messages name it (numbered from 1).
    pub fn label(&self, index: usize) -> String {
        match &self.sid {
            Some(sid) => format!("statement {} (Sid \"{sid}\")", index + 1),
            None => format!("statement {}", index + 1),
        }
    }
}

/// A policy that cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the policy document is not a valid endpoint policy: {reason}")]
pub struct PolicyError {
    /// What is wrong, naming the statement.
    pub reason: String,
}

/// An endpoint's policy, read for a service (`s3`, `dynamodb`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// The document as given, compact JSON (what describe-vpc-endpoints shows).
    pub document: String,
    /// The statements, in order.
    pub statements: Vec<Statement>,
}

/// What the service does with requests that come through the endpoint (E2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// It accepts them (all of them, or some: see [`EndpointPolicy::undecided`]).
    Accepts,
    /// It refuses every request: an explicit Deny (this statement), or no Allow at all (None).
    Refuses(Option<usize>),
}

/// The default policy: full access.
pub const FULL_ACCESS: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

impl Default for EndpointPolicy {
    fn default() -> EndpointPolicy {
        EndpointPolicy::parse_json(FULL_ACCESS, "s3").expect("the default policy reads")
    }
}

impl EndpointPolicy {
    /// Read a policy from its JSON text for `service`.
    pub fn parse_json(text: &str, service: &str) -> Result<EndpointPolicy, PolicyError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| PolicyError { reason: format!("it is not JSON ({e})") })?;
        EndpointPolicy::from_value(&value, service)
    }

    /// Read a policy from a JSON value (a template's mapping turned into JSON) for `service`.
    pub fn from_value(value: &Value, service: &str) -> Result<EndpointPolicy, PolicyError> {
        let statements = match value.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
            Some(one @ Value::Object(_)) => vec![one],
            _ => return Err(PolicyError { reason: "it has no Statement".into() }),
        };
        let statements = statements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                statement(s, service)
                    .map_err(|reason| PolicyError { reason: format!("statement {}: {reason}", i + 1) })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EndpointPolicy { document: value.to_string(), statements })
    }

    /// E2: whether the service accepts requests through endpoint `vpce` of VPC `vpc`.
    pub fn decide(&self, vpce: &str, vpc: &str) -> Decision {
        let applies =
            |s: &Statement| matches!(&s.scope, Scope::Every(c) if c.iter().all(|c| c.holds(vpce, vpc)));
        if let Some(i) = self.statements.iter().position(|s| s.effect == Effect::Deny && applies(s)) {
            return Decision::Refuses(Some(i));
        }
        let allows = self
            .statements
            .iter()
            .any(|s| s.effect == Effect::Allow && (applies(s) || matches!(s.scope, Scope::Some(_))));
        if allows {
            Decision::Accepts
        } else {
            Decision::Refuses(None)
        }
    }

    /// The statements a flow cannot decide, each named with why (for warnings).
    pub fn undecided(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, s) in self.statements.iter().enumerate() {
            if let Scope::Some(why) = &s.scope {
                out.push(format!("{} covers only some requests ({why})", s.label(i)));
            }
        }
        out
    }
}

/// Strings of a field that may be one string or a list.
fn strings(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

fn statement(s: &Value, service: &str) -> Result<Statement, String> {
    let sid = s.get("Sid").and_then(Value::as_str).map(str::to_string);
    let effect = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        other => return Err(format!("Effect must be Allow or Deny, not {other:?}")),
    };
    let scope = match partial(s, service) {
        Some(why) => Scope::Some(why),
        None => match conditions(s.get("Condition")) {
            Ok(c) => Scope::Every(c),
            Err(why) => Scope::Some(why),
        },
    };
    Ok(Statement { sid, effect, scope })
}

/// Why a statement covers only some requests of `service` (None: it covers every one).
fn partial(s: &Value, service: &str) -> Option<String> {
    if s.get("NotPrincipal").is_some() || s.get("NotAction").is_some() || s.get("NotResource").is_some() {
        return Some("NotPrincipal, NotAction and NotResource are not read".into());
    }
    let principal_all = match s.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(m)) => {
            m.len() == 1 && m.get("AWS").and_then(strings).is_some_and(|p| p.contains(&"*"))
        }
        _ => false,
    };
    if !principal_all {
        return Some("its Principal is not \"*\"".into());
    }
    let every_action = format!("{service}:*");
    let actions = s.get("Action").and_then(strings).unwrap_or_default();
    if !actions.iter().any(|a| *a == "*" || a.eq_ignore_ascii_case(&every_action)) {
        return Some(format!("its Action is not \"*\" or \"{every_action}\": {}", actions.join(", ")));
    }
    let everything = match service {
        "s3" => ["*", "arn:aws:s3:::*"].as_slice(),
        _ => ["*", "arn:aws:dynamodb:*"].as_slice(),
    };
    let resources = s.get("Resource").and_then(strings).unwrap_or_default();
    if !resources.iter().any(|r| everything.contains(r)) {
        return Some(format!("its Resource names {}", resources.join(", ")));
    }
    None
}

/// The conditions a flow decides; an operator or key it cannot answer makes the statement partial.
fn conditions(c: Option<&Value>) -> Result<Vec<Condition>, String> {
    let Some(c) = c else { return Ok(Vec::new()) };
    let Some(operators) = c.as_object() else { return Err("its Condition is not a mapping".into()) };
    let mut out = Vec::new();
    for (operator, keys) in operators {
        let negated = match operator.trim_end_matches("IfExists") {
            "StringEquals" | "StringEqualsIgnoreCase" => false,
            "StringNotEquals" | "StringNotEqualsIgnoreCase" => true,
            _ => return Err(format!("its condition operator {operator} is not decided for a flow")),
        };
        let Some(keys) = keys.as_object() else { return Err(format!("{operator} is not a mapping")) };
        for (key, values) in keys {
            let key = match key.to_ascii_lowercase().as_str() {
                "aws:sourcevpce" => ConditionKey::SourceVpce,
                "aws:sourcevpc" => ConditionKey::SourceVpc,
                _ => return Err(format!("its condition key {key} is not known for a flow")),
            };
            let values = strings(values).ok_or_else(|| format!("{operator} values are not strings"))?;
            out.push(Condition { key, negated, values: values.into_iter().map(str::to_string).collect() });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(statements: &str) -> EndpointPolicy {
        EndpointPolicy::parse_json(&format!(r#"{{"Statement":[{statements}]}}"#), "s3").unwrap()
    }

    #[test]
    fn e2_the_default_policy_accepts_everything() {
        assert_eq!(EndpointPolicy::default().decide("vpce-1", "vpc-1"), Decision::Accepts);
        assert!(EndpointPolicy::default().undecided().is_empty());
    }

    #[test]
    fn e2_a_deny_of_every_request_wins_over_an_allow() {
        let p = policy(
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
               {"Sid":"No","Effect":"Deny","Principal":{"AWS":["*"]},"Action":"s3:*","Resource":"arn:aws:s3:::*"}"#,
        );
        assert_eq!(p.decide("vpce-1", "vpc-1"), Decision::Refuses(Some(1)));
        assert_eq!(p.statements[1].label(1), "statement 2 (Sid \"No\")");
    }

    #[test]
    fn e2_without_an_allow_nothing_is_accepted() {
        let p = policy(
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-2"}}}"#,
        );
        assert_eq!(p.decide("vpce-1", "vpc-1"), Decision::Refuses(None));
        assert_eq!(p.decide("vpce-2", "vpc-1"), Decision::Accepts);
    }

    #[test]
    fn e2_a_deny_unless_from_this_vpc_holds_only_elsewhere() {
        let p = policy(
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
               {"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":["vpc-1"]}}}"#,
        );
        assert_eq!(p.decide("vpce-1", "vpc-1"), Decision::Accepts);
        assert_eq!(p.decide("vpce-1", "vpc-2"), Decision::Refuses(Some(1)));
    }

    #[test]
    fn e2_per_bucket_statements_accept_some_requests_and_are_named_as_undecided() {
        let p = policy(
            r#"{"Sid":"Repo","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::repo/*"]},
               {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::secret/*"}"#,
        );
        assert_eq!(p.decide("vpce-1", "vpc-1"), Decision::Accepts);
        let undecided = p.undecided();
        assert_eq!(undecided.len(), 2);
        assert!(
            undecided[0].starts_with("statement 1 (Sid \"Repo\") covers only some requests (its Action"),
            "{undecided:?}"
        );
        assert!(undecided[1].contains("its Resource names arn:aws:s3:::secret/*"), "{undecided:?}");
    }

    #[test]
    fn e2_a_document_without_statements_or_effect_is_refused() {
        assert!(EndpointPolicy::parse_json("{}", "s3").is_err());
        assert!(EndpointPolicy::parse_json("not json", "s3").is_err());
        let e = EndpointPolicy::parse_json(r#"{"Statement":[{"Effect":"Maybe"}]}"#, "s3").unwrap_err();
        assert!(e.reason.starts_with("statement 1: Effect"), "{e}");
    }
}
