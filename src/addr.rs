//! Validated value types for addresses and ports: [`Cidr`], [`Protocol`], [`PortRange`].
//!
//! Everything here is checked once at construction (A1: host bits cleared, /16 to /28
//! for VPCs and subnets) so the model and the packet walk never re-check.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use ipnet::Ipv4Net;
use serde::Serialize;

/// An IPv4 prefix with its host bits cleared (A1: `10.1.2.3/16` is stored as `10.1.0.0/16`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    base: u32,
    len: u8,
}

/// Why a string is not a CIDR block.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid CIDR block {input:?}: expected a.b.c.d/n with n from 0 to 32, for example 10.0.0.0/16")]
pub struct CidrParseError {
    /// The text that was given.
    pub input: String,
}

impl Cidr {
    /// Every IPv4 address (`0.0.0.0/0`).
    pub const ANY: Cidr = Cidr { base: 0, len: 0 };

    /// The prefix of `len` bits containing `addr`, host bits cleared. `len` is clamped to 32.
    pub fn new(addr: Ipv4Addr, len: u8) -> Cidr {
        let len = len.min(32);
        Cidr { base: u32::from(addr) & mask(len), len }
    }

    /// A /32 holding one address.
    pub fn host(addr: Ipv4Addr) -> Cidr {
        Cidr::new(addr, 32)
    }

    /// The first address (the network address).
    pub fn network(self) -> Ipv4Addr {
        Ipv4Addr::from(self.base)
    }

    /// The network address as an integer.
    pub fn base(self) -> u32 {
        self.base
    }

    /// The prefix length.
    pub fn prefix_len(self) -> u8 {
        self.len
    }

    /// The last address (the broadcast address of a subnet).
    pub fn last(self) -> Ipv4Addr {
        Ipv4Addr::from(self.base | !mask(self.len))
    }

    /// How many addresses the block holds.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.len))
    }

    /// The `n`th address of the block (wrapping inside it).
    pub fn nth(self, n: u32) -> Ipv4Addr {
        Ipv4Addr::from(self.base | (n & !mask(self.len)))
    }

    /// Whether `addr` lies in the block.
    #[inline]
    pub fn contains(self, addr: Ipv4Addr) -> bool {
        self.contains_u32(u32::from(addr))
    }

    /// Whether the address given as an integer lies in the block.
    #[inline]
    pub fn contains_u32(self, addr: u32) -> bool {
        addr & mask(self.len) == self.base
    }

    /// Whether `other` lies wholly inside this block.
    pub fn covers(self, other: Cidr) -> bool {
        other.len >= self.len && self.contains_u32(other.base)
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.covers(other) || other.covers(self)
    }

    /// The same block as an `ipnet` network.
    pub fn to_ipnet(self) -> Ipv4Net {
        Ipv4Net::new(self.network(), self.len).expect("length is at most 32")
    }
}

/// The netmask of a prefix length.
#[inline]
pub fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len.min(32)))
    }
}

impl FromStr for Cidr {
    type Err = CidrParseError;

    fn from_str(s: &str) -> Result<Cidr, CidrParseError> {
        let err = || CidrParseError { input: s.to_string() };
        let net: Ipv4Net = s.trim().parse().map_err(|_| err())?;
        Ok(Cidr::new(net.addr(), net.prefix_len()))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.len)
    }
}

impl Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| serde::de::Error::custom(format!("{text} is not an IPv4 CIDR block")))
    }
}

/// Whether an address is private in the sense of RFC 1918 (10/8, 172.16/12, 192.168/16).
pub fn is_rfc1918(addr: Ipv4Addr) -> bool {
    addr.is_private()
}

/// An IP protocol as security groups, NACLs and listeners name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1).
    Icmp,
}

impl Protocol {
    /// The IANA protocol number.
    pub fn number(self) -> u8 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Icmp => 1,
        }
    }

    /// The lowercase name the AWS CLI prints (`tcp`, `udp`, `icmp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's protocol: one protocol, or all (`-1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleProtocol {
    /// Every protocol (`-1`, `all`).
    All,
    /// One protocol.
    One(Protocol),
}

/// Why a string is not a protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid protocol {input:?}: expected tcp, udp, icmp, -1 (all) or a number 6, 17, 1")]
pub struct ProtocolParseError {
    /// The text that was given.
    pub input: String,
}

impl FromStr for RuleProtocol {
    type Err = ProtocolParseError;

    fn from_str(s: &str) -> Result<RuleProtocol, ProtocolParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Ok(RuleProtocol::All),
            "tcp" | "6" => Ok(RuleProtocol::One(Protocol::Tcp)),
            "udp" | "17" => Ok(RuleProtocol::One(Protocol::Udp)),
            "icmp" | "1" => Ok(RuleProtocol::One(Protocol::Icmp)),
            _ => Err(ProtocolParseError { input: s.to_string() }),
        }
    }
}

impl RuleProtocol {
    /// Whether a packet of protocol `p` matches.
    #[inline]
    pub fn matches(self, p: Protocol) -> bool {
        match self {
            RuleProtocol::All => true,
            RuleProtocol::One(q) => q == p,
        }
    }

    /// The AWS CLI's spelling (`-1`, `tcp`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleProtocol::All => "-1",
            RuleProtocol::One(p) => p.as_str(),
        }
    }
}

impl fmt::Display for RuleProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An inclusive port range (for ICMP: the type range).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port, inclusive.
    pub to: u16,
}

impl PortRange {
    /// Every port.
    pub const ALL: PortRange = PortRange { from: 0, to: u16::MAX };

    /// One port.
    pub fn single(port: u16) -> PortRange {
        PortRange { from: port, to: port }
    }

    /// Linux's ephemeral ports (N3): 32768-60999.
    pub const LINUX_EPHEMERAL: PortRange = PortRange { from: 32768, to: 60999 };

    /// Whether `port` lies in the range.
    #[inline]
    pub fn contains(self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }

    /// Whether the range covers every port.
    pub fn is_all(self) -> bool {
        self == PortRange::ALL
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            f.write_str("all")
        } else if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_cidr_is_canonicalised() {
        let c: Cidr = "10.1.2.3/16".parse().unwrap();
        assert_eq!(c.to_string(), "10.1.0.0/16");
    }

    #[test]
    fn cidr_contains_and_last() {
        let c: Cidr = "10.0.0.0/24".parse().unwrap();
        assert!(c.contains(Ipv4Addr::new(10, 0, 0, 255)));
        assert!(!c.contains(Ipv4Addr::new(10, 0, 1, 0)));
        assert_eq!(c.last(), Ipv4Addr::new(10, 0, 0, 255));
        assert!(Cidr::ANY.contains(Ipv4Addr::new(1, 2, 3, 4)));
    }

    #[test]
    fn bad_cidr_is_an_error() {
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("ten/8".parse::<Cidr>().is_err());
    }
}
