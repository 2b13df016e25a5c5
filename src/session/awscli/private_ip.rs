//! The ec2 calls about an interface's secondary private addresses (M6):
//! assign-private-ip-addresses and unassign-private-ip-addresses, and the addresses
//! create-network-interface asks for.

use std::net::Ipv4Addr;

use serde_json::json;

use super::{empty, Answer};
use crate::command::aws::Request;
use crate::error::ApiError;
use crate::ops::private_ip::AssignPrivateIps;
use crate::world::World;

/// Runs assign-private-ip-addresses or unassign-private-ip-addresses.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    match request {
        Request::AssignPrivateIpAddresses { eni_id, ips, count, allow_reassignment } => {
            let eni = w.eni_id(op, eni_id)?;
            let req = AssignPrivateIps {
                ips: ips.clone(),
                count: *count as usize,
                allow_reassignment: *allow_reassignment,
            };
            let assigned = w.assign_private_ip_addresses(eni, req)?;
            Ok(json!({
                "NetworkInterfaceId": eni_id,
                "AssignedPrivateIpAddresses": assigned
                    .iter()
                    .map(|ip| json!({"PrivateIpAddress": ip.to_string()}))
                    .collect::<Vec<_>>(),
            }))
        }
        Request::UnassignPrivateIpAddresses { eni_id, ips } => {
            let eni = w.eni_id(op, eni_id)?;
            w.unassign_private_ip_addresses(eni, ips).map(|()| empty())
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}

/// M6: create-network-interface's primary and secondary addresses from
/// `--private-ip-address` and `--private-ip-addresses`: at most one marked primary, and
/// the same as `--private-ip-address` when both are given.
pub fn split_addresses(
    op: &str,
    private_ip: Option<Ipv4Addr>,
    addresses: &[(Ipv4Addr, bool)],
) -> Result<(Option<Ipv4Addr>, Vec<Ipv4Addr>), ApiError> {
    let invalid = |message: String| ApiError::new(op, "InvalidParameterValue", message);
    let mut primary = private_ip;
    let mut listed = false;
    let mut secondary = Vec::new();
    for &(ip, is_primary) in addresses {
        match (is_primary, primary, listed) {
            (false, _, _) => secondary.push(ip),
            (true, Some(first), true) => {
                return Err(invalid(format!(
                    "Only one primary private IP address may be specified; {first} is already primary."
                )))
            }
            (true, Some(first), false) if first != ip => {
                return Err(invalid(format!(
                    "The primary private IP address {ip} does not match --private-ip-address {first}."
                )))
            }
            (true, _, _) => {
                primary = Some(ip);
                listed = true;
            }
        }
    }
    Ok((primary, secondary))
}
