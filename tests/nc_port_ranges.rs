//! `nc -z HOST LOW-HIGH` probes each port of the range in turn, as OpenBSD netcat does:
//! with `-v`, one line per port (succeeded, refused, timed out), exit status 0 when any port
//! succeeded, and a bound on how many ports one probe takes.

use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::command::app::parse_line;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::security_group::Peer;
use vpcsim::ops::security::Permission;
use vpcsim::scenario::{Backend, StepOutcome};
use vpcsim::session::Session;
use vpcsim::trace::Direction;

/// The lab, with Custom-WEB-1's group also admitting tcp 79-81 from anywhere (so 79 and
/// 81 reach the host, which listens on neither); its public address.
fn session() -> (Session, String) {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ports = Permission {
        protocol: RuleProtocol::One(Protocol::Tcp),
        ports: PortRange { from: 79, to: 81 },
        peer: Peer::Cidr(Cidr::ANY),
        description: None,
    };
    lab.world.authorize_security_group(lab.custom_sg, Direction::Ingress, &[ports]).unwrap();
    let web1 = lab.world.public_ip_of(lab.world[lab.web1].eni).unwrap().to_string();
    (Session::new(lab.world), web1)
}

fn nc(s: &mut Session, line: &str) -> StepOutcome {
    s.run_app("My-EC2", &parse_line(line).unwrap())
}

#[test]
fn each_port_of_a_range_gets_its_own_line_and_one_success_makes_the_exit_status_zero() {
    let (mut s, web1) = session();
    let out = nc(&mut s, &format!("nc -zv -w 2 {web1} 78-81"));
    assert_eq!(
        out.stderr,
        format!(
            "nc: connect to {web1} port 78 (tcp) timed out: Operation now in progress\n\
             nc: connect to {web1} port 79 (tcp) failed: Connection refused\n\
             Connection to {web1} 80 port [tcp/http] succeeded!\n\
             nc: connect to {web1} port 81 (tcp) failed: Connection refused\n"
        )
    );
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.stdout, "");
    let kept = out.trace.expect("a trace is kept");
    assert_eq!(kept.flow.dst_port, 80, "the trace kept is the port that succeeded");
    assert!(kept.reachable());
}

#[test]
fn a_range_where_no_port_succeeds_exits_one_and_keeps_the_first_port_s_trace() {
    let (mut s, web1) = session();
    let out = nc(&mut s, &format!("nc -zv {web1} 81-83"));
    assert_eq!(
        out.stderr,
        format!(
            "nc: connect to {web1} port 81 (tcp) failed: Connection refused\n\
             nc: connect to {web1} port 82 (tcp) failed: Connection timed out\n\
             nc: connect to {web1} port 83 (tcp) failed: Connection timed out\n"
        )
    );
    assert_eq!(out.exit_code, 1);
    assert_eq!(out.trace.map(|t| t.flow.dst_port), Some(81));
}

#[test]
fn without_v_nc_prints_nothing_for_success_or_failure_as_netcat_openbsd_does() {
    let (mut s, web1) = session();
    let out = nc(&mut s, &format!("nc -z {web1} 80-81"));
    assert_eq!(out.stderr, "");
    assert_eq!(out.exit_code, 0);
}

#[test]
fn a_single_port_is_a_range_of_one() {
    let (mut s, web1) = session();
    let out = nc(&mut s, &format!("nc -zv {web1} 22"));
    assert_eq!(out.stderr, format!("Connection to {web1} 22 port [tcp/ssh] succeeded!\n"));
    assert_eq!(out.exit_code, 0);
}

#[test]
fn a_range_of_more_than_the_limit_is_refused_before_any_probe() {
    let err = parse_line("nc -z 10.0.0.5 1-65535").unwrap_err();
    assert_eq!(err.exit_code, 1);
    assert_eq!(
        err.message,
        format!(
            "nc: vpcsim probes at most {} ports at a time (1-65535 is 65535): narrow the range",
            vpcsim::apps::nc::MAX_PORTS
        )
    );
    let limit = vpcsim::apps::nc::MAX_PORTS as u16;
    assert!(parse_line(&format!("nc -z 10.0.0.5 1-{limit}")).is_ok(), "the limit itself is accepted");
    assert!(parse_line(&format!("nc -z 10.0.0.5 1-{}", limit + 1)).is_err());
}

#[test]
fn the_library_call_refuses_a_range_over_the_limit_too() {
    let (mut s, _) = session();
    let req = vpcsim::apps::nc::Nc {
        host: "10.0.0.5".into(),
        ports: PortRange { from: 1, to: 2000 },
        udp: false,
        verbose: true,
        zero_io: true,
        ..Default::default()
    };
    let out = s.world.nc(vpcsim::apps::Client::Internet(vpcsim::forward::INTERNET_CLIENT), &req);
    assert_eq!(out.exit_code, 1);
    assert!(out.stderr.contains("at most 1024 ports at a time (1-2000 is 2000)"), "{}", out.stderr);
    assert!(out.trace.is_none(), "nothing was probed");
}
