//! Instances: a primary network interface and any secondary ones (M4), a state, and
//! what the operating system serves (which ports listen, what HTTP answers), as the
//! model was told.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::addr::Protocol;
use crate::ids::EniId;
use crate::model::nat_instance::Forwarding;
use crate::model::Tags;

/// An instance state that matters for traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    /// Running: answers traffic.
    Running,
    /// Stopped.
    Stopped,
    /// Terminated: routes to it become blackholes (R5).
    Terminated,
}

impl InstanceState {
    /// The EC2 API name.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Running => "running",
            InstanceState::Stopped => "stopped",
            InstanceState::Terminated => "terminated",
        }
    }

    /// The EC2 API code.
    pub fn code(self) -> u16 {
        match self {
            InstanceState::Running => 16,
            InstanceState::Stopped => 80,
            InstanceState::Terminated => 48,
        }
    }
}

/// A process listening on a port: what the operating system runs, from the image's
/// defaults, the UserData script or the resource's `Metadata: vpcsim:` declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// tcp or udp.
    pub protocol: Protocol,
    /// Port.
    pub port: u16,
    /// What it is (`httpd`, `nginx`, `sshd`, `rsyslog`, `named`, `snmpd`).
    pub software: Cow<'static, str>,
    /// What a client that connects sees.
    pub answer: Answer,
}

/// What a service says to a client (what `curl`, `nc` or `dig` shows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// An HTTP server: what `GET PATH` answers.
    Http(DocumentRoot),
    /// A line the server writes as soon as a connection opens (`SSH-2.0-OpenSSH_8.7`).
    Banner(Cow<'static, str>),
    /// A DNS server: answers queries as the VPC resolver of its VPC does (a forwarder).
    Dns,
    /// Accepts what it is sent and says nothing (syslog, SNMP without a community).
    Silent,
}

/// A web server's document root: the page at `/` and every other file written under the
/// root (by cfn-init `files`, a UserData `echo ... >` or heredoc, a command), each served
/// at its path from the root (`/var/www/html/health.html` at `/health.html`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentRoot {
    /// The page at `/` (also `/index.html`), without its final newline.
    pub index: String,
    /// The other files: URL path (`/health.html`) -> content, without its final newline.
    pub files: BTreeMap<String, String>,
}

impl DocumentRoot {
    /// A root holding only its index page.
    pub fn with_index(index: impl Into<String>) -> DocumentRoot {
        DocumentRoot { index: index.into(), files: BTreeMap::new() }
    }

    /// The file a GET of `path` serves, if the root holds it: the index at `/` and
    /// `/index.html`, a directory's `index.html` at `/dir/`; the query string is not part
    /// of the path.
    pub fn get(&self, path: &str) -> Option<&str> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        match path {
            "" | "/" | "/index.html" => Some(&self.index),
            dir if dir.ends_with('/') => self.files.get(&format!("{dir}index.html")).map(String::as_str),
            file => self.files.get(file).map(String::as_str),
        }
    }
}

impl Service {
    /// A service of `software` on `protocol`/`port`.
    pub fn new(
        protocol: Protocol,
        port: u16,
        software: impl Into<Cow<'static, str>>,
        answer: Answer,
    ) -> Service {
        Service { protocol, port, software: software.into(), answer }
    }

    /// The status code of an HTTP GET of `path`, for a web server (None for anything else):
    /// 200 for a file its document root holds, 404 for every other path. curl and NLB
    /// health checks both ask this.
    pub fn http_status(&self, path: &str) -> Option<u16> {
        Some(if self.document_root()?.get(path).is_some() { 200 } else { 404 })
    }

    /// The page at `/`, for a web server.
    pub fn http_body(&self) -> Option<&str> {
        self.document_root().map(|root| root.index.as_str())
    }

    /// The document root, for a web server.
    pub fn document_root(&self) -> Option<&DocumentRoot> {
        match &self.answer {
            Answer::Http(root) => Some(root),
            _ => None,
        }
    }

    /// The banner a client sees on connecting, if the server speaks first.
    pub fn banner(&self) -> Option<&str> {
        match &self.answer {
            Answer::Banner(b) => Some(b),
            _ => None,
        }
    }
}

/// The operating system an image runs, as far as what listens before UserData runs:
/// sshd on Amazon Linux and Ubuntu, Remote Desktop on Windows, nothing on a bare image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImageFamily {
    /// Amazon Linux (the default): sshd on 22, answers ping.
    #[default]
    AmazonLinux,
    /// Ubuntu: sshd on 22, answers ping.
    Ubuntu,
    /// Windows Server: Remote Desktop on 3389; its firewall drops ICMP echo.
    Windows,
    /// An image that starts nothing (a minimal or appliance image); answers ping.
    Bare,
}

impl ImageFamily {
    /// The name used in `Metadata: vpcsim: image:`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageFamily::AmazonLinux => "amazon-linux",
            ImageFamily::Ubuntu => "ubuntu",
            ImageFamily::Windows => "windows",
            ImageFamily::Bare => "bare",
        }
    }

    /// Every family, in the order documented.
    pub const ALL: [ImageFamily; 4] =
        [ImageFamily::AmazonLinux, ImageFamily::Ubuntu, ImageFamily::Windows, ImageFamily::Bare];

    /// What listens at boot: sshd (with the image's banner) or Remote Desktop.
    pub fn default_services(self) -> Vec<Service> {
        let ssh = |banner: &'static str| {
            Service::new(Protocol::Tcp, 22, "sshd", Answer::Banner(Cow::Borrowed(banner)))
        };
        match self {
            ImageFamily::AmazonLinux => vec![ssh("SSH-2.0-OpenSSH_8.7")],
            ImageFamily::Ubuntu => vec![ssh("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6")],
            ImageFamily::Windows => vec![Service::new(Protocol::Tcp, 3389, "TermService", Answer::Silent)],
            ImageFamily::Bare => Vec::new(),
        }
    }

    /// Whether the image answers ICMP echo out of the box.
    pub fn answers_ping(self) -> bool {
        self != ImageFamily::Windows
    }
}

