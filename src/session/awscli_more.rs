//! The rest of the `aws` calls: Elastic IPs, network ACL entries, and the describe calls
//! for gateways, interfaces, endpoint services, target groups and listeners.

use serde_json::{json, Value};

use crate::addr::{Cidr, PortRange, RuleProtocol};
use crate::command::aws::{ArgValue, AwsCall};
use crate::error::ApiError;
use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::ops::security::acl_entry;
use crate::trace::Direction;
use crate::world::{Handle, World};

type Out = Result<Option<Value>, ApiError>;

/// Run the calls this module knows; anything else is not simulated yet.
pub fn dispatch(w: &mut World, call: &AwsCall, op: &str) -> Out {
    match (call.service.as_str(), call.operation.as_str()) {
        ("ec2", "allocate-address") => {
            let eip = w.allocate_address(Default::default());
            let a = &w[eip];
            Ok(Some(
                json!({"PublicIp": a.public_ip.to_string(), "AllocationId": a.allocation_id, "PublicIpv4Pool": "amazon", "NetworkBorderGroup": w.region.name, "Domain": "vpc"}),
            ))
        }
        ("ec2", "associate-address") => {
            let eip = eip_of(w, call, op)?;
            let eni = match (call.str("network-interface-id"), call.str("instance-id")) {
                (Some(id), _) => w.eni_id(op, id)?,
                (None, Some(id)) => w[w.instance_id(op, id)?].eni,
                (None, None) => return Err(missing(op, "--instance-id or --network-interface-id")),
            };
            let assoc = w.associate_address(eip, eni)?;
            Ok(Some(json!({"AssociationId": assoc})))
        }
        ("ec2", "disassociate-address") | ("ec2", "release-address") => {
            let eip = match call.str("association-id") {
                Some(a) => w
                    .eips()
                    .iter()
                    .find(|(_, e)| e.association_id.as_deref() == Some(a))
                    .map(|(i, _)| i)
                    .ok_or_else(|| {
                        ApiError::new(
                            op,
                            "InvalidAssociationID.NotFound",
                            format!("The association ID '{a}' does not exist"),
                        )
                    })?,
                None => eip_of(w, call, op)?,
            };
            if call.operation == "release-address" {
                w.release_address(eip)?;
            } else {
                w.disassociate_address(eip);
            }
            Ok(None)
        }
        ("ec2", "create-network-acl-entry") | ("ec2", "delete-network-acl-entry") => nacl_entry(w, call, op),
        ("ec2", "describe-internet-gateways") => {
            let items: Vec<Value> = w.igws().values().filter(|g| !g.deleted).map(|g| {
                let attachments: Vec<Value> = g.attached.map(|v| json!({"State": "available", "VpcId": w[v].aws_id})).into_iter().collect();
                json!({"Attachments": attachments, "InternetGatewayId": g.aws_id, "OwnerId": w.account_id, "Tags": tags(&g.tags)})
            }).collect();
            Ok(Some(json!({"InternetGateways": items})))
        }
        ("ec2", "describe-network-interfaces") => {
            let items: Vec<Value> = w.enis().live().map(|(i, _)| eni(w, i)).collect();
            Ok(Some(json!({"NetworkInterfaces": items})))
        }
        ("ec2", "describe-vpc-endpoint-services") => {
            let names: Vec<Value> = w
                .services()
                .values()
                .filter(|s| s.state == crate::model::endpoint_service::ServiceState::Available)
                .map(|s| json!(s.service_name))
                .collect();
            let details: Vec<Value> = w.services().iter().filter(|(_, s)| s.state == crate::model::endpoint_service::ServiceState::Available).map(|(i, s)| {
                json!({"ServiceName": s.service_name, "ServiceId": s.service_id, "ServiceType": [{"ServiceType": "Interface"}], "AvailabilityZones": w.service_azs(i), "Owner": w.account_id, "BaseEndpointDnsNames": [s.base_dns_name], "VpcEndpointPolicySupported": false, "AcceptanceRequired": s.acceptance_required, "ManagesVpcEndpoints": false})
            }).collect();
            Ok(Some(json!({"ServiceNames": names, "ServiceDetails": details})))
        }
        ("elbv2", "describe-target-groups") => {
            let items: Vec<Value> = w.target_groups().live().map(|(tg, g)| {
                json!({
                    "TargetGroupArn": g.arn, "TargetGroupName": g.name, "Protocol": g.protocol.as_str(), "Port": g.port,
                    "VpcId": w[g.vpc].aws_id, "HealthCheckProtocol": "TCP", "HealthCheckPort": g.health_check.port.map_or("traffic-port".to_string(), |p| p.to_string()),
                    "HealthCheckEnabled": true, "HealthCheckIntervalSeconds": g.health_check.interval_s, "HealthyThresholdCount": g.health_check.healthy_threshold,
                    "UnhealthyThresholdCount": g.health_check.unhealthy_threshold,
                    "LoadBalancerArns": w.load_balancers_of(tg).iter().map(|l| w[l].arn.clone()).collect::<Vec<_>>(),
                    "TargetType": match g.target_type { crate::model::nlb::TargetType::Instance => "instance", crate::model::nlb::TargetType::Ip => "ip" },
                    "IpAddressType": "ipv4",
                })
            }).collect();
            Ok(Some(json!({"TargetGroups": items})))
        }
        ("elbv2", "describe-listeners") => {
            let lb = match call.str("load-balancer-arn") {
                Some(arn) => Some(w.lb_id(op, arn)?),
                None => None,
            };
            let items: Vec<Value> = w.listeners().values().filter(|l| !l.deleted && lb.is_none_or(|x| x == l.lb)).map(|l| {
                let actions: Vec<Value> = l.target_group.map(|t| json!({"Type": "forward", "TargetGroupArn": w[t].arn})).into_iter().collect();
                json!({"ListenerArn": l.arn, "LoadBalancerArn": w[l.lb].arn, "Port": l.port, "Protocol": l.protocol.as_str(), "DefaultActions": actions})
            }).collect();
            Ok(Some(json!({"Listeners": items})))
        }
        (svc, operation) => Err(ApiError::new(
            op,
            "UnsupportedOperation",
            format!("vpcsim does not simulate `aws {svc} {operation}` yet"),
        )),
    }
}

