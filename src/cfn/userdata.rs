//! What an instance listens on, from its UserData or an explicit declaration.
//!
//! [`detect_services`] reads a shell script through the one shell reader ([`super::shell`])
//! the way the usual lab scripts are written:
//! packages installed with yum, dnf, apt, apt-get or amazon-linux-extras and daemons
//! started with `systemctl start|restart|enable --now` or `service X start`; files written
//! with `echo ... > FILE`, `... | tee FILE`, a heredoc (`cat > FILE <<EOF`) or edited with
//! `sed -i 's/.../.../' FILE`; `python3 -m http.server [PORT]` serving its working
//! directory. The daemons it knows, and what each listens on:
//!
//! | daemon | packages | listens |
//! |---|---|---|
//! | httpd, apache2, nginx | `httpd`, `apache2`, `nginx*` | TCP 80, the page in the document root (`index.html`, else `index.php` rendered once php is installed) |
//! | sshd | preinstalled on Amazon Linux and Ubuntu | TCP 22, its banner (stopped by `systemctl stop sshd`) |
//! | rsyslog | preinstalled | UDP 514 when the configuration loads `imudp` (`UDPServerRun 514`, `input(type="imudp" port="514")`), TCP with `imtcp` |
//! | named, dnsmasq | `bind`, `bind9`, `dnsmasq` | UDP and TCP 53, answering as the VPC resolver |
//! | snmpd | `net-snmp`, `snmpd` | UDP 161 |
//!
//! A daemon installed but never started serves nothing. The image family (what listens
//! before the script runs) is [`ImageFamily::AmazonLinux`] unless the script is PowerShell
//! (`<powershell>`: Windows) or installs with apt (Ubuntu).
//!
//! # Explicit declaration in Metadata
//!
//! A resource's `Metadata` may declare what listens instead, which wins over detection:
//!
//! ```yaml
//! Metadata:
//!   vpcsim:
//!     image: ubuntu       # amazon-linux (default), ubuntu, windows or bare
//!     http:
//!       port: 8080        # default 80
//!       body: "hello"     # the page served at /
//!       software: custom  # optional, default "declared"
//!     services:
//!       - {protocol: udp, port: 514, software: rsyslog}
//!       - {protocol: tcp, port: 2222, banner: "SSH-2.0-OpenSSH_8.7"}
//!       - {port: 53, protocol: udp, dns: true}
//! ```
//!
//! `vpcsim: { http: null }` declares that nothing is served over HTTP, whatever the UserData
//! says; declared services come on top of the image's (sshd), and `image: bare` has none.

use std::collections::BTreeMap;

use base64::Engine as _;
use indexmap::IndexMap;

use super::init::{self, Init};
use super::problem::Problem;
use super::shell::{self, join_path, Commands, Host, Shell};
use crate::addr::Protocol;
use crate::model::instance::{Answer, DocumentRoot, ImageFamily, Service};
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

/// The server an instance runs over HTTP: the Metadata declaration if any, else detected
/// in UserData (base64, as evaluated properties carry it).
pub fn web_server(properties: &Node, metadata: Option<&Node>) -> Result<Option<WebServer>, Problem> {
    let found = listening(properties, metadata)?;
    Ok(found.services.into_iter().find_map(|s| {
        let body = s.http_body()?.to_string();
        Some(WebServer { port: s.port, body, software: s.software.into_owned() })
    }))
}

/// What an instance listens on, and the image family that decided its defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listening {
    /// The image family (declared, or guessed from the script).
    pub image: ImageFamily,
    /// Every service, the image's defaults included.
    pub services: Vec<Service>,
    /// What the user should know: cfn-init keys that change nothing, a cfn-init that could not run.
    pub notes: Vec<String>,
}

