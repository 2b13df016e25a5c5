//! Identity: typed arena handles ([`VpcId`], [`EniId`], ...) for the model, and the
//! seeded generators of AWS-looking ids (A5) and of per-connection randomness, so
//! that runs repeat exactly.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

macro_rules! handle {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in its arena.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl ArenaId for $name {
            #[inline]
            fn from_index(index: usize) -> Self {
                $name(index as u32)
            }

            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

/// A typed handle into an [`crate::world::arena::Arena`]: a position, nothing more.
pub trait ArenaId: Copy {
    /// The handle of the resource at `index`.
    fn from_index(index: usize) -> Self;
    /// The position in its arena.
    fn index(self) -> usize;
}

handle! {
    /// A VPC.
    VpcId;
    /// A subnet.
    SubnetId;
    /// A route table.
    RouteTableId;
    /// An internet gateway.
    IgwId;
    /// An egress-only internet gateway (A8).
    EigwId;
    /// A security group.
    SgId;
    /// A network ACL.
    NaclId;
    /// An elastic network interface.
    EniId;
    /// An instance.
    InstanceId;
    /// An Elastic IP allocation.
    EipId;
    /// A load balancer.
    LbId;
    /// A load balancer listener.
    ListenerId;
    /// A target group.
    TargetGroupId;
    /// A VPC endpoint service.
    ServiceId;
    /// A VPC endpoint.
    EndpointId;
    /// A NAT gateway.
    NatId;
    /// A VPC peering connection.
    PeeringId;
    /// A managed prefix list.
    PrefixListId;
    /// A gateway VPC endpoint (S3, DynamoDB).
    GatewayEndpointId;
    /// A launch template or launch configuration.
    LaunchTemplateId;
    /// An Auto Scaling group.
    AsgId;
    /// A Reachability Analyzer path.
    InsightsPathId;
    /// A Reachability Analyzer analysis.
    InsightsAnalysisId;
    /// A Network Access Analyzer access scope.
    AccessScopeId;
    /// A Network Access Analyzer scope analysis.
    AccessScopeAnalysisId;
    /// A Route 53 hosted zone.
    HostedZoneId;
    /// A DHCP option set.
    DhcpOptionsId;
    /// A VPC endpoint connection notification.
    ConnectionNotificationId;
    /// A VPC flow log (F1).
    FlowLogId;
    /// A CloudWatch Logs log group (where flow logs write, F1).
    LogGroupId;
}

/// Draws AWS-looking identifiers from one seeded stream.
#[derive(Clone, Debug)]
pub struct IdGen {
    rng: ChaCha8Rng,
}

impl IdGen {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> IdGen {
        IdGen { rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    /// Another stream of the same seed, independent of [`IdGen::new`]'s: drawing from
    /// one never moves the other.
    pub fn stream(seed: u64, stream: u64) -> IdGen {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        IdGen { rng }
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        (0..n).map(|_| HEX[self.rng.random_range(0..16)] as char).collect()
    }

    /// `n` lowercase letters and digits (endpoint DNS suffixes, P6).
    pub fn lower_alnum(&mut self, n: usize) -> String {
        const CHARS: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..n).map(|_| CHARS[self.rng.random_range(0..36)] as char).collect()
    }

    /// `n` letters of either case and digits (private DNS verification values, P12).
    pub fn alnum(&mut self, n: usize) -> String {
        const CHARS: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n).map(|_| CHARS[self.rng.random_range(0..62)] as char).collect()
    }

    /// A5: `prefix-` followed by 17 hex digits, like `vpc-0a1b2c3d4e5f60718`.
    pub fn aws_id(&mut self, prefix: &str) -> String {
        format!("{prefix}-{}", self.hex(17))
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    /// A 64-bit value (flow-hash keys, DNS message ids).
    pub fn next_u64(&mut self) -> u64 {
        self.rng.random()
    }
}

/// An id shaped like a UUID (`8-4-4-4-12` hex digits) made of two hashes, for the ids AWS
/// gives as UUIDs (stack events, access-scope findings) where vpcsim wants them fixed by
/// what they name.
pub fn uuid_shaped(h: u64, g: u64) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        h as u16,
        (g >> 48) as u16,
        g & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a5_ids_have_seventeen_hex_digits_and_repeat_with_the_seed() {
        let a = IdGen::new(7).aws_id("vpc");
        assert_eq!(a.len(), "vpc-".len() + 17);
        assert!(a[4..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(a, IdGen::new(7).aws_id("vpc"));
        assert_ne!(a, IdGen::new(8).aws_id("vpc"));
    }
}
