//! C2: whether a signal an instance's UserData sends reaches its service. `cfn-signal
//! --stack --resource` calls the CloudFormation API (`cloudformation.REGION.amazonaws.com`,
//! HTTPS); a wait condition handle's URL is an S3 address. The signal goes the way
//! `curl https://HOST/` from the instance goes: through an internet gateway, a NAT, an
//! interface endpoint for cloudformation or a gateway endpoint for S3, with routes,
//! security groups and network ACLs applied. A private instance with no way out never
//! signals.

use crate::apps::curl::Curl;
use crate::apps::Client;
use crate::cfn::signal::Target;
use crate::ids::InstanceId;
use crate::world::World;

/// How long cfn-signal waits for a connection.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Ok when `instance` reaches the service a signal to `target` goes to; else why not.
pub(super) fn delivered(world: &mut World, instance: InstanceId, target: &Target) -> Result<(), String> {
    let host = match target {
        Target::Resource { region, .. } => {
            let region = region.as_deref().unwrap_or(world.region().name);
            format!("cloudformation.{region}.amazonaws.com")
        }
        Target::Handle(url) => {
            let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
            rest.split(['/', '?', ':']).next().unwrap_or_default().to_string()
        }
    };
    let req = Curl {
        host: host.clone(),
        port: 443,
        path: "/".into(),
        connect_timeout: Some(CONNECT_TIMEOUT),
        ..Curl::default()
    };
    // The signal is sent while the stack waits: the stack's wait moves the clock, not this.
    let out = world.curl_exchange(Client::Instance(instance), &req);
    if out.exit_code == 0 {
        return Ok(());
    }
    let why = match out.trace.and_then(|t| t.explanation) {
        Some(e) => format!("{} ({})", e.message, e.code.as_str()),
        None => out.stderr.trim().to_string(),
    };
    Err(format!("cannot reach {host}:443: {why}"))
}
