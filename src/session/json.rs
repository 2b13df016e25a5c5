//! The AWS CLI's JSON for the resources scenario steps ask about (field names and
//! nesting as `aws ec2 describe-...` prints them), and resource states for `wait-for`.

use serde_json::{json, Value};

use crate::ids::*;
use crate::model::nlb::HealthState;
use crate::world::{Handle, World};

use super::Session;

/// Virtual time as an ISO timestamp, as the CLI prints creation times.
pub fn timestamp(ms: u64) -> String {
    let secs = crate::apps::EPOCH_UNIX + (ms / 1000) as i64;
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
    time::OffsetDateTime::from_unix_timestamp(secs).ok().and_then(|t| t.format(&fmt).ok()).unwrap_or_default()
}

/// A VPC endpoint (`VpcEndpoint` of create-vpc-endpoint, an item of describe-vpc-endpoints).
pub fn endpoint(w: &World, ep: EndpointId) -> Value {
    let e = &w.endpoints[ep.index()];
    let svc = &w.services[e.service.index()];
    let dns: Vec<Value> = w
        .endpoint_dns_names(ep)
        .into_iter()
        .map(|n| json!({"DnsName": n, "HostedZoneId": "Z27UANNT0PRK1T"}))
        .collect();
    json!({
        "VpcEndpointId": e.aws_id,
        "VpcEndpointType": "Interface",
        "VpcId": w.vpcs[e.vpc.index()].aws_id,
        "ServiceName": svc.service_name,
        "State": e.state.as_str(),
        "RouteTableIds": [],
        "SubnetIds": e.subnets.iter().map(|s| w.subnets[s.index()].aws_id.clone()).collect::<Vec<_>>(),
        "Groups": e.groups.iter().map(|g| json!({"GroupId": w.sgs[g.index()].aws_id, "GroupName": w.sgs[g.index()].name})).collect::<Vec<_>>(),
        "IpAddressType": "ipv4",
        "PrivateDnsEnabled": e.private_dns_enabled,
        "RequesterManaged": false,
        "NetworkInterfaceIds": e.enis.iter().map(|x| w.enis[x.index()].aws_id.clone()).collect::<Vec<_>>(),
        "DnsEntries": dns,
        "CreationTimestamp": timestamp(e.created_ms),
        "OwnerId": w.account_id,
    })
}

/// An endpoint service configuration.
pub fn service(w: &World, svc: ServiceId) -> Value {
    let s = &w.services[svc.index()];
    let mut v = json!({
        "ServiceType": [{"ServiceType": "Interface"}],
        "ServiceId": s.service_id,
        "ServiceName": s.service_name,
        "ServiceState": s.state.as_str(),
        "AvailabilityZones": w.service_azs(svc),
        "AcceptanceRequired": s.acceptance_required,
        "ManagesVpcEndpoints": false,
        "NetworkLoadBalancerArns": s.nlbs.iter().map(|l| w.lbs[l.index()].arn.clone()).collect::<Vec<_>>(),
        "SupportedIpAddressTypes": ["ipv4"],
        "BaseEndpointDnsNames": [s.base_dns_name],
    });
    if let Some(name) = &s.private_dns_name {
        v["PrivateDnsName"] = json!(name);
    }
    v
}

/// An endpoint connection, as describe-vpc-endpoint-connections lists it.
pub fn connection(w: &World, ep: EndpointId) -> Value {
    let e = &w.endpoints[ep.index()];
    let s = &w.services[e.service.index()];
    json!({
        "ServiceId": s.service_id,
        "VpcEndpointId": e.aws_id,
        "VpcEndpointOwner": w.account_id,
        "VpcEndpointState": e.state.as_str(),
        "CreationTimestamp": timestamp(e.created_ms),
        "NetworkLoadBalancerArns": s.nlbs.iter().map(|l| w.lbs[l.index()].arn.clone()).collect::<Vec<_>>(),
        "IpAddressType": "ipv4",
    })
}

/// describe-target-health's descriptions for a group.
pub fn target_health(w: &World, tg: TargetGroupId) -> Value {
    let g = &w.target_groups[tg.index()];
    let items: Vec<Value> = g
        .targets
        .iter()
        .map(|t| {
            let mut health = json!({"State": t.state.as_str()});
            let reason = match t.state {
                HealthState::Initial => {
                    Some(("Elb.RegistrationInProgress", "Target registration is in progress"))
                }
                HealthState::Unhealthy => Some(("Target.FailedHealthChecks", "Health checks failed")),
                HealthState::Unused => Some((
                    "Target.NotInUse",
                    "Target group is not configured to receive traffic from the load balancer",
                )),
                HealthState::Draining => {
                    Some(("Target.DeregistrationInProgress", "Target deregistration is in progress"))
                }
                HealthState::Healthy => None,
            };
            if let Some((code, text)) = reason {
                health["Reason"] = json!(code);
                health["Description"] = json!(text);
            }
            json!({
                "Target": {"Id": w.target_id(t.target), "Port": t.port},
                "HealthCheckPort": g.health_check.port.unwrap_or(t.port).to_string(),
                "TargetHealth": health,
            })
        })
        .collect();
    json!({"TargetHealthDescriptions": items})
}

