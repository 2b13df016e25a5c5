//! M7: the AWS CLI on an instance a stack launches, as its UserData runs it at boot. A
//! call goes through the same typed adapter as a scenario's `aws` step and changes the
//! world at that moment, inside the stack's creation, when it could run in AWS:
//! - the instance has credentials: an instance profile (`IamInstanceProfile`); without
//!   one the CLI finds none (exit 253). vpcsim checks that the profile is there, not what
//!   its role's policies allow (IAM is not simulated), and warns so once per instance;
//! - the instance reaches the service's regional endpoint
//!   (`ec2.REGION.amazonaws.com:443`) as `curl https://HOST/` from it would: through an
//!   internet gateway with a public address, a NAT, or an interface endpoint for the
//!   service in its VPC, with routes, security groups and network ACLs applied. A call
//!   that cannot connect fails as the CLI does, after its connect timeout (exit 255).
//!
//! The script's shell sees every outcome (exit status, `set -e`, `||`, `trap ... ERR`).
//! The script is read once per reader (services, forwarding, signals): the calls are made
//! in the first reading and answered again, in order, in the others.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use crate::apps::curl::Curl;
use crate::apps::Client;
use crate::cfn::shell::{Api, Reply};
use crate::command::aws::AwsCall;
use crate::ids::InstanceId;
use crate::scenario::StepOutcome;
use crate::world::World;

/// How long the AWS CLI waits for a connection (its `--cli-connect-timeout` default).
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// The AWS CLI on one instance, its calls made against the world being built.
pub(super) struct InstanceCli<'c, 'w> {
    world: &'c RefCell<&'w mut World>,
    instance: InstanceId,
    /// The instance profile its credentials come from, if it has one.
    profile: Option<String>,
    /// Every call made so far, with what it answered.
    made: RefCell<Vec<(Vec<String>, Reply)>>,
    /// Where the current reading of the script is in `made`.
    next: Cell<usize>,
    /// What the stack warns about, in the order the calls were made.
    notes: RefCell<Vec<String>>,
}

impl<'c, 'w> InstanceCli<'c, 'w> {
    /// The CLI on `instance`, with the credentials of `profile` when it has one.
    pub(super) fn new(
        world: &'c RefCell<&'w mut World>,
        instance: InstanceId,
        profile: Option<String>,
    ) -> Self {
        InstanceCli {
            world,
            instance,
            profile,
            made: RefCell::new(Vec::new()),
            next: Cell::new(0),
            notes: RefCell::new(Vec::new()),
        }
    }

    /// What the stack should warn about: each call that failed and why, then (when calls
    /// ran with the instance's credentials) that the role's policies were not evaluated.
    pub(super) fn notes(&self) -> Vec<String> {
        let mut notes = self.notes.borrow().clone();
        let ran = self.made.borrow().iter().filter(|(_, r)| r.status == 0).count();
        if let (Some(profile), true) = (&self.profile, ran > 0) {
            notes.push(format!(
                "UserData made {ran} aws call(s) as the instance with instance profile {profile}; vpcsim checks that the instance has a profile, not what its role's policies allow"
            ));
        }
        notes
    }

    /// The calls that failed, each with why, in order.
    pub(super) fn failures(&self) -> Vec<String> {
        self.notes.borrow().clone()
    }

    /// Makes one call: parsed, then credentials, then the endpoint, then the API.
    fn make(&self, words: &[String]) -> (Reply, Option<String>) {
        let line = format!("aws {}", words.join(" "));
        let argv: Vec<String> = std::iter::once("aws".to_string()).chain(words.iter().cloned()).collect();
        let call = match crate::command::aws::parse(&argv) {
            Ok(call) => call,
            Err(e) => return failed(&line, e.exit_code(), &e.summary()),
        };
        if self.profile.is_none() {
            let why = "Unable to locate credentials: the instance has no instance profile (IamInstanceProfile), so its CLI has no role to call with";
            return failed(&line, 253, why);
        }
        if let Err(why) = self.reach(&call) {
            return failed(&line, 255, &why);
        }
        let out = crate::session::run_in_world(&mut self.world.borrow_mut(), &call);
        let note = (out.exit_code != 0).then(|| failure(&line, out.exit_code, &outcome_text(&out)));
        (Reply { status: exit_status(out.exit_code), stdout: out.stdout }, note)
    }

