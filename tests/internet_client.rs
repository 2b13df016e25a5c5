//! Flows opened by a client on the internet (`on: internet` in scenario files): they
//! enter AWS through whatever the destination address leads to, and the response
//! returns to that client and no other host.

use vpcsim::addr::Protocol;
use vpcsim::forward::{Destination, Outcome, INTERNET_CLIENT};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::trace::{ExplanationCode, Flow, Header};

fn from_client(dst: std::net::Ipv4Addr) -> Flow {
    Flow {
        header: Header { src: INTERNET_CLIENT, dst, protocol: Protocol::Tcp, src_port: 40000, dst_port: 80 },
        seq: 3,
    }
}

#[test]
fn a_client_on_the_internet_reaches_a_public_instance_through_its_vpcs_gateway_i3() {
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let eni = w[lab.my_ec2].eni;
    let flow = from_client(w.public_ip_of(eni).unwrap());
    let seen = Header { dst: w[eni].private_ip, ..flow.header };
    assert_eq!(
        w.verdict_from_internet(flow),
        Outcome::Delivered { to: Destination::Instance(lab.my_ec2), seen }
    );
    assert!(w.trace_from_internet(flow).reachable());
}

#[test]
fn a_client_on_the_internet_reaches_a_target_through_an_internet_facing_nlb_l3() {
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let flow = from_client(w.lb_addresses(lab.nlb, None)[0]);
    let Outcome::Delivered { to: Destination::Instance(target), .. } = w.verdict_from_internet(flow) else {
        panic!("not delivered: {:?}", w.verdict_from_internet(flow));
    };
    assert!([lab.web1, lab.web2].contains(&target));
}

#[test]
fn a_client_on_the_internet_finds_nothing_at_an_address_no_interface_holds() {
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let outcome = lab.world.verdict_from_internet(from_client("198.51.100.99".parse().unwrap()));
    assert_eq!(outcome.code(), Some(ExplanationCode::UnknownDestination));
}
