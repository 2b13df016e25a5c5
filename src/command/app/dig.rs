//! `dig [@server] [+short] [+[no]all|cmd|comments|question|answer|additional|stats]
//! [+time=N] [+tries=N] [+retry=N] [-t TYPE] NAME [TYPE]`. `+nosearch` and `+recurse` are
//! dig's defaults; `+search` and `+norecurse` are refused (not modelled).

use std::fmt;
use std::str::FromStr;

use super::{AppError, Host};
use crate::apps::dig::Sections;

const USAGE: &str = "Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}\n            {global-d-opt} host [@local-server] {local-d-opt}\n            [ host [@local-server] {local-d-opt} [...]]\n\nUse \"dig -h\" (or \"dig -h | more\") for complete list of options";

/// A DNS query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dig {
    /// The name to look up (lowercased, no trailing dot).
    pub name: String,
    /// `@server`: the resolver to ask (default: the instance's VPC resolver).
    pub server: Option<Host>,
    /// The record type (`-t TYPE` or a type word), default A; MX, PTR and ANY are refused.
    pub record_type: RecordType,
    /// `+short`: print only the answers' data, one a line.
    pub short: bool,
    /// The parts of the output printed (`+noall +answer`: the answer section only).
    pub sections: Sections,
    /// `+time=N`: seconds to wait for a reply.
    pub time: Option<u32>,
    /// `+tries=N`: how many queries to send.
    pub tries: Option<u32>,
}

/// DNS record types `dig` can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Alias.
    Cname,
    /// Name servers.
    Ns,
    /// Start of authority.
    Soa,
    /// Text.
    Txt,
    /// Mail exchanger.
    Mx,
    /// Reverse pointer.
    Ptr,
    /// Any.
    Any,
}

impl RecordType {
    const ALL: [(RecordType, &'static str); 9] = [
        (RecordType::A, "A"),
        (RecordType::Aaaa, "AAAA"),
        (RecordType::Cname, "CNAME"),
        (RecordType::Ns, "NS"),
        (RecordType::Soa, "SOA"),
        (RecordType::Txt, "TXT"),
        (RecordType::Mx, "MX"),
        (RecordType::Ptr, "PTR"),
        (RecordType::Any, "ANY"),
    ];

    /// The type as DNS tools print it (`A`, `AAAA`, ...).
    pub fn as_str(self) -> &'static str {
        RecordType::ALL.iter().find(|(t, _)| *t == self).map_or("A", |(_, s)| s)
    }
}

impl FromStr for RecordType {
    type Err = ();

