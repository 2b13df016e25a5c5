//! `curl [-s] [-S] [-v] [-I] [-f] [-o FILE] [-X METHOD] [-H HEADER]... [--connect-timeout SECS]
//! [-m|--max-time SECS] URL`.

use std::fmt;
use std::time::Duration;

use super::{parse_seconds, AppError, Host};
use crate::command::getopt::{getopt, Arg, GetoptError, OptSpec};

const TRY: &str = "curl: try 'curl --help' or 'curl --manual' for more information";
const CONNECT_TIMEOUT: char = '1';

const SPECS: [OptSpec; 10] = [
    OptSpec { id: 's', short: true, long: Some("silent"), takes_value: false },
    OptSpec { id: 'S', short: true, long: Some("show-error"), takes_value: false },
    OptSpec { id: 'v', short: true, long: Some("verbose"), takes_value: false },
    OptSpec { id: 'I', short: true, long: Some("head"), takes_value: false },
    OptSpec { id: 'f', short: true, long: Some("fail"), takes_value: false },
    OptSpec { id: 'o', short: true, long: Some("output"), takes_value: true },
    OptSpec { id: 'm', short: true, long: Some("max-time"), takes_value: true },
    OptSpec { id: CONNECT_TIMEOUT, short: false, long: Some("connect-timeout"), takes_value: true },
    OptSpec { id: 'X', short: true, long: Some("request"), takes_value: true },
    OptSpec { id: 'H', short: true, long: Some("header"), takes_value: true },
];

/// An HTTP request.
#[derive(Clone, Debug, PartialEq)]
pub struct Curl {
    /// Where to connect and what to ask for.
    pub url: Url,
    /// `-s`: no progress meter or error messages.
    pub silent: bool,
    /// `-S`: show errors even with `-s`.
    pub show_error: bool,
    /// `-v`: print the connection and headers.
    pub verbose: bool,
    /// `-I`: HEAD request, print the headers only.
    pub head: bool,
    /// `-f`: exit 22 on an HTTP error status.
    pub fail: bool,
    /// `-o FILE`: where the body goes instead of stdout.
    pub output: Option<String>,
    /// `--connect-timeout SECS`.
    pub connect_timeout: Option<Duration>,
    /// `-m`/`--max-time SECS`: limit for the whole transfer.
    pub max_time: Option<Duration>,
    /// `-X`/`--request METHOD`.
    pub method: Option<String>,
    /// `-H`/`--header 'Name: value'`, in order.
    pub headers: Vec<String>,
}

/// The URL schemes curl is simulated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP (default port 80).
    Http,
    /// HTTPS (default port 443).
    Https,
}

/// A parsed `http://host[:port][/path]` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// The scheme (`http` when the URL has none).
    pub scheme: Scheme,
    /// The host to connect to.
    pub host: Host,
    /// The port: given, else 80 for http and 443 for https.
    pub port: u16,
    /// The path and query, starting with `/`.
    pub path: String,
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.scheme == Scheme::Http { "http" } else { "https" };
        write!(f, "{scheme}://{}:{}{}", self.host, self.port, self.path)
    }
}

