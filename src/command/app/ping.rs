//! `ping [-c N] [-W SECS] [-i SECS] [-q] [-n] HOST`, with iputils' messages.

use std::time::Duration;

use super::{getopt_message, parse_seconds, AppError, Host};
use crate::command::getopt::{getopt, Arg, OptSpec};

const USAGE: &str = "\nUsage\n  ping [options] <destination>\n\nOptions:\n  <destination>      dns name or ip address\n  -c <count>         stop after <count> replies\n  -i <interval>      seconds between sending each packet\n  -n                 no dns name resolution\n  -q                 quiet output\n  -W <timeout>       time to wait for response";

/// The most echo requests one `ping -c N` sends (iputils allows more; a simulated
/// ping prints one line per request, so the bound keeps output and time small).
pub const MAX_PING_COUNT: u32 = 1000;

const SPECS: [OptSpec; 5] = [
    OptSpec { id: 'c', short: true, long: None, takes_value: true },
    OptSpec { id: 'W', short: true, long: None, takes_value: true },
    OptSpec { id: 'i', short: true, long: None, takes_value: true },
    OptSpec { id: 'q', short: true, long: None, takes_value: false },
    OptSpec { id: 'n', short: true, long: None, takes_value: false },
];

/// ICMP echo requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ping {
    /// Where to send them.
    pub host: Host,
    /// `-c N`: how many; `None` means until interrupted (the simulator picks a bound).
    pub count: Option<u32>,
    /// `-W SECS`: how long to wait for each reply.
    pub timeout: Option<Duration>,
    /// `-i SECS`: time between requests.
    pub interval: Option<Duration>,
    /// `-q`: print only the summary.
    pub quiet: bool,
}

fn error(message: String) -> AppError {
    AppError::new("ping", 2, message)
}

fn seconds(what: &str, value: &str) -> Result<Duration, AppError> {
    parse_seconds(value).ok_or_else(|| error(format!("ping: invalid {what}: '{value}'")))
}

/// The most frequent requests a user who is not root may send (iputils).
const MIN_USER_INTERVAL: Duration = Duration::from_millis(200);

/// `-i SECS`: at least 200 ms apart, as iputils allows a user who is not root (ec2-user).
fn interval(v: &str) -> Result<Duration, AppError> {
    let d = seconds("interval", v)?;
    if d < MIN_USER_INTERVAL {
        return Err(error("ping: cannot flood; minimal interval allowed for user is 200ms".to_string()));
    }
    Ok(d)
}

/// `-c N` as iputils reads it: a whole number, then a range check; vpcsim sends at most
/// [`MAX_PING_COUNT`] requests and refuses more rather than sending fewer than asked.
fn count(v: &str) -> Result<u32, AppError> {
    let n: i64 = v.parse().map_err(|_| error(format!("ping: invalid count: '{v}'")))?;
    if !(1..=i64::from(MAX_PING_COUNT)).contains(&n) {
        return Err(error(count_out_of_range(v)));
    }
    Ok(n as u32)
}

/// iputils' message for a count out of range, with vpcsim's bound.
pub fn count_out_of_range(v: &str) -> String {
    format!(
        "ping: invalid count: '{v}': out of range: 1 <= value <= {MAX_PING_COUNT} (vpcsim sends at most {MAX_PING_COUNT} echo requests, MAX_PING_COUNT)"
    )
}

/// Parses ping's arguments (without the program name).
pub(super) fn parse(args: &[String]) -> Result<Ping, AppError> {
    let parsed =
        getopt(args, &SPECS).map_err(|e| error(format!("{}\n{USAGE}", getopt_message("ping", &e))))?;
    let mut hosts = Vec::new();
    let mut p =
        Ping { host: Host::Name(String::new()), count: None, timeout: None, interval: None, quiet: false };
    for arg in parsed {
        match arg {
            Arg::Value('c', v) => p.count = Some(count(&v)?),
            Arg::Value('W', v) => p.timeout = Some(seconds("timeout", &v)?),
            Arg::Value(_, v) => p.interval = Some(interval(&v)?),
            Arg::Flag('q') => p.quiet = true,
            Arg::Flag(_) => {}
            Arg::Positional(h) => hosts.push(h),
        }
    }
    let [host] = hosts.as_slice() else {
        let why = if hosts.is_empty() { "Destination address required" } else { "only one destination" };
        return Err(error(format!("ping: usage error: {why}")));
    };
    p.host = Host::parse(host).ok_or_else(|| error(format!("ping: {host}: Name or service not known")))?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping(line: &str) -> Result<Ping, AppError> {
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&words)
    }

    #[test]
    fn count_and_timeout_are_read() {
        let p = ping("-c 3 -W 2 10.0.0.5").unwrap();
        assert_eq!(p.count, Some(3));
        assert_eq!(p.timeout, Some(Duration::from_secs(2)));
        assert_eq!(p.host, Host::Ip("10.0.0.5".parse().unwrap()));
    }

    #[test]
    fn interval_and_quiet_are_read_and_a_flood_interval_is_refused() {
        let p = ping("-q -i 0.5 -c 2 h").unwrap();
        assert!(p.quiet);
        assert_eq!(p.interval, Some(Duration::from_millis(500)));
        let err = ping("-i 0.1 h").unwrap_err();
        assert_eq!(err.message, "ping: cannot flood; minimal interval allowed for user is 200ms");
    }

    #[test]
    fn a_bad_count_is_an_invalid_count() {
        let err = ping("-c x 10.0.0.5").unwrap_err();
        assert_eq!(err.message, "ping: invalid count: 'x'");
        assert_eq!(err.exit_code, 2);
    }

    #[test]
    fn a_count_outside_what_vpcsim_sends_is_refused_not_capped() {
        for bad in ["0", "-1", "1001", "99999999999"] {
            let err = ping(&format!("-c {bad} h")).unwrap_err();
            assert_eq!(err.message, count_out_of_range(bad), "{bad}");
            assert!(err.message.contains("1 <= value <= 1000"), "{}", err.message);
        }
        assert_eq!(ping("-c 1000 h").unwrap().count, Some(1000));
    }

    #[test]
    fn an_unknown_option_prints_the_usage() {
        let err = ping("-z h").unwrap_err();
        assert!(err.message.starts_with("ping: invalid option -- 'z'\n\nUsage"));
    }

    #[test]
    fn a_missing_host_or_bad_address_is_an_error() {
        assert_eq!(ping("-c 1").unwrap_err().message, "ping: usage error: Destination address required");
        assert_eq!(ping("1.2.3.999").unwrap_err().message, "ping: 1.2.3.999: Name or service not known");
    }
}
