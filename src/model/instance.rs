//! Instances: a primary network interface, a state, and what the operating system
//! serves (which ports listen, what HTTP answers), as the model was told.

use std::borrow::Cow;
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

/// A process listening on a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// tcp or udp.
    pub protocol: Protocol,
    /// Port.
    pub port: u16,
    /// What it is (`httpd`, `nginx`, `sshd`).
    pub software: Cow<'static, str>,
    /// For HTTP servers: the body of `GET /`.
    pub http_body: Option<String>,
}

impl Service {
    /// The status code of an HTTP GET of `path`, for a web server (None for anything else):
    /// the page at `/` (also `/index.html`), 404 for every other path.
    pub fn http_status(&self, path: &str) -> Option<u16> {
        self.http_body.as_ref()?;
        Some(if matches!(path, "" | "/" | "/index.html") { 200 } else { 404 })
    }
}

/// An instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// `i-...`.
    pub aws_id: String,
    /// The primary interface (device index 0).
    pub eni: EniId,
    /// Further interfaces.
    pub secondary_enis: Box<[EniId]>,
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
    /// Tags.
    pub tags: Tags,
}

impl Instance {
    /// The service listening on `protocol`/`port`, if any.
    pub fn service(&self, protocol: Protocol, port: u16) -> Option<&Service> {
        self.services.iter().find(|s| s.protocol == protocol && s.port == port)
    }
}