/// Where a UserData script runs: its stack, resource and region (what cfn-init reads, M3),
/// and the instance's metadata service once the instance exists (M1).
#[derive(Clone, Copy, Default)]
pub struct Boot<'a> {
    /// The stack's name.
    pub stack: &'a str,
    /// The resource's logical id.
    pub resource: &'a str,
    /// The region.
    pub region: &'a str,
    /// What 169.254.169.254 answers the instance, once it exists.
    pub metadata: Option<&'a shell::Metadata<'a>>,
    /// M7: the AWS API the instance's `aws` calls go to, once it exists.
    pub aws: Option<&'a dyn shell::Api>,
}

/// What an instance listens on: the image's defaults, then the `Metadata: vpcsim:`
/// declaration if it declares `http` or `services`, else what its UserData starts (run as
/// a script outside any stack, without metadata: see [`listening_at`]).
pub fn listening(properties: &Node, metadata: Option<&Node>) -> Result<Listening, Problem> {
    listening_at(properties, metadata, Boot::default())
}

/// The image family of an instance: declared in `Metadata: vpcsim: image:`, else guessed
/// from its UserData.
pub fn image(properties: &Node, metadata: Option<&Node>) -> Result<ImageFamily, Problem> {
    let decl = metadata.and_then(|m| m.get("vpcsim"));
    match decl.and_then(|d| d.entry("image")) {
        Some((_, node)) => declared_image(node),
        None => {
            let script = properties.get("UserData").and_then(Node::as_str).and_then(decode_user_data);
            Ok(script.as_deref().map_or(ImageFamily::AmazonLinux, guess_image))
        }
    }
}

/// What an instance listens on, its UserData run where `boot` says: cfn-init reads the
/// resource's `AWS::CloudFormation::Init` (M3) and metadata `curl`s answer (M1).
pub fn listening_at(
    properties: &Node,
    metadata: Option<&Node>,
    boot: Boot<'_>,
) -> Result<Listening, Problem> {
    let decl = metadata.and_then(|m| m.get("vpcsim"));
    let script = properties.get("UserData").and_then(Node::as_str).and_then(decode_user_data);
    let image = image(properties, metadata)?;
    let http = decl.and_then(|d| d.entry("http"));
    let listed = decl.and_then(|d| d.entry("services"));
    if http.is_none() && listed.is_none() {
        let parsed = Init::parse(metadata)?;
        let (init, mut notes) = parsed.map_or((None, Vec::new()), |(i, n)| (Some(i), n));
        let host = host(boot, init.as_ref());
        let (fx, ran) = script.as_deref().map(|s| run_script(s, host)).unwrap_or_default();
        notes.extend(ran);
        return Ok(Listening { image, services: fx.services(image), notes });
    }
    let mut services = image.default_services();
    if let Some(server) = http.map(|(_, n)| declared(n)).transpose()?.flatten() {
        services.push(Service::new(
            Protocol::Tcp,
            server.port,
            server.software,
            Answer::Http(DocumentRoot::with_index(server.body)),
        ));
    }
    if let Some((_, list)) = listed {
        for s in declared_services(list)? {
            services.retain(|o| (o.protocol, o.port) != (s.protocol, s.port));
            services.push(s);
        }
    }
    Ok(Listening { image, services, notes: Vec::new() })
}

/// The shell's host for a script run where `boot` says, with the resource's cfn-init metadata.
pub(super) fn host<'a>(boot: Boot<'a>, init: Option<&'a Init>) -> Host<'a> {
    let source = init::Source { stack: boot.stack, resource: boot.resource, region: boot.region, init };
    Host { metadata: boot.metadata, init: (!boot.stack.is_empty()).then_some(source), aws: boot.aws }
}

/// What an instance whose UserData is `script` (plain text, as `run-instances --user-data`
/// takes it) listens on.
pub fn listening_from_script(script: &str) -> Listening {
    let image = guess_image(script);
    let (fx, notes) = run_script(script, Host::default());
    Listening { image, services: fx.services(image), notes }
}

/// The image family a script was written for: PowerShell for Windows, apt for Ubuntu.
fn guess_image(script: &str) -> ImageFamily {
    let start = script.trim_start();
    if start.starts_with("<powershell>") || start.starts_with("<script>") {
        return ImageFamily::Windows;
    }
    if shell::mentions(script, &["apt", "apt-get"]) {
        ImageFamily::Ubuntu
    } else {
        ImageFamily::AmazonLinux
    }
}

