//! `aws elbv2` calls that build a Network Load Balancer by hand: create and delete the
//! load balancer, its target groups and listeners. Every id and ARN is resolved before
//! the op, which validates before it commits; answers are the CLI's JSON.

use serde_json::{json, Value};

use super::{empty, Answer};
use crate::command::aws::request::LoadBalancingRequest;
use crate::describe as j;
use crate::error::ApiError;
use crate::model::nlb::HealthCheck;
use crate::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup};
use crate::world::{Handle, World};

/// Runs one load-balancer-building call.
pub(super) fn run(w: &mut World, op: &str, request: &LoadBalancingRequest) -> Answer {
    use LoadBalancingRequest as L;
    match request {
        L::CreateLoadBalancer { name, subnets, internal, security_groups, tags } => {
            let subnets = subnets.iter().map(|s| w.subnet_id(op, s)).collect::<Result<Vec<_>, _>>()?;
            let security_groups =
                security_groups.iter().map(|g| w.sg_id(op, g)).collect::<Result<Vec<_>, _>>()?;
            let req = CreateLoadBalancer {
                name: name.clone(),
                subnets,
                internal: *internal,
                security_groups,
                tags: tags.clone(),
                ..Default::default()
            };
            let lb = w.create_load_balancer(req)?;
            Ok(json!({"LoadBalancers": [j::load_balancer(w, lb)]}))
        }
        L::CreateTargetGroup {
            name,
            protocol,
            port,
            vpc_id,
            target_type,
            health_check_protocol,
            health_check_port,
            health_check_path,
            tags,
        } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let mut health_check = HealthCheck {
                protocol: *health_check_protocol,
                port: *health_check_port,
                ..HealthCheck::default()
            };
            if let Some(path) = health_check_path {
                health_check.path = path.clone();
            }
            let req = CreateTargetGroup {
                name: name.clone(),
                protocol: *protocol,
                port: *port,
                vpc,
                target_type: *target_type,
                health_check,
                preserve_client_ip: None,
                tags: tags.clone(),
            };
            let tg = w.create_target_group(req)?;
            let arn = w[tg].arn.clone();
            Ok(json!({"TargetGroups": [listed(j::target_groups(w), "TargetGroups", "TargetGroupArn", &arn)]}))
        }
        L::CreateListener { load_balancer_arn, protocol, port, target_group_arn } => {
            let (lb, tg) = (w.lb_id(op, load_balancer_arn)?, w.target_group_id(op, target_group_arn)?);
            let listener = w.create_listener(lb, *protocol, *port, Some(tg))?;
            let arn = w[listener].arn.clone();
            Ok(json!({"Listeners": [listed(j::listeners(w), "Listeners", "ListenerArn", &arn)]}))
        }
        L::DeleteLoadBalancer { arn } => {
            let lb = w.lb_id(op, arn)?;
            w.delete_load_balancer(lb).map(|()| empty())
        }
        L::DeleteTargetGroup { arn } => {
            let tg = w.target_group_id(op, arn)?;
            if w.target_group_in_use(tg) {
                return Err(ApiError::new(
                    op,
                    "ResourceInUse",
                    format!("Target group '{arn}' is currently in use by a listener or a rule"),
                ));
            }
            w.delete_target_group(tg);
            Ok(empty())
        }
        L::DeleteListener { arn } => match w.find(arn) {
            Some(Handle::Listener(l)) if !w[l].deleted => {
                w.delete_listener(l);
                Ok(empty())
            }
            _ => Err(ApiError::new(
                op,
                "ListenerNotFound",
                format!("One or more listeners not found: '{arn}'"),
            )),
        },
    }
}

/// The item of a describe document's `key` list whose `id_field` is `id`.
fn listed(mut doc: Value, key: &str, id_field: &str, id: &str) -> Value {
    let items = doc[key].as_array_mut().map(std::mem::take).unwrap_or_default();
    items.into_iter().find(|item| item[id_field] == id).unwrap_or_else(empty)
}
