//! `nc -z [-v] [-n] [-w SECS] [-u] HOST PORT[-PORT]` and `nc HOST PORT` (what the server
//! says first), with OpenBSD netcat's messages.

use std::time::Duration;

use super::{getopt_message, parse_seconds, AppError, Host};
use crate::addr::PortRange;
use crate::apps::nc::{port_count, MAX_PORTS};
use crate::command::getopt::{getopt, Arg, OptSpec};

const USAGE: &str = "usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]";

const SPECS: [OptSpec; 5] = [
    OptSpec { id: 'z', short: true, long: None, takes_value: false },
    OptSpec { id: 'v', short: true, long: None, takes_value: false },
    OptSpec { id: 'n', short: true, long: None, takes_value: false },
    OptSpec { id: 'u', short: true, long: None, takes_value: false },
    OptSpec { id: 'w', short: true, long: None, takes_value: true },
];

/// A port probe: does anything answer on HOST:PORT?
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nc {
    /// Where to probe.
    pub host: Host,
    /// The port or port range (`80`, `20-25`).
    pub ports: PortRange,
    /// `-u`: UDP instead of TCP.
    pub udp: bool,
    /// `-v`: say what happened.
    pub verbose: bool,
    /// `-w SECS`: connection timeout.
    pub timeout: Option<Duration>,
    /// `-z`: probe only; without it, a TCP connection prints what the server says first.
    pub zero_io: bool,
    /// `-n`: no DNS lookup (the host must be an address), no service names with `-v`.
    pub numeric: bool,
}

fn error(message: String) -> AppError {
    AppError::new("nc", 1, message)
}

fn parse_ports(text: &str) -> Result<PortRange, AppError> {
    let port = |p: &str| p.parse::<u16>().ok().filter(|p| *p > 0);
    match text.split_once('-') {
        None => {
            port(text).map(PortRange::single).ok_or_else(|| error(format!("nc: port number invalid: {text}")))
        }
        Some((a, b)) => match (port(a), port(b)) {
            (Some(from), Some(to)) if from <= to => within_limit(PortRange { from, to }),
            _ => Err(error("nc: port range not valid".to_string())),
        },
    }
}

/// A range of at most [`MAX_PORTS`] ports (each is a traced connection).
fn within_limit(ports: PortRange) -> Result<PortRange, AppError> {
    let count = port_count(ports);
    if count > MAX_PORTS {
        return Err(error(format!(
            "nc: vpcsim probes at most {MAX_PORTS} ports at a time ({}-{} is {count}): narrow the range",
            ports.from, ports.to
        )));
    }
    Ok(ports)
}

/// Parses nc's arguments (without the program name).
pub(super) fn parse(args: &[String]) -> Result<Nc, AppError> {
    let parsed = getopt(args, &SPECS).map_err(|e| error(format!("{}\n{USAGE}", getopt_message("nc", &e))))?;
    let mut words = Vec::new();
    let mut nc = Nc {
        host: Host::Name(String::new()),
        ports: PortRange::single(1),
        udp: false,
        verbose: false,
        timeout: None,
        zero_io: false,
        numeric: false,
    };
    for arg in parsed {
        match arg {
            Arg::Flag('z') => nc.zero_io = true,
            Arg::Flag('v') => nc.verbose = true,
            Arg::Flag('u') => nc.udp = true,
            Arg::Flag(_) => nc.numeric = true,
            Arg::Value(_, v) => {
                nc.timeout =
                    Some(parse_seconds(&v).ok_or_else(|| error(format!("nc: timeout invalid: {v}")))?);
            }
            Arg::Positional(w) => words.push(w),
        }
    }
    let [host, ports] = words.as_slice() else {
        return Err(error(USAGE.to_string()));
    };
    if !nc.zero_io && nc.udp {
        return Err(error(format!("nc: vpcsim sends no data over UDP: add -z to probe the port\n{USAGE}")));
    }
    nc.ports = parse_ports(ports)?;
    if !nc.zero_io && nc.ports.from != nc.ports.to {
        return Err(error(format!(
            "nc: vpcsim connects to one port at a time: add -z to probe a range\n{USAGE}"
        )));
    }
    nc.host = Host::parse(host).ok_or_else(|| {
        error(format!("nc: getaddrinfo for host \"{host}\" port {ports}: Name or service not known"))
    })?;
    Ok(nc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nc(line: &str) -> Result<Nc, AppError> {
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&words)
    }

    #[test]
    fn a_udp_probe_with_timeout_is_read() {
        let n = nc("-zvu -w 2 10.0.0.5 53").unwrap();
        assert!(n.udp && n.verbose);
        assert_eq!(n.ports, PortRange::single(53));
        assert_eq!(n.timeout, Some(Duration::from_secs(2)));
    }

    #[test]
    fn numeric_mode_is_read() {
        assert!(nc("-zvn 10.0.0.5 22").unwrap().numeric);
        assert!(!nc("-zv 10.0.0.5 22").unwrap().numeric);
    }

    #[test]
    fn a_tcp_connection_without_z_is_read_to_show_the_banner() {
        let n = nc("10.0.0.5 22").unwrap();
        assert!(!n.zero_io && !n.udp);
    }

    #[test]
    fn a_port_range_is_accepted() {
        assert_eq!(nc("-z h 20-25").unwrap().ports, PortRange { from: 20, to: 25 });
    }

    #[test]
    fn missing_arguments_print_the_usage_line() {
        let err = nc("-z h").unwrap_err();
        assert!(err.message.starts_with("usage: nc [-46CDdFhklNnrStUuvZz]"));
        assert_eq!(err.exit_code, 1);
    }

    #[test]
    fn bad_ports_and_options_are_refused() {
        assert_eq!(nc("-z h 99999").unwrap_err().message, "nc: port number invalid: 99999");
        assert!(nc("-k h 80").unwrap_err().message.starts_with("nc: invalid option -- 'k'\nusage: nc"));
        assert!(nc("-u h 514").unwrap_err().message.contains("add -z"));
        assert!(nc("h 20-25").unwrap_err().message.contains("add -z"));
        assert_eq!(nc("-z -w x h 80").unwrap_err().message, "nc: timeout invalid: x");
    }
}
