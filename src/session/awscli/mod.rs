//! `aws ...` steps: a typed [`AwsCall`] goes to one small handler per operation.
//! Describe handlers read the world (`&World`) and build their answer from
//! [`crate::describe`]; mutating handlers resolve and check every input first, then
//! call ops that each validate before they commit, so a failed call changes nothing
//! and no step clones the world. The answer is printed as `--query` and `--output`
//! ask; errors as the CLI prints them (exit 254).

mod autoscaling;
mod cloudformation;
mod connection_notification;
mod describe;
mod dhcp;
mod ec2;
mod elbv2;
mod flow_log;
mod insights;
mod load_balancing;
mod nat;
mod network;
mod peering;
mod prefix_list;
mod private_ip;
mod privatelink;
mod route53;
mod s3;

use serde_json::Value;

use crate::command::aws::request::CloudFormationRequest;
use crate::command::aws::{AwsCall, Request, SERVICE_EXIT};
use crate::error::ApiError;
use crate::scenario::StepOutcome;

use super::Session;
use crate::world::World;

/// What a handler answers: the operation's JSON (`{}` when AWS returns no body).
type Answer = Result<Value, ApiError>;

/// Run one call; its answer on stdout as `--output` asks, or the CLI's error on stderr.
/// The answer `--query` selects is what a step's `save:` keeps.
pub fn run(s: &mut Session, call: &AwsCall) -> StepOutcome {
    if let Some(refused) = before(&s.world, call) {
        return refused;
    }
    let op = call.api_name();
    let answer = match insights::run(s, &op, &call.request) {
        Some(answer) => answer,
        None => match session_call(s, &op, &call.request) {
            Some(answer) => answer,
            None => world_call(&mut s.world, &op, &call.request),
        },
    };
    let ipv6 =
        answer.is_ok() && makes_ipv6_state(&call.request) && !std::mem::replace(&mut s.ipv6_warned, true);
    let notes = answer.as_ref().map_or(String::new(), |_| cloudformation::notes(s, &call.request));
    let notes = if ipv6 { format!("{IPV6_WARNING}{notes}") } else { notes };
    respond(&s.world, call, &op, answer, notes)
}

/// M7: one call an instance's UserData makes, against the world alone (the instance is
/// in it; the stacks are being created). The calls that read or change a session's
/// stacks, hosted zones' change files or network insights are refused, saying so.
pub fn run_in_world(w: &mut World, call: &AwsCall) -> StepOutcome {
    if let Some(refused) = before(w, call) {
        return refused;
    }
    let op = call.api_name();
    if needs_session(call) {
        return StepOutcome::failed(
            SERVICE_EXIT,
            format!(
                "\nvpcsim: `aws {} {}` runs as a scenario step, not from an instance's UserData: make the call as a step after the stack\n",
                call.service, call.operation
            ),
        );
    }
    let answer = world_call(w, &op, &call.request);
    respond(w, call, &op, answer, String::new())
}

/// What the CLI answers before any operation: another region, or an `aws s3` command.
fn before(w: &World, call: &AwsCall) -> Option<StepOutcome> {
    if let Some(region) = call.region.as_deref().filter(|r| *r != w.region().name) {
        return Some(StepOutcome {
            exit_code: 252,
            stderr: format!(
                "\naws: --region {region}: vpcsim simulates one region, {}; remove --region or give that one\n",
                w.region().name
            ),
            ..StepOutcome::default()
        });
    }
    match &call.request {
        Request::S3(request) => Some(s3::run(w, request)),
        _ => None,
    }
}

/// Whether a call needs the session, not only the world: stacks, Route 53 and network
/// insights (paths and scopes may be read from the scenario's files).
fn needs_session(call: &AwsCall) -> bool {
    use Request as R;
    matches!(
        call.request,
        R::Route53(_) | R::DescribeStacks { .. } | R::DeleteStack { .. } | R::CloudFormation(_)
    ) || call.operation.contains("network-insights")
}

