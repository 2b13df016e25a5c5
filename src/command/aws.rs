//! `aws <service> <operation> [--flag value ...]`, parsed generically and checked
//! against [`OPERATIONS`], a table of the calls vpcsim simulates and their flags.
//!
//! Flag values are typed by the table: a string, a list (every word after the flag up
//! to the next `--flag`; AWS CLI shorthand such as `Id=i-1,Port=80` stays one string),
//! an integer, or a boolean switch (`--acceptance-required` / `--no-acceptance-required`).
//! Errors read like the AWS CLI's and carry its exit code 252.

use indexmap::IndexMap;
use serde::Serialize;

use super::close_matches;

/// The exit code of the AWS CLI for a command line it cannot parse.
pub const USAGE_EXIT: i32 = 252;

const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

/// A control-plane call as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AwsCall {
    /// `ec2`, `elbv2` or `cloudformation`.
    pub service: String,
    /// The operation in the CLI's spelling (`create-vpc-endpoint`).
    pub operation: String,
    /// The operation's flags, without dashes, in the order given; switches under their positive name.
    pub args: IndexMap<String, ArgValue>,
    /// `--region`, when given.
    pub region: Option<String>,
}

impl AwsCall {
    /// The string value of a flag, if given as a string.
    pub fn str(&self, flag: &str) -> Option<&str> {
        match self.args.get(flag)? {
            ArgValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The values of a list flag (empty when not given).
    pub fn list(&self, flag: &str) -> &[String] {
        match self.args.get(flag) {
            Some(ArgValue::List(v)) => v,
            _ => &[],
        }
    }

    /// The value of a switch, if given.
    pub fn switch(&self, flag: &str) -> Option<bool> {
        match self.args.get(flag)? {
            ArgValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// A flag's value, typed by [`OPERATIONS`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ArgValue {
    /// One word.
    Str(String),
    /// Words up to the next flag.
    List(Vec<String>),
    /// A whole number.
    Int(i64),
    /// A switch: `--x` is true, its negation (`--no-x`) false.
    Bool(bool),
}

/// How a flag takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// One word.
    Str,
    /// One or more words.
    List,
    /// A whole number.
    Int,
    /// A switch; the field is the negated spelling (`no-acceptance-required`, or `ingress` for `egress`).
    Switch(&'static str),
}

/// One flag of an operation.
#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    /// Name without dashes.
    pub name: &'static str,
    /// How it takes its value.
    pub kind: FlagKind,
    /// Whether the CLI insists on it.
    pub required: bool,
}

/// One operation and its flags.
#[derive(Clone, Copy, Debug)]
pub struct OpSpec {
    /// The service (`ec2`).
    pub service: &'static str,
    /// The operation (`create-vpc-endpoint`).
    pub name: &'static str,
    /// Its flags.
    pub flags: &'static [FlagSpec],
}

/// Why a command line is not a valid `aws` call, with the AWS CLI's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AwsError {
    /// The line does not start with `aws`, or cannot be split into words.
    #[error("{0}")]
    NotAws(String),
    /// Service missing or unknown.
    #[error("{USAGE}aws: error: argument command: Invalid choice, valid choices are: {choices}")]
    InvalidService {
        /// The service given.
        service: String,
        /// The services to choose from.
        choices: String,
    },
    /// Operation missing or unknown for the service.
    #[error("{USAGE}aws: error: argument operation: Invalid choice, valid choices are: {choices}")]
    InvalidOperation {
        /// The operation given.
        operation: String,
        /// The close valid operations (or all of the service's when none is close).
        choices: String,
    },
    /// Flags the operation does not have, or stray words.
    #[error("{USAGE}Unknown options: {}", .options.join(", "))]
    UnknownOptions {
        /// The offending words.
        options: Vec<String>,
    },
    /// Required flags not given.
    #[error("{USAGE}aws: error: the following arguments are required: {}", .flags.join(", "))]
    MissingRequired {
        /// The flags, with dashes.
        flags: Vec<String>,
    },
    /// A flag without its value.
    #[error("{USAGE}aws: error: argument --{flag}: expected one argument")]
    MissingValue {
        /// The flag without dashes.
        flag: String,
    },
    /// An integer flag with a non-number.
    #[error("{USAGE}aws: error: argument --{flag}: invalid int value: '{value}'")]
    BadInt {
        /// The flag.
        flag: String,
        /// The value given.
        value: String,
    },
    /// A global option vpcsim does not simulate (`--query`, `--output text`).
    #[error("aws: error: {option} is not supported by vpcsim: {why}")]
    Unsupported {
        /// The option.
        option: String,
        /// What to do instead.
        why: String,
    },
}

impl AwsError {
    /// The AWS CLI's exit code for this error.
    pub fn exit_code(&self) -> i32 {
        USAGE_EXIT
    }

    /// The error without the CLI's usage banner: its last line, for messages about files.
    pub fn summary(&self) -> String {
        let full = self.to_string();
        full.strip_prefix(USAGE).unwrap_or(&full).to_string()
    }

    /// Whether the error is about the line's shape (program, operation, flag names),
    /// not about a value that a substitution may still fill in.
    pub fn is_structural(&self) -> bool {
        !matches!(self, AwsError::BadInt { .. })
    }
}

const fn s(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Str, required: false }
}
const fn rs(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Str, required: true }
}
const fn l(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::List, required: false }
}
const fn rl(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::List, required: true }
}
const fn sw(name: &'static str, negation: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Switch(negation), required: false }
}
const fn ri(name: &'static str) -> FlagSpec {
    FlagSpec { name, kind: FlagKind::Int, required: true }
}
const fn op(service: &'static str, name: &'static str, flags: &'static [FlagSpec]) -> OpSpec {
    OpSpec { service, name, flags }
}