    fn from_str(s: &str) -> Result<RecordType, ()> {
        let upper = s.to_ascii_uppercase();
        RecordType::ALL.iter().find(|(_, n)| *n == upper).map(|(t, _)| *t).ok_or(())
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn invalid(option: &str) -> AppError {
    AppError::new("dig", 1, format!("Invalid option: {option}\n{USAGE}"))
}

/// Parses dig's arguments (without the program name).
pub(super) fn parse(args: &[String]) -> Result<Dig, AppError> {
    let mut dig = Dig {
        name: String::new(),
        server: None,
        record_type: RecordType::A,
        short: false,
        sections: Sections::ALL,
        time: None,
        tries: None,
    };
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if let Some(opt) = word.strip_prefix('+') {
            plus_option(&mut dig, opt, word)?;
        } else if let Some(server) = word.strip_prefix('@') {
            dig.server = Some(Host::parse(server).ok_or_else(|| bad_server(server))?);
        } else if word == "-t" {
            let value = words.next().ok_or_else(|| invalid(word))?;
            dig.record_type = record_type(value)?;
        } else if let Some(value) = word.strip_prefix("-t").filter(|v| !v.is_empty()) {
            dig.record_type = record_type(value)?;
        } else if word.starts_with('-') {
            return Err(invalid(word));
        } else {
            positional(&mut dig, word)?;
        }
    }
    if dig.name.is_empty() {
        return Err(AppError::new("dig", 1, format!("dig: no name to look up\n{USAGE}")));
    }
    Ok(dig)
}

fn bad_server(server: &str) -> AppError {
    AppError::new("dig", 10, format!("dig: couldn't get address for '{server}': not found"))
}

fn record_type(value: &str) -> Result<RecordType, AppError> {
    let t = value.parse().map_err(|()| AppError::new("dig", 1, format!("dig: invalid type: {value}")))?;
    modelled(t)
}

/// Z1: vpcsim answers A, AAAA, CNAME, TXT, NS and SOA queries; it refuses the others rather
/// than print an answer of the wrong type.
fn modelled(t: RecordType) -> Result<RecordType, AppError> {
    match t {
        RecordType::Mx | RecordType::Ptr | RecordType::Any => Err(AppError::new("dig", 1, unmodelled(t))),
        _ => Ok(t),
    }
}

/// Why a query of type `t` is refused.
pub fn unmodelled(t: RecordType) -> String {
    format!("dig: vpcsim does not model {t} queries; it answers A, AAAA, CNAME, TXT, NS and SOA")
}

fn positional(dig: &mut Dig, word: &str) -> Result<(), AppError> {
    if let Ok(t) = word.parse::<RecordType>() {
        dig.record_type = modelled(t)?;
        return Ok(());
    }
    if !dig.name.is_empty() {
        return Err(AppError::new(
            "dig",
            1,
            format!("dig: vpcsim runs one query per dig; extra name '{word}'"),
        ));
    }
    match Host::parse(word) {
        Some(host) => dig.name = host.to_string(),
        None => return Err(AppError::new("dig", 1, format!("dig: '{word}' is not a legal name"))),
    }
    Ok(())
}

fn plus_option(dig: &mut Dig, opt: &str, word: &str) -> Result<(), AppError> {
    let number = |v: &str| v.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| invalid(word));
    match opt.split_once('=') {
        Some(("time", v)) => dig.time = Some(number(v)?),
        Some(("tries", v)) => dig.tries = Some(number(v)?),
        Some(("retry", v)) => {
            let retries = v.parse::<u32>().ok().filter(|n| *n < 100).ok_or_else(|| invalid(word))?;
            dig.tries = Some(retries + 1);
        }
        Some(_) => return Err(invalid(word)),
        None => match opt {
            "short" => dig.short = true,
            "noshort" => dig.short = false,
            // dig's defaults: the name as given, and recursion desired.
            "nosearch" | "recurse" => {}
            "search" | "norecurse" => {
                return Err(AppError::new(
                    "dig",
                    1,
                    format!("dig: vpcsim does not model +{opt}: it asks for the name as given (+nosearch), recursively (+recurse)"),
                ))
            }
            _ => {
                let (name, on) = match opt.strip_prefix("no") {
                    Some(name) => (name, false),
                    None => (opt, true),
                };
                if !dig.sections.set(name, on) {
                    return Err(invalid(word));
                }
            }
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dig(line: &str) -> Result<Dig, AppError> {
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&words)
    }

    #[test]
    fn short_server_and_type_are_read() {
        let d = dig("+short @10.0.0.2 -t A Custom-NLB.elb.amazonaws.com").unwrap();
        assert!(d.short);
        assert_eq!(d.server, Some(Host::Ip("10.0.0.2".parse().unwrap())));
        assert_eq!(d.name, "custom-nlb.elb.amazonaws.com");
        assert_eq!(d.record_type, RecordType::A);
    }

    #[test]
    fn noall_answer_prints_only_the_answer_section() {
        let d = dig("example.com AAAA +noall +answer").unwrap();
        assert_eq!(d.sections, Sections { answer: true, ..Sections::NONE });
        assert_eq!(d.record_type, RecordType::Aaaa);
        assert_eq!(dig("+noall a.b").unwrap().sections, Sections::NONE);
        assert_eq!(
            dig("+nocmd +nostats a.b").unwrap().sections,
            Sections { cmd: false, stats: false, ..Sections::ALL }
        );
    }

    #[test]
    fn retry_counts_the_tries_after_the_first() {
        assert_eq!(dig("+retry=0 a.b").unwrap().tries, Some(1));
        assert_eq!(dig("+tries=2 +time=1 a.b").unwrap().tries, Some(2));
    }

    #[test]
    fn search_and_norecurse_are_refused_as_not_modelled() {
        for opt in ["+search", "+norecurse"] {
            let err = dig(&format!("{opt} web")).unwrap_err();
            assert!(err.message.contains("vpcsim does not model"), "{}", err.message);
        }
        assert!(dig("+nosearch +recurse web").is_ok());
    }

    #[test]
    fn an_unknown_plus_option_is_refused_like_dig_does() {
        let err = dig("+bogus example.com").unwrap_err();
        assert!(err.message.starts_with("Invalid option: +bogus\nUsage:  dig"));
        assert_eq!(err.exit_code, 1);
    }

    #[test]
    fn a_bad_server_address_cannot_be_used() {
        assert_eq!(dig("@10.0.0.300 x").unwrap_err().exit_code, 10);
    }

    #[test]
    fn a_missing_name_is_an_error() {
        assert!(dig("+short").unwrap_err().message.starts_with("dig: no name"));
    }

    #[test]
    fn a_bad_time_value_is_an_invalid_option() {
        assert!(dig("+time=x a.b").unwrap_err().message.starts_with("Invalid option: +time=x"));
    }
}
