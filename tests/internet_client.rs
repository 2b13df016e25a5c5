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

#[test]
fn a_client_on_the_internet_asking_a_host_of_the_internet_gets_its_answer_back() {
    // Found by the property tests' reference model: the answer of a host of the simulated
    // internet (checkip) returns to the client that asked, not UNKNOWN_DESTINATION.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let flow = from_client(vpcsim::region::CHECKIP_ADDR);
    assert_eq!(
        lab.world.verdict_from_internet(flow),
        Outcome::Delivered { to: Destination::Internet(vpcsim::region::CHECKIP_ADDR), seen: flow.header }
    );
    let agree = vpcsim::testing::check_flow_from_internet(&lab.world, flow);
    assert!(agree.is_ok(), "{}", agree.unwrap_err());
}

mod tools {
    use vpcsim::command::app::parse_line;
    use vpcsim::scenario::Backend;
    use vpcsim::session::Session;

    use super::*;

    fn session() -> (Session, Lab) {
        let lab = Lab::ready(LabOptions::default()).unwrap();
        (Session::new(lab.world.clone()), lab)
    }

    #[test]
    fn curl_on_the_internet_reaches_a_public_web_server_which_sees_the_clients_address_i1() {
        let (mut s, lab) = session();
        let public = s.world.public_ip_of(s.world[lab.web1].eni).unwrap();
        let out = s.run_app("internet", &parse_line(&format!("curl http://{public}/")).unwrap());
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("CloudNeta"), "{}", out.stdout);
        let seen = out.trace.and_then(|t| t.delivered).unwrap();
        assert_eq!(seen.src, INTERNET_CLIENT);
        assert_eq!(seen.dst, s.world[s.world[lab.web1].eni].private_ip);
    }

    #[test]
    fn on_internet_with_an_address_sends_from_that_address() {
        let (mut s, lab) = session();
        let public = s.world.public_ip_of(s.world[lab.web1].eni).unwrap();
        let out = s.run_app("internet 198.51.100.7", &parse_line(&format!("nc -z {public} 80")).unwrap());
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        assert_eq!(out.trace.and_then(|t| t.delivered).map(|h| h.src), Some("198.51.100.7".parse().unwrap()));
    }

    #[test]
    fn a_client_on_the_internet_needs_a_public_address() {
        let (mut s, _) = session();
        for on in [
            "internet 10.1.2.3",
            "internet 100.64.0.1",
            "internet 169.254.1.1",
            "internet nowhere",
            "internet 1.2.3.4 5.6.7.8",
        ] {
            let out = s.run_app(on, &parse_line("curl http://checkip.amazonaws.com/").unwrap());
            assert_eq!(out.exit_code, 2, "{on}");
            assert!(out.stderr.contains("internet"), "{on}: {}", out.stderr);
        }
    }

    #[test]
    fn dig_on_the_internet_asks_a_public_resolver_without_split_horizon_d3() {
        let (mut s, lab) = session();
        let nlb = s.world[lab.nlb].dns_name.clone();
        let out = s.run_app("internet", &parse_line(&format!("dig +short {nlb}")).unwrap());
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        assert!(!out.answers.is_empty());
        assert!(out.answers.iter().all(|a| !a.is_private()), "{:?}", out.answers);
    }

    #[test]
    fn a_flow_may_start_at_any_interface_such_as_a_load_balancer_node() {
        let (mut s, lab) = session();
        let node = s.world[lab.nlb].nodes[0].eni;
        let web1 = s.world[s.world[lab.web1].eni].private_ip;
        let id = s.world[node].aws_id.clone();
        let out = s.run_app(&id, &parse_line(&format!("nc -z {web1} 80")).unwrap());
        assert!(out.trace.is_some());
        assert_eq!(out.trace.unwrap().flow.src, s.world[node].private_ip);
    }

    #[test]
    fn the_metadata_service_answers_on_the_instance_without_any_flow_m1() {
        let (mut s, lab) = session();
        let eni = s.world[lab.my_ec2].eni;
        let ip = s.world[eni].private_ip;
        let id = s.world[lab.my_ec2].aws_id.clone();
        let curl =
            |path: &str| parse_line(&format!("curl http://169.254.169.254/latest/meta-data/{path}")).unwrap();
        let out = s.run_app(&id, &curl("local-ipv4"));
        assert_eq!(
            (out.exit_code, out.stdout.as_str(), out.trace.is_none()),
            (0, ip.to_string().as_str(), true)
        );
        let out = s.run_app(&id, &curl("placement/availability-zone"));
        assert_eq!(out.stdout, s.world[s.world[eni].subnet].az);
        let out = s.run_app(&id, &curl("no-such-key"));
        assert!(
            out.stdout.contains("<title>404 - Not Found</title>"),
            "the service's own page: {}",
            out.stdout
        );
        let out = s.run_app("internet", &curl("instance-id"));
        assert_ne!(out.exit_code, 0, "the metadata service is not on the internet");
    }
}