const SG_RULE: &[FlagSpec] = &[
    s("group-id"),
    s("group-name"),
    s("protocol"),
    s("port"),
    s("cidr"),
    s("source-group"),
    l("ip-permissions"),
];
const ROUTE: &[FlagSpec] = &[
    rs("route-table-id"),
    rs("destination-cidr-block"),
    s("gateway-id"),
    s("instance-id"),
    s("network-interface-id"),
    s("nat-gateway-id"),
    s("vpc-peering-connection-id"),
];
const ENDPOINT_CONNECTIONS: &[FlagSpec] = &[rs("service-id"), rl("vpc-endpoint-ids")];
const TARGETS: &[FlagSpec] = &[rs("target-group-arn"), rl("targets")];
const IGW_ATTACH: &[FlagSpec] = &[rs("internet-gateway-id"), rs("vpc-id")];

/// Every operation vpcsim simulates, with its flags.
pub const OPERATIONS: &[OpSpec] = &[
    op(
        "ec2",
        "create-vpc-endpoint-service-configuration",
        &[
            l("network-load-balancer-arns"),
            sw("acceptance-required", "no-acceptance-required"),
            s("private-dns-name"),
            l("tag-specifications"),
        ],
    ),
    op("ec2", "describe-vpc-endpoint-service-configurations", &[l("service-ids"), l("filters")]),
    op("ec2", "delete-vpc-endpoint-service-configurations", &[rl("service-ids")]),
    op(
        "ec2",
        "modify-vpc-endpoint-service-permissions",
        &[rs("service-id"), l("add-allowed-principals"), l("remove-allowed-principals")],
    ),
    op("ec2", "describe-vpc-endpoint-service-permissions", &[rs("service-id")]),
    op("ec2", "accept-vpc-endpoint-connections", ENDPOINT_CONNECTIONS),
    op("ec2", "reject-vpc-endpoint-connections", ENDPOINT_CONNECTIONS),
    op("ec2", "describe-vpc-endpoint-connections", &[l("filters")]),
    op(
        "ec2",
        "create-vpc-endpoint",
        &[
            s("vpc-endpoint-type"),
            rs("vpc-id"),
            rs("service-name"),
            l("subnet-ids"),
            l("security-group-ids"),
            sw("private-dns-enabled", "no-private-dns-enabled"),
            l("tag-specifications"),
        ],
    ),
    op("ec2", "describe-vpc-endpoints", &[l("vpc-endpoint-ids"), l("filters")]),
    op("ec2", "delete-vpc-endpoints", &[rl("vpc-endpoint-ids")]),
    op("ec2", "describe-vpc-endpoint-services", &[l("service-names"), l("filters")]),
    op("ec2", "authorize-security-group-ingress", SG_RULE),
    op("ec2", "authorize-security-group-egress", SG_RULE),
    op("ec2", "revoke-security-group-ingress", SG_RULE),
    op("ec2", "revoke-security-group-egress", SG_RULE),
    op("ec2", "create-route", ROUTE),
    op("ec2", "replace-route", ROUTE),
    op("ec2", "delete-route", &[rs("route-table-id"), rs("destination-cidr-block")]),
    op("ec2", "describe-route-tables", &[l("route-table-ids"), l("filters")]),
    op("ec2", "describe-vpcs", &[l("vpc-ids"), l("filters")]),
    op("ec2", "describe-subnets", &[l("subnet-ids"), l("filters")]),
    op("ec2", "describe-security-groups", &[l("group-ids"), l("group-names"), l("filters")]),
    op("ec2", "describe-instances", &[l("instance-ids"), l("filters")]),
    op("ec2", "describe-network-interfaces", &[l("network-interface-ids"), l("filters")]),
    op("ec2", "describe-internet-gateways", &[l("internet-gateway-ids"), l("filters")]),
    op("ec2", "attach-internet-gateway", IGW_ATTACH),
    op("ec2", "detach-internet-gateway", IGW_ATTACH),
    op(
        "ec2",
        "modify-instance-attribute",
        &[rs("instance-id"), sw("source-dest-check", "no-source-dest-check"), l("groups")],
    ),
    op("ec2", "terminate-instances", &[rl("instance-ids")]),
    op(
        "ec2",
        "associate-address",
        &[
            s("allocation-id"),
            s("instance-id"),
            s("network-interface-id"),
            s("public-ip"),
            s("private-ip-address"),
        ],
    ),
    op("ec2", "disassociate-address", &[s("association-id"), s("public-ip")]),
    op("ec2", "allocate-address", &[s("domain")]),
    op("ec2", "release-address", &[s("allocation-id"), s("public-ip")]),
    op(
        "ec2",
        "create-network-acl-entry",
        &[
            rs("network-acl-id"),
            ri("rule-number"),
            rs("protocol"),
            rs("rule-action"),
            FlagSpec { name: "egress", kind: FlagKind::Switch("ingress"), required: true },
            s("cidr-block"),
            s("port-range"),
            s("icmp-type-code"),
        ],
    ),
    op(
        "ec2",
        "delete-network-acl-entry",
        &[
            rs("network-acl-id"),
            ri("rule-number"),
            FlagSpec { name: "egress", kind: FlagKind::Switch("ingress"), required: true },
        ],
    ),
    op("elbv2", "register-targets", TARGETS),
    op("elbv2", "deregister-targets", TARGETS),
    op("elbv2", "describe-target-health", &[rs("target-group-arn"), l("targets")]),
    op("elbv2", "describe-load-balancers", &[l("load-balancer-arns"), l("names")]),
    op("elbv2", "describe-target-groups", &[l("target-group-arns"), l("names"), s("load-balancer-arn")]),
    op("elbv2", "describe-listeners", &[s("load-balancer-arn"), l("listener-arns")]),
    op("cloudformation", "delete-stack", &[rs("stack-name")]),
    op("cloudformation", "describe-stacks", &[s("stack-name")]),
];

