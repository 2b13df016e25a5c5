//! Parameter values: supplied or default, checked against the declared type and
//! constraints once, then resolved into the value `Ref` returns (a string or a list).
//! Offline stand-ins: any key pair name is accepted, and an SSM image parameter
//! resolves to a deterministic `ami-0...` derived from its path.

use fancy_regex::Regex;
use indexmap::IndexMap;

use super::problem::{did_you_mean, Problem};
use super::template::{Parameter, Template};
use crate::error::Location;

/// A resolved parameter value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamValue {
    /// A single value (String, Number, key pair, ids, SSM values).
    Str(String),
    /// A list (CommaDelimitedList, List<...>).
    List(Vec<String>),
}

/// Resolves every parameter; all problems are reported together.
pub fn resolve(
    tpl: &Template,
    supplied: &IndexMap<String, String>,
) -> Result<IndexMap<String, ParamValue>, Vec<Problem>> {
    let mut problems = Vec::new();
    for name in supplied.keys().filter(|n| !tpl.parameters.contains_key(*n)) {
        let msg = format!("parameter `{name}` was supplied but the template does not declare it");
        let declared: Vec<&str> = tpl.parameters.keys().map(String::as_str).collect();
        let hint = did_you_mean(name, declared.iter().copied())
            .unwrap_or_else(|| format!("declared parameters: {}", declared.join(", ")));
        problems.push(Problem::new(Location { line: 1, column: 1 }, msg).hint(hint));
    }
    let mut values = IndexMap::new();
    for (name, p) in &tpl.parameters {
        match resolve_one(name, p, supplied.get(name)) {
            Ok(v) => {
                values.insert(name.clone(), v);
            }
            Err(e) => problems.push(e.within(&format!("Parameters.{name}"))),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

fn resolve_one(name: &str, p: &Parameter, supplied: Option<&String>) -> Result<ParamValue, Problem> {
    let raw = supplied.or(p.default.as_ref()).ok_or_else(|| {
        Problem::new(p.loc, format!("parameter `{name}` has no value and no Default"))
            .hint(format!("supply it, for example `--parameter {name}=VALUE`"))
    })?;
    let fail = |msg: String| {
        let hint =
            p.constraint_description.clone().unwrap_or_else(|| "change the parameter's value".to_string());
        Problem::new(p.loc, msg).hint(hint)
    };
    if !p.allowed_values.is_empty() && !p.allowed_values.contains(raw) {
        return Err(fail(format!(
            "value `{raw}` is not one of AllowedValues [{}]",
            p.allowed_values.join(", ")
        )));
    }
    check_pattern(p, raw).map_err(&fail)?;
    check_length(name, p, raw).map_err(&fail)?;
    check_bounds(name, p, raw).map_err(&fail)?;
    typed(&p.kind, raw).map_err(fail)?.ok_or_else(|| {
        Problem::new(p.loc, format!("parameter `{name}` has unsupported type `{}`", p.kind))
            .hint("use String, Number, List<Number>, CommaDelimitedList, AWS::EC2::*::Id, AWS::SSM::Parameter::Value<...>")
    })
}

fn check_pattern(p: &Parameter, raw: &str) -> Result<(), String> {
    let Some((pattern, _)) = &p.allowed_pattern else { return Ok(()) };
    let re = Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("AllowedPattern is not a valid regex: {e}"))?;
    match re.is_match(raw) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!("value `{raw}` does not match AllowedPattern `{pattern}`")),
        Err(e) => Err(format!("AllowedPattern `{pattern}` could not be checked against `{raw}`: {e}")),
    }
}

/// `MinLength` and `MaxLength`, in characters, with CloudFormation's messages.
fn check_length(name: &str, p: &Parameter, raw: &str) -> Result<(), String> {
    let len = raw.chars().count();
    match (p.min_length, p.max_length) {
        (Some(min), _) if len < min => {
            Err(format!("Parameter '{name}' must contain at least {min} characters (the value has {len})"))
        }
        (_, Some(max)) if len > max => {
            Err(format!("Parameter '{name}' must contain at most {max} characters (the value has {len})"))
        }
        _ => Ok(()),
    }
}

/// `MinValue` and `MaxValue` of a `Number` (each item of a `List<Number>`), with
/// CloudFormation's messages. A value that is not a number is left to the type check.
fn check_bounds(name: &str, p: &Parameter, raw: &str) -> Result<(), String> {
    let values: Vec<&str> = match p.kind.as_str() {
        "Number" => vec![raw],
        "List<Number>" => raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect(),
        _ => return Ok(()),
    };
    for text in values {
        let Ok(v) = text.trim().parse::<f64>() else { continue };
        if let Some(min) = p.min_value.filter(|min| v < *min) {
            return Err(format!(
                "Parameter '{name}' must be a number not less than {min} (the value is {text})"
            ));
        }
        if let Some(max) = p.max_value.filter(|max| v > *max) {
            return Err(format!(
                "Parameter '{name}' must be a number not greater than {max} (the value is {text})"
            ));
        }
    }
    Ok(())
}

