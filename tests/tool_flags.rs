//! The tools wait as the real ones do, and the virtual clock advances by the wait: a
//! connection or query whose packet is dropped waits the tool's timeout (`nc -w`,
//! `curl --connect-timeout`/`-m`, `dig +time +tries`, `ping -W`), else its default or the
//! kernel's; `ping` also runs for its intervals. Answered exchanges take no virtual time.
//! And every flag the tools accept changes what they print (`curl -s -S -f -I -o`,
//! `ping -q -i`, `nc -n -v`, `dig +[no]cmd ...`).

use vpcsim::command::app::parse_line;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::scenario::{Backend, StepOutcome};
use vpcsim::session::Session;

/// The lab, and Custom-WEB-1's public address (its group admits tcp 80 and drops tcp 78
/// and udp 53 in silence).
fn session() -> (Session, String) {
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let web1 = lab.world.public_ip_of(lab.world[lab.web1].eni).unwrap().to_string();
    (Session::new(lab.world), web1)
}

/// Runs `line` on My-EC2; the output and how many milliseconds the clock moved.
fn run(s: &mut Session, line: &str) -> (StepOutcome, u64) {
    let before = s.world.now_ms();
    let out = s.run_app("My-EC2", &parse_line(line).unwrap());
    (out, s.world.now_ms() - before)
}

#[test]
fn nc_w_waits_its_timeout_on_a_dropped_connection_and_the_clock_advances_by_it() {
    let (mut s, web1) = session();
    let (out, ms) = run(&mut s, &format!("nc -zv -w 2 {web1} 78"));
    assert_eq!(
        out.stderr,
        format!("nc: connect to {web1} port 78 (tcp) timed out: Operation now in progress\n")
    );
    assert_eq!((out.exit_code, ms), (1, 2000));
}

#[test]
fn nc_without_w_waits_the_kernels_connect_timeout_and_says_the_connection_timed_out() {
    let (mut s, web1) = session();
    let (out, ms) = run(&mut s, &format!("nc -zv {web1} 78"));
    assert_eq!(out.stderr, format!("nc: connect to {web1} port 78 (tcp) failed: Connection timed out\n"));
    assert_eq!(ms, 130_000);
}

#[test]
fn nc_without_v_says_nothing_when_a_connection_fails_as_netcat_openbsd_warns_only_with_v() {
    let (mut s, web1) = session();
    let (out, ms) = run(&mut s, &format!("nc -z -w 1 {web1} 78-79"));
    assert_eq!((out.stderr.as_str(), out.exit_code, ms), ("", 1, 2000), "each port waits its -w");
}

#[test]
fn nc_n_refuses_a_name_without_looking_it_up_and_prints_no_service_name() {
    let (mut s, web1) = session();
    let (out, _) = run(&mut s, "nc -zn checkip.amazonaws.com 80");
    assert_eq!(
        out.stderr,
        "nc: getaddrinfo for host \"checkip.amazonaws.com\" port 80: Name or service not known\n"
    );
    assert!(out.trace.is_none(), "no DNS query, no flow");
    let (out, _) = run(&mut s, &format!("nc -zvn {web1} 80"));
    assert_eq!(out.stderr, format!("Connection to {web1} 80 port [tcp/*] succeeded!\n"));
    let (out, _) = run(&mut s, &format!("nc -zv {web1} 80"));
    assert_eq!(out.stderr, format!("Connection to {web1} 80 port [tcp/http] succeeded!\n"));
}

#[test]
fn a_banner_connection_with_w_stays_open_w_seconds_after_the_banner() {
    let (mut s, web1) = session();
    let (out, ms) = run(&mut s, &format!("nc -w 3 {web1} 80"));
    assert_eq!((out.exit_code, ms), (0, 3000));
}