/// Parses an `aws` command line.
///
/// ```
/// use vpcsim::command::aws::{parse_line, ArgValue};
/// let call = parse_line("aws elbv2 register-targets --target-group-arn arn:tg --targets Id=i-1,Port=80 Id=i-2").unwrap();
/// assert_eq!(call.args["targets"], ArgValue::List(vec!["Id=i-1,Port=80".into(), "Id=i-2".into()]));
/// ```
pub fn parse_line(line: &str) -> Result<AwsCall, AwsError> {
    let words = super::split(line).map_err(|e| AwsError::NotAws(format!("bash: {e}")))?;
    parse(&words)
}

/// Parses an `aws` command already split into words (`aws` first).
pub fn parse(words: &[String]) -> Result<AwsCall, AwsError> {
    match words.first().map(String::as_str) {
        Some("aws") => {}
        Some(other) => {
            return Err(AwsError::NotAws(format!(
                "bash: {other}: command not found (a step without `on:` runs `aws ...`; give `on: INSTANCE` for dig, curl, ping, nc)"
            )))
        }
        None => return Err(AwsError::NotAws("bash: empty command line".into())),
    }
    let mut globals = Globals::default();
    let rest = globals.strip(&words[1..])?;
    let (spec, flags) = find_operation(&rest)?;
    let args = parse_flags(spec, flags)?;
    Ok(AwsCall { service: spec.service.into(), operation: spec.name.into(), args, region: globals.region })
}

#[derive(Default)]
struct Globals {
    region: Option<String>,
}

