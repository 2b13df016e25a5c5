//! Egress-only internet gateways (A8): an IPv6-only gateway of one VPC that lets
//! connections out and none in. vpcsim keeps and describes them; it simulates no IPv6
//! flow, so none passes through one.

use crate::ids::VpcId;
use crate::model::Tags;

/// An egress-only internet gateway.
#[derive(Clone, Debug)]
pub struct EgressOnlyInternetGateway {
    /// `eigw-...`.
    pub aws_id: String,
    /// The VPC it is attached to (from its creation on).
    pub vpc: VpcId,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}