/// The value of `raw` for type `kind`; `Ok(None)` when the type is not supported.
fn typed(kind: &str, raw: &str) -> Result<Option<ParamValue>, String> {
    let list = || raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let value = match kind {
        "String" | "AWS::EC2::KeyPair::KeyName" | "AWS::EC2::AvailabilityZone::Name" => {
            ParamValue::Str(raw.to_string())
        }
        "Number" => ParamValue::Str(number(raw)?),
        "List<Number>" => ParamValue::List(list().iter().map(|n| number(n)).collect::<Result<_, _>>()?),
        "CommaDelimitedList" => ParamValue::List(list()),
        k if k.starts_with("AWS::SSM::Parameter::Value<") => ParamValue::Str(ssm_stand_in(k, raw)),
        k if k.starts_with("List<AWS::EC2::") => ParamValue::List(list()),
        k if k.starts_with("AWS::EC2::") && k.ends_with("::Id") => ParamValue::Str(raw.to_string()),
        _ => return Ok(None),
    };
    Ok(Some(value))
}

/// A `Number` value: a finite integer or float (`inf` and `NaN` are not numbers to CloudFormation).
fn number(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(t.to_string()),
        _ => Err(format!("value `{raw}` is not a number")),
    }
}

/// A deterministic offline value for an SSM parameter: an image id for image types.
pub fn ssm_stand_in(kind: &str, path: &str) -> String {
    let h = fnv1a(path.as_bytes());
    if kind.contains("AWS::EC2::Image::Id") {
        format!("ami-0{:016x}", h)
    } else {
        format!("ssm-{:016x}", h)
    }
}

/// FNV-1a, 64 bits: stable across platforms and releases.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(kind: &str) -> Parameter {
        Parameter { kind: kind.to_string(), ..Parameter::default() }
    }

    #[test]
    fn ssm_image_parameter_resolves_to_a_stable_stand_in() {
        let v =
            resolve_one("A", &param("AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"), Some(&"/p".into()))
                .unwrap();
        let ParamValue::Str(id) = v else { panic!("not a string") };
        assert!(id.starts_with("ami-0") && id.len() == 21, "{id}");
    }

    #[test]
    fn allowed_pattern_must_match_whole_value() {
        let p =
            Parameter { allowed_pattern: Some(("[a-z]+".into(), Location::default())), ..param("String") };
        assert!(resolve_one("A", &p, Some(&"abc".into())).is_ok());
        let e = resolve_one("A", &p, Some(&"abc1".into())).unwrap_err();
        assert!(e.message.contains("does not match AllowedPattern"), "{e}");
    }

    #[test]
    fn number_parameters_outside_min_value_or_max_value_are_refused_with_cloudformations_message() {
        let p = Parameter { min_value: Some(1.0), max_value: Some(65535.0), ..param("Number") };
        assert!(resolve_one("Port", &p, Some(&"443".into())).is_ok());
        let e = resolve_one("Port", &p, Some(&"0".into())).unwrap_err();
        assert!(e.message.starts_with("Parameter 'Port' must be a number not less than 1 "), "{e}");
        let e = resolve_one("Port", &p, Some(&"70000".into())).unwrap_err();
        assert!(e.message.starts_with("Parameter 'Port' must be a number not greater than 65535 "), "{e}");
        let list = Parameter { max_value: Some(10.0), ..param("List<Number>") };
        let e = resolve_one("Counts", &list, Some(&"1, 11".into())).unwrap_err();
        assert!(e.message.contains("not greater than 10 (the value is 11)"), "{e}");
    }

    #[test]
    fn string_parameters_outside_min_length_or_max_length_are_refused_with_cloudformations_message() {
        let p = Parameter { min_length: Some(2), max_length: Some(4), ..param("String") };
        assert!(resolve_one("Name", &p, Some(&"abc".into())).is_ok());
        let e = resolve_one("Name", &p, Some(&"a".into())).unwrap_err();
        assert!(e.message.starts_with("Parameter 'Name' must contain at least 2 characters"), "{e}");
        let e = resolve_one("Name", &p, Some(&"abcde".into())).unwrap_err();
        assert!(e.message.starts_with("Parameter 'Name' must contain at most 4 characters"), "{e}");
    }

    #[test]
    fn number_and_lists_are_typed() {
        assert!(resolve_one("N", &param("Number"), Some(&"x".into())).is_err());
        let v = resolve_one("L", &param("CommaDelimitedList"), Some(&"a, b".into())).unwrap();
        assert_eq!(v, ParamValue::List(vec!["a".into(), "b".into()]));
    }
}
