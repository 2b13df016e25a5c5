//! Secondary private IPv4 addresses of a network interface (M6) and the rules they
//! extend: a flow to any address of an interface arrives on it (M5), an Elastic IP on a
//! secondary address is translated to that address and back (I1), each address is
//! inside its subnet, not reserved and held once (A2, A4), the instance type bounds how
//! many an interface holds, and only the primary address has a private DNS name. The
//! network: tests/data/public/secondary-private-addresses.cfn.yaml, written from scratch
//! in the shapes of AWS's sample of an instance with several static addresses.

use std::net::Ipv4Addr;

use indexmap::IndexMap;
use vpcsim::addr::Protocol;
use vpcsim::command::app::parse_line;
use vpcsim::dns::View;
use vpcsim::forward::INTERNET_CLIENT;
use vpcsim::ids::*;
use vpcsim::ops::private_ip::AssignPrivateIps;
use vpcsim::scenario::Backend;
use vpcsim::session::Session;
use vpcsim::stack::create_stack;
use vpcsim::stack::import;
use vpcsim::trace::{ComponentKind as K, Flow, Header, Hop};
use vpcsim::world::{Handle, World};

const FILE: &str = "secondary-private-addresses.cfn.yaml";

fn text() -> String {
    let path = format!("{}/tests/data/public/{FILE}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

struct Net {
    w: World,
    outputs: IndexMap<String, String>,
    web: InstanceId,
    eth0: EniId,
    client: InstanceId,
    eip1: Ipv4Addr,
    eip2: Ipv4Addr,
}

fn net() -> Net {
    let mut w = World::in_region("us-east-1", 7).unwrap();
    let stack = create_stack(&mut w, "secondary", FILE, &text(), &IndexMap::new(), &IndexMap::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let find = |w: &World, id: &str| w.find(&stack.resources[id].1.physical_id).unwrap();
    let Handle::Instance(web) = find(&w, "EC2Instance") else { panic!() };
    let Handle::Instance(client) = find(&w, "Client") else { panic!() };
    let Handle::Eni(eth0) = find(&w, "Eth0") else { panic!() };
    let eip = |id: &str| ip(&stack.resources[id].1.physical_id);
    let (eip1, eip2) = (eip("EIP1"), eip("EIP2"));
    w.serve_http(web, 80, "httpd", "static addresses");
    Net { w, outputs: stack.outputs.clone(), web, eth0, client, eip1, eip2 }
}

fn tcp(src: Ipv4Addr, dst: Ipv4Addr, port: u16) -> Flow {
    Flow { header: Header { src, dst, protocol: Protocol::Tcp, src_port: 40000, dst_port: port }, seq: 1 }
}

fn kinds(hops: &[Hop]) -> Vec<K> {
    hops.iter().map(|h| h.kind).collect()
}

/// The gateway's hop: the packet before and after it was translated.
fn at_gateway(hops: &[Hop]) -> (Header, Header) {
    let h = hops.iter().find(|h| h.kind == K::InternetGateway).expect("an internet gateway hop");
    (h.inbound.unwrap(), h.outbound.unwrap())
}

#[test]
fn the_samples_shapes_import_with_nothing_refused_and_the_outputs_name_both_addresses_m6() {
    let r = import::import(FILE, &text(), &IndexMap::new(), "us-east-1").unwrap();
    assert!(r.accepted(), "{r:?}");
    assert_eq!(r.resources.iter().filter(|x| x.status != import::Status::Modelled).count(), 0, "{r:?}");
    let n = net();
    let subnet = &n.w[n.w[n.eth0].subnet].aws_id;
    assert_eq!(n.outputs["PrimaryPrivateIPAddress"], format!("IP address 10.70.1.10 on subnet {subnet}"));
    assert_eq!(n.outputs["SecondaryPrivateIPAddresses"], format!("IP address 10.70.1.11 on subnet {subnet}"));
}

#[test]
fn an_instances_own_interface_entry_gets_the_count_of_addresses_its_subnet_picks_m6_a2() {
    let n = net();
    let e = &n.w[n.w[n.client].eni];
    assert_eq!(e.private_ip, ip("10.70.1.20"));
    let picked: Vec<Ipv4Addr> = e.secondary_ips.iter().map(|s| s.ip).collect();
    assert_eq!(picked.len(), 2, "{picked:?}");
    assert_ne!(picked[0], picked[1]);
    for a in &picked {
        assert!(n.w[e.subnet].cidr.contains(*a) && n.w[e.subnet].reserved(*a).is_none(), "{a}");
        assert_eq!(n.w.eni_by_private_ip(e.vpc, *a), Some(n.w[n.client].eni), "{a}");
    }
}

#[test]
fn m5_m6_a_flow_to_a_secondary_address_arrives_on_the_interface_that_holds_it() {
    let n = net();
    let from = n.w[n.client].eni;
    let t = n.w.trace(from, tcp(n.w[from].private_ip, ip("10.70.1.11"), 80));
    assert!(t.reachable(), "{t:?}");
    assert_eq!(
        kinds(&t.forward),
        [
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::SecurityGroup,
            K::NetworkInterface,
            K::Instance
        ]
    );
    assert_eq!(t.forward[4].id.as_ref(), n.w[n.eth0].aws_id);
    assert_eq!(t.forward[5].id.as_ref(), n.w[n.web].aws_id);
    assert_eq!(t.delivered.map(|h| h.dst), Some(ip("10.70.1.11")));
}

#[test]
fn i1_m6_an_elastic_ip_on_a_secondary_address_is_translated_to_that_address_and_back() {
    let n = net();
    let t = n.w.trace_from_internet(tcp(INTERNET_CLIENT, n.eip2, 80));
    assert!(t.reachable(), "{t:?}");
    assert_eq!(
        kinds(&t.forward),
        [
            K::Internet,
            K::Internet,
            K::InternetGateway,
            K::NetworkAcl,
            K::SecurityGroup,
            K::NetworkInterface,
            K::Instance
        ]
    );
    let (before, after) = at_gateway(&t.forward);
    assert_eq!((before.dst, after.dst), (n.eip2, ip("10.70.1.11")));
    assert_eq!(t.delivered.map(|h| h.dst), Some(ip("10.70.1.11")));
    let (before, after) = at_gateway(&t.ret);
    assert_eq!(
        (before.src, after.src),
        (ip("10.70.1.11"), n.eip2),
        "the reply leaves as the Elastic IP it came to"
    );
    let to_primary = n.w.trace_from_internet(tcp(INTERNET_CLIENT, n.eip1, 80));
    assert_eq!(
        to_primary.delivered.map(|h| h.dst),
        Some(ip("10.70.1.10")),
        "the primary's Elastic IP maps to the primary"
    );
    assert_eq!(kinds(&to_primary.forward), kinds(&t.forward));
    assert_eq!(kinds(&to_primary.ret), kinds(&t.ret));
}

#[test]
fn i1_m6_a_new_flow_from_the_instance_leaves_from_its_primary_address_as_the_primarys_elastic_ip() {
    let n = net();
    let t = n.w.trace(n.eth0, tcp(ip("10.70.1.10"), vpcsim::region::CHECKIP_ADDR, 80));
    assert!(t.reachable(), "{t:?}");
    let (before, after) = at_gateway(&t.forward);
    assert_eq!((before.src, after.src), (ip("10.70.1.10"), n.eip1));
    let mut s = Session::new(n.w.clone());
    let out = s.run_app(&n.w[n.web].aws_id, &parse_line("curl http://checkip.amazonaws.com/").unwrap());
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), n.eip1.to_string(), "vpcsim's tools send from the primary address");
}

#[test]
fn curl_to_a_secondary_address_and_to_its_elastic_ip_is_answered_with_the_path_shown_m5_i1() {
    let n = net();
    let mut s = Session::new(n.w.clone());
    let out = s.run_app(&n.w[n.client].aws_id, &parse_line("curl http://10.70.1.11/").unwrap());
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("static addresses"), "{}", out.stdout);
    let t = out.trace.unwrap();
    assert_eq!(t.forward.last().map(|h| h.id.as_ref()), Some(n.w[n.web].aws_id.as_str()));
    let out = s.run_app("internet", &parse_line(&format!("curl http://{}/", n.eip2)).unwrap());
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("static addresses"), "{}", out.stdout);
    let t = out.trace.unwrap();
    assert_eq!(at_gateway(&t.forward).1.dst, ip("10.70.1.11"));
    assert_eq!(t.delivered.map(|h| (h.src, h.dst)), Some((INTERNET_CLIENT, ip("10.70.1.11"))));
}

