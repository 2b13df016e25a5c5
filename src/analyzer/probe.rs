//! What a reachability matrix asks at each cell: a protocol and a destination port
//! (ICMP: an echo request). Parsed once from `tcp:443`, `443`, `udp:53` or `icmp`.

use std::fmt;
use std::str::FromStr;

use crate::addr::Protocol;

/// One question of the matrix: can a flow of this protocol reach this port?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Probe {
    /// The protocol.
    pub protocol: Protocol,
    /// The destination port (ICMP: the type, 8 for an echo request).
    pub port: u16,
}

/// The ICMP type of an echo request.
const ECHO_REQUEST: u16 = 8;

/// The default questions: tcp 22, 80, 443, 3306, 5432, 6379, 8080, udp 53 and icmp.
pub const DEFAULT_PROBES: [Probe; 9] = [
    Probe::tcp(22),
    Probe::tcp(80),
    Probe::tcp(443),
    Probe::tcp(3306),
    Probe::tcp(5432),
    Probe::tcp(6379),
    Probe::tcp(8080),
    Probe { protocol: Protocol::Udp, port: 53 },
    Probe::ICMP,
];

impl Probe {
    /// An ICMP echo request.
    pub const ICMP: Probe = Probe { protocol: Protocol::Icmp, port: ECHO_REQUEST };

    /// A TCP port.
    pub const fn tcp(port: u16) -> Probe {
        Probe { protocol: Protocol::Tcp, port }
    }

    /// A short label for tables: `22`, `u53`, `icmp`.
    pub fn short(self) -> String {
        match self.protocol {
            Protocol::Tcp => self.port.to_string(),
            Protocol::Udp => format!("u{}", self.port),
            Protocol::Icmp => "icmp".to_string(),
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Protocol::Icmp => f.write_str("icmp"),
            p => write!(f, "{p}:{}", self.port),
        }
    }
}

/// A port that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid port `{input}`: expected PORT, tcp:PORT, udp:PORT or icmp (PORT 1-65535)")]
pub struct ProbeParseError {
    /// What was given.
    pub input: String,
}

impl FromStr for Probe {
    type Err = ProbeParseError;

    fn from_str(s: &str) -> Result<Probe, ProbeParseError> {
        let err = || ProbeParseError { input: s.to_string() };
        let lower = s.trim().to_ascii_lowercase();
        if lower == "icmp" {
            return Ok(Probe::ICMP);
        }
        let (protocol, port) = match lower.split_once(':') {
            Some(("tcp", p)) => (Protocol::Tcp, p),
            Some(("udp", p)) => (Protocol::Udp, p),
            Some(_) => return Err(err()),
            None => (Protocol::Tcp, lower.as_str()),
        };
        match port.parse::<u16>() {
            Ok(port) if port > 0 => Ok(Probe { protocol, port }),
            _ => Err(err()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_read_as_tcp_unless_a_protocol_is_named() {
        assert_eq!("443".parse(), Ok(Probe::tcp(443)));
        assert_eq!("udp:53".parse(), Ok(Probe { protocol: Protocol::Udp, port: 53 }));
        assert_eq!("ICMP".parse(), Ok(Probe::ICMP));
        assert!("sctp:9".parse::<Probe>().is_err());
        assert!("tcp:0".parse::<Probe>().is_err());
        assert!("tcp:70000".parse::<Probe>().is_err());
    }

    #[test]
    fn probes_print_as_they_are_typed() {
        let printed: Vec<String> = DEFAULT_PROBES.iter().map(Probe::to_string).collect();
        assert_eq!(printed[0], "tcp:22");
        assert_eq!(printed[7], "udp:53");
        assert_eq!(printed[8], "icmp");
    }
}