impl Globals {
    /// Takes the global options out of the words wherever they stand; returns the rest.
    fn strip(&mut self, words: &[String]) -> Result<Vec<String>, AwsError> {
        let mut rest = Vec::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let (name, inline) = split_inline(w);
            match name {
                "--region" | "--output" | "--query" | "--profile" => {
                    let value = inline.or_else(|| it.next().cloned()).filter(|v| !v.starts_with("--"));
                    let value = value.ok_or_else(|| AwsError::MissingValue { flag: name[2..].into() })?;
                    self.global(name, value)?;
                }
                "--no-cli-pager" | "--no-paginate" | "--debug" => {}
                _ => rest.push(w.clone()),
            }
        }
        Ok(rest)
    }

    fn global(&mut self, name: &str, value: String) -> Result<(), AwsError> {
        let unsupported = |why: &str| AwsError::Unsupported { option: name.into(), why: why.into() };
        match name {
            "--region" => self.region = Some(value),
            "--output" if value != "json" => {
                return Err(unsupported("vpcsim prints the AWS CLI's JSON only; use --output json"))
            }
            "--query" => {
                return Err(unsupported(
                    "save the output with `save: NAME` and use ${NAME.Path[0].Field}, or check it with output-contains",
                ))
            }
            _ => {}
        }
        Ok(())
    }
}

fn split_inline(word: &str) -> (&str, Option<String>) {
    match word.split_once('=') {
        Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
        _ => (word, None),
    }
}

fn services() -> Vec<&'static str> {
    let mut all: Vec<&str> = OPERATIONS.iter().map(|o| o.service).collect();
    all.dedup();
    all
}

fn find_operation(words: &[String]) -> Result<(&'static OpSpec, &[String]), AwsError> {
    let service = words.first().map(String::as_str).unwrap_or_default();
    if !services().contains(&service) {
        let choices = services().join(" | ");
        return Err(AwsError::InvalidService { service: service.into(), choices });
    }
    let operation = words.get(1).map(String::as_str).unwrap_or_default();
    let ops: Vec<&OpSpec> = OPERATIONS.iter().filter(|o| o.service == service).collect();
    match ops.iter().find(|o| o.name == operation) {
        Some(spec) => Ok((spec, &words[2..])),
        None => {
            let names = ops.iter().map(|o| o.name);
            let close = close_matches(operation, names.clone());
            let choices = if close.is_empty() { names.collect::<Vec<_>>() } else { close };
            Err(AwsError::InvalidOperation { operation: operation.into(), choices: choices.join(" | ") })
        }
    }
}

fn parse_flags(spec: &OpSpec, words: &[String]) -> Result<IndexMap<String, ArgValue>, AwsError> {
    let mut args = IndexMap::new();
    let mut unknown = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (name, inline) = split_inline(&words[i]);
        i += 1;
        let Some((flag, negated)) = name.strip_prefix("--").and_then(|n| lookup(spec, n)) else {
            unknown.push(words[i - 1].clone());
            continue;
        };
        let values = take_values(words, &mut i, inline, flag.kind);
        args.insert(flag.name.to_string(), value(flag, negated, values)?);
    }
    if !unknown.is_empty() {
        return Err(AwsError::UnknownOptions { options: unknown });
    }
    let missing: Vec<String> = spec
        .flags
        .iter()
        .filter(|f| f.required && !args.contains_key(f.name))
        .map(|f| format!("--{}", f.name))
        .collect();
    if !missing.is_empty() {
        return Err(AwsError::MissingRequired { flags: missing });
    }
    Ok(args)
}

/// The flag named `name`, and whether `name` is its negated spelling.
fn lookup<'a>(spec: &'a OpSpec, name: &str) -> Option<(&'a FlagSpec, bool)> {
    spec.flags.iter().find_map(|f| match f.kind {
        _ if f.name == name => Some((f, false)),
        FlagKind::Switch(neg) if neg == name => Some((f, true)),
        _ => None,
    })
}

/// The words a flag takes: none for a switch, one for a string or number, all up to the next flag for a list.
fn take_values(words: &[String], i: &mut usize, inline: Option<String>, kind: FlagKind) -> Vec<String> {
    if let Some(v) = inline {
        return vec![v];
    }
    let max = match kind {
        FlagKind::Switch(_) => 0,
        FlagKind::Str | FlagKind::Int => 1,
        FlagKind::List => usize::MAX,
    };
    let start = *i;
    while *i < words.len() && *i - start < max && !words[*i].starts_with("--") {
        *i += 1;
    }
    words[start..*i].to_vec()
}

