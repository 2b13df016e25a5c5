//! Waiting for signals (C2): `AWS::CloudFormation::WaitConditionHandle` (its `Ref` is a
//! presigned URL), `AWS::CloudFormation::WaitCondition` (`Handle`, `Timeout` in seconds,
//! `Count`) and a resource's `CreationPolicy` (`ResourceSignal.Count`, `Timeout`).
//!
//! CloudFormation creates independent resources side by side, so by the time an instance
//! has booted and run its UserData the rest of the stack is there: vpcsim collects the
//! signals once every resource is created. A signal counts when the instance that sent it
//! reaches the service over the network (the sink says). A wait that gets its SUCCESS
//! signals moves the clock on by [`SIGNAL_AFTER_S`]; one that gets a FAILURE signal, or
//! too few within its timeout, fails the stack with CloudFormation's reason, and the stack
//! rolls back.

use std::time::Duration;

use indexmap::IndexMap;

use super::eval::Env;
use super::problem::Problem;
use super::signal::Target;
use super::sink::{AttrValue, Created, SentSignal, StackContext};
use super::template::Template;
use crate::error::Location;
use crate::yaml::Node;

/// How long after launch an instance's UserData has run and signalled (vpcsim's choice).
pub const SIGNAL_AFTER_S: u64 = 60;

/// The longest `Timeout` of a WaitCondition, in seconds (12 hours).
pub const MAX_WAIT_CONDITION_TIMEOUT_S: u64 = 43_200;

const HANDLE: &str = "AWS::CloudFormation::WaitConditionHandle";
const CONDITION: &str = "AWS::CloudFormation::WaitCondition";

/// Whether the engine itself creates this type (it is CloudFormation's own).
pub fn is_wait_type(kind: &str) -> bool {
    kind == HANDLE || kind == CONDITION
}

/// One thing the stack waits for.
#[derive(Clone, Debug)]
pub struct Wait {
    /// The logical id.
    id: String,
    /// Where to report a failure.
    loc: Location,
    count: u32,
    timeout_s: u64,
    /// A WaitCondition's handle URL; None for a CreationPolicy (or a WaitCondition with one).
    handle: Option<String>,
}

/// A handle's URL, or a WaitCondition's wait: what the engine creates for these types.
pub fn create(
    ctx: &StackContext,
    id: &str,
    kind: &str,
    props: &Node,
    waits: &mut Vec<Wait>,
    loc: Location,
) -> Result<Created, Problem> {
    if kind == HANDLE {
        return Ok(Created { physical_id: handle_url(ctx, id), attributes: IndexMap::new() });
    }
    let text = |key: &str| props.get(key).map(|n| (n.scalar_text(), n.loc));
    for (key, _) in props.as_map().unwrap_or_default() {
        if !["Handle", "Timeout", "Count"].contains(&key.name.as_str()) {
            return Err(Problem::new(key.loc, format!("Encountered unsupported property {}", key.name)));
        }
    }
    let count =
        match text("Count") {
            Some((Some(t), at)) => t.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                Problem::new(at, format!("Count `{t}` must be a whole number of at least 1"))
            })?,
            Some((None, at)) => return Err(Problem::new(at, "Count must be a number")),
            None => 1,
        };
    let handle = match text("Handle") {
        Some((Some(url), _)) => Some(url),
        Some((None, at)) => return Err(Problem::new(at, "Handle must be the Ref of a WaitConditionHandle")),
        None => None,
    };
    if let Some(url) = &handle {
        let timeout_s = match text("Timeout") {
            Some((Some(t), at)) => t
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=MAX_WAIT_CONDITION_TIMEOUT_S).contains(s))
                .ok_or_else(|| Problem::new(at, format!("Timeout `{t}` must be 1 to 43200 seconds")))?,
            _ => return Err(Problem::new(loc, "a WaitCondition with a Handle needs Timeout (seconds)")),
        };
        waits.push(Wait { id: id.to_string(), loc, count, timeout_s, handle: Some(url.clone()) });
    }
    let arn =
        format!("arn:aws:cloudformation:{}:{}:stack/{}/{id}", ctx.region, ctx.account_id, ctx.stack_name);
    Ok(Created { physical_id: arn, attributes: IndexMap::new() })
}

/// A wait condition handle's presigned URL (a regional S3 name, as AWS gives it).
fn handle_url(ctx: &StackContext, id: &str) -> String {
    format!(
        "https://cloudformation-waitcondition-{r}.s3.{r}.amazonaws.com/arn%3Aaws%3Acloudformation%3A{r}%3A{a}%3Astack/{s}/{id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=86399",
        r = ctx.region,
        a = ctx.account_id,
        s = ctx.stack_name
    )
}

/// The resources with a `CreationPolicy` among those created, their `Count` and `Timeout`
/// evaluated in `env` (CloudFormation evaluates `Ref` and other intrinsics there).
pub fn policies<'a>(
    tpl: &Template,
    created: impl Iterator<Item = &'a String>,
    env: &Env<'_>,
) -> Result<Vec<Wait>, Problem> {
    let mut waits = Vec::new();
    for id in created {
        let Some(p) = tpl.resources.get(id).and_then(|r| r.creation_policy.as_ref()) else { continue };
        let (count, timeout_s) = p
            .signals(|n| env.value(n, "ResourceSignal"))
            .map_err(|e| e.within(&format!("Resources.{id}")))?;
        waits.push(Wait { id: id.clone(), loc: p.loc, count, timeout_s, handle: None });
    }
    Ok(waits)
}