/// The calls that read or change the session's stacks and hosted zones.
fn session_call(s: &mut Session, op: &str, request: &Request) -> Option<Answer> {
    use Request as R;
    Some(match request {
        R::Route53(request) => route53::run(s, op, request),
        R::DescribeStacks { name } => cloudformation::describe_stacks(s, op, name.as_deref()),
        R::CloudFormation(CloudFormationRequest::DescribeStackEvents { name }) => {
            cloudformation::describe_stack_events(s, op, name)
        }
        R::DeleteStack { name } => {
            cloudformation::delete_stack(s, name);
            Ok(empty())
        }
        R::CloudFormation(CloudFormationRequest::CreateStack { name, body, parameters }) => {
            cloudformation::create_stack(s, op, name, body, parameters)
        }
        _ => return None,
    })
}

/// Every call the world alone answers: reads, then changes.
fn world_call(w: &mut World, op: &str, request: &Request) -> Answer {
    match describe::answer(w, op, request) {
        Some(answer) => answer,
        None => match flow_log::answer(w, op, request) {
            Some(answer) => answer,
            None => mutate(w, op, request),
        },
    }
}

/// The answer printed as `--query` and `--output` ask, with the warnings of the call.
fn respond(w: &World, call: &AwsCall, op: &str, answer: Answer, notes: String) -> StepOutcome {
    let stderr = answer.as_ref().map_or(String::new(), |json| {
        policy_warnings(w, &call.request, json)
            + force_warning(&call.request)
            + &user_data_notes(&call.request)
            + &notes
    });
    match answer {
        Ok(json) => match call.output.select(json) {
            Ok(selected) => {
                let stdout = call.output.format(op, &selected);
                let json = (selected != empty()).then_some(selected);
                StepOutcome { stdout, json, stderr, ..StepOutcome::default() }
            }
            Err(e) => StepOutcome { exit_code: 255, stderr: format!("\n{e}\n"), ..StepOutcome::default() },
        },
        Err(e) => {
            StepOutcome { exit_code: SERVICE_EXIT, stderr: format!("\n{e}\n"), ..StepOutcome::default() }
        }
    }
}

/// E2: a gateway endpoint's policy statements a flow cannot decide, one warning a line
/// (the AWS CLI prints none; vpcsim says what it could not evaluate).
fn policy_warnings(w: &crate::world::World, request: &Request, answer: &Value) -> String {
    let id = match request {
        Request::CreateGatewayEndpoint { .. } => answer["VpcEndpoint"]["VpcEndpointId"].as_str(),
        Request::ModifyVpcEndpoint { id, .. } => Some(id.as_str()),
        _ => None,
    };
    let Some(crate::world::Handle::GatewayEndpoint(g)) = id.and_then(|id| w.find(id)) else {
        return String::new();
    };
    let mut out = String::new();
    for message in w[g].policy.undecided() {
        out.push_str(&format!("vpcsim warning: {id}'s policy: {message}: a network flow carries no bucket or action, so it passes the endpoint\n", id = w[g].aws_id));
    }
    out
}

/// M4: `detach-network-interface --force` is accepted and changes nothing, since vpcsim
/// detaches at once; a warning says so.
fn force_warning(request: &Request) -> &'static str {
    match request {
        Request::DetachNetworkInterface { force: true, .. } => {
            "vpcsim warning: --force changes nothing: vpcsim detaches an interface at once\n"
        }
        _ => "",
    }
}

/// A8: said once a session, at the first call that makes IPv6 state.
const IPV6_WARNING: &str = "vpcsim warning: vpcsim simulates IPv4 flows only: IPv6 blocks, egress-only gateways, IPv6 routes and IPv6 NACL entries are kept and described; no IPv6 flow is simulated\n";

/// A8: whether a call makes IPv6 state (which no flow reads).
fn makes_ipv6_state(request: &Request) -> bool {
    use crate::command::aws::request::{AclCidr, RouteDestination};
    match request {
        Request::AssociateVpcIpv6CidrBlock { .. }
        | Request::AssociateSubnetCidrBlock { .. }
        | Request::CreateEgressOnlyInternetGateway { .. } => true,
        Request::Route { destination, .. } => matches!(destination, RouteDestination::Ipv6(_)),
        Request::CreateNetworkAclEntry { cidr, .. } => matches!(cidr, AclCidr::V6(_)),
        _ => false,
    }
}