/// An instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// `i-...`.
    pub aws_id: String,
    /// The primary interface (device index 0).
    pub eni: EniId,
    /// M4: further interfaces (device index 1, 2, ...), in the order they were attached.
    pub secondary_enis: Vec<EniId>,
    /// State.
    pub state: InstanceState,
    /// Instance type (`t2.micro`).
    pub instance_type: Arc<str>,
    /// Image id.
    pub image_id: Arc<str>,
    /// Key pair name.
    pub key_name: Option<String>,
    /// What listens (sshd on 22 by default, as on Amazon Linux).
    pub services: Vec<Service>,
    /// Whether it answers ICMP echo (Linux does).
    pub answers_ping: bool,
    /// G5: what its kernel does with packets not addressed to it (a NAT instance forwards and masquerades).
    pub forwarding: Forwarding,
    /// M1: whether its metadata service answers, and whether it needs an IMDSv2 token.
    pub metadata_options: crate::model::metadata_options::MetadataOptions,
    /// Tags.
    pub tags: Tags,
}

impl Instance {
    /// Every interface of the instance: the primary first, then the secondary ones (M4).
    pub fn enis(&self) -> impl Iterator<Item = EniId> + '_ {
        std::iter::once(self.eni).chain(self.secondary_enis.iter().copied())
    }

    /// The service listening on `protocol`/`port`, if any.
    pub fn service(&self, protocol: Protocol, port: u16) -> Option<&Service> {
        self.services.iter().find(|s| s.protocol == protocol && s.port == port)
    }
}

/// M4: how many network interfaces an instance of `instance_type` may have, as AWS's table
/// of instance types gives it for the current general-purpose families (t3, m5, c5, m6i,
/// ...) by size: nano and micro 2; small, medium and large 3; xlarge and 2xlarge 4; 4xlarge
/// to 12xlarge 8; larger sizes and metal 15. The t2 family's xlarge and 2xlarge have 3.
/// A type whose size vpcsim cannot read is given 2, the smallest limit.
pub fn max_interfaces(instance_type: &str) -> usize {
    let (family, size) = instance_type.split_once('.').unwrap_or((instance_type, ""));
    if family == "t2" && matches!(size, "xlarge" | "2xlarge") {
        return 3;
    }
    let multiple =
        size.strip_suffix("xlarge").map(|n| if n.is_empty() { Some(1) } else { n.parse::<u32>().ok() });
    match (size, multiple) {
        ("small" | "medium" | "large", _) => 3,
        (_, Some(Some(1 | 2))) => 4,
        (_, Some(Some(4..=12))) => 8,
        (_, Some(Some(_))) => 15,
        ("metal", _) => 15,
        _ => 2,
    }
}

/// M6: how many private IPv4 addresses (the primary one included) each network interface
/// of an instance of `instance_type` may hold, as AWS's table of instance types gives it for
/// the current general-purpose families (t2, t3, t3a, t4g, m5, m6i, m7i, ...) by size:
/// nano and micro 2; small 4; medium 6; large 12 for the burstable t families and 10 for
/// the others; xlarge and 2xlarge 15; 4xlarge to 12xlarge 30; larger sizes and metal 50.
/// A type whose size vpcsim cannot read is given 2, the smallest limit.
pub fn max_private_ips(instance_type: &str) -> usize {
    let (family, size) = instance_type.split_once('.').unwrap_or((instance_type, ""));
    let multiple =
        size.strip_suffix("xlarge").map(|n| if n.is_empty() { Some(1) } else { n.parse::<u32>().ok() });
    match (size, multiple) {
        ("small", _) => 4,
        ("medium", _) => 6,
        ("large", _) if family.starts_with('t') => 12,
        ("large", _) => 10,
        (_, Some(Some(1 | 2))) => 15,
        (_, Some(Some(4..=12))) => 30,
        (_, Some(Some(_))) | ("metal", _) => 50,
        _ => 2,
    }
}

/// M6: the most private addresses a network interface not attached to an instance may
/// hold: the largest limit of [`max_private_ips`]; attaching it checks the instance's.
pub const MAX_PRIVATE_IPS_DETACHED: usize = 50;

#[cfg(test)]
mod tests {
    use super::{max_interfaces, max_private_ips};

    #[test]
    fn m6_the_address_limit_per_interface_follows_the_instance_size() {
        let limits: Vec<usize> = [
            "t3.nano",
            "t2.micro",
            "t2.small",
            "t3.medium",
            "t3.large",
            "m5.large",
            "t2.xlarge",
            "m6i.2xlarge",
            "c5.9xlarge",
            "m5.24xlarge",
            "m5.metal",
            "weird",
        ]
        .iter()
        .map(|t| max_private_ips(t))
        .collect();
        assert_eq!(limits, [2, 2, 4, 6, 12, 10, 15, 15, 30, 50, 50, 2]);
    }

    #[test]
    fn m4_the_interface_limit_follows_the_instance_size() {
        let limits: Vec<usize> = [
            "t2.micro",
            "t3.nano",
            "t3.small",
            "m6i.large",
            "t2.xlarge",
            "t3.xlarge",
            "m5.2xlarge",
            "c5.9xlarge",
            "m5.24xlarge",
            "m5.metal",
            "weird",
        ]
        .iter()
        .map(|t| max_interfaces(t))
        .collect();
        assert_eq!(limits, [2, 2, 3, 3, 3, 4, 4, 8, 15, 15, 2]);
    }
}
