//! `aws ...` steps: a parsed [`AwsCall`] becomes a control-plane call; the output is
//! the AWS CLI's JSON, errors are printed as the CLI prints them (exit 254).

use serde_json::{json, Value};

use crate::addr::{Cidr, PortRange, RuleProtocol};
use crate::command::aws::AwsCall;
use crate::error::ApiError;
use crate::model::nlb::TargetRef;
use crate::model::security_group::Peer;
use crate::ops::elbv2::TargetSpec;
use crate::ops::privatelink::CreateVpcEndpoint;
use crate::ops::security::Permission;
use crate::ops::vpc::RouteTargetSpec;
use crate::scenario::StepOutcome;
use crate::trace::Direction;
use crate::world::Handle;

use super::Session;
use crate::describe as j;

type Out = Result<Option<Value>, ApiError>;

/// Run one call; JSON on stdout, or the CLI's error on stderr.
pub fn run(s: &mut Session, call: &AwsCall) -> StepOutcome {
    let snapshot = s.world.clone();
    match dispatch(s, call) {
        Ok(json) => {
            let stdout = json.as_ref().map(|v| format!("{}\n", pretty(v))).unwrap_or_default();
            StepOutcome { stdout, json, ..StepOutcome::default() }
        }
        Err(e) => {
            s.world = snapshot;
            StepOutcome { exit_code: 254, stderr: format!("\n{e}\n"), ..StepOutcome::default() }
        }
    }
}

/// JSON with four-space indentation, as the AWS CLI prints it.
pub fn pretty(v: &Value) -> String {
    crate::describe::pretty(v)
}

fn op_name(call: &AwsCall) -> String {
    call.operation
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn need<'a>(call: &'a AwsCall, flag: &str) -> Result<&'a str, ApiError> {
    call.str(flag).ok_or_else(|| {
        ApiError::new(
            &op_name(call),
            "MissingParameter",
            format!("The request must contain the parameter {flag}"),
        )
    })
}