impl Url {
    /// Parses a URL as curl takes it: a bare host is `http://host/`.
    pub fn parse(text: &str) -> Result<Url, AppError> {
        let (scheme, rest) = match text.split_once("://") {
            Some((s, rest)) => (scheme(s)?, rest),
            None => (Scheme::Http, text),
        };
        let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(cut);
        let (host_text, port) = split_port(authority, scheme)?;
        let host = host(host_text)?;
        let path = match path.split('#').next().unwrap_or_default() {
            "" => "/".to_string(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_string(),
        };
        Ok(Url { scheme, host, port, path })
    }
}

fn bad_url() -> AppError {
    AppError::new("curl", 3, "curl: (3) URL using bad/illegal format or missing URL")
}

fn scheme(s: &str) -> Result<Scheme, AppError> {
    match s.to_ascii_lowercase().as_str() {
        "http" => Ok(Scheme::Http),
        "https" => Ok(Scheme::Https),
        _ => Err(AppError::new("curl", 1, format!("curl: (1) Protocol \"{s}\" not supported"))),
    }
}

fn split_port(authority: &str, scheme: Scheme) -> Result<(&str, u16), AppError> {
    let default = if scheme == Scheme::Http { 80 } else { 443 };
    match authority.rsplit_once(':') {
        None => Ok((authority, default)),
        Some((h, "")) => Ok((h, default)),
        Some((h, p)) => p.parse::<u16>().ok().filter(|p| *p > 0).map(|p| (h, p)).ok_or_else(bad_url),
    }
}

fn host(text: &str) -> Result<Host, AppError> {
    // An IPv6 literal (`[...]`) is not modelled; a broken one is a bad URL to curl too.
    if text.is_empty() || text.contains(['@', '[', ']']) {
        return Err(bad_url());
    }
    Host::parse(text)
        .ok_or_else(|| AppError::new("curl", 6, format!("curl: (6) Could not resolve host: {text}")))
}

fn option_error(err: GetoptError) -> AppError {
    let (option, what) = match err {
        GetoptError::Unknown(o) => (o, "is unknown"),
        GetoptError::MissingValue(o) => (o, "requires parameter"),
    };
    let option = if option.starts_with("--") { option } else { format!("-{option}") };
    AppError::new("curl", 2, format!("curl: option {option}: {what}\n{TRY}"))
}

fn seconds(option: &str, value: &str) -> Result<Duration, AppError> {
    parse_seconds(value).ok_or_else(|| {
        AppError::new(
            "curl",
            2,
            format!("curl: option {option}: expected a proper numerical parameter\n{TRY}"),
        )
    })
}

/// Parses curl's arguments (without the program name).
pub(super) fn parse(args: &[String]) -> Result<Curl, AppError> {
    let mut urls = Vec::new();
    let mut c = Curl {
        url: Url { scheme: Scheme::Http, host: Host::Name(String::new()), port: 80, path: "/".into() },
        silent: false,
        show_error: false,
        verbose: false,
        head: false,
        fail: false,
        output: None,
        connect_timeout: None,
        max_time: None,
        method: None,
        headers: Vec::new(),
    };
    for arg in getopt(args, &SPECS).map_err(option_error)? {
        match arg {
            Arg::Flag('s') => c.silent = true,
            Arg::Flag('S') => c.show_error = true,
            Arg::Flag('v') => c.verbose = true,
            Arg::Flag('I') => c.head = true,
            Arg::Flag('f') => c.fail = true,
            Arg::Value('o', v) => c.output = Some(v),
            Arg::Value('X', v) => c.method = Some(v),
            Arg::Value('H', v) => c.headers.push(v),
            Arg::Value('m', v) => c.max_time = Some(seconds("--max-time", &v)?),
            Arg::Value(_, v) => c.connect_timeout = Some(seconds("--connect-timeout", &v)?),
            Arg::Positional(u) => urls.push(u),
            Arg::Flag(_) => {}
        }
    }
    match urls.as_slice() {
        [] => Err(AppError::new("curl", 2, format!("curl: no URL specified!\n{TRY}"))),
        [one] => Url::parse(one).map(|url| Curl { url, ..c }),
        _ => Err(AppError::new("curl", 2, "curl: vpcsim fetches one URL per curl")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curl(line: &str) -> Result<Curl, AppError> {
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&words)
    }

    #[test]
    fn a_full_url_gives_scheme_host_port_and_path() {
        let c = curl("-s --connect-timeout 3 -m 10 http://Web.example:8080/index.html?x=1").unwrap();
        assert!(c.silent);
        assert_eq!(c.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(c.max_time, Some(Duration::from_secs(10)));
        assert_eq!(c.url.to_string(), "http://web.example:8080/index.html?x=1");
    }

    #[test]
    fn a_bare_host_is_http_on_port_80_and_https_is_443() {
        assert_eq!(curl("10.0.0.5").unwrap().url.to_string(), "http://10.0.0.5:80/");
        assert_eq!(curl("https://a.b").unwrap().url.port, 443);
    }

    #[test]
    fn method_and_headers_are_read_in_order() {
        let words: Vec<String> = [
            "-X",
            "PUT",
            "-H",
            "X-aws-ec2-metadata-token-ttl-seconds: 21600",
            "-H",
            "A: b",
            "http://169.254.169.254/latest/api/token",
        ]
        .map(String::from)
        .to_vec();
        let c = parse(&words).unwrap();
        assert_eq!(c.method.as_deref(), Some("PUT"));
        assert_eq!(c.headers, ["X-aws-ec2-metadata-token-ttl-seconds: 21600", "A: b"]);
    }

    #[test]
    fn fractional_timeouts_are_accepted() {
        assert_eq!(curl("--max-time=0.5 a").unwrap().max_time, Some(Duration::from_millis(500)));
    }

    #[test]
    fn an_unknown_option_is_refused_like_curl_does() {
        let err = curl("--bogus http://a/").unwrap_err();
        assert_eq!(err.message, format!("curl: option --bogus: is unknown\n{TRY}"));
        assert_eq!(err.exit_code, 2);
    }

    #[test]
    fn a_missing_or_malformed_timeout_is_refused() {
        assert!(curl("http://a/ --connect-timeout").unwrap_err().message.contains("requires parameter"));
        let err = curl("-m abc http://a/").unwrap_err();
        assert!(err.message.starts_with("curl: option --max-time: expected a proper numerical parameter"));
    }

    #[test]
    fn bad_urls_get_curls_error_codes() {
        assert_eq!(curl("ftp://a/").unwrap_err().exit_code, 1);
        assert_eq!(curl("http://a:99999/").unwrap_err().exit_code, 3);
        assert_eq!(curl("http:///x").unwrap_err().exit_code, 3);
        assert_eq!(curl("http://10.0.0.300/").unwrap_err().exit_code, 6);
        assert_eq!(curl("-s").unwrap_err().message, format!("curl: no URL specified!\n{TRY}"));
    }
}
