//! Internet gateways and their attachment to a VPC (I1-I5). The NAT itself is
//! applied by the packet walk; this type only says where the gateway is attached.

use crate::ids::VpcId;
use crate::model::Tags;

/// An internet gateway.
#[derive(Clone, Debug)]
pub struct InternetGateway {
    /// `igw-...`.
    pub aws_id: String,
    /// The VPC it is attached to.
    pub attached: Option<VpcId>,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}