fn declared_image(node: &Node) -> Result<ImageFamily, Problem> {
    let text = node.scalar_text().unwrap_or_default();
    ImageFamily::ALL.into_iter().find(|f| f.as_str() == text).ok_or_else(|| {
        let names: Vec<&str> = ImageFamily::ALL.iter().map(|f| f.as_str()).collect();
        Problem::new(
            node.loc,
            format!(
                "Metadata.vpcsim.image: unknown image family {text:?}; expected one of {}",
                names.join(", ")
            ),
        )
    })
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

fn declared_services(list: &Node) -> Result<Vec<Service>, Problem> {
    let bad = |n: &Node, m: &str| Problem::new(n.loc, format!("Metadata.vpcsim.services: {m}"));
    let items = list.as_seq().ok_or_else(|| bad(list, "expected a list of services"))?;
    items.iter().map(|item| declared_service(item, &bad)).collect()
}

fn declared_service(item: &Node, bad: &impl Fn(&Node, &str) -> Problem) -> Result<Service, Problem> {
    const KEYS: &str = "protocol, port, software, body, banner, dns";
    let map = item.as_map().ok_or_else(|| bad(item, &format!("each service is a map with {KEYS}")))?;
    let (mut protocol, mut port, mut software) = (Protocol::Tcp, None, "declared".to_string());
    let mut answer = Answer::Silent;
    for (k, v) in map {
        let text = v.scalar_text().ok_or_else(|| bad(v, &format!("{} must be a scalar", k.name)))?;
        match k.name.as_str() {
            "protocol" => {
                protocol = match text.to_ascii_lowercase().as_str() {
                    "tcp" => Protocol::Tcp,
                    "udp" => Protocol::Udp,
                    _ => return Err(bad(v, &format!("protocol must be tcp or udp, not {text:?}"))),
                }
            }
            "port" => {
                port = Some(
                    text.parse::<u16>()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| bad(v, "port must be 1 to 65535"))?,
                )
            }
            "software" => software = text,
            "body" => answer = Answer::Http(DocumentRoot::with_index(text)),
            "banner" => answer = Answer::Banner(text.into()),
            "dns" if text == "true" => answer = Answer::Dns,
            "dns" => return Err(bad(v, "dns must be true (or left out)")),
            other => return Err(bad(v, &format!("unknown key `{other}`; expected {KEYS}"))),
        }
    }
    let port = port.ok_or_else(|| bad(item, "port is required"))?;
    if matches!(answer, Answer::Http(_)) && protocol == Protocol::Udp {
        return Err(bad(item, "an HTTP body needs protocol tcp"));
    }
    Ok(Service::new(protocol, port, software, answer))
}

/// What the script did, as far as listening goes.
#[derive(Default)]
struct Effects {
    installed: Vec<String>,
    /// Daemons started (true) and stopped (false), in script order.
    actions: Vec<(String, bool)>,
    files: IndexMap<String, String>,
    /// The text that `sed -i` substitutions put into each file.
    edits: IndexMap<String, String>,
    python: Option<(u16, String)>,
    /// Each `.php` page written, as PHP renders it on the instance (M1).
    rendered: IndexMap<String, String>,
}

impl Effects {
    /// Whether the script last started (Some(true)) or stopped (Some(false)) `daemon`.
    fn last_action(&self, daemon: &str) -> Option<bool> {
        self.actions.iter().rev().find(|(d, _)| d == daemon).map(|(_, start)| *start)
    }

    /// A daemon runs when the script started it and it is installed (rsyslog comes with
    /// the image), and the script did not stop it afterwards.
    fn runs(&self, daemon: &str) -> bool {
        let installed = daemon == "rsyslog" || self.installed.iter().any(|d| d == daemon);
        installed && self.last_action(daemon) == Some(true)
    }

