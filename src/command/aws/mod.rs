//! `aws <service> <operation> [--flag value ...]`, parsed once into a typed
//! [`Request`]: the words are first read against [`table::OPERATIONS`] (which flags
//! an operation has and how each takes its value), then typed by [`Request::build`].
//!
//! A flag the operation does not have is the CLI's `Unknown options` error; a flag
//! AWS has that vpcsim does not model is refused saying so; nothing is accepted and
//! ignored. `--query` (JMESPath) and `--output json|text|table` are kept with the call
//! and applied to its answer by [`output`]. Errors read like the AWS CLI's and carry
//! its exit codes (252 for usage, 254 for a value the service refuses).

use indexmap::IndexMap;

use super::close_matches;
use crate::error::ApiError;

pub mod filter;
pub mod log_filter;
pub mod output;
pub mod request;
pub mod s3;
pub mod shorthand;
pub mod table;

pub use output::{OutputFormat, OutputOptions};
pub use request::Request;
pub use table::{FlagKind, FlagSpec, OpSpec, OPERATIONS};

use request::{Flags, RawValue};

/// The exit code of the AWS CLI for a command line it cannot parse.
pub const USAGE_EXIT: i32 = 252;

/// The exit code of the AWS CLI for an error the service returned.
pub const SERVICE_EXIT: i32 = 254;

const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

/// A control-plane call as typed: the operation's typed request and how to print its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsCall {
    /// `ec2`, `elbv2`, `cloudformation` or `autoscaling`.
    pub service: &'static str,
    /// The operation in the CLI's spelling (`create-vpc-endpoint`).
    pub operation: &'static str,
    /// The request, typed.
    pub request: Request,
    /// `--query` and `--output`.
    pub output: OutputOptions,
    /// `--region`, when given.
    pub region: Option<String>,
}

impl AwsCall {
    /// The API's name for the operation (`CreateVpcEndpoint`), as errors name it.
    pub fn api_name(&self) -> String {
        op_name(self.operation)
    }
}

/// `create-vpc-endpoint` as the API names it: `CreateVpcEndpoint`.
pub fn op_name(operation: &str) -> String {
    operation
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
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
    /// A global option with a value the CLI does not take (`--output xml`).
    #[error("{USAGE}aws: error: argument --{option}: Invalid choice, valid choices are: {choices}")]
    BadChoice {
        /// The option without dashes.
        option: String,
        /// The valid values.
        choices: String,
    },
    /// A structured value the CLI cannot read (`--filters`, `--targets`, `--query`).
    #[error("\n{0}")]
    ParamError(String),
    /// A flag AWS has that vpcsim does not model.
    #[error("aws: error: {option} is not modelled by vpcsim: {why}")]
    Unmodelled {
        /// The flag (and the value, where only some values are refused).
        option: String,
        /// Why, and what to do instead.
        why: String,
    },
    /// A value the service refuses (an invalid CIDR, protocol, rule number), as the service answers.
    #[error("\n{0}")]
    Value(ApiError),
}

impl AwsError {
    /// The AWS CLI's exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            AwsError::Value(_) => SERVICE_EXIT,
            _ => USAGE_EXIT,
        }
    }

    /// The error without the CLI's usage banner: its last line, for messages about files.
    pub fn summary(&self) -> String {
        let full = self.to_string();
        full.strip_prefix(USAGE).unwrap_or(&full).trim_start().to_string()
    }

    /// Whether the error is about the line's shape (program, operation, flag names),
    /// not about a value that a substitution may still fill in.
    pub fn is_structural(&self) -> bool {
        !matches!(self, AwsError::BadInt { .. } | AwsError::Value(_) | AwsError::ParamError(_))
    }
}