fn dispatch(s: &mut Session, call: &AwsCall) -> Out {
    let op = op_name(call);
    let w = &mut s.world;
    match (call.service.as_str(), call.operation.as_str()) {
        ("ec2", "create-vpc-endpoint-service-configuration") => {
            let mut lbs = Vec::new();
            for arn in call.list("network-load-balancer-arns") {
                lbs.push(w.lb_id(&op, arn)?);
            }
            let acceptance = call.switch("acceptance-required").unwrap_or(true);
            let svc = w.create_vpc_endpoint_service_configuration(
                &lbs,
                acceptance,
                call.str("private-dns-name").map(str::to_string),
                Default::default(),
            )?;
            Ok(Some(json!({"ServiceConfiguration": j::service(w, svc)})))
        }
        ("ec2", "describe-vpc-endpoint-service-configurations") => {
            let ids =
                ids_or_all(call.list("service-ids"), w.services().values().map(|s| s.service_id.clone()));
            let mut out = Vec::new();
            for id in ids {
                let svc = w.service_id(&op, &id)?;
                out.push(j::service(w, svc));
            }
            Ok(Some(json!({"ServiceConfigurations": out})))
        }
        ("ec2", "delete-vpc-endpoint-service-configurations") => {
            let mut unsuccessful = Vec::new();
            for id in call.list("service-ids") {
                let res =
                    w.service_id(&op, id).and_then(|svc| w.delete_vpc_endpoint_service_configuration(svc));
                if let Err(e) = res {
                    unsuccessful
                        .push(json!({"Error": {"Code": e.code, "Message": e.message}, "ResourceId": id}));
                }
            }
            Ok(Some(json!({"Unsuccessful": unsuccessful})))
        }
        ("ec2", "modify-vpc-endpoint-service-permissions") => {
            let svc = w.service_id(&op, need(call, "service-id")?)?;
            w.modify_vpc_endpoint_service_permissions(
                svc,
                call.list("add-allowed-principals"),
                call.list("remove-allowed-principals"),
            )?;
            Ok(Some(json!({"ReturnValue": true})))
        }
        ("ec2", "describe-vpc-endpoint-service-permissions") => {
            let svc = w.service_id(&op, need(call, "service-id")?)?;
            let p: Vec<Value> = w[svc]
                .allowed_principals
                .iter()
                .map(|p| json!({"PrincipalType": if p == "*" { "All" } else { "Account" }, "Principal": p}))
                .collect();
            Ok(Some(json!({"AllowedPrincipals": p})))
        }
        ("ec2", "accept-vpc-endpoint-connections") | ("ec2", "reject-vpc-endpoint-connections") => {
            let svc = w.service_id(&op, need(call, "service-id")?)?;
            let mut eps = Vec::new();
            for id in call.list("vpc-endpoint-ids") {
                eps.push(w.endpoint_id(&op, id)?);
            }
            if call.operation.starts_with("accept") {
                w.accept_vpc_endpoint_connections(svc, &eps)?;
            } else {
                w.reject_vpc_endpoint_connections(svc, &eps)?;
            }
            Ok(Some(json!({"Unsuccessful": []})))
        }
        ("ec2", "describe-vpc-endpoint-connections") => {
            let out: Vec<Value> = w.endpoints().ids().map(|i| j::connection(w, i)).collect();
            Ok(Some(json!({"VpcEndpointConnections": out})))
        }
        ("ec2", "create-vpc-endpoint") => {
            let kind = call.str("vpc-endpoint-type").unwrap_or("Gateway");
            if kind != "Interface" {
                return Err(ApiError::new(
                    &op,
                    "InvalidParameter",
                    format!("{kind} endpoints are not simulated; use --vpc-endpoint-type Interface"),
                ));
            }
            let mut subnets = Vec::new();
            for id in call.list("subnet-ids") {
                subnets.push(w.subnet_id(&op, id)?);
            }
            let mut groups = Vec::new();
            for id in call.list("security-group-ids") {
                groups.push(w.sg_id(&op, id)?);
            }
            let req = CreateVpcEndpoint {
                vpc: Some(w.vpc_id(&op, need(call, "vpc-id")?)?),
                service_name: need(call, "service-name")?.to_string(),
                subnets,
                groups,
                private_dns_enabled: call.switch("private-dns-enabled").unwrap_or(false),
                tags: Default::default(),
            };
            let ep = w.create_vpc_endpoint(req)?;
            Ok(Some(json!({"VpcEndpoint": j::endpoint(w, ep)})))
        }
        ("ec2", "describe-vpc-endpoints") => {
            let ids =
                ids_or_all(call.list("vpc-endpoint-ids"), w.endpoints().values().map(|e| e.aws_id.clone()));
            let mut out = Vec::new();
            for id in ids {
                let ep = w.endpoint_id(&op, &id)?;
                out.push(j::endpoint(w, ep));
            }
            Ok(Some(json!({"VpcEndpoints": out})))
        }
        ("ec2", "delete-vpc-endpoints") => {
            let mut eps = Vec::new();
            for id in call.list("vpc-endpoint-ids") {
                eps.push(w.endpoint_id(&op, id)?);
            }
            w.delete_vpc_endpoints(&eps)?;
            Ok(Some(json!({"Unsuccessful": []})))
        }
        ("ec2", "authorize-security-group-ingress")
        | ("ec2", "authorize-security-group-egress")
        | ("ec2", "revoke-security-group-ingress")
        | ("ec2", "revoke-security-group-egress") => {
            let sg = w.sg_id(&op, need(call, "group-id")?)?;
            let perm = permission(w, call, &op)?;
            let dir =
                if call.operation.ends_with("ingress") { Direction::Ingress } else { Direction::Egress };
            if call.operation.starts_with("authorize") {
                w.authorize_security_group(sg, dir, &[perm])?;
            } else {
                w.revoke_security_group(sg, dir, &[perm])?;
            }
            Ok(Some(json!({"Return": true})))
        }
        ("ec2", "create-route") | ("ec2", "replace-route") | ("ec2", "delete-route") => {
            let rt = w.route_table_id(&op, need(call, "route-table-id")?)?;
            let dest: Cidr =
                need(call, "destination-cidr-block")?.parse().map_err(|e: crate::addr::CidrParseError| {
                    ApiError::new(&op, "InvalidParameterValue", e.to_string())
                })?;
            if call.operation == "delete-route" {
                w.delete_route(rt, dest)?;
                return Ok(None);
            }
            let target = route_target(call).ok_or_else(|| ApiError::new(&op, "MissingParameter", "give a target: --gateway-id, --instance-id, --network-interface-id, --nat-gateway-id or --vpc-peering-connection-id"))?;
            if call.operation == "create-route" {
                w.create_route(rt, dest, &target)?;
                Ok(Some(json!({"Return": true})))
            } else {
                w.replace_route(rt, dest, &target)?;
                Ok(None)
            }
        }
        ("ec2", "terminate-instances") => {
            let mut out = Vec::new();
            for id in call.list("instance-ids") {
                let i = w.instance_id(&op, id)?;
                w.terminate_instance(i);
                out.push(json!({"InstanceId": id, "CurrentState": {"Code": 48, "Name": "terminated"}, "PreviousState": {"Code": 16, "Name": "running"}}));
            }
            Ok(Some(json!({"TerminatingInstances": out})))
        }
        ("ec2", "modify-instance-attribute") => {
            let i = w.instance_id(&op, need(call, "instance-id")?)?;
            let eni = w[i].eni;
            if let Some(on) = call.switch("source-dest-check") {
                w.set_source_dest_check(eni, on);
            }
            let groups = call.list("groups");
            if !groups.is_empty() {
                let mut gs = Vec::new();
                for g in groups {
                    gs.push(w.sg_id(&op, g)?);
                }
                w.set_groups(eni, &gs)?;
            }
            Ok(None)
        }
        ("ec2", "detach-internet-gateway") | ("ec2", "attach-internet-gateway") => {
            let g = w.igw_id(&op, need(call, "internet-gateway-id")?)?;
            let v = w.vpc_id(&op, need(call, "vpc-id")?)?;
            if call.operation.starts_with("detach") {
                w.detach_internet_gateway(g, v)?
            } else {
                w.attach_internet_gateway(g, v)?
            }
            Ok(None)
        }
        ("elbv2", "register-targets") | ("elbv2", "deregister-targets") => {
            let tg = w.target_group_id(&op, need(call, "target-group-arn")?)?;
            let mut specs = Vec::new();
            for t in call.list("targets") {
                specs.push(target_spec(w, t, &op)?);
            }
            if call.operation.starts_with("register") {
                w.register_targets(tg, &specs)?
            } else {
                w.deregister_targets(tg, &specs)?
            }
            Ok(None)
        }
        ("elbv2", "describe-target-health") => {
            let tg = w.target_group_id(&op, need(call, "target-group-arn")?)?;
            Ok(Some(j::target_health(w, tg)))
        }
        ("elbv2", "describe-load-balancers") => {
            let arns = call.list("load-balancer-arns");
            only(&op, j::load_balancers(w), "LoadBalancers", "LoadBalancerArn", arns)
        }
        ("ec2", "describe-vpcs") => only(&op, j::vpcs(w), "Vpcs", "VpcId", call.list("vpc-ids")),
        ("ec2", "describe-subnets") => {
            only(&op, j::subnets(w), "Subnets", "SubnetId", call.list("subnet-ids"))
        }
        ("ec2", "describe-route-tables") => {
            only(&op, j::route_tables(w), "RouteTables", "RouteTableId", call.list("route-table-ids"))
        }
        ("ec2", "describe-security-groups") => {
            only(&op, j::security_groups(w), "SecurityGroups", "GroupId", call.list("group-ids"))
        }
        ("ec2", "describe-instances") => {
            let mut wanted = Vec::new();
            for id in call.list("instance-ids") {
                let i = w.instance_id(&op, id)?;
                wanted.push(w[i].aws_id.clone());
            }
            let mut v = j::instances(w);
            if let Some(items) = v["Reservations"].as_array_mut() {
                items.retain(|r| {
                    wanted.is_empty() || wanted.iter().any(|id| r["Instances"][0]["InstanceId"] == **id)
                });
            }
            Ok(Some(v))
        }
        ("cloudformation", "delete-stack") => {
            let name = need(call, "stack-name")?.to_string();
            if let Some(stack) = s.stacks.get(&name).cloned() {
                match crate::stack::delete_stack(&mut s.world, &stack) {
                    Ok(()) => {
                        s.stacks.shift_remove(&name);
                        s.delete_failed.shift_remove(&name);
                    }
                    Err((id, e)) => {
                        s.delete_failed.insert(
                            name.clone(),
                            format!("The following resource(s) failed to delete: [{id}]. {}", e.message),
                        );
                    }
                }
            }
            Ok(None)
        }
        ("cloudformation", "describe-stacks") => {
            let mut out = Vec::new();
            for name in s.stacks.keys() {
                let mut v = json!({"StackName": name, "StackStatus": "CREATE_COMPLETE"});
                if let Some(reason) = s.delete_failed.get(name) {
                    v["StackStatus"] = json!("DELETE_FAILED");
                    v["StackStatusReason"] = json!(reason);
                }
                out.push(v);
            }
            Ok(Some(json!({"Stacks": out})))
        }
        _ => super::awscli_more::dispatch(&mut s.world, call, &op),
    }
}

