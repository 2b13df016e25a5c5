//! What an instance serves over HTTP, from its UserData or an explicit declaration.
//!
//! [`detect_web_server`] reads a shell script the way the usual lab scripts are written:
//! a package installed with yum, dnf, apt, apt-get or amazon-linux-extras (`httpd`,
//! `apache2`, `nginx`) and started with `systemctl start|restart|enable --now` or
//! `service X start`; pages written with `echo ... > FILE`, `... | tee FILE`, or a
//! heredoc (`cat > FILE <<EOF`); or `python3 -m http.server [PORT]` serving its working
//! directory. A server installed but never started serves nothing.
//!
//! # Explicit declaration in Metadata
//!
//! A resource's `Metadata` may declare the server instead, which wins over detection:
//!
//! ```yaml
//! Metadata:
//!   vpcsim:
//!     http:
//!       port: 8080        # default 80
//!       body: "hello"     # the page served at /
//!       software: custom  # optional, default "declared"
//! ```
//!
//! `vpcsim: { http: null }` declares that nothing is served, whatever the UserData says.

use base64::Engine as _;
use indexmap::IndexMap;

use super::problem::Problem;
use crate::yaml::{Node, NodeValue};

/// An HTTP server on an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebServer {
    /// TCP port it listens on.
    pub port: u16,
    /// The page served at `/`, without its final newline.
    pub body: String,
    /// `httpd`, `apache2`, `nginx`, `python3 http.server` or `declared`.
    pub software: String,
}

/// Decodes base64 UserData (as `Fn::Base64` produces it) into text.
pub fn decode_user_data(encoded: &str) -> Option<String> {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The server an instance runs: the Metadata declaration if any, else detected in UserData
/// (base64, as evaluated properties carry it).
pub fn web_server(properties: &Node, metadata: Option<&Node>) -> Result<Option<WebServer>, Problem> {
    if let Some(decl) = metadata.and_then(|m| m.get("vpcsim")).and_then(|v| v.entry("http")) {
        return declared(decl.1);
    }
    let script = properties.get("UserData").and_then(Node::as_str).and_then(decode_user_data);
    Ok(script.as_deref().and_then(detect_web_server))
}

fn declared(http: &Node) -> Result<Option<WebServer>, Problem> {
    if matches!(http.value, NodeValue::Null) {
        return Ok(None);
    }
    let bad = |n: &Node, m: &str| Problem::new(n.loc, format!("Metadata.vpcsim.http: {m}"));
    let map = http.as_map().ok_or_else(|| bad(http, "expected a map with port, body, software"))?;
    let mut server = WebServer { port: 80, body: String::new(), software: "declared".into() };
    for (k, v) in map {
        let text = v.scalar_text().ok_or_else(|| bad(v, &format!("{} must be a scalar", k.name)))?;
        match k.name.as_str() {
            "port" => server.port = text.parse().map_err(|_| bad(v, "port must be 1 to 65535"))?,
            "body" => server.body = text,
            "software" => server.software = text,
            other => return Err(bad(v, &format!("unknown key `{other}`; expected port, body, software"))),
        }
    }
    Ok(Some(server))
}

/// What the script did, as far as serving pages goes.
#[derive(Default)]
struct Effects {
    installed: Vec<String>,
    started: Vec<String>,
    files: IndexMap<String, String>,
    python: Option<(u16, String)>,
    cwd: String,
}

/// Detects the web server a UserData shell script starts, if any.
///
/// ```
/// use vpcsim::cfn::detect_web_server;
/// let script = "yum install -y httpd\nsystemctl start httpd\necho hi > /var/www/html/index.html\n";
/// let server = detect_web_server(script).unwrap();
/// assert_eq!((server.port, server.body.as_str(), server.software.as_str()), (80, "hi", "httpd"));
/// ```
pub fn detect_web_server(user_data: &str) -> Option<WebServer> {
    let mut fx = Effects { cwd: "/".into(), ..Effects::default() };
    for (line, stdin) in logical_lines(user_data) {
        for command in split_commands(&tokens(&line)) {
            run_pipeline(&command, stdin.clone(), &mut fx);
        }
    }
    let daemon = fx.started.iter().find(|s| fx.installed.contains(s)).map(|s| daemon_server(s, &fx));
    daemon.or_else(|| {
        let (port, dir) = fx.python.clone()?;
        let body = fx
            .files
            .get(&join_path(&dir, "index.html"))
            .cloned()
            .unwrap_or_else(|| directory_listing(&dir, &fx));
        Some(WebServer { port, body: trim_newline(body), software: "python3 http.server".into() })
    })
}

fn daemon_server(software: &str, fx: &Effects) -> WebServer {
    let roots: &[&str] = match software {
        "nginx" => &["/usr/share/nginx/html/index.html", "/var/www/html/index.html"],
        _ => &["/var/www/html/index.html"],
    };
    let written = roots.iter().find_map(|p| fx.files.get(*p).cloned());
    let default = match software {
        "nginx" => "<h1>Welcome to nginx!</h1>",
        _ => "<h1>It works! (Apache HTTP Server test page)</h1>",
    };
    WebServer {
        port: 80,
        body: trim_newline(written.unwrap_or_else(|| default.into())),
        software: software.into(),
    }
}

fn directory_listing(dir: &str, fx: &Effects) -> String {
    let prefix = join_path(dir, "");
    let mut names: Vec<&str> =
        fx.files.keys().filter_map(|p| p.strip_prefix(&prefix)).filter(|n| !n.contains('/')).collect();
    names.sort_unstable();
    let items: String = names.iter().map(|n| format!("<li><a href=\"{n}\">{n}</a></li>\n")).collect();
    format!("<html><head><title>Directory listing for /</title></head><body><h1>Directory listing for /</h1><ul>\n{items}</ul></body></html>")
}

fn trim_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

fn join_path(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// Script lines with `\` continuations joined, each with its heredoc body if it opens one.
pub(super) fn logical_lines(script: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut lines = script.lines();
    let mut pending = String::new();
    while let Some(raw) = lines.next() {
        if let Some(cont) = raw.strip_suffix('\\') {
            pending.push_str(cont);
            continue;
        }
        let line = std::mem::take(&mut pending) + raw;
        let body = heredoc_delimiter(&line).map(|delim| {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != delim).collect();
            body.iter().map(|l| format!("{l}\n")).collect::<String>()
        });
        out.push((line, body));
    }
    out
}

fn heredoc_delimiter(line: &str) -> Option<String> {
    let after = line.split_once("<<")?.1.trim_start_matches('-').trim_start();
    let word: String =
        after.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '|' && *c != ';').collect();
    let word = word.trim_matches(|c| c == '\'' || c == '"').to_string();
    (!word.is_empty()).then_some(word)
}