#[test]
fn d3_m6_the_private_dns_name_is_the_primary_addresss_only() {
    let n = net();
    let vpc = n.w[n.eth0].vpc;
    let primary = n.w.resolve(View::Vpc(vpc), "ip-10-70-1-10.ec2.internal");
    assert_eq!(primary.addrs, [ip("10.70.1.10")]);
    let secondary = n.w.resolve(View::Vpc(vpc), "ip-10-70-1-11.ec2.internal");
    assert!(secondary.addrs.is_empty(), "{secondary:?}");
}

#[test]
fn m6_describe_network_interfaces_lists_each_address_with_primary_and_its_elastic_ip() {
    let n = net();
    let v = vpcsim::describe::network_interfaces(&n.w);
    let eth0 = v["NetworkInterfaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["NetworkInterfaceId"] == n.w[n.eth0].aws_id.as_str())
        .unwrap();
    assert_eq!(
        eth0["PrivateIpAddresses"],
        serde_json::json!([
            {"Primary": true, "PrivateIpAddress": "10.70.1.10", "Association": {"PublicIp": n.eip1.to_string(), "IpOwnerId": "amazon"}},
            {"Primary": false, "PrivateIpAddress": "10.70.1.11", "Association": {"PublicIp": n.eip2.to_string(), "IpOwnerId": "amazon"}},
        ])
    );
}

#[test]
fn m6_unassigning_a_secondary_address_frees_it_and_disassociates_its_elastic_ip() {
    let mut n = net();
    let vpc = n.w[n.eth0].vpc;
    n.w.unassign_private_ip_addresses(n.eth0, &[ip("10.70.1.11")]).unwrap();
    assert_eq!(n.w.eni_by_private_ip(vpc, ip("10.70.1.11")), None);
    assert_eq!(n.w.eni_by_public_ip(n.eip2), None);
    let (_, eip2) = n.w.eips().iter().find(|(_, a)| a.public_ip == n.eip2).unwrap();
    assert_eq!((eip2.eni, eip2.private_ip), (None, None));
    let t = n.w.trace_from_internet(tcp(INTERNET_CLIENT, n.eip2, 80));
    assert!(!t.reachable());
    let err = n.w.unassign_private_ip_addresses(n.eth0, &[ip("10.70.1.10")]).unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue", "the primary address stays");
}

#[test]
fn m6_assigning_past_the_instance_types_limit_is_refused_and_changes_nothing() {
    let mut n = net();
    let before = format!("{:?}", n.w);
    // t2.small: 4 addresses per interface; Eth0 holds 2.
    let err =
        n.w.assign_private_ip_addresses(n.eth0, AssignPrivateIps { count: 3, ..Default::default() })
            .unwrap_err();
    assert_eq!(err.code, "PrivateIpAddressLimitExceeded");
    assert_eq!(format!("{:?}", n.w), before);
    let got =
        n.w.assign_private_ip_addresses(n.eth0, AssignPrivateIps { count: 2, ..Default::default() }).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(n.w[n.eth0].secondary_ips.len(), 3);
}

#[test]
fn a4_m6_an_address_another_interface_holds_moves_only_with_allow_reassignment() {
    let mut n = net();
    let client = n.w[n.client].eni;
    let taken = n.w[client].secondary_ips[0].ip;
    let ask = |allow| AssignPrivateIps { ips: vec![taken], allow_reassignment: allow, ..Default::default() };
    let err = n.w.assign_private_ip_addresses(n.eth0, ask(false)).unwrap_err();
    assert_eq!(err.code, "InvalidIPAddress.InUse");
    n.w.assign_private_ip_addresses(n.eth0, ask(true)).unwrap();
    assert_eq!(n.w.eni_by_private_ip(n.w[client].vpc, taken), Some(n.eth0));
    assert!(n.w[client].secondary(taken).is_none());
    let primary =
        AssignPrivateIps { ips: vec![ip("10.70.1.20")], allow_reassignment: true, ..Default::default() };
    let err = n.w.assign_private_ip_addresses(n.eth0, primary).unwrap_err();
    assert_eq!(err.code, "InvalidIPAddress.InUse", "a primary address never moves");
}

#[test]
fn m6_an_elastic_ip_associated_with_an_address_the_interface_does_not_hold_is_refused() {
    let mut n = net();
    let eip = n.w.allocate_address(Default::default());
    let err = n.w.associate_address_with(eip, n.eth0, Some(ip("10.70.1.99"))).unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue");
    assert_eq!(n.w[eip].eni, None);
}

mod reach {
    use vpcsim::analyzer::probe::Probe;
    use vpcsim::analyzer::select::{self, Source, Target};
    use vpcsim::analyzer::{cell, Matrix, Verdict, DEFAULT_PROBES};

    use super::*;

    fn matrix(w: &World) -> Matrix {
        Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
    }

    /// The matrix's verdict for the internet to `web` on TCP 80, after checking that every
    /// cell equals the cell walked alone (the classes are exact).
    fn internet_to_web(w: &World, web: InstanceId) -> Verdict {
        let m = matrix(w);
        for (si, s) in m.sources.iter().enumerate() {
            for (ti, t) in m.targets.iter().enumerate() {
                for (pi, p) in m.probes.iter().enumerate() {
                    assert_eq!(
                        m.verdict(si, ti, pi),
                        cell::evaluate(w, *s, *t, *p).verdict,
                        "{s:?} -> {t:?} {p}"
                    );
                }
            }
        }
        let si = m.sources.iter().position(|s| *s == Source::Internet).unwrap();
        let ti = m.targets.iter().position(|t| *t == Target::Instance(web)).unwrap();
        let pi = m.probes.iter().position(|p| *p == Probe::tcp(80)).unwrap();
        m.verdict(si, ti, pi)
    }

    #[test]
    fn the_matrix_counts_an_instance_reached_at_its_secondary_addresss_elastic_ip_m6_i1() {
        let mut n = net();
        assert_eq!(internet_to_web(&n.w, n.web), Verdict::Reachable);
        let eip1 = n.w.eips().iter().find(|(_, a)| a.public_ip == n.eip1).map(|(x, _)| x).unwrap();
        n.w.disassociate_address(eip1);
        assert_eq!(n.w.public_ip_of(n.eth0), None, "the primary address has no public address now");
        assert_eq!(
            internet_to_web(&n.w, n.web),
            Verdict::Reachable,
            "reached at the secondary address's Elastic IP"
        );
        let (verdict, trace) = cell::explain(&n.w, Source::Internet, Target::Instance(n.web), Probe::tcp(80));
        assert_eq!(verdict, Verdict::Reachable);
        assert_eq!(trace.and_then(|t| t.delivered).map(|h| h.dst), Some(ip("10.70.1.11")));
        n.w.unassign_private_ip_addresses(n.eth0, &[ip("10.70.1.11")]).unwrap();
        assert_ne!(internet_to_web(&n.w, n.web), Verdict::Reachable);
    }
}

#[test]
fn m6_a_load_balancer_nodes_interface_is_not_the_accounts_to_give_addresses_to() {
    let lab = vpcsim::lab::Lab::build(vpcsim::lab::LabOptions::default()).unwrap();
    let mut w = lab.world;
    let node = w[lab.nlb].nodes[0].eni;
    let err =
        w.assign_private_ip_addresses(node, AssignPrivateIps { count: 1, ..Default::default() }).unwrap_err();
    assert_eq!(err.code, "AuthFailure");
}

#[test]
fn a4_m6_a_reassigned_address_must_still_lie_in_the_interfaces_subnet() {
    let mut w = World::in_region("us-east-1", 7).unwrap();
    let v = w
        .create_vpc(vpcsim::ops::vpc::CreateVpc {
            cidr: Some("10.9.0.0/16".parse().unwrap()),
            ..Default::default()
        })
        .unwrap();
    let subnet = |w: &mut World, block: &str| {
        w.create_subnet(vpcsim::ops::vpc::CreateSubnet {
            vpc: Some(v),
            cidr: Some(block.parse().unwrap()),
            ..Default::default()
        })
        .unwrap()
    };
    let (a, b) = (subnet(&mut w, "10.9.1.0/24"), subnet(&mut w, "10.9.2.0/24"));
    let new = |w: &mut World, s, ips: Vec<Ipv4Addr>| {
        w.create_network_interface(vpcsim::ops::ec2::CreateNetworkInterface {
            subnet: Some(s),
            secondary_ips: ips,
            ..Default::default()
        })
        .unwrap()
    };
    let holder = new(&mut w, a, vec![ip("10.9.1.50")]);
    let other = new(&mut w, b, vec![]);
    let ask = AssignPrivateIps { ips: vec![ip("10.9.1.50")], allow_reassignment: true, ..Default::default() };
    let err = w.assign_private_ip_addresses(other, ask).unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue", "{err:?}");
    assert_eq!(w.eni_by_private_ip(v, ip("10.9.1.50")), Some(holder));
}
