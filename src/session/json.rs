//! What scenario steps ask of resources made outside stacks: GetAtt-like attributes
//! and resource states for `wait-for`. The AWS CLI's JSON shapes live in
//! [`crate::describe`].

use crate::world::{Handle, World};

use super::Session;

/// GetAtt-like attributes of resources made outside stacks (by `aws` steps).
pub fn attribute(w: &World, name: &str, attr: &str, s: &Session) -> Result<String, String> {
    let id = match s.resolve_name(name) {
        crate::scenario::Resolution::Found { ref_value, .. } => ref_value,
        _ => return Err(format!("unknown resource {name}")),
    };
    match (w.find(&id), attr) {
        (Some(Handle::Lb(l)), "DNSName") => Ok(w[l].dns_name.clone()),
        (Some(Handle::Instance(i)), "PrivateIp") => Ok(w[w[i].eni].private_ip.to_string()),
        (Some(Handle::Instance(i)), "PublicIp") => {
            Ok(w.public_ip_of(w[i].eni).map(|p| p.to_string()).unwrap_or_default())
        }
        _ => Err(format!("{name} has no attribute {attr} vpcsim knows")),
    }
}

/// Whether a resource is in a state, for `wait-for` (`healthy` for a target group means every target).
pub fn state_of(s: &Session, resource: &str, wanted: &str) -> Result<bool, String> {
    let w = &s.world;
    if let Some(change) = route53_change(w, resource) {
        return change_state(w, change, resource, wanted);
    }
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
            let t = &w[g].targets;
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
            Ok(w[e].state.as_str() == wanted)
        }
        Some(Handle::NatGateway(n)) => {
            let states = ["pending", "available", "deleting", "deleted"];
            if !states.contains(&wanted) {
                return unknown(&states);
            }
            Ok(w[n].state.as_str() == wanted)
        }
        Some(Handle::Service(x)) => {
            let dns = w[x].private_dns.as_ref().map(|p| p.state(w.now_ms()).as_str());
            match wanted {
                "pendingVerification" | "verified" if dns.is_some() => Ok(dns == Some(wanted)),
                "available" | "Available" | "deleted" | "Deleted" => {
                    Ok(w[x].state.as_str().eq_ignore_ascii_case(wanted))
                }
                _ if dns.is_some() => unknown(&["available", "deleted", "pendingVerification", "verified"]),
                _ => unknown(&["available", "deleted"]),
            }
        }
        Some(Handle::InsightsAnalysis(a)) => {
            let states = ["running", "succeeded", "failed"];
            if !states.contains(&wanted) {
                return unknown(&states);
            }
            Ok(w[a].status(w.now_ms()).as_str() == wanted)
        }
        Some(Handle::AccessScopeAnalysis(a)) => {
            let states = ["running", "succeeded", "failed"];
            if !states.contains(&wanted) {
                return unknown(&states);
            }
            Ok(w[a].status(w.now_ms()).as_str() == wanted)
        }
        Some(Handle::Instance(i)) => Ok(w[i].state.as_str() == wanted),
        Some(Handle::Lb(l)) => Ok(match wanted {
            "active" => !w[l].deleted,
            "deleted" => w[l].deleted,
            _ => return unknown(&["active", "deleted"]),
        }),
        _ => Ok(wanted == "available"),
    }
}

/// The Route 53 change a `wait-for` names: its id as get-change takes it (`C...` or
/// `/change/C...`, the `ChangeInfo.Id` a `save:` keeps).
fn route53_change<'w>(w: &'w World, resource: &str) -> Option<&'w crate::model::hosted_zone::ZoneChange> {
    let id = resource.strip_prefix("/change/").unwrap_or(resource);
    id.starts_with('C').then(|| w.route53_change(id)).flatten()
}

/// Z1: a change is PENDING, then INSYNC, as `aws route53 wait resource-record-sets-changed`
/// waits for it.
fn change_state(
    w: &World,
    change: &crate::model::hosted_zone::ZoneChange,
    resource: &str,
    wanted: &str,
) -> Result<bool, String> {
    let states = ["PENDING", "INSYNC"];
    if !states.contains(&wanted) {
        return Err(format!("{resource} has no state {wanted:?}; its states are: {}", states.join(", ")));
    }
    Ok(w.route53_change_status(change) == wanted)
}