/// Shell words; unquoted operators (`&&`, `||`, `;`, `&`, `|`, `>`, `>>`, `<<`, parentheses) are their own tokens.
pub(super) fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = true;
                word.extend(chars.by_ref().take_while(|c| *c != '\''));
            }
            '"' => {
                quoted = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            word.extend(chars.next())
                        }
                        _ => word.push(d),
                    }
                }
            }
            '\\' => word.extend(chars.next()),
            '#' if word.is_empty() && !quoted => break,
            c if c.is_whitespace() || "&|;><()".contains(c) => {
                if !word.is_empty() || quoted {
                    out.push(std::mem::take(&mut word));
                    quoted = false;
                }
                if !c.is_whitespace() {
                    let mut op = c.to_string();
                    if "&|><".contains(c) && chars.peek() == Some(&c) {
                        op.extend(chars.next());
                    }
                    out.push(op);
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() || quoted {
        out.push(word);
    }
    out
}

const SEPARATORS: &[&str] = &["&&", "||", ";", "&", "(", ")"];

/// Splits tokens into commands, each a pipeline of words.
pub(super) fn split_commands(tokens: &[String]) -> Vec<Vec<Vec<String>>> {
    tokens
        .split(|t| SEPARATORS.contains(&t.as_str()))
        .filter(|c| !c.is_empty())
        .map(|c| c.split(|t| t == "|").map(<[String]>::to_vec).collect())
        .collect()
}

fn run_pipeline(pipeline: &[Vec<String>], heredoc: Option<String>, fx: &mut Effects) {
    let mut stdin = heredoc;
    for words in pipeline {
        stdin = run_command(words, stdin, fx);
    }
}

/// Runs one command for its effects; returns its standard output.
fn run_command(words: &[String], stdin: Option<String>, fx: &mut Effects) -> Option<String> {
    let (args, redirect) = split_redirect(words);
    let args: Vec<&str> =
        args.iter().map(String::as_str).skip_while(|w| matches!(*w, "sudo" | "nohup" | "exec")).collect();
    let output = match args.as_slice() {
        ["echo", rest @ ..] => Some(echo(rest)),
        ["printf", fmt, ..] => Some(fmt.replace("\\n", "\n")),
        ["cat"] => stdin,
        ["tee", rest @ ..] => {
            let append = rest.contains(&"-a");
            for path in rest.iter().filter(|a| !a.starts_with('-')) {
                write(fx, path, stdin.clone().unwrap_or_default(), append);
            }
            stdin
        }
        ["cd", dir, ..] => {
            fx.cwd = if dir.starts_with('/') { dir.to_string() } else { join_path(&fx.cwd, dir) };
            None
        }
        [tool, "install", pkgs @ ..] | [tool, "-y", "install", pkgs @ ..]
            if matches!(*tool, "yum" | "dnf" | "apt" | "apt-get" | "amazon-linux-extras") =>
        {
            fx.installed.extend(pkgs.iter().filter_map(|p| package(p)));
            None
        }
        ["systemctl", verb, rest @ ..] => {
            if matches!(*verb, "start" | "restart") || (*verb == "enable" && rest.contains(&"--now")) {
                fx.started.extend(rest.iter().filter_map(|s| package(s.trim_end_matches(".service"))));
            }
            None
        }
        ["service", svc, "start" | "restart"] => {
            fx.started.extend(package(svc));
            None
        }
        [python, "-m", "http.server" | "SimpleHTTPServer", rest @ ..] if python.starts_with("python") => {
            fx.python = Some(python_server(rest, &fx.cwd));
            None
        }
        _ => None,
    };
    match (redirect, output) {
        (Some((path, append)), Some(out)) => {
            write(fx, &path, out, append);
            None
        }
        (_, out) => out,
    }
}

/// The words before any redirection and the `>`/`>>` target.
pub(super) fn split_redirect(words: &[String]) -> (Vec<String>, Option<(String, bool)>) {
    let mut args = Vec::new();
    let mut redirect = None;
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            ">" | ">>" => redirect = it.next().map(|p| (p.clone(), w == ">>")),
            "<<" => {
                it.next();
            }
            _ => args.push(w.clone()),
        }
    }
    (args, redirect)
}

