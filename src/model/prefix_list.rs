//! Managed prefix lists (E1, E5): named sets of CIDRs that routes and security group
//! rules may name instead of a CIDR. AWS owns one list per gateway-endpoint service of
//! the region (its published public ranges); an account makes its own with a bound on
//! how many entries they may hold.

use std::net::Ipv4Addr;

use crate::addr::Cidr;
use crate::model::Tags;

/// Who owns a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefixListOwner {
    /// AWS: a service's public ranges in the region (`com.amazonaws.<region>.s3`).
    Aws,
    /// The account (customer-managed).
    Account,
}

/// One CIDR of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixListEntry {
    /// The block.
    pub cidr: Cidr,
    /// Its description.
    pub description: Option<String>,
}

/// A managed prefix list.
#[derive(Clone, Debug)]
pub struct PrefixList {
    /// `pl-...`.
    pub aws_id: String,
    /// Its name (`com.amazonaws.us-east-1.s3` for AWS's).
    pub name: String,
    /// Who owns it.
    pub owner: PrefixListOwner,
    /// The entries, in the order given.
    pub entries: Vec<PrefixListEntry>,
    /// E5: how many entries it may hold.
    pub max_entries: u32,
    /// Its version (1 when created).
    pub version: u64,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

impl PrefixList {
    /// E1/E5: whether one of the entries holds `addr`.
    #[inline]
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        self.entries.iter().any(|e| e.cidr.contains(addr))
    }

    /// The blocks, in order.
    pub fn cidrs(&self) -> impl Iterator<Item = Cidr> + '_ {
        self.entries.iter().map(|e| e.cidr)
    }
}
