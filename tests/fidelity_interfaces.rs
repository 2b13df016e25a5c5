//! Instances with several network interfaces (M4, M5): what may be attached where, what
//! a refused call leaves (nothing changed), what terminating an instance does to each
//! interface, and which interface a flow arrives on and leaves by. The network: VPC
//! 10.60.0.0/16 with a public subnet (internet route) and a management subnet in one AZ,
//! a third subnet in another AZ; Web has eth0 in the public subnet and eth1 in the
//! management subnet.

mod common;

use common::*;
use vpcsim::addr::PortRange;
use vpcsim::apps::nc::Nc;
use vpcsim::ids::*;
use vpcsim::model::eni::EniOwner;
use vpcsim::model::flow_log::{FlowLogResource, LogDestination, LogFormat, TrafficType};
use vpcsim::ops::attachment::{LaunchInterface, LaunchNic};
use vpcsim::ops::ec2::{CreateNetworkInterface, RunInstance};
use vpcsim::ops::flow_log::CreateFlowLog;
use vpcsim::trace::{ComponentKind as K, ExplanationCode as C};
use vpcsim::world::World;

struct Net {
    w: World,
    public: SubnetId,
    management: SubnetId,
    other_az: SubnetId,
    web: InstanceId,
    admin: InstanceId,
}

/// A new interface at `ip` in `subnet`, with `groups`.
fn new_interface(subnet: SubnetId, groups: &[SgId], ip: &str) -> CreateNetworkInterface {
    CreateNetworkInterface {
        subnet: Some(subnet),
        groups: groups.to_vec(),
        private_ip: Some(common::ip(ip)),
        ..Default::default()
    }
}

fn net() -> Net {
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.60.0.0/16");
    let public = subnet(&mut w, v, "10.60.1.0/24", 0);
    let management = subnet(&mut w, v, "10.60.2.0/24", 0);
    let other_az = subnet(&mut w, v, "10.60.3.0/24", 1);
    let igw = internet_gateway(&mut w, v);
    public_route_table(&mut w, v, igw, &[public]);
    let web_sg = group(&mut w, v, "web", &[80], "0.0.0.0/0");
    let ssh_sg = group(&mut w, v, "ssh", &[22], "10.60.2.0/24");
    let web = w
        .run_instance(RunInstance {
            subnet: Some(public),
            groups: vec![web_sg],
            private_ip: Some(ip("10.60.1.10")),
            instance_type: Some("t3.small".into()),
            secondary: vec![LaunchInterface {
                device_index: 1,
                interface: LaunchNic::New(new_interface(management, &[ssh_sg], "10.60.2.10")),
                delete_on_termination: None,
            }],
            ..Default::default()
        })
        .unwrap();
    let eip = w.allocate_address(Default::default());
    w.associate_address(eip, eni(&w, web)).unwrap();
    w.serve_http(web, 80, "httpd", "web");
    let admin = w
        .run_instance(RunInstance {
            subnet: Some(public),
            private_ip: Some(ip("10.60.1.20")),
            secondary: vec![LaunchInterface {
                device_index: 1,
                interface: LaunchNic::New(new_interface(management, &[], "10.60.2.20")),
                delete_on_termination: None,
            }],
            ..Default::default()
        })
        .unwrap();
    Net { w, public, management, other_az, web, admin }
}

/// A standalone interface in `subnet`.
fn spare(w: &mut World, subnet: SubnetId) -> EniId {
    w.create_network_interface(CreateNetworkInterface { subnet: Some(subnet), ..Default::default() }).unwrap()
}

#[test]
fn m4_an_instance_launched_with_two_interfaces_lists_both_at_their_device_indexes() {
    let n = net();
    let w = &n.w;
    let enis: Vec<EniId> = w[n.web].enis().collect();
    let placed: Vec<(SubnetId, u32)> =
        enis.iter().map(|e| (w[*e].subnet, w[*e].attachment.as_ref().unwrap().device_index)).collect();
    assert_eq!(placed, [(n.public, 0), (n.management, 1)]);
    assert!(enis.iter().all(|e| w[*e].owner == EniOwner::Instance(n.web)));
}