#[test]
fn curl_waits_its_connect_timeout_or_max_time_and_says_after_how_long() {
    let (mut s, web1) = session();
    let (out, ms) = run(&mut s, &format!("curl --connect-timeout 3 http://{web1}:78/"));
    assert_eq!(
        out.stderr,
        format!("curl: (28) Failed to connect to {web1} port 78 after 3001 ms: Timeout was reached\n")
    );
    assert_eq!((out.exit_code, ms), (28, 3000));
    let (out, ms) = run(&mut s, &format!("curl -m 0.5 --connect-timeout 10 http://{web1}:78/"));
    assert!(out.stderr.contains("after 501 ms: Timeout was reached"), "{}", out.stderr);
    assert_eq!(ms, 500);
}

#[test]
fn curl_without_a_timeout_waits_for_the_kernel_to_give_up() {
    let (mut s, web1) = session();
    let (out, ms) = run(&mut s, &format!("curl http://{web1}:78/"));
    assert_eq!(
        out.stderr,
        format!("curl: (28) Failed to connect to {web1} port 78 after 130000 ms: Connection timed out\n")
    );
    assert_eq!(ms, 130_000);
}

#[test]
fn an_answered_exchange_takes_no_virtual_time() {
    let (mut s, web1) = session();
    for line in [
        format!("curl http://{web1}/"),
        format!("nc -z {web1} 80"),
        "dig +short checkip.amazonaws.com".into(),
    ] {
        let (out, ms) = run(&mut s, &line);
        assert_eq!((out.exit_code, ms), (0, 0), "{line}");
    }
}

#[test]
fn dig_waits_time_times_tries_when_the_server_never_answers() {
    let (mut s, web1) = session();
    let (out, ms) = run(&mut s, &format!("dig +short +time=2 +tries=2 @{web1} example.com"));
    assert_eq!(out.stdout, ";; connection timed out; no servers could be reached\n");
    assert_eq!((out.exit_code, ms), (9, 4000));
    let (_, ms) = run(&mut s, &format!("dig +short @{web1} example.com"));
    assert_eq!(ms, 15_000, "dig's defaults: +time=5 +tries=3");
    let (_, ms) = run(&mut s, &format!("dig +short +retry=0 @{web1} example.com"));
    assert_eq!(ms, 5_000, "+retry=0 is one try");
}

#[test]
fn ping_runs_for_its_intervals_and_waits_w_for_replies_that_never_come() {
    let (mut s, _) = session();
    let (out, ms) = run(&mut s, "ping -c 3 -i 0.5 checkip.amazonaws.com");
    assert_eq!(out.exit_code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("3 packets transmitted, 3 received, 0% packet loss, time 1004ms"),
        "{}",
        out.stdout
    );
    assert_eq!(ms, 1000);
    let (out, ms) = run(&mut s, "ping -c 2 -W 2 10.99.99.99");
    assert_eq!(out.exit_code, 1);
    assert_eq!(ms, 1000 + 2000);
    let (_, ms) = run(&mut s, "ping -c 1 10.99.99.99");
    assert_eq!(ms, 10_000, "iputils waits 10 s for the last reply without -W");
}

#[test]
fn ping_q_prints_only_the_first_line_and_the_summary() {
    let (mut s, _) = session();
    let (out, _) = run(&mut s, "ping -q -c 2 checkip.amazonaws.com");
    assert_eq!(out.exit_code, 0);
    assert!(!out.stdout.contains("icmp_seq"), "{}", out.stdout);
    let (first, rest) = out.stdout.split_once('\n').unwrap();
    assert!(first.starts_with("PING checkip.amazonaws.com ("), "{first}");
    assert!(
        rest.starts_with(
            "\n--- checkip.amazonaws.com ping statistics ---\n2 packets transmitted, 2 received"
        ),
        "{rest}"
    );
}

#[test]
fn the_clock_after_a_timed_out_curl_has_moved_by_what_it_waited() {
    let (mut s, web1) = session();
    let before = s.world.wall_clock();
    run(&mut s, &format!("curl --connect-timeout 60 http://{web1}:78/"));
    assert_ne!(s.world.wall_clock(), before);
    assert_eq!(s.world.now_ms() % 60_000, 0, "the clock moved by the 60 s curl waited");
}

