//! Where a traced flow goes: the destination a person names (an address, a DNS name
//! or a resource) turned into an address as seen from the flow's source, and the flow
//! traced from an instance or from a client on the internet. `vpcsim trace`, the
//! shell, `graph --trace` and `vpcsim serve` all call these, so they always agree.

use std::net::Ipv4Addr;

use crate::addr::Protocol;
use crate::apps::host::{self, HostError};
use crate::apps::Client;
use crate::dns::{Rcode, View};
use crate::forward::INTERNET_CLIENT;
use crate::ids::InstanceId;
use crate::scenario::Resolution;
use crate::trace::{Flow, Header, Trace};
use crate::world::{Handle, World};

use super::Session;

/// The source port of traced flows: the first of Linux's ephemeral ports.
pub const SOURCE_PORT: u16 = 32768;

/// Where a traced flow starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A running instance, from the interface its routing picks (M5).
    Instance(InstanceId),
    /// A client on the internet ([`INTERNET_CLIENT`]); names resolve as a public resolver answers them.
    Internet,
}

/// A traced flow and the address its destination resolved to.
#[derive(Clone, Debug)]
pub struct Traced {
    /// The address the destination resolved to.
    pub addr: Ipv4Addr,
    /// The explained path, forward and return.
    pub trace: Trace,
}

impl Session {
    /// The source a person names: `internet`, or a running instance (Name tag, logical id, i- id).
    pub fn source(&self, name: &str) -> Result<Source, String> {
        if name == "internet" {
            return Ok(Source::Internet);
        }
        let instance = self.instance(name)?;
        let state = self.world[instance].state.as_str();
        if state != "running" {
            return Err(format!("{name} is {state}: a flow needs a running source"));
        }
        Ok(Source::Instance(instance))
    }

    /// Traces a flow from `source` to `host` (port 80 unless given; ICMP is an echo request).
    pub fn trace_flow(
        &self,
        source: Source,
        host: &str,
        port: Option<u16>,
        protocol: Protocol,
    ) -> Result<Traced, String> {
        let w = &self.world;
        let (src, addr) = match source {
            Source::Instance(i) => {
                let addr = self.resolve_host(i, host)?;
                (w[w.source_interface(i, addr)].private_ip, addr)
            }
            Source::Internet => (INTERNET_CLIENT, self.resolve_public(host)?),
        };
        let (src_port, dst_port) =
            if protocol == Protocol::Icmp { (0, 8) } else { (SOURCE_PORT, port.unwrap_or(80)) };
        let flow = Flow { header: Header { src, dst: addr, protocol, src_port, dst_port }, seq: 0 };
        let trace = match source {
            Source::Instance(i) => w.trace(w.source_interface(i, addr), flow),
            Source::Internet => w.trace_from_internet(flow),
        };
        Ok(Traced { addr, trace })
    }

    /// An address or a DNS name, resolved as every tool on the client resolves it
    /// ([`host::resolve`]); else a resource name (an instance, a load balancer, an endpoint).
    pub fn resolve_host(&self, client: impl Into<Client>, host: &str) -> Result<Ipv4Addr, String> {
        let w = &self.world;
        let client = client.into();
        let unresolved = match host::resolve(w, client, host) {
            Ok(ip) => return Ok(ip),
            Err(e) => e,
        };
        if let Some(ip) = self.resource(host).and_then(|h| resource_address(w, client, h)) {
            return Ok(ip);
        }
        let hint = self.hint(host);
        Err(match unresolved {
            HostError::DnsOff { .. } => {
                format!("unknown host {unresolved}, and no resource has that name{hint}")
            }
            _ => format!("unknown host {host}: not an address, a name the VPC resolves, or a resource{hint}"),
        })
    }

    /// What `host` means to a client on the internet: an address, a name a public resolver
    /// answers, or a resource's public address (an instance's public IP, a load balancer's name).
    pub fn resolve_public(&self, host: &str) -> Result<Ipv4Addr, String> {
        let w = &self.world;
        if let Ok(ip) = host.parse() {
            return Ok(ip);
        }
        let answer = w.resolve(View::Public, host);
        if let (Rcode::NoError, Some(ip)) = (answer.rcode, answer.addrs.first()) {
            return Ok(*ip);
        }
        let client = Client::Internet(INTERNET_CLIENT);
        if let Some(ip) = self.resource(host).and_then(|h| resource_address(w, client, h)) {
            return Ok(ip);
        }
        let hint = self.hint(host);
        Err(format!(
            "unknown host {host}: not an address, a name public DNS answers, or a resource with a public address{hint}"
        ))
    }

    /// Every name a destination could be given as, for "did you mean".
    pub fn host_names(&self) -> Vec<String> {
        let w = &self.world;
        let mut names: Vec<String> = Vec::new();
        for i in w.instances().ids() {
            names.extend(w.name_of(Handle::Instance(i)).map(str::to_string));
        }
        for lb in w.lbs().values().filter(|l| !l.deleted) {
            names.push(lb.name.clone());
            names.push(lb.dns_name.clone());
        }
        for e in w.endpoints().ids() {
            names.extend(w.endpoint_dns_names(e));
        }
        for stack in self.stacks.values() {
            names.extend(stack.resources.keys().cloned());
        }
        names
    }

    fn resource(&self, name: &str) -> Option<Handle> {
        match self.resolve_name(name) {
            Resolution::Found { ref_value, .. } => self.world.find(&ref_value),
            _ => None,
        }
    }

    fn hint(&self, host: &str) -> String {
        let names = self.host_names();
        crate::command::closest(host, names.iter().map(String::as_str))
            .map(|n| format!(" (did you mean {n}?)"))
            .unwrap_or_default()
    }
}

/// The address a flow from `from` to a resource goes to: an instance's private IP in the
/// same VPC (its public IP elsewhere and from the internet), what a load balancer's name
/// resolves to, an endpoint's first interface, an interface's private IP (its public one
/// from the internet).
fn resource_address(w: &World, from: Client, h: Handle) -> Option<Ipv4Addr> {
    let outside = matches!(from, Client::Internet(_));
    match h {
        Handle::Instance(i) => {
            let e = &w[w[i].eni];
            if w.app_source_vpc(from) == Some(e.vpc) {
                Some(e.private_ip)
            } else {
                w.public_ip_of(w[i].eni).or((!outside).then_some(e.private_ip))
            }
        }
        Handle::Lb(l) => host::resolve(w, from, &w[l].dns_name).ok(),
        Handle::Endpoint(e) if !outside => w[e].enis.first().map(|x| w[x].private_ip),
        Handle::Eni(e) if outside => w.public_ip_of(e),
        Handle::Eni(e) => Some(w[e].private_ip),
        _ => None,
    }
}