/// The items of `doc[key]` whose `field` is one of `ids` (all of them when `ids` is empty);
/// an id that matches nothing is the CLI's `...NotFound` error, as AWS answers.
fn only(op: &str, mut doc: Value, key: &str, field: &str, ids: &[String]) -> Out {
    if let Some(items) = doc[key].as_array_mut() {
        if let Some(missing) = ids.iter().find(|id| !items.iter().any(|item| item[field] == **id)) {
            let (code, what) = match key {
                "Vpcs" => ("InvalidVpcID.NotFound", "vpc ID"),
                "Subnets" => ("InvalidSubnetID.NotFound", "subnet ID"),
                "RouteTables" => ("InvalidRouteTableID.NotFound", "route table ID"),
                "SecurityGroups" => ("InvalidGroup.NotFound", "security group"),
                "LoadBalancers" => ("LoadBalancerNotFound", "load balancer"),
                _ => ("InvalidParameterValue", "id"),
            };
            return Err(ApiError::new(op, code, format!("The {what} '{missing}' does not exist")));
        }
        items.retain(|item| ids.is_empty() || ids.iter().any(|id| item[field] == **id));
    }
    Ok(Some(doc))
}

fn ids_or_all(given: &[String], all: impl Iterator<Item = String>) -> Vec<String> {
    if given.is_empty() {
        all.collect()
    } else {
        given.to_vec()
    }
}

