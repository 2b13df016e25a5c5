//! The elbv2 calls that build a Network Load Balancer by hand, typed:
//! create-load-balancer (type network), create-target-group, create-listener and their
//! delete calls.

use serde_json::Value;

use super::super::filter::scalar_text;
use super::super::shorthand;
use super::super::AwsError;
use super::{Flags, RawValue};
use crate::command::aws::op_name;
use crate::error::ApiError;
use crate::model::nlb::{HealthCheckProtocol, ListenerProtocol, TargetType};
use crate::model::Tags;

/// An `aws elbv2` call that creates or deletes a load balancer, target group or listener.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadBalancingRequest {
    /// create-load-balancer `--type network`.
    CreateLoadBalancer {
        /// `--name`.
        name: String,
        /// `--subnets`: one node per subnet (L1).
        subnets: Vec<String>,
        /// `--scheme internal` (internet-facing when absent).
        internal: bool,
        /// `--security-groups` (L9).
        security_groups: Vec<String>,
        /// `--tags`.
        tags: Tags,
    },
    /// create-target-group.
    CreateTargetGroup {
        /// `--name`.
        name: String,
        /// `--protocol`.
        protocol: ListenerProtocol,
        /// `--port`.
        port: u16,
        /// `--vpc-id`.
        vpc_id: String,
        /// `--target-type` (instance when absent).
        target_type: TargetType,
        /// `--health-check-protocol` (TCP when absent).
        health_check_protocol: HealthCheckProtocol,
        /// `--health-check-port` (the traffic port when absent or `traffic-port`).
        health_check_port: Option<u16>,
        /// `--health-check-path` (`/` when absent; HTTP(S) checks only).
        health_check_path: Option<String>,
        /// `--tags`.
        tags: Tags,
    },
    /// create-listener with one forward action.
    CreateListener {
        /// `--load-balancer-arn`.
        load_balancer_arn: String,
        /// `--protocol`.
        protocol: ListenerProtocol,
        /// `--port`.
        port: u16,
        /// The `TargetGroupArn` of `--default-actions Type=forward,TargetGroupArn=...`.
        target_group_arn: String,
    },
    /// delete-load-balancer.
    DeleteLoadBalancer {
        /// `--load-balancer-arn`.
        arn: String,
    },
    /// delete-target-group.
    DeleteTargetGroup {
        /// `--target-group-arn`.
        arn: String,
    },
    /// delete-listener.
    DeleteListener {
        /// `--listener-arn`.
        arn: String,
    },
}

/// The operations this module types.
const OPERATIONS: &[&str] = &[
    "create-load-balancer",
    "create-target-group",
    "create-listener",
    "delete-load-balancer",
    "delete-target-group",
    "delete-listener",
];

/// Types the flags of a load-balancer-building call; `None` for another operation.
pub(super) fn build(f: &Flags) -> Option<Result<LoadBalancingRequest, AwsError>> {
    OPERATIONS.contains(&f.spec.name).then(|| typed(f))
}

fn typed(f: &Flags) -> Result<LoadBalancingRequest, AwsError> {
    use LoadBalancingRequest as L;
    Ok(match f.spec.name {
        "create-load-balancer" => create_load_balancer(f)?,
        "create-target-group" => create_target_group(f)?,
        "create-listener" => L::CreateListener {
            load_balancer_arn: f.req("load-balancer-arn")?,
            protocol: listener_protocol(f, &f.req("protocol")?)?,
            port: port(f, "port", "Port")?,
            target_group_arn: forward_target(f)?,
        },
        "delete-load-balancer" => L::DeleteLoadBalancer { arn: f.req("load-balancer-arn")? },
        "delete-target-group" => L::DeleteTargetGroup { arn: f.req("target-group-arn")? },
        "delete-listener" => L::DeleteListener { arn: f.req("listener-arn")? },
        other => return Err(f.invalid(format!("vpcsim does not type {other} here"))),
    })
}

fn create_load_balancer(f: &Flags) -> Result<LoadBalancingRequest, AwsError> {
    match f.opt("type").as_deref() {
        Some("network") => {}
        None | Some("application") | Some("gateway") => {
            return Err(validation(
                f,
                "vpcsim models Network Load Balancers only: give --type network".into(),
            ))
        }
        Some(other) => return Err(validation(f, format!("'{other}' is not a valid load balancer type"))),
    }
    let internal = match f.opt("scheme").as_deref() {
        None | Some("internet-facing") => false,
        Some("internal") => true,
        Some(other) => {
            return Err(validation(
                f,
                format!("'{other}' is not a valid scheme: use internet-facing or internal"),
            ))
        }
    };
    Ok(LoadBalancingRequest::CreateLoadBalancer {
        name: f.req("name")?,
        subnets: f.list("subnets"),
        internal,
        security_groups: f.list("security-groups"),
        tags: tags(f)?,
    })
}