    /// Everything that listens once the script has run on an image of `image`.
    fn services(&self, image: ImageFamily) -> Vec<Service> {
        let mut out: Vec<Service> = image
            .default_services()
            .into_iter()
            .filter(|s| s.software != "sshd" || self.last_action("sshd") != Some(false))
            .collect();
        let mut add = |s: Service| {
            out.retain(|o| (o.protocol, o.port) != (s.protocol, s.port));
            out.push(s);
        };
        for daemon in ["httpd", "apache2", "nginx"] {
            if self.runs(daemon) {
                add(daemon_server(daemon, self));
            }
        }
        if let Some(w) = self.python_server() {
            add(w);
        }
        if self.runs("rsyslog") {
            self.syslog_inputs().into_iter().for_each(&mut add);
        }
        for daemon in ["named", "dnsmasq"] {
            if self.runs(daemon) {
                add(Service::new(Protocol::Udp, 53, daemon, Answer::Dns));
                add(Service::new(Protocol::Tcp, 53, daemon, Answer::Dns));
            }
        }
        if self.runs("snmpd") {
            add(Service::new(Protocol::Udp, 161, "snmpd", Answer::Silent));
        }
        out
    }

    fn python_server(&self) -> Option<Service> {
        let (port, dir) = self.python.clone()?;
        let body = self
            .files
            .get(&join_path(&dir, "index.html"))
            .cloned()
            .unwrap_or_else(|| directory_listing(&dir, self));
        let site = DocumentRoot { index: trim_newline(body), files: self.files_under(&dir, false) };
        Some(Service::new(Protocol::Tcp, port, "python3 http.server", Answer::Http(site)))
    }

    /// Every file written under `dir` but its index, by URL path (`/health.html`); `.php`
    /// pages as PHP renders them when `php` runs them.
    fn files_under(&self, dir: &str, php: bool) -> BTreeMap<String, String> {
        let prefix = join_path(dir, "");
        let served = |(path, text): (&String, &String)| {
            let rel = path.strip_prefix(&prefix).filter(|r| *r != "index.html")?;
            let body = self.rendered.get(path).filter(|_| php).unwrap_or(text);
            Some((format!("/{rel}"), trim_newline(body.clone())))
        };
        self.files.iter().filter_map(served).collect()
    }

    /// rsyslog's network inputs: `imudp`/`imtcp` loaded by a line that is not a comment,
    /// on the port of `UDPServerRun`/`InputTCPServerRun` or `port="N"` (514 by default).
    fn syslog_inputs(&self) -> Vec<Service> {
        let config: Vec<&str> = self
            .files
            .iter()
            .chain(self.edits.iter())
            .filter(|(path, _)| path.starts_with("/etc/rsyslog"))
            .flat_map(|(_, text)| text.lines())
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .collect();
        let mut out = Vec::new();
        for (protocol, module, directive) in
            [(Protocol::Udp, "imudp", "UDPServerRun"), (Protocol::Tcp, "imtcp", "InputTCPServerRun")]
        {
            if !config.iter().any(|l| l.contains(module)) {
                continue;
            }
            let port = config.iter().find_map(|l| syslog_port(l, module, directive)).unwrap_or(514);
            out.push(Service::new(protocol, port, "rsyslog", Answer::Silent));
        }
        out
    }
}

/// The port a configuration line gives an rsyslog input, if it gives one.
fn syslog_port(line: &str, module: &str, directive: &str) -> Option<u16> {
    if let Some(rest) = line.split_once(directive).map(|(_, r)| r) {
        return rest.split_whitespace().next()?.parse().ok();
    }
    if !line.contains(module) {
        return None;
    }
    let rest = line.split_once("port=\"")?.1;
    rest.split('"').next()?.parse().ok()
}

/// Detects every service a UserData shell script leaves listening on an Amazon Linux image,
/// sshd included.
///
/// ```
/// use vpcsim::cfn::userdata::detect_services;
/// let script = "yum install -y dnsmasq\nsystemctl enable --now dnsmasq\n";
/// let ports: Vec<(&str, u16)> =
///     detect_services(script).iter().map(|s| (s.protocol.as_str(), s.port)).collect();
/// assert_eq!(ports, [("tcp", 22), ("udp", 53), ("tcp", 53)]);
/// ```
pub fn detect_services(user_data: &str) -> Vec<Service> {
    run_script(user_data, Host::default()).0.services(ImageFamily::AmazonLinux)
}