/// Parses an `aws` command line.
///
/// ```
/// use vpcsim::command::aws::{parse_line, Request};
/// use vpcsim::command::aws::request::TargetText;
/// let call = parse_line("aws elbv2 register-targets --target-group-arn arn:tg --targets Id=i-1,Port=80 Id=i-2").unwrap();
/// let Request::Targets { targets, .. } = call.request else { panic!() };
/// assert_eq!(targets, [TargetText { id: "i-1".into(), port: Some(80) }, TargetText { id: "i-2".into(), port: None }]);
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
    if rest.first().map(String::as_str) == Some("s3") {
        return s3_call(&rest[1..], globals);
    }
    let (spec, flags) = find_operation(&rest)?;
    let values = parse_flags(spec, flags)?;
    let request = Request::build(&Flags::new(spec, values))?;
    Ok(AwsCall {
        service: spec.service,
        operation: spec.name,
        request,
        output: globals.output,
        region: globals.region,
    })
}

/// `aws s3 ls|cp ...`: positional paths, text output ([`s3`]).
fn s3_call(words: &[String], globals: Globals) -> Result<AwsCall, AwsError> {
    let request = s3::parse(words)?;
    if globals.output != OutputOptions::default() {
        return Err(AwsError::Unmodelled {
            option: "--output or --query on aws s3".into(),
            why: "aws s3 commands print text whatever they say (the AWS CLI ignores them there)".into(),
        });
    }
    Ok(AwsCall {
        service: "s3",
        operation: request.operation(),
        request: Request::S3(request),
        output: globals.output,
        region: globals.region,
    })
}

#[derive(Default)]
struct Globals {
    region: Option<String>,
    output: OutputOptions,
}

impl Globals {
    /// Takes the global options out of the words wherever they stand; returns the rest.
    fn strip(&mut self, words: &[String]) -> Result<Vec<String>, AwsError> {
        let mut rest = Vec::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let (name, inline) = split_inline(w);
            match name {
                "--region" | "--output" | "--query" => {
                    let value = inline.or_else(|| it.next().cloned()).filter(|v| !v.starts_with("--"));
                    let value = value.ok_or_else(|| AwsError::MissingValue { flag: name[2..].into() })?;
                    self.global(name, value)?;
                }
                "--no-cli-pager" | "--no-paginate" => {}
                "--profile"
                | "--endpoint-url"
                | "--debug"
                | "--color"
                | "--ca-bundle"
                | "--no-verify-ssl"
                | "--no-sign-request"
                | "--cli-read-timeout"
                | "--cli-connect-timeout"
                | "--max-items"
                | "--starting-token"
                | "--page-size"
                | "--cli-binary-format"
                | "--no-cli-auto-prompt"
                | "--cli-auto-prompt" => {
                    return Err(AwsError::Unmodelled { option: name.into(), why: global_why(name).into() })
                }
                _ => rest.push(w.clone()),
            }
        }
        Ok(rest)
    }

    fn global(&mut self, name: &str, value: String) -> Result<(), AwsError> {
        match name {
            "--region" => self.region = Some(value),
            "--output" => self.output.format = value.parse()?,
            _ => self.output.query = Some(output::Query::parse(&value)?),
        }
        Ok(())
    }
}

/// Why a global option the CLI has is refused.
fn global_why(name: &str) -> &'static str {
    match name {
        "--profile" => "vpcsim simulates one account with no credentials; remove --profile",
        "--max-items" | "--starting-token" | "--page-size" => "vpcsim returns every item in one page",
        "--debug" => "vpcsim makes no HTTP requests to log",
        _ => "vpcsim makes no network requests; remove it",
    }
}

fn split_inline(word: &str) -> (&str, Option<String>) {
    match word.split_once('=') {
        Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
        _ => (word, None),
    }
}

/// The services of the table, each once, in the order they first appear.
fn services() -> Vec<&'static str> {
    let mut all: Vec<&str> = Vec::new();
    for o in OPERATIONS {
        if !all.contains(&o.service) {
            all.push(o.service);
        }
    }
    all
}

