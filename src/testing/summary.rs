//! A readable summary of a generated world and its flows: what a person needs to
//! follow a failing property (blocks, routes, rules, addresses, states), one line
//! per resource, by Name tag, not a dump of the arenas.

use std::fmt::{self, Write};

use crate::addr::RuleProtocol;
use crate::model::eni::EniOwner;
use crate::model::nacl::AclEntry;
use crate::model::security_group::{Peer, SgRule};
use crate::model::vpc_endpoint::ServiceRef;
use crate::trace::Flow;
use crate::world::{Handle, World};
use crate::{ids::*, model::instance::InstanceState};

/// A resource's Name tag, else its AWS id.
pub fn label(w: &World, h: Handle) -> String {
    w.name_of(h).map_or_else(|| w.aws_id(h).to_string(), str::to_string)
}

fn eni_label(w: &World, e: EniId) -> String {
    let x = &w[e];
    let owner = match x.owner {
        EniOwner::Instance(i) => label(w, Handle::Instance(i)),
        EniOwner::LoadBalancer(lb) => format!("{} node", label(w, Handle::Lb(lb))),
        EniOwner::Endpoint(ep) => label(w, Handle::Endpoint(ep)),
        EniOwner::NatGateway(n) => label(w, Handle::NatGateway(n)),
        EniOwner::Detached => "eni".into(),
    };
    format!("{owner} ({})", x.private_ip)
}

fn ports(protocol: RuleProtocol, p: crate::addr::PortRange) -> String {
    if protocol == RuleProtocol::All {
        String::new()
    } else {
        format!(" {p}")
    }
}

fn rule(w: &World, r: &SgRule) -> String {
    let peer = match &r.peer {
        Peer::Cidr(c) => c.to_string(),
        Peer::Group(g) => label(w, Handle::Sg(*g)),
        Peer::PrefixList(p) => w[p].aws_id.clone(),
    };
    format!("{}{} {peer}", r.protocol, ports(r.protocol, r.ports))
}

fn entry(e: &AclEntry) -> String {
    format!("{} {} {}{} {}", e.number, e.action.as_str(), e.protocol, ports(e.protocol, e.ports), e.cidr)
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.iter().map(f).collect::<Vec<_>>().join("; ")
    }
}

/// Write the summary of `w` and `flows` to `out`.
pub fn write(out: &mut impl Write, w: &World, flows: &[(EniId, Flow)]) -> fmt::Result {
    writeln!(out, "world at t={}s", w.now_ms() / 1000)?;
    for (v, vpc) in w.vpcs().values().enumerate() {
        let v = VpcId(v as u32);
        let igw = w.igws().values().enumerate().find(|(_, g)| g.attached == Some(v));
        let igw = igw.map_or("no igw".into(), |(g, _)| label(w, Handle::Igw(IgwId(g as u32))));
        writeln!(out, "{} {} {igw}", label(w, Handle::Vpc(v)), vpc.cidr)?;
        vpc_body(out, w, v)?;
    }
    lbs_and_endpoints(out, w)?;
    writeln!(out, "flows:")?;
    for (eni, f) in flows {
        writeln!(out, "  from {}: {} seq {}", eni_label(w, *eni), f.header, f.seq)?;
    }
    Ok(())
}

fn vpc_body(out: &mut impl Write, w: &World, v: VpcId) -> fmt::Result {
    for (t, rt) in w.route_tables().values().enumerate().filter(|(_, r)| r.vpc == v) {
        let t = RouteTableId(t as u32);
        let routes = list(&rt.routes, |r| {
            let state = if w.route_is_active(t, &r.target) { "" } else { " (blackhole)" };
            let target = match &r.target {
                crate::model::route_table::RouteTarget::Igw(g) => label(w, Handle::Igw(*g)),
                crate::model::route_table::RouteTarget::Instance(i) => label(w, Handle::Instance(*i)),
                other => w.route_target_id(other),
            };
            format!("{} -> {target}{state}", r.destination)
        });
        let main = if rt.main { "main " } else { "" };
        writeln!(out, "  {main}route table {}: {routes}", label(w, Handle::RouteTable(t)))?;
    }
    for (g, sg) in w.sgs().values().enumerate().filter(|(_, s)| s.vpc == v) {
        let g = Handle::Sg(SgId(g as u32));
        let (i, e) = (list(&sg.ingress, |r| rule(w, r)), list(&sg.egress, |r| rule(w, r)));
        writeln!(out, "  group {}: in {i} | out {e}", label(w, g))?;
    }
    for (a, acl) in w.nacls().values().enumerate().filter(|(_, n)| n.vpc == v && !n.is_default) {
        let (i, e) = (list(&acl.ingress, entry), list(&acl.egress, entry));
        writeln!(out, "  nacl {}: in {i} | out {e}", label(w, Handle::Nacl(NaclId(a as u32))))?;
    }
    for (s, sn) in w.subnets().values().enumerate().filter(|(_, s)| s.vpc == v) {
        let s = SubnetId(s as u32);
        let rt = label(w, Handle::RouteTable(w.route_table_of(s)));
        let acl = label(w, Handle::Nacl(sn.nacl));
        writeln!(
            out,
            "  subnet {} {} {} table {rt} nacl {acl}",
            label(w, Handle::Subnet(s)),
            sn.cidr,
            sn.az
        )?;
        for (i, inst) in w.instances().values().enumerate() {
            let e = &w[inst.eni];
            if e.subnet != s {
                continue;
            }
            let public = w.public_ip_of(inst.eni).map_or(String::new(), |p| format!(" public {p}"));
            let groups = list(&e.groups, |g| label(w, Handle::Sg(*g)));
            let check = if e.source_dest_check { "" } else { " src/dst check off" };
            let check = format!("{check}{}", kernel(&inst.forwarding));
            let http =
                if inst.service(crate::addr::Protocol::Tcp, 80).is_some() { " serves :80" } else { "" };
            let state = if inst.state == InstanceState::Running {
                String::new()
            } else {
                format!(" {}", inst.state.as_str())
            };
            let name = label(w, Handle::Instance(InstanceId(i as u32)));
            writeln!(out, "    {name} {}{public} groups {groups}{check}{http}{state}", e.private_ip)?;
        }
    }
    Ok(())
}