fn missing(op: &str, what: &str) -> ApiError {
    ApiError::new(op, "MissingParameter", format!("The request must contain {what}"))
}

fn eip_of(w: &World, call: &AwsCall, op: &str) -> Result<EipId, ApiError> {
    match (call.str("allocation-id"), call.str("public-ip")) {
        (Some(id), _) => match w.find(id) {
            Some(Handle::Eip(x)) if !w[x].released => Ok(x),
            _ => Err(ApiError::new(
                op,
                "InvalidAllocationID.NotFound",
                format!("The allocation ID '{id}' does not exist"),
            )),
        },
        (None, Some(ip)) => {
            w.eips().live().find(|(_, e)| e.public_ip.to_string() == ip).map(|(i, _)| i).ok_or_else(|| {
                ApiError::new(op, "InvalidAddress.NotFound", format!("Address '{ip}' not found."))
            })
        }
        (None, None) => Err(missing(op, "--allocation-id or --public-ip")),
    }
}

/// create-network-acl-entry / delete-network-acl-entry (`--port-range From=80,To=80`).
fn nacl_entry(w: &mut World, call: &AwsCall, op: &str) -> Out {
    let acl = w.nacl_id(op, call.str("network-acl-id").ok_or_else(|| missing(op, "--network-acl-id"))?)?;
    let number = match call.args.get("rule-number") {
        Some(ArgValue::Int(n)) => u16::try_from(*n)
            .map_err(|_| ApiError::new(op, "InvalidParameterValue", format!("Invalid rule number {n}")))?,
        _ => return Err(missing(op, "--rule-number")),
    };
    let dir = if call.switch("egress").unwrap_or(false) { Direction::Egress } else { Direction::Ingress };
    if call.operation == "delete-network-acl-entry" {
        w.delete_network_acl_entry(acl, dir, number)?;
        return Ok(None);
    }
    let invalid = |m: String| ApiError::new(op, "InvalidParameterValue", m);
    let protocol: RuleProtocol = call
        .str("protocol")
        .unwrap_or("-1")
        .parse()
        .map_err(|e: crate::addr::ProtocolParseError| invalid(e.to_string()))?;
    let allow = match call.str("rule-action").unwrap_or("") {
        "allow" => true,
        "deny" => false,
        other => return Err(invalid(format!("Invalid rule action {other:?}: use allow or deny"))),
    };
    let cidr: Cidr = call
        .str("cidr-block")
        .ok_or_else(|| missing(op, "--cidr-block"))?
        .parse()
        .map_err(|e: crate::addr::CidrParseError| invalid(e.to_string()))?;
    let ports = match call.str("port-range") {
        None => PortRange::ALL,
        Some(text) => port_range(text)
            .ok_or_else(|| invalid(format!("Invalid port range {text:?}: write From=1024,To=65535")))?,
    };
    w.create_network_acl_entry(acl, dir, acl_entry(number, protocol, ports, cidr, allow))?;
    Ok(None)
}

/// `From=1024,To=65535`.
fn port_range(text: &str) -> Option<PortRange> {
    let (mut from, mut to) = (None, None);
    for part in text.split(',') {
        match part.split_once('=')? {
            ("From", v) => from = v.parse().ok(),
            ("To", v) => to = v.parse().ok(),
            _ => return None,
        }
    }
    let (from, to) = (from?, to?);
    (from <= to).then_some(PortRange { from, to })
}

fn tags(t: &crate::model::Tags) -> Vec<Value> {
    t.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect()
}

fn eni(w: &World, id: EniId) -> Value {
    let e = &w[id];
    let (kind, requester) = match e.owner {
        EniOwner::Instance(_) | EniOwner::Detached => ("interface", false),
        EniOwner::LoadBalancer(_) => ("network_load_balancer", true),
        EniOwner::Endpoint(_) => ("vpc_endpoint", true),
    };
    let mut v = json!({
        "AvailabilityZone": w[e.subnet].az,
        "Description": e.description,
        "Groups": e.groups.iter().map(|g| json!({"GroupName": w[g].name, "GroupId": w[g].aws_id})).collect::<Vec<_>>(),
        "InterfaceType": kind,
        "NetworkInterfaceId": e.aws_id,
        "PrivateIpAddress": e.private_ip.to_string(),
        "RequesterManaged": requester,
        "SourceDestCheck": e.source_dest_check,
        "Status": "in-use",
        "SubnetId": w[e.subnet].aws_id,
        "VpcId": w[e.vpc].aws_id,
        "TagSet": tags(&e.tags),
    });
    if let Some(p) = w.public_ip_of(id) {
        v["Association"] = json!({"PublicIp": p.to_string(), "IpOwnerId": "amazon"});
    }
    if let EniOwner::Instance(i) = e.owner {
        v["Attachment"] = json!({"InstanceId": w[i].aws_id, "DeviceIndex": 0, "Status": "attached"});
    }
    v
}