#[test]
fn m4_an_interface_in_another_availability_zone_cannot_be_attached_and_nothing_changes() {
    let mut n = net();
    let e = spare(&mut n.w, n.other_az);
    let before = format!("{:?}", n.w);
    let err = n.w.attach_network_interface(e, n.web, 2, false).unwrap_err();
    assert_eq!(err.code, "InvalidParameterCombination", "{}", err.message);
    assert!(err.message.contains("same availability zone"), "{}", err.message);
    assert_eq!(format!("{:?}", n.w), before);
}

#[test]
fn m4_a_device_index_is_used_once() {
    let mut n = net();
    let e = spare(&mut n.w, n.management);
    let err = n.w.attach_network_interface(e, n.web, 1, false).unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue");
    assert!(err.message.contains("already has an interface attached at device index '1'"), "{}", err.message);
}

#[test]
fn m4_an_attached_interface_is_in_use_and_the_primary_cannot_be_detached() {
    let mut n = net();
    let eth1 = n.w[n.web].secondary_enis[0];
    let err = n.w.attach_network_interface(eth1, n.admin, 2, false).unwrap_err();
    assert!(err.message.contains("in use"), "{}", err.message);
    let primary = n.w[eni(&n.w, n.web)].attachment.clone().unwrap();
    let err = n.w.detach_network_interface(&primary.id).unwrap_err();
    assert_eq!(err.code, "OperationNotPermitted");
}

#[test]
fn m4_the_instance_type_limits_how_many_interfaces_it_has() {
    let mut n = net();
    // Admin is a t2.micro (the default type): two interfaces at most.
    let e = spare(&mut n.w, n.management);
    let err = n.w.attach_network_interface(e, n.admin, 2, false).unwrap_err();
    assert_eq!(err.code, "AttachmentLimitExceeded");
    assert!(err.message.contains("Interface count 3 exceeds the limit for t2.micro"), "{}", err.message);
    // Web is a t3.small: three.
    assert!(n.w.attach_network_interface(e, n.web, 2, false).is_ok());
}

