//! Elastic IPs: a public address from the region's ranges (A6) that can move
//! between network interfaces.

use std::net::Ipv4Addr;

use crate::ids::EniId;
use crate::model::Tags;

/// An Elastic IP allocation.
#[derive(Clone, Debug)]
pub struct ElasticIp {
    /// `eipalloc-...`.
    pub allocation_id: String,
    /// The public address.
    pub public_ip: Ipv4Addr,
    /// The interface it is associated with.
    pub eni: Option<EniId>,
    /// The private address of that interface it maps to (I1: its primary, or a secondary
    /// address, M6) while associated.
    pub private_ip: Option<Ipv4Addr>,
    /// `eipassoc-...` while associated.
    pub association_id: Option<String>,
    /// Tags.
    pub tags: Tags,
    /// Whether it was released.
    pub released: bool,
}