/// G5: what an instance's kernel does with packets for others, when set up to route.
fn kernel(f: &crate::model::nat_instance::Forwarding) -> String {
    if !f.is_configured() {
        return String::new();
    }
    let rules = f.masquerade.iter().map(|m| {
        let part =
            |flag: &str, c: Option<crate::addr::Cidr>| c.map_or(String::new(), |c| format!(" {flag} {c}"));
        format!("masquerade{}{}", part("-s", m.source), part("-d", m.destination))
    });
    let forward = if f.ip_forward { "ip_forward" } else { "no ip_forward" };
    format!(" {}", std::iter::once(forward.to_string()).chain(rules).collect::<Vec<_>>().join(", "))
}

fn lbs_and_endpoints(out: &mut impl Write, w: &World) -> fmt::Result {
    for (l, lb) in w.lbs().values().enumerate() {
        let nodes = list(&lb.nodes, |n| {
            let public = w.public_ip_of(n.eni).map_or(String::new(), |p| format!("/{p}"));
            format!("{} {}{public}", n.az, w[n.eni].private_ip)
        });
        let groups = list(&lb.security_groups, |g| label(w, Handle::Sg(*g)));
        let cz = if lb.cross_zone { " cross-zone" } else { "" };
        let name = label(w, Handle::Lb(LbId(l as u32)));
        writeln!(out, "{name} {}{cz} groups {groups} nodes {nodes}", lb.scheme.as_str())?;
        for x in &lb.listeners {
            let x = &w[x];
            let Some(tg) = x.target_group else { continue };
            let targets = list(&w[tg].targets, |t| {
                // `-` when the group has no targets.
                let id = match t.target {
                    crate::model::nlb::TargetRef::Instance(i) => label(w, Handle::Instance(i)),
                    crate::model::nlb::TargetRef::Ip(ip) => ip.to_string(),
                };
                format!("{id}:{} {}", t.port, t.state.as_str())
            });
            let group = &w[tg].name;
            writeln!(out, "  listener {}:{} -> {group}: {targets}", x.protocol.as_str(), x.port)?;
        }
    }
    for (s, svc) in w.services().values().enumerate() {
        let nlbs = list(&svc.nlbs, |lb| label(w, Handle::Lb(*lb)));
        let acceptance = if svc.acceptance_required { " acceptance required" } else { "" };
        writeln!(out, "{} fronts {nlbs}{acceptance}", label(w, Handle::Service(ServiceId(s as u32))))?;
    }
    for (e, ep) in w.endpoints().values().enumerate() {
        let enis = list(&ep.enis, |x| {
            let x = &w[x];
            format!("{} {}", x.private_ip, w[x.subnet].az)
        });
        let groups = list(&ep.groups, |g| label(w, Handle::Sg(*g)));
        let name = label(w, Handle::Endpoint(EndpointId(e as u32)));
        let svc = match ep.service {
            ServiceRef::Provider(s) => label(w, Handle::Service(s)),
            ServiceRef::Aws(a) => a.service_name(w.region().name),
        };
        let vpc = label(w, Handle::Vpc(ep.vpc));
        let dns = if ep.private_dns_enabled { " private dns" } else { "" };
        writeln!(out, "{name} in {vpc} to {svc} {}{dns} enis {enis} groups {groups}", ep.state.as_str())?;
    }
    for (g, ge) in w.gateway_endpoints().values().enumerate().filter(|(_, g)| !g.deleted) {
        let tables = list(&ge.route_tables, |t| label(w, Handle::RouteTable(*t)));
        let name = label(w, Handle::GatewayEndpoint(GatewayEndpointId(g as u32)));
        let vpc = label(w, Handle::Vpc(ge.vpc));
        let policy = if ge.policy == Default::default() {
            String::new()
        } else {
            format!(" policy {}", ge.policy.document)
        };
        writeln!(
            out,
            "{name} in {vpc} to {} ({}) tables {tables}{policy}",
            ge.service_name, w[ge.prefix_list].aws_id
        )?;
    }
    Ok(())
}