#[test]
fn m4_a_public_address_at_launch_is_refused_with_several_interfaces() {
    let mut n = net();
    let err =
        n.w.run_instance(RunInstance {
            subnet: Some(n.public),
            public_ip: Some(true),
            secondary: vec![LaunchInterface {
                device_index: 1,
                interface: LaunchNic::New(CreateNetworkInterface {
                    subnet: Some(n.management),
                    ..Default::default()
                }),
                delete_on_termination: None,
            }],
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameterCombination");
}

#[test]
fn m4_associate_address_by_instance_needs_an_instance_with_one_interface() {
    let n = net();
    let err = n.w.only_interface("AssociateAddress", n.web).unwrap_err();
    assert!(err.message.contains("multiple interfaces attached to instance"), "{}", err.message);
}

#[test]
fn m4_terminating_deletes_interfaces_made_at_launch_and_detaches_those_attached_later() {
    let mut n = net();
    let later = spare(&mut n.w, n.management);
    n.w.attach_network_interface(later, n.web, 2, false).unwrap();
    let launched = n.w[n.web].secondary_enis[0];
    n.w.terminate_instance(n.web);
    assert!(n.w[launched].deleted);
    assert!(!n.w[later].deleted);
    assert_eq!(n.w[later].owner, EniOwner::Detached);
    assert!(n.w[later].attachment.is_none());
}

#[test]
fn m4_an_interface_of_another_vpc_in_the_same_zone_can_be_attached() {
    let mut n = net();
    let v2 = vpc(&mut n.w, "10.70.0.0/16");
    let s2 = subnet(&mut n.w, v2, "10.70.1.0/24", 0);
    let e = spare(&mut n.w, s2);
    assert!(n.w.attach_network_interface(e, n.web, 2, false).is_ok());
    assert_eq!(n.w.source_interface(n.web, ip("10.70.1.50")), e);
}

#[test]
fn m5_a_flow_to_the_management_subnet_leaves_by_the_management_interface() {
    let n = net();
    let w = &n.w;
    let eth1 = w[n.admin].secondary_enis[0];
    assert_eq!(w.source_interface(n.admin, ip("10.60.2.10")), eth1);
    assert_eq!(w.source_interface(n.admin, ip("10.60.1.10")), eni(w, n.admin));
    assert_eq!(w.source_interface(n.admin, ip("8.8.8.8")), eni(w, n.admin), "the default route is on eth0");
    let t = w.trace(eth1, tcp(ip("10.60.2.20"), ip("10.60.2.10"), 22));
    assert!(t.reachable(), "{t:?}");
    // R7: same subnet, delivered directly; the groups of both interfaces decide.
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
    assert_eq!(t.forward[4].id.to_string(), w[w[n.web].secondary_enis[0]].aws_id);
}

#[test]
fn m5_ssh_to_the_public_interface_meets_only_that_interfaces_groups() {
    let n = net();
    let w = &n.w;
    let t = w.trace_from_internet(tcp(vpcsim::forward::INTERNET_CLIENT, public_ip(w, n.web), 22));
    assert_eq!(t.explanation.as_ref().map(|e| e.code), Some(C::EniSgRulesMismatch), "{t:?}");
    let web = w.trace_from_internet(tcp(vpcsim::forward::INTERNET_CLIENT, public_ip(w, n.web), 80));
    assert!(web.reachable());
    // The reply leaves by eth0, the interface the request arrived on, back to the gateway.
    assert_eq!(web.ret[0].id.to_string(), w[eni(w, n.web)].aws_id);
    assert!(kinds(&web.ret).contains(&K::InternetGateway));
}

#[test]
fn m5_from_outside_the_management_subnet_ssh_to_the_management_interface_is_refused() {
    let n = net();
    let w = &n.w;
    // From Admin's eth0 (10.60.1.20): ssh_sg admits the management subnet only.
    let t = w.trace(eni(w, n.admin), tcp(ip("10.60.1.20"), ip("10.60.2.10"), 22));
    assert_eq!(t.explanation.as_ref().map(|e| e.code), Some(C::EniSgRulesMismatch), "{t:?}");
}

#[test]
fn m4_flow_logs_record_a_flow_at_the_secondary_interfaces_it_crosses() {
    let mut n = net();
    let vpc = n.w[n.public].vpc;
    n.w.create_flow_log(CreateFlowLog {
        resource: FlowLogResource::Vpc(vpc),
        traffic: TrafficType::All,
        destination: LogDestination::CloudWatchLogs { group: "flows".into() },
        deliver_logs_permission_arn: Some("arn:aws:iam::123456789012:role/flow-logs".into()),
        format: LogFormat::default(),
        max_aggregation_interval: None,
        tags: Default::default(),
    })
    .unwrap();
    let nc =
        Nc { host: "10.60.2.10".into(), ports: PortRange::single(22), zero_io: true, ..Default::default() };
    assert_eq!(n.w.nc(n.admin, &nc).exit_code, 0);
    let g = n.w.log_group_named("flows").unwrap();
    let mut streams: Vec<String> = n.w[g].events.iter().map(|e| e.stream.clone()).collect();
    streams.sort();
    streams.dedup();
    let eth1 = |i: InstanceId| n.w[n.w[i].secondary_enis[0]].aws_id.clone();
    let mut expected = [eth1(n.admin), eth1(n.web)];
    expected.sort();
    assert_eq!(streams, expected, "one stream per interface crossed: both eth1, neither eth0");
}

#[test]
fn m5_the_matrix_reaches_an_instance_at_any_interface_from_the_interface_routing_picks() {
    use vpcsim::analyzer::{cell, Probe, Source, Target};
    let n = net();
    let w = &n.w;
    let ssh = Probe { protocol: vpcsim::addr::Protocol::Tcp, port: 22 };
    let http = Probe { protocol: vpcsim::addr::Protocol::Tcp, port: 80 };
    // Admin reaches Web's eth1 from its own eth1 (SSH), and Web's eth0 from its eth0 (HTTP).
    assert!(cell::evaluate(w, Source::Instance(n.admin), Target::Instance(n.web), ssh)
        .verdict
        .is_reachable());
    assert!(cell::evaluate(w, Source::Instance(n.admin), Target::Instance(n.web), http)
        .verdict
        .is_reachable());
    // The internet reaches HTTP on eth0 only, and no interface admits its SSH.
    assert!(cell::evaluate(w, Source::Internet, Target::Instance(n.web), http).verdict.is_reachable());
    assert!(!cell::evaluate(w, Source::Internet, Target::Instance(n.web), ssh).verdict.is_reachable());
}