fn value(flag: &FlagSpec, negated: bool, mut values: Vec<String>) -> Result<ArgValue, AwsError> {
    let missing = || AwsError::MissingValue { flag: flag.name.into() };
    match flag.kind {
        FlagKind::Switch(_) => Ok(ArgValue::Bool(!negated)),
        FlagKind::List if values.is_empty() => Err(missing()),
        FlagKind::List => Ok(ArgValue::List(values)),
        FlagKind::Str => values.pop().map(ArgValue::Str).ok_or_else(missing),
        FlagKind::Int => {
            let v = values.pop().ok_or_else(missing)?;
            v.parse().map(ArgValue::Int).map_err(|_| AwsError::BadInt { flag: flag.name.into(), value: v })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last_line(e: AwsError) -> String {
        e.to_string().lines().last().unwrap_or_default().to_string()
    }

    #[test]
    fn the_labs_endpoint_call_is_typed_by_the_table() {
        let call = parse_line(
            "aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id vpc-1 --service-name com.x \
             --subnet-ids subnet-1 subnet-2 --no-private-dns-enabled --region ap-northeast-2 --output json",
        )
        .unwrap();
        assert_eq!(call.operation, "create-vpc-endpoint");
        assert_eq!(call.str("vpc-id"), Some("vpc-1"));
        assert_eq!(call.list("subnet-ids"), ["subnet-1", "subnet-2"]);
        assert_eq!(call.switch("private-dns-enabled"), Some(false));
        assert_eq!(call.region.as_deref(), Some("ap-northeast-2"));
    }

    #[test]
    fn a_switch_and_its_negation_set_true_and_false() {
        let on =
            parse_line("aws ec2 create-vpc-endpoint-service-configuration --acceptance-required").unwrap();
        assert_eq!(on.switch("acceptance-required"), Some(true));
        let acl = "aws ec2 delete-network-acl-entry --network-acl-id acl-1 --rule-number 100 --ingress";
        let call = parse_line(acl).unwrap();
        assert_eq!(call.switch("egress"), Some(false));
        assert_eq!(call.args["rule-number"], ArgValue::Int(100));
    }

    #[test]
    fn inline_values_and_shorthand_are_kept_as_strings() {
        let call = parse_line(
            "aws ec2 describe-vpc-endpoints --vpc-endpoint-ids=vpce-1 --filters Name=vpc-id,Values=vpc-1",
        )
        .unwrap();
        assert_eq!(call.list("vpc-endpoint-ids"), ["vpce-1"]);
        assert_eq!(call.list("filters"), ["Name=vpc-id,Values=vpc-1"]);
    }

    #[test]
    fn a_missing_required_flag_is_named() {
        let err =
            parse_line("aws ec2 accept-vpc-endpoint-connections --vpc-endpoint-ids vpce-1").unwrap_err();
        assert_eq!(last_line(err), "aws: error: the following arguments are required: --service-id");
    }

    #[test]
    fn unknown_flags_and_stray_words_are_unknown_options() {
        let err = parse_line("aws ec2 describe-vpcs --bogus x").unwrap_err();
        assert_eq!(last_line(err), "Unknown options: --bogus, x");
    }

    #[test]
    fn an_unknown_operation_lists_the_close_ones() {
        let err = parse_line("aws ec2 describe-vpc").unwrap_err();
        let line = last_line(err.clone());
        assert!(line
            .starts_with("aws: error: argument operation: Invalid choice, valid choices are: describe-vpcs"));
        assert!(!line.contains("terminate-instances"));
        assert_eq!(err.exit_code(), 252);
    }

    #[test]
    fn an_unknown_service_lists_the_services() {
        let err = parse_line("aws s3 ls").unwrap_err();
        assert_eq!(
            last_line(err),
            "aws: error: argument command: Invalid choice, valid choices are: ec2 | elbv2 | cloudformation"
        );
    }

    #[test]
    fn query_and_text_output_are_not_supported() {
        assert!(parse_line("aws ec2 describe-vpcs --query Vpcs")
            .unwrap_err()
            .to_string()
            .contains("--query"));
        assert!(parse_line("aws ec2 describe-vpcs --output text").is_err());
        assert!(parse_line("aws ec2 describe-vpcs --output json --no-cli-pager").is_ok());
    }

    #[test]
    fn a_flag_without_value_or_a_bad_number_is_refused() {
        let err = parse_line("aws ec2 describe-vpc-endpoint-service-permissions --service-id").unwrap_err();
        assert_eq!(last_line(err), "aws: error: argument --service-id: expected one argument");
        let acl = "aws ec2 delete-network-acl-entry --network-acl-id a --rule-number x --egress";
        assert_eq!(
            last_line(parse_line(acl).unwrap_err()),
            "aws: error: argument --rule-number: invalid int value: 'x'"
        );
    }

    #[test]
    fn a_non_aws_line_says_where_instance_tools_go() {
        assert!(matches!(parse_line("curl http://x/"), Err(AwsError::NotAws(_))));
        assert!(parse_line("").is_err());
        assert!(parse_line("aws").is_err());
    }
}