pub(super) fn echo(args: &[&str]) -> String {
    let newline = !args.contains(&"-n");
    let escapes = args.contains(&"-e");
    let text = args
        .iter()
        .filter(|a| !matches!(**a, "-n" | "-e" | "-ne" | "-en"))
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let text = if escapes { text.replace("\\n", "\n").replace("\\t", "\t") } else { text };
    if newline {
        text + "\n"
    } else {
        text
    }
}

fn write(fx: &mut Effects, path: &str, content: String, append: bool) {
    let path = if path.starts_with('/') { path.to_string() } else { join_path(&fx.cwd, path) };
    let entry = fx.files.entry(path).or_default();
    if !append {
        entry.clear();
    }
    entry.push_str(&content);
}

/// The server software a package or service name stands for.
fn package(name: &str) -> Option<String> {
    match name {
        "httpd" | "httpd24" | "apache2" => {
            Some(if name == "apache2" { "apache2" } else { "httpd" }.to_string())
        }
        n if n.starts_with("nginx") => Some("nginx".into()),
        _ => None,
    }
}

fn python_server(args: &[&str], cwd: &str) -> (u16, String) {
    let mut port = 8000;
    let mut dir = cwd.to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--directory" | "-d" => dir = it.next().map(|d| d.to_string()).unwrap_or(dir),
            "--bind" | "-b" => {
                it.next();
            }
            a => port = a.parse().unwrap_or(port),
        }
    }
    (port, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn httpd_installed_started_and_echo_page_is_detected() {
        let s = "yum install -y httpd\nsystemctl start httpd && systemctl enable httpd\necho \"<h1>hi</h1>\" > /var/www/html/index.html\n";
        assert_eq!(
            detect_web_server(s),
            Some(WebServer { port: 80, body: "<h1>hi</h1>".into(), software: "httpd".into() })
        );
    }

    #[test]
    fn installed_but_never_started_serves_nothing() {
        assert_eq!(detect_web_server("yum install -y httpd\necho hi > /var/www/html/index.html\n"), None);
    }

    #[test]
    fn nginx_heredoc_page_is_detected() {
        let s = "amazon-linux-extras install -y nginx1\ncat > /usr/share/nginx/html/index.html <<'EOF'\n<p>a</p>\nEOF\nservice nginx start\n";
        let w = detect_web_server(s).unwrap();
        assert_eq!((w.port, w.body.as_str(), w.software.as_str()), (80, "<p>a</p>", "nginx"));
    }

    #[test]
    fn tee_pipeline_writes_the_page() {
        let s = "apt-get install -y apache2\necho ok | sudo tee /var/www/html/index.html\nsystemctl restart apache2\n";
        assert_eq!(detect_web_server(s).unwrap().body, "ok");
    }

    #[test]
    fn python_http_server_serves_its_directory() {
        let s =
            "mkdir -p /srv/w && cd /srv/w\necho hello > index.html\nnohup python3 -m http.server 8080 &\n";
        let w = detect_web_server(s).unwrap();
        assert_eq!((w.port, w.body.as_str()), (8080, "hello"));
        let bare = detect_web_server("cd /tmp\npython3 -m http.server\n").unwrap();
        assert!(bare.port == 8000 && bare.body.contains("Directory listing"));
    }

    #[test]
    fn metadata_declaration_wins_over_user_data() {
        let doc =
            crate::yaml::parse("vpcsim:\n  http:\n    port: 8080\n    body: hello\n", &Default::default())
                .unwrap();
        let props = Node::new(NodeValue::Map(Vec::new()), Default::default());
        let w = web_server(&props, Some(&doc)).unwrap().unwrap();
        assert_eq!((w.port, w.body.as_str()), (8080, "hello"));
    }
}