/// What the script did, and what cfn-init said when it could not run.
fn run_script(user_data: &str, host: Host<'_>) -> (Effects, Vec<String>) {
    let mut fx = Effects::default();
    let sh = shell::run(user_data, host, &mut fx);
    fx.files = sh.files;
    fx.rendered = fx
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".php"))
        .map(|(path, text)| (path.clone(), super::php::render(text, host.metadata)))
        .collect();
    (fx, sh.notes)
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
    detect_services(user_data).into_iter().find_map(|s| {
        let body = s.http_body()?.to_string();
        Some(WebServer { port: s.port, body, software: s.software.into_owned() })
    })
}

/// A web server daemon on port 80, serving its document root: nginx's is
/// `/usr/share/nginx/html` on Amazon Linux and `/var/www/html` on Ubuntu (the first one
/// written to), Apache's `/var/www/html`.
fn daemon_server(software: &'static str, fx: &Effects) -> Service {
    let roots: &[&str] = match software {
        "nginx" => &["/usr/share/nginx/html", "/var/www/html"],
        _ => &["/var/www/html"],
    };
    let under = |root: &str| fx.files.keys().any(|p| p.starts_with(&join_path(root, "")));
    let root = roots.iter().copied().find(|r| under(r)).unwrap_or(roots[0]);
    // Apache runs PHP through mod_php once php is installed; nginx needs php-fpm, not modelled.
    let php = software != "nginx" && fx.installed.iter().any(|p| p == "php");
    let index = fx
        .files
        .get(&join_path(root, "index.html"))
        .cloned()
        .or_else(|| php.then(|| fx.rendered.get(&join_path(root, "index.php")).cloned()).flatten());
    let default = match software {
        "nginx" => "<h1>Welcome to nginx!</h1>",
        _ => "<h1>It works! (Apache HTTP Server test page)</h1>",
    };
    let site = DocumentRoot {
        index: trim_newline(index.unwrap_or_else(|| default.into())),
        files: fx.files_under(root, php),
    };
    Service::new(Protocol::Tcp, 80, software, Answer::Http(site))
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

impl Commands for Effects {
    /// The commands that install, start and stop daemons, edit their configuration and
    /// serve a directory.
    fn run(&mut self, sh: &mut Shell<'_>, args: &[&str], _stdin: Option<String>) -> Option<String> {
        match args {
            [tool, "install", pkgs @ ..] | [tool, "-y", "install", pkgs @ ..]
                if matches!(*tool, "yum" | "dnf" | "apt" | "apt-get" | "amazon-linux-extras") =>
            {
                self.installed.extend(pkgs.iter().filter_map(|p| package(p)));
            }
            ["systemctl", verb, rest @ ..] => {
                let daemons = rest.iter().filter_map(|s| daemon(s.trim_end_matches(".service")));
                let now = rest.contains(&"--now");
                if matches!(*verb, "start" | "restart") || (*verb == "enable" && now) {
                    self.actions.extend(daemons.map(|d| (d, true)));
                } else if *verb == "stop" || (*verb == "disable" && now) {
                    self.actions.extend(daemons.map(|d| (d, false)));
                }
            }
            ["service", svc, verb @ ("start" | "restart" | "stop")] => {
                self.actions.extend(daemon(svc).map(|d| (d, *verb != "stop")));
            }
            ["sed", rest @ ..] => sed_in_place(rest, self),
            ["aws", rest @ ..] => sh.notes.extend(unrun_aws_call(rest)),
            [python, "-m", "http.server" | "SimpleHTTPServer", rest @ ..] if python.starts_with("python") => {
                self.python = Some(python_server(rest, &sh.cwd));
            }
            _ => {}
        }
        None
    }
}

/// M7: an `aws` call a script makes where no instance of a stack runs it (a
/// `run-instances --user-data` script) that would change the network (an Elastic IP
/// associated to itself, a route to itself, its source/destination check): vpcsim does not
/// make it, and says so, naming the call. Reads (`describe-*`, `get-*`, `list-*`, `wait`)
/// and other services change nothing the simulation holds.
fn unrun_aws_call(args: &[&str]) -> Option<String> {
    const WITH_VALUE: &[&str] =
        &["--region", "--profile", "--output", "--endpoint-url", "--query", "--color"];
    let mut words = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if WITH_VALUE.contains(a) {
            it.next();
        } else if !a.starts_with("--") {
            words.push(*a);
        }
        if words.len() == 2 {
            break;
        }
    }
    let [service, operation] = words[..] else { return None };
    let read = ["describe-", "get-", "list-"].iter().any(|p| operation.starts_with(p)) || operation == "wait";
    (matches!(service, "ec2" | "elbv2" | "route53") && !read).then(|| {
        format!(
            "UserData runs `aws {service} {operation}`, which vpcsim does not run here: only instances a stack launches make their UserData's aws calls (make the change as an `aws` step of the scenario)"
        )
    })
}

