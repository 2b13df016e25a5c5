//! Resource signals (C2): what a UserData script sends to CloudFormation for a resource's
//! `CreationPolicy` or a `WaitCondition`, read by the one shell reader:
//! - `cfn-signal [-e CODE] [-s true|false] [-r REASON] [-d DATA] [-i ID] --stack STACK
//!   --resource RESOURCE [--region REGION]` (a resource signal; cfn-signal's `-s` is
//!   `--success` and `-r` is `--reason`);
//! - `cfn-signal [-e CODE] ... URL` or `curl -X PUT ... -d '{"Status": "SUCCESS", ...}' URL`
//!   (a signal to a wait condition handle's presigned URL).
//!
//! `-e $?` sends FAILURE when the command before failed (a cfn-init that could not run).
//! Whether a signal arrives is the stack's business: the instance must reach the
//! CloudFormation endpoint (resource signals) or S3 (handle URLs) over the network.

use super::init::Init;
use super::problem::Problem;
use super::shell::{self, Commands, Host, Shell};
use super::userdata::{self, decode_user_data, Boot};
use crate::model::metadata_options::MetadataRequest;
use crate::yaml::Node;

/// Where a signal goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A resource's CreationPolicy or a WaitCondition without a handle (`--stack`, `--resource`).
    Resource {
        /// The stack named (`--stack`).
        stack: String,
        /// The logical id named (`--resource`).
        resource: String,
        /// The region named (`--region`), if any.
        region: Option<String>,
    },
    /// A wait condition handle's URL.
    Handle(String),
}

/// One signal a script sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal {
    /// Where it goes.
    pub target: Target,
    /// SUCCESS (true) or FAILURE.
    pub success: bool,
    /// Its unique id (`-i`; cfn-signal's default is the instance id).
    pub unique_id: String,
    /// Its data (`-d`), what `Fn::GetAtt WaitCondition.Data` returns.
    pub data: String,
    /// Its reason (`-r`).
    pub reason: String,
}

/// The signals a script sends, in order.
#[derive(Default)]
struct Sent(Vec<Signal>);

/// The signals a resource's UserData sends when it runs where `boot` says.
pub fn sent_by(properties: &Node, metadata: Option<&Node>, boot: Boot<'_>) -> Result<Vec<Signal>, Problem> {
    let Some(script) = properties.get("UserData").and_then(Node::as_str).and_then(decode_user_data) else {
        return Ok(Vec::new());
    };
    let init = Init::parse(metadata)?.map(|(i, _)| i);
    Ok(sent(&script, userdata::host(boot, init.as_ref())))
}

/// The signals a UserData script sends when it runs on `host`.
pub fn sent(script: &str, host: Host<'_>) -> Vec<Signal> {
    let mut fx = Sent::default();
    shell::run(script, host, &mut fx);
    fx.0
}

impl Commands for Sent {
    fn run(&mut self, sh: &mut Shell<'_>, args: &[&str], _stdin: Option<String>) -> Option<String> {
        let instance =
            // cfn-signal reads the instance id with an IMDSv2 token.
            sh.host()
                .metadata
                .and_then(|m| m(&MetadataRequest::get_with_token("/latest/meta-data/instance-id")).value())
                .unwrap_or_default();
        let signal = match args {
            ["cfn-signal", rest @ ..] => cfn_signal(rest, instance),
            ["curl", rest @ ..] => curl_put(rest, instance),
            _ => None,
        };
        self.0.extend(signal);
        None
    }
}

