//! Typed parses of the tools a learner runs on an instance: `dig`, `curl`, `ping`, `nc`.
//!
//! Each tool's options are checked once here; a malformed line gets the real tool's
//! message and exit code in an [`AppError`], so the simulator can print it as the
//! tool would.

mod curl;
mod dig;
mod nc;
pub mod ping;

use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

pub use curl::{Curl, Scheme, Url};
pub use dig::{unmodelled, Dig, RecordType};
pub use nc::Nc;
pub use ping::Ping;

use super::getopt::GetoptError;

/// The tools an instance can run.
pub const PROGRAMS: [&str; 4] = ["dig", "curl", "ping", "nc"];

/// A parsed command line for an instance.
#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// A DNS query.
    Dig(Dig),
    /// An HTTP request.
    Curl(Curl),
    /// ICMP echo requests.
    Ping(Ping),
    /// A port probe.
    Nc(Nc),
}

impl AppCommand {
    /// The program's name (`dig`, ...).
    pub fn program(&self) -> &'static str {
        match self {
            AppCommand::Dig(_) => "dig",
            AppCommand::Curl(_) => "curl",
            AppCommand::Ping(_) => "ping",
            AppCommand::Nc(_) => "nc",
        }
    }
}

/// A destination as typed: an IPv4 address or a DNS name to resolve.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A literal address.
    Ip(Ipv4Addr),
    /// A name (lowercased).
    Name(String),
}

impl Host {
    /// Parses a host: a dotted-quad address, or a name of letters, digits, `-`, `_` and
    /// `.`. All-numeric text that is no valid address (`10.0.0.300`) is rejected.
    pub fn parse(text: &str) -> Option<Host> {
        if let Ok(ip) = text.parse::<Ipv4Addr>() {
            return Some(Host::Ip(ip));
        }
        let numeric = text.chars().all(|c| c.is_ascii_digit() || c == '.');
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        let ok = !numeric && text.len() <= 253 && text.chars().all(valid) && !text.starts_with(['.', '-']);
        ok.then(|| Host::Name(text.trim_end_matches('.').to_ascii_lowercase()))
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip(ip) => write!(f, "{ip}"),
            Host::Name(n) => f.write_str(n),
        }
    }
}

/// A command line the tool itself would refuse, with the tool's words and exit code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// The program that complains (`curl`, or `bash` for an unknown program).
    pub program: String,
    /// What the tool prints on stderr (may span lines).
    pub message: String,
    /// The tool's exit code for this mistake.
    pub exit_code: i32,
}

impl AppError {
    fn new(program: &str, exit_code: i32, message: impl Into<String>) -> AppError {
        AppError { program: program.to_string(), message: message.into(), exit_code }
    }
}

/// Parses a command line for an instance.
///
/// ```
/// use vpcsim::command::app::{parse_line, AppCommand};
/// let AppCommand::Dig(d) = parse_line("dig +short @10.0.0.2 example.com").unwrap() else { panic!() };
/// assert!(d.short);
/// assert_eq!(d.name, "example.com");
/// ```
pub fn parse_line(line: &str) -> Result<AppCommand, AppError> {
    let words = super::split(line).map_err(|e| AppError::new("bash", 2, format!("bash: {e}")))?;
    parse(&words)
}

/// Parses a command already split into words (the program first).
pub fn parse(words: &[String]) -> Result<AppCommand, AppError> {
    let Some((program, args)) = words.split_first() else {
        return Err(AppError::new("bash", 2, "bash: empty command line"));
    };
    match program.as_str() {
        "dig" => dig::parse(args).map(AppCommand::Dig),
        "curl" => curl::parse(args).map(AppCommand::Curl),
        "ping" => ping::parse(args).map(AppCommand::Ping),
        "nc" | "ncat" | "netcat" => nc::parse(args).map(AppCommand::Nc),
        other => Err(unknown_program(other)),
    }
}

fn unknown_program(program: &str) -> AppError {
    let mut message =
        format!("bash: {program}: command not found (vpcsim simulates {})", PROGRAMS.join(", "));
    if program == "aws" {
        message.push_str("; run `aws` calls in a step without `on:`");
    }
    AppError::new("bash", 127, message)
}

/// Parses a number of seconds as the tools take it (`3`, `0.5`): finite, not negative.
fn parse_seconds(text: &str) -> Option<Duration> {
    let secs: f64 = text.parse().ok()?;
    (secs.is_finite() && (0.0..=1e9).contains(&secs)).then(|| Duration::from_secs_f64(secs))
}

/// getopt's complaint in the GNU style `ping` and `nc` share.
fn getopt_message(program: &str, err: &GetoptError) -> String {
    match err {
        GetoptError::Unknown(o) if o.starts_with("--") => format!("{program}: unrecognized option '{o}'"),
        GetoptError::Unknown(o) => format!("{program}: invalid option -- '{o}'"),
        GetoptError::MissingValue(o) if o.starts_with("--") => {
            format!("{program}: option '{o}' requires an argument")
        }
        GetoptError::MissingValue(o) => format!("{program}: option requires an argument -- '{o}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_program_lists_the_supported_ones() {
        let err = parse_line("wget http://x/").unwrap_err();
        assert_eq!(err.exit_code, 127);
        assert_eq!(err.message, "bash: wget: command not found (vpcsim simulates dig, curl, ping, nc)");
    }

    #[test]
    fn an_unclosed_quote_is_a_shell_error() {
        let err = parse_line("curl 'http://x/").unwrap_err();
        assert_eq!(err.program, "bash");
        assert_eq!(err.exit_code, 2);
    }

    #[test]
    fn hosts_are_addresses_or_names_and_bad_addresses_are_refused() {
        assert_eq!(Host::parse("10.0.0.5"), Some(Host::Ip(Ipv4Addr::new(10, 0, 0, 5))));
        assert_eq!(Host::parse("My-Host.Example."), Some(Host::Name("my-host.example".into())));
        assert_eq!(Host::parse("10.0.0.300"), None);
        assert_eq!(Host::parse("a b"), None);
        assert_eq!(Host::parse(""), None);
    }
}