/// The daemon a package name installs.
fn package(name: &str) -> Option<String> {
    match name {
        "bind" | "bind9" => Some("named".into()),
        "net-snmp" | "snmpd" => Some("snmpd".into()),
        "openssh-server" => Some("sshd".into()),
        n if is_php(n) => Some("php".into()),
        n => daemon(n),
    }
}

/// Whether a package puts PHP into the web server (`php`, `php8.1`, `mod_php`, `libapache2-mod-php`).
fn is_php(name: &str) -> bool {
    let version = |v: &str| v.is_empty() || v.starts_with(|c: char| c.is_ascii_digit());
    name.strip_prefix("php").is_some_and(version)
        || name.strip_prefix("mod_php").is_some_and(version)
        || name.strip_prefix("libapache2-mod-php").is_some_and(version)
}

/// The daemon a service name (`systemctl start NAME`) stands for.
fn daemon(name: &str) -> Option<String> {
    let d = match name {
        "httpd" | "httpd24" => "httpd",
        "apache2" => "apache2",
        n if n.starts_with("nginx") => "nginx",
        "sshd" | "ssh" => "sshd",
        "rsyslog" => "rsyslog",
        "named" | "bind9" => "named",
        "dnsmasq" => "dnsmasq",
        "snmpd" => "snmpd",
        _ => return None,
    };
    Some(d.to_string())
}

/// `sed -i [-e] 's/OLD/NEW/' FILE...`: records NEW as text now in each FILE (the files'
/// earlier contents are the image's, which are not modelled).
fn sed_in_place(args: &[&str], fx: &mut Effects) {
    if !args.iter().any(|a| a.starts_with("-i")) {
        return;
    }
    let mut scripts = Vec::new();
    let mut files = Vec::new();
    let mut it = args.iter().filter(|a| !a.starts_with("-i"));
    while let Some(a) = it.next() {
        match *a {
            "-e" => scripts.extend(it.next()),
            a if a.starts_with('-') => {}
            a if scripts.is_empty() => scripts.push(a),
            a => files.push(a),
        }
    }
    let replaced: String = scripts
        .iter()
        .flat_map(|s| s.split(';'))
        .filter_map(|cmd| substitution(cmd.trim()))
        .map(|new| format!("{new}\n"))
        .collect();
    for f in files {
        fx.edits.entry(f.to_string()).or_default().push_str(&replaced);
    }
}

/// The replacement text of a sed `s` command (`s/OLD/NEW/g`, any delimiter).
fn substitution(cmd: &str) -> Option<String> {
    let mut chars = cmd.strip_prefix('s')?.chars();
    let delim = chars.next()?;
    let rest: String = chars.collect();
    let parts: Vec<&str> = rest.split(delim).collect();
    let new = parts.get(1)?;
    Some(new.replace("\\$", "$").replace("\\", ""))
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