/// M7: what a `run-instances --user-data` script does that vpcsim does not run there (its
/// `aws` calls that would change the network), one warning a line.
fn user_data_notes(request: &Request) -> String {
    let Request::RunInstances(spec) = request else { return String::new() };
    let Some(script) = spec.user_data.as_deref() else { return String::new() };
    crate::cfn::listening_from_script(script).notes.iter().map(|n| format!("vpcsim warning: {n}\n")).collect()
}

fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    use Request as R;
    match request {
        R::CreateVpcEndpointServiceConfiguration { .. }
        | R::DeleteVpcEndpointServiceConfigurations { .. }
        | R::ModifyVpcEndpointServicePermissions { .. }
        | R::StartVpcEndpointServicePrivateDnsVerification { .. }
        | R::VpcEndpointConnections { .. }
        | R::CreateVpcEndpoint { .. }
        | R::DeleteVpcEndpoints { .. } => privatelink::mutate(w, op, request),
        R::CreateNatGateway { .. } | R::DeleteNatGateway { .. } => nat::mutate(w, op, request),
        R::AssignPrivateIpAddresses { .. } | R::UnassignPrivateIpAddresses { .. } => {
            private_ip::mutate(w, op, request)
        }
        R::CreateFlowLogs { .. } | R::DeleteFlowLogs { .. } => flow_log::mutate(w, op, request),
        R::CreateManagedPrefixList { .. } | R::CreateGatewayEndpoint { .. } | R::ModifyVpcEndpoint { .. } => {
            prefix_list::mutate(w, op, request)
        }
        R::CreateVpcPeeringConnection { .. }
        | R::VpcPeeringConnection { .. }
        | R::ModifyVpcPeeringConnectionOptions { .. } => peering::mutate(w, op, request),
        R::Targets { change, target_group_arn, targets } => {
            elbv2::targets(w, op, *change, target_group_arn, targets)
        }
        R::ModifyTargetGroupAttributes { target_group_arn, attributes } => {
            elbv2::modify_target_group_attributes(w, op, target_group_arn, attributes)
        }
        R::SetSecurityGroups { load_balancer_arn, security_groups, enforce_on_privatelink } => {
            elbv2::set_security_groups(w, op, load_balancer_arn, security_groups, *enforce_on_privatelink)
        }
        R::Dhcp(request) => dhcp::run(w, op, request),
        R::Network(request) => network::run(w, op, request),
        R::LoadBalancing(request) => load_balancing::run(w, op, request),
        R::RunInstances(spec) => autoscaling::run_instances(w, op, spec),
        R::CreateVpcEndpointConnectionNotification { .. }
        | R::DeleteVpcEndpointConnectionNotifications { .. } => {
            connection_notification::mutate(w, op, request)
        }
        R::CreateLaunchTemplate(spec) => autoscaling::create_launch_template(w, op, spec),
        R::DeleteLaunchTemplate { id } => autoscaling::delete_launch_template(w, op, id),
        R::CreateAutoScalingGroup(spec) => autoscaling::create_auto_scaling_group(w, op, spec),
        R::DeleteAutoScalingGroup { name, force } => {
            let asg = w.auto_scaling_group_id(op, name)?;
            w.delete_auto_scaling_group_call(asg, *force).map(|()| empty())
        }
        R::SetDesiredCapacity { name, desired } => {
            let asg = w.auto_scaling_group_id(op, name)?;
            w.set_desired_capacity(asg, *desired).map(|()| empty())
        }
        _ => ec2::mutate(w, op, request),
    }
}

fn empty() -> Value {
    Value::Object(Default::default())
}

/// The JSON of a `file://NAME` argument, read relative to the scenario's folder, with the
/// file's line and column when it is not JSON.
fn json_file(s: &Session, op: &str, flag: &str, name: &str) -> Result<Value, ApiError> {
    let path = match &s.files_dir {
        Some(dir) => dir.join(name),
        None => std::path::PathBuf::from(name),
    };
    let text = crate::source::read(&path, crate::yaml::Limits::default().max_bytes)
        .map_err(|e| ApiError::new(op, "InvalidParameterValue", format!("--{flag} file://{name}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        ApiError::new(
            op,
            "InvalidParameterValue",
            format!("--{flag} file://{name}:{}:{}: invalid JSON: {e}", e.line(), e.column()),
        )
    })
}