/// A load balancer, as describe-load-balancers lists it.
pub fn load_balancer(w: &World, lb: LbId) -> Value {
    let l = &w.lbs[lb.index()];
    let azs: Vec<Value> = l
        .nodes
        .iter()
        .map(|n| {
            let eni = &w.enis[n.eni.index()];
            let mut addr = json!({});
            if let Some(p) = w.public_ip_of(n.eni) {
                addr["IpAddress"] = json!(p.to_string());
            } else {
                addr["PrivateIPv4Address"] = json!(eni.private_ip.to_string());
            }
            json!({"ZoneName": n.az, "SubnetId": w.subnets[n.subnet.index()].aws_id, "LoadBalancerAddresses": [addr]})
        })
        .collect();
    json!({
        "LoadBalancerArn": l.arn,
        "DNSName": l.dns_name,
        "CanonicalHostedZoneId": "ZIBE1TIR4HY56",
        "CreatedTime": timestamp(0),
        "LoadBalancerName": l.name,
        "Scheme": l.scheme.as_str(),
        "VpcId": w.vpcs[l.vpc.index()].aws_id,
        "State": {"Code": "active"},
        "Type": "network",
        "AvailabilityZones": azs,
        "IpAddressType": "ipv4",
    })
}

/// GetAtt-like attributes of resources made outside stacks (by `aws` steps).
pub fn attribute(w: &World, name: &str, attr: &str, s: &Session) -> Result<String, String> {
    let id = match s.resolve_name(name) {
        crate::scenario::Resolution::Found { ref_value, .. } => ref_value,
        _ => return Err(format!("unknown resource {name}")),
    };
    match (w.find(&id), attr) {
        (Some(Handle::Lb(l)), "DNSName") => Ok(w.lbs[l.index()].dns_name.clone()),
        (Some(Handle::Instance(i)), "PrivateIp") => {
            Ok(w.enis[w.instances[i.index()].eni.index()].private_ip.to_string())
        }
        (Some(Handle::Instance(i)), "PublicIp") => {
            Ok(w.public_ip_of(w.instances[i.index()].eni).map(|p| p.to_string()).unwrap_or_default())
        }
        _ => Err(format!("{name} has no attribute {attr} vpcsim knows")),
    }
}

/// Whether a resource is in a state, for `wait-for` (`healthy` for a target group means every target).
pub fn state_of(s: &Session, resource: &str, wanted: &str) -> Result<bool, String> {
    let w = &s.world;
    let id = match s.resolve_name(resource) {
        crate::scenario::Resolution::Found { ref_value, .. } => ref_value,
        crate::scenario::Resolution::NotFound { .. } => return Err(format!("unknown resource {resource}")),
        crate::scenario::Resolution::Ambiguous(c) => {
            return Err(format!("{resource} is ambiguous: {}", c.join(", ")))
        }
    };
    let unknown = |states: &[&str]| {
        Err(format!("{resource} has no state {wanted:?}; its states are: {}", states.join(", ")))
    };
    match w.find(&id) {
        Some(Handle::TargetGroup(g)) => {
            let states = ["healthy", "unhealthy", "initial", "unused", "draining"];
            if !states.contains(&wanted) {
                return unknown(&states);
            }
            let t = &w.target_groups[g.index()].targets;
            Ok(!t.is_empty() && t.iter().all(|t| t.state.as_str() == wanted))
        }
        Some(Handle::Endpoint(e)) => {
            let states = [
                "pendingAcceptance",
                "pending",
                "available",
                "rejected",
                "deleting",
                "deleted",
                "failed",
                "expired",
            ];
            if !states.contains(&wanted) {
                return unknown(&states);
            }
            Ok(w.endpoints[e.index()].state.as_str() == wanted)
        }
        Some(Handle::Service(x)) => Ok(w.services[x.index()].state.as_str().eq_ignore_ascii_case(wanted)),
        Some(Handle::Instance(i)) => Ok(w.instances[i.index()].state.as_str() == wanted),
        Some(Handle::Lb(l)) => Ok(match wanted {
            "active" => !w.lbs[l.index()].deleted,
            "deleted" => w.lbs[l.index()].deleted,
            _ => return unknown(&["active", "deleted"]),
        }),
        _ => Ok(wanted == "available"),
    }
}
