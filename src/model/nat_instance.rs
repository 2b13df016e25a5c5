//! NAT instances (G5): what an instance's operating system does with packets that are
//! not addressed to it. AWS only decides whether such packets reach the instance (the
//! interface's source/destination check); the kernel then forwards them when IP
//! forwarding is on, and rewrites their source to its own address when a masquerade
//! rule matches. The model holds the result of reading the instance's UserData or
//! Metadata, never the text.

use std::net::Ipv4Addr;

use crate::addr::Cidr;

/// One `iptables -t nat -A POSTROUTING ... -j MASQUERADE` rule (or its firewalld or
/// nftables equivalent): which packets it rewrites.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Masquerade {
    /// `-s CIDR`: only packets from this block (None: from anywhere).
    pub source: Option<Cidr>,
    /// `-d CIDR`: only packets to this block (None: to anywhere).
    pub destination: Option<Cidr>,
}

impl Masquerade {
    /// Every packet, whatever its addresses.
    pub const ANY: Masquerade = Masquerade { source: None, destination: None };

    /// Whether the rule rewrites a packet from `src` to `dst`.
    pub fn matches(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        self.source.is_none_or(|c| c.contains(src)) && self.destination.is_none_or(|c| c.contains(dst))
    }
}

/// What the instance's kernel does with a packet that is not addressed to it (G5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forwarding {
    /// `net.ipv4.ip_forward = 1`: the kernel routes packets on instead of dropping them.
    pub ip_forward: bool,
    /// Masquerade rules, in the order given; the first that matches rewrites.
    pub masquerade: Vec<Masquerade>,
}

/// G5: what happens to a packet routed through an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forwarded {
    /// IP forwarding is off: the kernel drops it.
    Dropped,
    /// Forwarded unchanged (no masquerade rule matches): the source stays the sender's.
    Routed,
    /// Forwarded with its source rewritten to the instance's own address.
    Masqueraded,
}

impl Forwarding {
    /// A NAT instance as AWS's documentation sets it up: forwarding on, every source masqueraded.
    pub fn nat() -> Forwarding {
        Forwarding { ip_forward: true, masquerade: vec![Masquerade::ANY] }
    }

    /// Whether the instance was set up to route (forwarding on or a masquerade rule present).
    pub fn is_configured(&self) -> bool {
        self.ip_forward || !self.masquerade.is_empty()
    }

    /// G5: a packet from `src` to `dst` routed through the instance is dropped without
    /// forwarding, forwarded unchanged, or masqueraded by the first rule that matches.
    pub fn forward(&self, src: Ipv4Addr, dst: Ipv4Addr) -> Forwarded {
        if !self.ip_forward {
            return Forwarded::Dropped;
        }
        if self.masquerade.iter().any(|m| m.matches(src, dst)) {
            Forwarded::Masqueraded
        } else {
            Forwarded::Routed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn g5_without_ip_forwarding_nothing_is_forwarded_even_with_a_masquerade_rule() {
        let f = Forwarding { ip_forward: false, masquerade: vec![Masquerade::ANY] };
        assert_eq!(f.forward(ip("10.40.2.101"), ip("8.8.8.8")), Forwarded::Dropped);
    }

    #[test]
    fn g5_a_masquerade_rule_limited_to_a_source_block_leaves_other_sources_unchanged() {
        let rule = Masquerade { source: Some("10.40.0.0/16".parse().unwrap()), destination: None };
        let f = Forwarding { ip_forward: true, masquerade: vec![rule] };
        assert_eq!(f.forward(ip("10.40.2.101"), ip("8.8.8.8")), Forwarded::Masqueraded);
        assert_eq!(f.forward(ip("10.50.2.101"), ip("8.8.8.8")), Forwarded::Routed);
        assert_eq!(
            Forwarding { ip_forward: true, masquerade: vec![] }.forward(ip("10.40.2.101"), ip("8.8.8.8")),
            Forwarded::Routed
        );
    }
}