fn cfn_signal(args: &[&str], instance: String) -> Option<Signal> {
    let mut s = Signal {
        target: Target::Handle(String::new()),
        success: true,
        unique_id: instance,
        data: String::new(),
        reason: String::new(),
    };
    let (mut stack, mut resource, mut region, mut url) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) =
            a.split_once('=').filter(|_| a.starts_with("--")).map_or((*a, None), |(f, v)| (f, Some(v)));
        let mut value = || inline.or_else(|| it.next().copied()).unwrap_or_default().to_string();
        match flag {
            "-e" | "--exit-code" => s.success = value().trim() == "0",
            "-s" | "--success" => s.success = value().eq_ignore_ascii_case("true"),
            "-r" | "--reason" => s.reason = value(),
            "-d" | "--data" => s.data = value(),
            "-i" | "--id" => s.unique_id = value(),
            "--stack" => stack = Some(value()),
            "--resource" => resource = Some(value()),
            "--region" => region = Some(value()),
            "--url" | "--role" | "--access-key" | "--secret-key" | "--credential-file" | "-f" | "-k" => {
                value();
            }
            a if !a.starts_with('-') => url = Some(a.to_string()),
            _ => {}
        }
    }
    s.target = match (stack, resource, url) {
        (Some(stack), Some(resource), _) => Target::Resource { stack, resource, region },
        (_, _, Some(url)) => Target::Handle(url),
        _ => return None,
    };
    Some(s)
}

/// `curl -X PUT [-H ...] (-d|--data|--data-binary) JSON URL`: a wait condition handle signal.
fn curl_put(args: &[&str], instance: String) -> Option<Signal> {
    let (mut put, mut body, mut url) = (false, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "-X" | "--request" => put = it.next().is_some_and(|m| m.eq_ignore_ascii_case("PUT")),
            "-d" | "--data" | "--data-binary" | "--data-raw" => body = it.next().copied(),
            "-H" | "--header" | "-o" | "--output" | "-m" | "--max-time" | "--connect-timeout" | "-w" => {
                it.next();
            }
            a if a.starts_with("http") => url = Some(a.to_string()),
            _ => {}
        }
    }
    let json: serde_json::Value = serde_json::from_str(body?).ok()?;
    let field = |k: &str| json.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let unique = field("UniqueId");
    put.then(|| Signal {
        target: Target::Handle(url.unwrap_or_default()),
        success: field("Status") == "SUCCESS",
        unique_id: if unique.is_empty() { instance } else { unique },
        data: field("Data"),
        reason: field("Reason"),
    })
}

/// C2, M3: whether `given` (cfn-init's `-s`, cfn-signal's `--stack`) names the stack
/// called `name`: its name, or its id (`Ref AWS::StackId`,
/// `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/GUID`), which the helper scripts
/// accept as well.
pub(crate) fn names_stack(given: &str, name: &str) -> bool {
    given == name
        || given
            .strip_prefix("arn:")
            .and_then(|arn| arn.split_once(":stack/"))
            .and_then(|(_, rest)| rest.split_once('/'))
            .is_some_and(|(n, _)| n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cfn_signal_with_the_exit_code_of_cfn_init_signals_failure_when_cfn_init_failed() {
        let s = sent("/opt/aws/bin/cfn-init -s web -r Server\n/opt/aws/bin/cfn-signal -e $? --stack web --resource Server --region us-east-1\n", Host::default());
        assert_eq!(s.len(), 1);
        assert!(!s[0].success, "cfn-init outside a stack fails, so -e $? sends FAILURE");
        assert_eq!(
            s[0].target,
            Target::Resource {
                stack: "web".into(),
                resource: "Server".into(),
                region: Some("us-east-1".into())
            }
        );
    }

    #[test]
    fn a_curl_put_to_a_handle_url_is_a_signal_with_its_status_and_data() {
        let s = sent("curl -X PUT -H 'Content-Type:' --data-binary '{\"Status\" : \"SUCCESS\", \"Reason\" : \"ok\", \"UniqueId\" : \"web1\", \"Data\" : \"ready\"}' \"https://h.example/x?sig\"\n", Host::default());
        assert_eq!(s[0].target, Target::Handle("https://h.example/x?sig".into()));
        assert!(s[0].success);
        assert_eq!((s[0].unique_id.as_str(), s[0].data.as_str()), ("web1", "ready"));
        let old = sent("cfn-signal -s false -r 'no disk' https://h.example/y\n", Host::default());
        assert_eq!((old[0].success, old[0].reason.as_str()), (false, "no disk"));
    }
}