fn route_target(call: &AwsCall) -> Option<RouteTargetSpec> {
    let pick = |flag: &str| call.str(flag).map(str::to_string);
    pick("gateway-id")
        .map(RouteTargetSpec::Gateway)
        .or_else(|| pick("instance-id").map(RouteTargetSpec::Instance))
        .or_else(|| pick("network-interface-id").map(RouteTargetSpec::NetworkInterface))
        .or_else(|| pick("nat-gateway-id").map(RouteTargetSpec::NatGateway))
        .or_else(|| pick("vpc-peering-connection-id").map(RouteTargetSpec::VpcPeeringConnection))
}

fn permission(w: &crate::world::World, call: &AwsCall, op: &str) -> Result<Permission, ApiError> {
    let invalid = |m: String| ApiError::new(op, "InvalidParameterValue", m);
    let protocol: RuleProtocol = need(call, "protocol")?
        .parse()
        .map_err(|e: crate::addr::ProtocolParseError| invalid(e.to_string()))?;
    let ports = match call.str("port") {
        None => PortRange::ALL,
        Some(p) => match p.split_once('-') {
            Some((a, b)) => PortRange {
                from: a.parse().map_err(|_| invalid(format!("invalid port {p}")))?,
                to: b.parse().map_err(|_| invalid(format!("invalid port {p}")))?,
            },
            None => PortRange::single(p.parse().map_err(|_| invalid(format!("invalid port {p}")))?),
        },
    };
    let peer = match (call.str("cidr"), call.str("source-group")) {
        (Some(c), _) => {
            Peer::Cidr(c.parse().map_err(|e: crate::addr::CidrParseError| invalid(e.to_string()))?)
        }
        (None, Some(g)) => Peer::Group(w.sg_id(op, g)?),
        (None, None) => return Err(ApiError::new(op, "MissingParameter", "give --cidr or --source-group")),
    };
    Ok(Permission { protocol, ports, peer, description: None })
}

/// `Id=i-...,Port=80` or a bare id.
fn target_spec(w: &crate::world::World, text: &str, op: &str) -> Result<TargetSpec, ApiError> {
    let mut id = text;
    let mut port = None;
    for part in text.split(',') {
        if let Some(v) = part.strip_prefix("Id=") {
            id = v;
        } else if let Some(v) = part.strip_prefix("Port=") {
            port = Some(
                v.parse().map_err(|_| ApiError::new(op, "ValidationError", format!("invalid port {v}")))?,
            );
        }
    }
    let target = match (id.parse(), w.find(id)) {
        (Ok(ip), _) => TargetRef::Ip(ip),
        (_, Some(Handle::Instance(i))) => TargetRef::Instance(i),
        _ => return Err(ApiError::new(op, "InvalidTarget", format!("The target {id} does not exist"))),
    };
    Ok(TargetSpec { target, port })
}