fn find_operation(words: &[String]) -> Result<(&'static OpSpec, &[String]), AwsError> {
    let service = words.first().map(String::as_str).unwrap_or_default();
    if !services().contains(&service) {
        let choices = services().into_iter().chain(["s3"]).collect::<Vec<_>>().join(" | ");
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

fn parse_flags(spec: &OpSpec, words: &[String]) -> Result<IndexMap<&'static str, RawValue>, AwsError> {
    let mut args = IndexMap::new();
    let mut unknown = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (name, inline) = split_inline(&words[i]);
        i += 1;
        let bare = name.strip_prefix("--");
        let Some((flag, negated)) = bare.and_then(|n| spec.flag(n)) else {
            if let Some(why) = bare.and_then(|n| spec.unmodelled(n)) {
                return Err(AwsError::Unmodelled { option: name.into(), why: why.into() });
            }
            unknown.push(words[i - 1].clone());
            continue;
        };
        let flag = *flag;
        let values = take_values(words, &mut i, inline, flag.kind);
        args.insert(flag.name, value(&flag, negated, values)?);
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

/// The words a flag takes: none for a switch, one for a string or number, all up to the next flag for a list.
fn take_values(words: &[String], i: &mut usize, inline: Option<String>, kind: FlagKind) -> Vec<String> {
    if let Some(v) = inline {
        return vec![v];
    }
    let max = match kind {
        FlagKind::Switch(_) => 0,
        FlagKind::Str | FlagKind::Int | FlagKind::BoolValue(_) => 1,
        FlagKind::List => usize::MAX,
    };
    let start = *i;
    while *i < words.len() && *i - start < max && !words[*i].starts_with("--") {
        *i += 1;
    }
    words[start..*i].to_vec()
}

fn value(flag: &FlagSpec, negated: bool, mut values: Vec<String>) -> Result<RawValue, AwsError> {
    let missing = || AwsError::MissingValue { flag: flag.name.into() };
    match flag.kind {
        FlagKind::Switch(_) => Ok(RawValue::Bool(!negated)),
        FlagKind::BoolValue(_) => match values.pop() {
            None => Ok(RawValue::Bool(!negated)),
            Some(v) if negated => Err(AwsError::UnknownOptions { options: vec![v] }),
            Some(v) => attribute_bool(&v).map(RawValue::Bool).ok_or_else(|| {
                AwsError::ParamError(format!(
                    "Error parsing parameter '--{}': expected Value=true|false or {{\"Value\": true|false}}, got: {v}",
                    flag.name
                ))
            }),
        },
        FlagKind::List if values.is_empty() => Err(missing()),
        FlagKind::List => Ok(RawValue::List(values)),
        FlagKind::Str => values.pop().map(RawValue::Str).ok_or_else(missing),
        FlagKind::Int => {
            let v = values.pop().ok_or_else(missing)?;
            v.parse().map(RawValue::Int).map_err(|_| AwsError::BadInt { flag: flag.name.into(), value: v })
        }
    }
}

/// An AttributeBooleanValue structure in shorthand (`Value=false`) or JSON (`{"Value": false}`).
fn attribute_bool(text: &str) -> Option<bool> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = compact.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(&compact);
    let value = inner.strip_prefix("\"Value\":").or_else(|| inner.strip_prefix("Value="))?;
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attribute_boolean_is_read_in_shorthand_and_json() {
        assert_eq!(attribute_bool("{\"Value\": false}"), Some(false));
        assert_eq!(attribute_bool("Value=true"), Some(true));
        assert_eq!(attribute_bool("{\"Value\": \"no\"}"), None);
        assert_eq!(attribute_bool("false"), None);
    }

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
        assert_eq!(
            call.request,
            Request::CreateVpcEndpoint {
                vpc_id: "vpc-1".into(),
                service_name: "com.x".into(),
                subnet_ids: vec!["subnet-1".into(), "subnet-2".into()],
                security_group_ids: vec![],
                private_dns_enabled: false,
            }
        );
        assert_eq!(call.region.as_deref(), Some("ap-northeast-2"));
    }

    #[test]
    fn a_switch_and_its_negation_set_true_and_false() {
        let on =
            parse_line("aws ec2 create-vpc-endpoint-service-configuration --no-acceptance-required").unwrap();
        assert!(matches!(
            on.request,
            Request::CreateVpcEndpointServiceConfiguration { acceptance_required: false, .. }
        ));
        let acl = "aws ec2 delete-network-acl-entry --network-acl-id acl-1 --rule-number 100 --ingress";
        let call = parse_line(acl).unwrap();
        assert_eq!(
            call.request,
            Request::DeleteNetworkAclEntry {
                acl_id: "acl-1".into(),
                number: 100,
                direction: crate::trace::Direction::Ingress
            }
        );
    }

    #[test]
    fn inline_values_and_shorthand_filters_are_typed() {
        let call = parse_line(
            "aws ec2 describe-vpc-endpoints --vpc-endpoint-ids=vpce-1 --filters Name=vpc-id,Values=vpc-1,vpc-2",
        )
        .unwrap();
        let Request::DescribeVpcEndpoints { ids, filters } = call.request else {
            panic!("{:?}", call.request)
        };
        assert_eq!(ids, ["vpce-1"]);
        assert_eq!(
            filters,
            [filter::Filter { name: "vpc-id".into(), values: vec!["vpc-1".into(), "vpc-2".into()] }]
        );
    }

    #[test]
    fn a_flag_aws_has_but_vpcsim_does_not_model_is_refused_saying_so() {
        let err = parse_line(
            "aws ec2 assign-private-ip-addresses --network-interface-id eni-1 --ipv4-prefix-count 2",
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 252);
        assert!(
            err.to_string().starts_with("aws: error: --ipv4-prefix-count is not modelled by vpcsim"),
            "{err}"
        );
        let err = parse_line("aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id v --service-name s --tag-specifications x")
            .unwrap_err();
        assert!(err.to_string().contains("--tag-specifications is not modelled"), "{err}");
    }

    #[test]
    fn n4_an_icmp_type_and_code_are_kept_and_minus_one_means_all() {
        use crate::model::nacl::IcmpTypeCode;
        let base =
            "aws ec2 create-network-acl-entry --network-acl-id acl-1 --rule-number 100 --protocol icmp \
                    --rule-action allow --ingress --cidr-block 0.0.0.0/0";
        let icmp = |flag: &str| match parse_line(&format!("{base} {flag}")).map(|c| c.request) {
            Ok(Request::CreateNetworkAclEntry { icmp, .. }) => Some(icmp),
            _ => None,
        };
        let t = |icmp_type, code| Some(IcmpTypeCode { icmp_type, code });
        assert_eq!(icmp("--icmp-type-code Type=-1,Code=-1"), t(None, None));
        assert_eq!(icmp("--icmp-type-code Type=8,Code=-1"), t(Some(8), None));
        assert_eq!(icmp("--icmp-type-code Type=0,Code=0"), t(Some(0), Some(0)));
        assert_eq!(icmp(""), t(None, None));
        for bad in ["Type=x", "Type=256", "Code=0", "Type=-2"] {
            let err = parse_line(&format!("{base} --icmp-type-code {bad}")).unwrap_err();
            assert_eq!(err.exit_code(), 254, "{bad}: {err}");
        }
    }

    #[test]
    fn a_wrong_value_is_the_services_error_never_debug_text() {
        let err = parse_line("aws ec2 create-route --route-table-id rtb-1 --destination-cidr-block 10.0.0/8 --gateway-id igw-1")
            .unwrap_err();
        assert_eq!(err.exit_code(), 254);
        assert_eq!(
            err.summary(),
            "An error occurred (InvalidParameterValue) when calling the CreateRoute operation: Value (10.0.0/8) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."
        );
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
        let err = parse_line("aws lambda list-functions").unwrap_err();
        assert_eq!(
            last_line(err),
            "aws: error: argument command: Invalid choice, valid choices are: ec2 | elbv2 | cloudformation | route53 | autoscaling | sns | logs | s3api | s3"
        );
    }

    #[test]
    fn query_and_output_are_kept_with_the_call() {
        let call = parse_line("aws ec2 describe-vpcs --query Vpcs[].VpcId --output text").unwrap();
        assert_eq!(call.output.format, OutputFormat::Text);
        assert_eq!(call.output.query.as_ref().map(|q| q.as_str()), Some("Vpcs[].VpcId"));
        assert!(parse_line("aws ec2 describe-vpcs --output json --no-cli-pager").is_ok());
        let err = parse_line("aws ec2 describe-vpcs --output xml").unwrap_err();
        assert_eq!(
            last_line(err),
            "aws: error: argument --output: Invalid choice, valid choices are: json | text | table | yaml | yaml-stream"
        );
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