#[test]
fn curl_s_hides_errors_and_s_capital_shows_them_again() {
    let (mut s, web1) = session();
    let (out, _) = run(&mut s, &format!("curl -s --connect-timeout 1 http://{web1}:78/"));
    assert_eq!((out.stderr.as_str(), out.exit_code), ("", 28));
    let (out, _) = run(&mut s, &format!("curl -sS --connect-timeout 1 http://{web1}:78/"));
    assert!(out.stderr.starts_with("curl: (28) Failed to connect"), "{}", out.stderr);
}

#[test]
fn curl_f_turns_a_404_into_exit_22_without_the_body() {
    let (mut s, web1) = session();
    let (out, _) = run(&mut s, &format!("curl http://{web1}/missing.html"));
    assert_eq!(out.exit_code, 0);
    assert!(out.stdout.contains("404 Not Found"));
    let (out, _) = run(&mut s, &format!("curl -f http://{web1}/missing.html"));
    assert_eq!((out.stdout.as_str(), out.exit_code), ("", 22));
    assert_eq!(out.stderr, "curl: (22) The requested URL returned error: 404 Not Found\n");
}

#[test]
fn curl_i_prints_the_response_headers_and_o_keeps_the_body_off_stdout() {
    let (mut s, web1) = session();
    let (out, _) = run(&mut s, &format!("curl -I http://{web1}/"));
    assert!(out.stdout.starts_with("HTTP/1.1 200 OK\r\nServer: "), "{}", out.stdout);
    assert!(out.stdout.ends_with("Content-Type: text/html; charset=UTF-8\r\n\r\n"), "{}", out.stdout);
    let (out, _) = run(&mut s, &format!("curl -s -o /dev/null http://{web1}/"));
    assert_eq!((out.stdout.as_str(), out.exit_code), ("", 0));
    let (out, _) = run(&mut s, &format!("curl -v -I http://{web1}/"));
    assert!(out.stderr.contains("> HEAD / HTTP/1.1\n"), "{}", out.stderr);
}

#[test]
fn curl_sends_no_method_but_get_and_head_to_a_web_server() {
    let (mut s, web1) = session();
    let (out, _) = run(&mut s, &format!("curl -X POST http://{web1}/"));
    assert_eq!(out.exit_code, 2);
    assert!(out.stderr.contains("only to the instance metadata service"), "{}", out.stderr);
}

#[test]
fn dig_prints_the_parts_its_display_options_keep() {
    let (mut s, _) = session();
    let (full, _) = run(&mut s, "dig checkip.amazonaws.com");
    assert!(full.stdout.contains(";; global options: +cmd") && full.stdout.contains(";; Query time:"));
    let (out, _) = run(&mut s, "dig +nocmd +nostats checkip.amazonaws.com");
    assert!(!out.stdout.contains("global options") && !out.stdout.contains("Query time"), "{}", out.stdout);
    assert!(out.stdout.starts_with(";; Got answer:\n"), "{}", out.stdout);
    let (out, _) = run(&mut s, "dig +nocomments checkip.amazonaws.com");
    assert!(
        !out.stdout.contains("SECTION") && out.stdout.contains(";checkip.amazonaws.com.\t\t\tIN\tA\n"),
        "{}",
        out.stdout
    );
    let (out, _) = run(&mut s, "dig +noall checkip.amazonaws.com");
    assert_eq!(out.stdout, "");
    let (out, _) = run(&mut s, "dig +noall +answer checkip.amazonaws.com");
    assert!(out.stdout.starts_with("checkip.amazonaws.com.\t"), "{}", out.stdout);
}

#[test]
fn aws_region_naming_another_region_is_refused_and_the_worlds_own_is_accepted() {
    let (mut s, _) = session();
    let own = s.world.region().name;
    let call = vpcsim::command::aws::parse_line(&format!("aws ec2 describe-vpcs --region {own}")).unwrap();
    assert_eq!(s.run_aws(&call).exit_code, 0);
    let call = vpcsim::command::aws::parse_line("aws ec2 describe-vpcs --region eu-west-3").unwrap();
    let out = s.run_aws(&call);
    assert_eq!(out.exit_code, 252);
    assert!(out.stderr.contains("vpcsim simulates one region"), "{}", out.stderr);
}