/// What the waits came to when every one got its signals.
#[derive(Clone, Debug, Default)]
pub struct Settled {
    /// How long the stack waited.
    pub waited: Duration,
    /// Each WaitCondition's `Data`, by logical id.
    pub data: IndexMap<String, AttrValue>,
    /// Each waiting resource with the unique ids of the SUCCESS signals it received.
    pub received: Vec<(String, Vec<String>)>,
}

/// The wait that failed first: which, after how long, and CloudFormation's reason.
#[derive(Clone, Debug)]
pub struct Unsettled {
    /// The waiting resource's logical id.
    pub id: String,
    /// How long after the resources were created it failed (a FAILURE signal arrives
    /// [`SIGNAL_AFTER_S`] in; a timeout takes the whole `Timeout`).
    pub after: Duration,
    /// CloudFormation's reason, located at the resource.
    pub problem: Box<Problem>,
}

impl Wait {
    /// The waiting resource's logical id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// What the waits came to: how long the stack waited, each WaitCondition's `Data` and
/// the signals each received, or the earliest failure with CloudFormation's reason.
pub fn settle(waits: &[Wait], sent: &[SentSignal], ctx: &StackContext) -> Result<Settled, Unsettled> {
    let mut settled = Settled::default();
    let mut failed: Option<Unsettled> = None;
    for w in waits {
        let mine: Vec<&SentSignal> = sent.iter().filter(|s| aims_at(w, &s.signal.target, ctx)).collect();
        let arrived: Vec<&&SentSignal> = mine.iter().filter(|s| s.delivered.is_ok()).collect();
        let failure = if let Some(bad) = arrived.iter().find(|s| !s.signal.success) {
            let reason = match &w.handle {
                None => format!("Received FAILURE signal with UniqueId {}", bad.signal.unique_id),
                Some(_) => format!(
                    "WaitCondition received failed message: '{}' for uniqueId: {}",
                    bad.signal.reason, bad.signal.unique_id
                ),
            };
            let mut problem = Problem::new(w.loc, reason).within(&format!("Resources.{}", w.id));
            if w.handle.is_none() && !bad.signal.reason.is_empty() {
                problem = problem.hint(format!("{} signalled FAILURE: {}", bad.from, bad.signal.reason));
            }
            Some((Duration::from_secs(SIGNAL_AFTER_S), problem))
        } else if (arrived.len() as u32) < w.count {
            Some((Duration::from_secs(w.timeout_s), timed_out(w, arrived.len() as u32, &mine)))
        } else {
            None
        };
        if let Some((after, problem)) = failure {
            if failed.as_ref().is_none_or(|f| after < f.after) {
                failed = Some(Unsettled { id: w.id.clone(), after, problem: Box::new(problem) });
            }
            continue;
        }
        let json: serde_json::Map<String, serde_json::Value> =
            arrived.iter().map(|s| (s.signal.unique_id.clone(), s.signal.data.clone().into())).collect();
        settled.data.insert(w.id.clone(), AttrValue::Str(serde_json::Value::Object(json).to_string()));
        settled.received.push((w.id.clone(), arrived.iter().map(|s| s.signal.unique_id.clone()).collect()));
    }
    if let Some(f) = failed {
        return Err(f);
    }
    settled.waited = Duration::from_secs(if waits.is_empty() { 0 } else { SIGNAL_AFTER_S });
    Ok(settled)
}

/// Whether a signal is for this wait: its handle's URL, or its stack, resource and region.
fn aims_at(w: &Wait, target: &Target, ctx: &StackContext) -> bool {
    match (target, &w.handle) {
        (Target::Handle(url), Some(h)) => url == h,
        (Target::Resource { stack, resource, region }, None) => {
            super::signal::names_stack(stack, &ctx.stack_name)
                && resource == &w.id
                && region.as_ref().is_none_or(|r| r == &ctx.region)
        }
        _ => false,
    }
}

/// CloudFormation's reason when too few signals came in time, with what vpcsim saw of them.
fn timed_out(w: &Wait, received: u32, mine: &[&SentSignal]) -> Problem {
    let message = match &w.handle {
        None => format!("Failed to receive {} resource signal(s) within the specified duration", w.count),
        Some(_) => {
            format!("WaitCondition timed out. Received {received} conditions when expecting {}", w.count)
        }
    };
    let lost: Vec<String> = mine
        .iter()
        .filter_map(|s| s.delivered.as_ref().err().map(|why| format!("{}: {why}", s.from)))
        .collect();
    let hint = if lost.is_empty() {
        match &w.handle {
            None => format!("no instance's UserData runs `cfn-signal --stack STACK --resource {}` (the stack waited {} s)", w.id, w.timeout_s),
            Some(_) => format!("no instance's UserData signals this condition's handle URL (the stack waited {} s)", w.timeout_s),
        }
    } else {
        format!("signals that never arrived: {} (the stack waited {} s)", lost.join("; "), w.timeout_s)
    };
    Problem::new(w.loc, message).within(&format!("Resources.{}", w.id)).hint(hint)
}
