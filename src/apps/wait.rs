//! How long the tools wait, and the one rule of time for all of them: a tool runs as long
//! as the real one would, and the virtual clock advances by that much when it returns, so a
//! later `wait-for`, health check or flow-log record sees the time pass. Waiting happens
//! on silence: a connection attempt or query whose packet was dropped waits its timeout
//! (the tool's option, else its default or the kernel's), and `ping` waits its interval
//! between requests. An exchange that is answered (or refused with a RST or an ICMP
//! error) takes no virtual time: a round trip in a region is well under a millisecond.

use std::time::Duration;

/// How long Linux tries to open a TCP connection before it gives up (`tcp_syn_retries` 6:
/// SYNs 1, 2, 4, ... 64 s apart, about 130 s in all, as curl's and nc's messages show).
pub const KERNEL_TCP_CONNECT: Duration = Duration::from_secs(130);

/// curl's own connect timeout when `--connect-timeout` is absent (longer than the
/// kernel's, so the kernel gives up first).
pub const CURL_CONNECT: Duration = Duration::from_secs(300);

/// How long the resolver library (glibc) waits for a DNS server that does not answer
/// before `getaddrinfo` fails: `timeout:5` and `attempts:2`, the defaults.
pub const RESOLVER: Duration = Duration::from_secs(10);

/// dig's wait for each UDP try when `+time` is absent, in seconds.
pub const DIG_TIME_S: u32 = 5;

/// dig's number of UDP tries when `+tries` (or `+retry`) is absent.
pub const DIG_TRIES: u32 = 3;

/// ping's interval between echo requests when `-i` is absent.
pub const PING_INTERVAL: Duration = Duration::from_secs(1);

/// How long ping waits for a reply to its last request when none came and `-W` is absent
/// (iputils' `MAXWAIT`).
pub const PING_LINGER: Duration = Duration::from_secs(10);

/// How long a curl whose connection was dropped waits, and whether its own limit
/// (`--connect-timeout` or `-m`, the shorter) or the kernel's ended the wait. A limit of 0
/// means none, as curl reads it.
pub fn curl_connect(connect_timeout: Option<Duration>, max_time: Option<Duration>) -> (Duration, bool) {
    let own = [connect_timeout.or(Some(CURL_CONNECT)), max_time]
        .into_iter()
        .flatten()
        .filter(|d| !d.is_zero())
        .min()
        .unwrap_or(CURL_CONNECT);
    if own < KERNEL_TCP_CONNECT {
        (own, true)
    } else {
        (KERNEL_TCP_CONNECT, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_waits_for_its_shorter_limit_or_else_the_kernel() {
        let s = Duration::from_secs;
        assert_eq!(curl_connect(None, None), (KERNEL_TCP_CONNECT, false));
        assert_eq!(curl_connect(Some(s(3)), Some(s(10))), (s(3), true));
        assert_eq!(curl_connect(None, Some(s(5))), (s(5), true));
        assert_eq!(curl_connect(Some(s(200)), None), (KERNEL_TCP_CONNECT, false));
        assert_eq!(curl_connect(Some(s(0)), None), (KERNEL_TCP_CONNECT, false));
    }
}