    /// Ok when the instance connects to the call's endpoint; else the CLI's error and why.
    fn reach(&self, call: &AwsCall) -> Result<(), String> {
        let region = self.world.borrow().region().name.to_string();
        let host = endpoint(call.service, call.region.as_deref().unwrap_or(&region));
        let req = Curl {
            host: host.clone(),
            port: 443,
            path: "/".into(),
            connect_timeout: Some(CONNECT_TIMEOUT),
            ..Curl::default()
        };
        let out = self.world.borrow_mut().curl_exchange(Client::Instance(self.instance), &req);
        if out.exit_code == 0 {
            return Ok(());
        }
        let why = match out.trace.and_then(|t| t.explanation) {
            Some(e) => format!("{} ({})", e.message, e.code.as_str()),
            None => out.stderr.trim().to_string(),
        };
        Err(format!(
            "Connect timeout on endpoint URL: \"https://{host}/\" (after {} s: the instance cannot reach {host}:443: {why})",
            CONNECT_TIMEOUT.as_secs()
        ))
    }
}

impl Api for InstanceCli<'_, '_> {
    fn call(&self, args: &[&str]) -> Reply {
        let words: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let start = self.next.get();
        let replayed = self
            .made
            .borrow()
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, (w, _))| *w == words)
            .map(|(k, (_, reply))| (k, reply.clone()));
        if let Some((k, reply)) = replayed {
            self.next.set(k + 1);
            return reply;
        }
        let (reply, note) = self.make(&words);
        self.notes.borrow_mut().extend(note);
        let mut made = self.made.borrow_mut();
        made.push((words, reply.clone()));
        self.next.set(made.len());
        reply
    }

    fn rewind(&self) {
        self.next.set(0);
    }
}

/// The instance profile `properties` give an instance: `IamInstanceProfile` as a name or
/// ARN (an instance, a launch configuration) or `{Name: ...}`/`{Arn: ...}` (launch
/// template data).
pub(super) fn profile_of(properties: &crate::yaml::Node) -> Option<String> {
    let node = properties.get("IamInstanceProfile")?;
    let text = node.scalar_text().or_else(|| ["Name", "Arn"].iter().find_map(|k| node.get(k)?.scalar_text()));
    text.filter(|p| !p.is_empty())
}

/// The reading of a launch template's UserData, which no instance runs: its `aws` calls
/// are made by each instance launched from it (M7), so here they answer success and print
/// nothing.
pub(super) struct Deferred;

impl Api for Deferred {
    fn call(&self, _args: &[&str]) -> Reply {
        Reply::default()
    }

    fn rewind(&self) {}
}

/// The regional endpoint a service's calls go to (`ec2.us-east-1.amazonaws.com`).
fn endpoint(service: &str, region: &str) -> String {
    let name = match service {
        "elbv2" => "elasticloadbalancing",
        other => other,
    };
    format!("{name}.{region}.amazonaws.com")
}

/// A call that failed before reaching the API: its exit status and the warning.
fn failed(line: &str, exit_code: i32, why: &str) -> (Reply, Option<String>) {
    (Reply { status: exit_status(exit_code), stdout: String::new() }, Some(failure(line, exit_code, why)))
}

fn failure(line: &str, exit_code: i32, why: &str) -> String {
    format!("UserData's `{line}` failed (exit {exit_code}), changing nothing: {why}")
}

/// What a failed call printed, on one line.
fn outcome_text(out: &StepOutcome) -> String {
    out.stderr.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An exit code as the shell's status (the CLI's codes are 0 to 255).
fn exit_status(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(255)
}