fn create_target_group(f: &Flags) -> Result<LoadBalancingRequest, AwsError> {
    let target_type = match f.opt("target-type").as_deref() {
        None | Some("instance") => TargetType::Instance,
        Some("ip") => TargetType::Ip,
        Some(other) => {
            return Err(validation(
                f,
                format!(
                    "vpcsim models instance and ip targets, not '{other}': give --target-type instance or ip"
                ),
            ))
        }
    };
    let health_check_protocol = match f.opt("health-check-protocol") {
        None => HealthCheckProtocol::Tcp,
        Some(text) => HealthCheckProtocol::parse(&text).ok_or_else(|| {
            validation(f, format!("'{text}' is not a valid health check protocol: use TCP, HTTP or HTTPS"))
        })?,
    };
    let health_check_port = match f.opt("health-check-port").as_deref() {
        None | Some("traffic-port") => None,
        Some(text) => Some(text.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
            validation(f, format!("Health check port '{text}' must be traffic-port or 1 to 65535"))
        })?),
    };
    let health_check_path = f.opt("health-check-path");
    if health_check_path.is_some() && health_check_protocol == HealthCheckProtocol::Tcp {
        return Err(validation(
            f,
            "A health check path can be given only with HTTP or HTTPS health checks".into(),
        ));
    }
    Ok(LoadBalancingRequest::CreateTargetGroup {
        name: f.req("name")?,
        protocol: listener_protocol(f, &f.req("protocol")?)?,
        port: port(f, "port", "Port")?,
        vpc_id: f.req("vpc-id")?,
        target_type,
        health_check_protocol,
        health_check_port,
        health_check_path,
        tags: tags(f)?,
    })
}

/// TCP, UDP or TCP_UDP; TLS needs a certificate, which vpcsim does not model.
fn listener_protocol(f: &Flags, text: &str) -> Result<ListenerProtocol, AwsError> {
    match ListenerProtocol::parse(text) {
        Some(ListenerProtocol::Tls) => {
            Err(validation(f, "vpcsim has no certificates for TLS: use TCP, UDP or TCP_UDP".into()))
        }
        Some(p) => Ok(p),
        None => Err(validation(f, format!("'{text}' is not a valid protocol for a Network Load Balancer"))),
    }
}

fn port(f: &Flags, flag: &str, api: &str) -> Result<u16, AwsError> {
    let n = match f.values.get(flag) {
        Some(RawValue::Int(n)) => *n,
        _ => return Err(f.missing(api)),
    };
    u16::try_from(n)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| validation(f, format!("{api} {n} must be 1 to 65535")))
}

/// `--default-actions Type=forward,TargetGroupArn=ARN` (shorthand or JSON): one forward action.
fn forward_target(f: &Flags) -> Result<String, AwsError> {
    let mut arns = Vec::new();
    for word in f.list("default-actions") {
        let actions = match shorthand::parse(&word).map_err(AwsError::ParamError)? {
            Value::Array(items) => items,
            item => vec![item],
        };
        for a in &actions {
            if a.get("Type").and_then(Value::as_str) != Some("forward") {
                return Err(validation(
                    f,
                    "vpcsim models forward actions only: give Type=forward,TargetGroupArn=ARN".into(),
                ));
            }
            let arn = a
                .get("TargetGroupArn")
                .and_then(scalar_text)
                .ok_or_else(|| f.missing("DefaultActions[0].TargetGroupArn"))?;
            arns.push(arn);
        }
    }
    match <[String; 1]>::try_from(arns) {
        Ok([arn]) => Ok(arn),
        Err(_) => {
            Err(validation(f, "A Network Load Balancer listener takes exactly one forward action".into()))
        }
    }
}

/// `--tags Key=Name,Value=web Key=team,Value=net` (shorthand, a tag a word) or JSON.
fn tags(f: &Flags) -> Result<Tags, AwsError> {
    let mut tags = Tags::new();
    for word in f.list("tags") {
        let items = match shorthand::parse(&word).map_err(AwsError::ParamError)? {
            Value::Array(items) => items,
            item => vec![item],
        };
        for t in &items {
            let key = t.get("Key").and_then(scalar_text).ok_or_else(|| {
                AwsError::ParamError(format!(
                    "Error parsing parameter '--tags': expected Key=KEY,Value=VALUE, got {word}"
                ))
            })?;
            if key.starts_with("aws:") {
                return Err(validation(
                    f,
                    format!("Tag key '{key}' starts with 'aws:', which is reserved for AWS."),
                ));
            }
            if tags.insert(key.clone(), t.get("Value").and_then(scalar_text).unwrap_or_default()).is_some() {
                return Err(AwsError::Value(ApiError::new(
                    &op_name(f.spec.name),
                    "DuplicateTagKeys",
                    format!("Tag key '{key}' was specified more than once."),
                )));
            }
        }
    }
    Ok(tags)
}

/// elbv2's refusal of a value: `ValidationError`.
fn validation(f: &Flags, message: String) -> AwsError {
    AwsError::Value(ApiError::new(&op_name(f.spec.name), "ValidationError", message))
}
