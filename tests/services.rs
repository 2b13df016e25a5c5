//! What instances listen on (item 4 of issue 11): services recognised from UserData or
//! declared in `Metadata: vpcsim:`, and `nc`, `curl`, `dig @server` and NLB health checks
//! all asking that one model. Each test is a scenario run end to end.

#[path = "support/scenario_run.rs"]
mod scenario_run;
#[path = "support/two_instances.rs"]
mod two_instances;

/// The shared two-instance world as a scenario named `services`, its stack `s`.
fn scenario_text(server: &str, steps: &str) -> String {
    two_instances::scenario_text("services", "s", server, steps)
}

/// Runs `steps` (YAML list items at scenario indentation) against the template; every
/// expectation must hold.
fn run(server: &str, steps: &str) {
    scenario_run::passing("services.yaml", &scenario_text(server, steps));
}

/// Server properties with this UserData script (indented for the template).
fn user_data(script: &str) -> String {
    let body: String = script.lines().map(|l| format!("            {l}\n")).collect();
    format!(
        "        Properties:\n          SubnetId: !Ref Subnet\n          SecurityGroupIds: [!Ref Open]\n          UserData: !Base64 |\n{body}"
    )
}

const PLAIN: &str = "        Properties: {SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Open]}\n";

#[test]
fn sshd_listens_on_22_by_default_and_nc_without_z_shows_its_banner() {
    run(
        PLAIN,
        r#"  - {on: Client, run: "nc -zv ${Server.PrivateIp} 22", expect: {output-contains: "port [tcp/ssh] succeeded!"}}
  - {on: Client, run: "nc ${Server.PrivateIp} 22", expect: {output-contains: SSH-2.0-OpenSSH_8.7}}
"#,
    );
}

#[test]
fn a_tcp_port_nobody_listens_on_is_refused_by_the_host() {
    run(
        PLAIN,
        r#"  - on: Client
    run: nc -zv ${Server.PrivateIp} 8080
    expect: {fails: true, output-contains: "failed: Connection refused"}
  - on: Client
    run: curl http://${Server.PrivateIp}/
    expect: {exit: 7, output-contains: Connection refused}
"#,
    );
}

#[test]
fn a_udp_port_nobody_listens_on_answers_port_unreachable_and_nc_zu_fails() {
    run(
        PLAIN,
        r#"  - on: Client
    run: nc -zuv ${Server.PrivateIp} 514
    expect: {fails: true, output-contains: "(udp) failed: Connection refused"}
"#,
    );
}

#[test]
fn stopping_sshd_in_user_data_closes_port_22() {
    run(
        &user_data("#!/bin/bash\nsystemctl stop sshd\n"),
        r#"  - {on: Client, run: "nc -z ${Server.PrivateIp} 22", expect: {fails: true}}
"#,
    );
}

#[test]
fn ubuntu_user_data_gets_ubuntus_ssh_banner() {
    run(
        &user_data("#!/bin/bash\napt-get update\napt-get install -y nginx\nsystemctl start nginx\n"),
        r#"  - {on: Client, run: "nc ${Server.PrivateIp} 22", expect: {output-contains: Ubuntu}}
  - {on: Client, run: "curl http://${Server.PrivateIp}/", expect: {output-contains: Welcome to nginx}}
"#,
    );
}

#[test]
fn rsyslog_with_imudp_enabled_by_sed_accepts_udp_514() {
    let script = "#!/bin/bash\nsed -i 's/^#module(load=\"imudp\")/module(load=\"imudp\")/' /etc/rsyslog.conf\nsed -i 's/^#input(type=\"imudp\" port=\"514\")/input(type=\"imudp\" port=\"514\")/' /etc/rsyslog.conf\nsystemctl restart rsyslog\n";
    run(
        &user_data(script),
        r#"  - {on: Client, run: "nc -zuv ${Server.PrivateIp} 514", expect: {output-contains: "port [udp/syslog] succeeded!"}}
  - {on: Client, run: "nc -z ${Server.PrivateIp} 514", expect: {fails: true}}
"#,
    );
}

#[test]
fn rsyslog_legacy_directives_appended_open_their_port() {
    let script = "#!/bin/bash\necho '$ModLoad imudp' >> /etc/rsyslog.conf\necho '$UDPServerRun 5140' >> /etc/rsyslog.conf\nsystemctl restart rsyslog\n";
    run(
        &user_data(script),
        r#"  - {on: Client, run: "nc -zu ${Server.PrivateIp} 5140"}
  - {on: Client, run: "nc -zu ${Server.PrivateIp} 514", expect: {fails: true}}
"#,
    );
}

#[test]
fn rsyslog_restarted_without_imudp_listens_on_no_port() {
    run(
        &user_data("#!/bin/bash\nsystemctl restart rsyslog\n"),
        r#"  - {on: Client, run: "nc -zu ${Server.PrivateIp} 514", expect: {fails: true}}
"#,
    );
}

#[test]
fn dnsmasq_answers_dig_at_the_server_over_a_flow() {
    run(
        &user_data("#!/bin/bash\nyum install -y dnsmasq\nsystemctl enable --now dnsmasq\n"),
        r#"  - on: Client
    run: dig +short @${Server.PrivateIp} ${Server.PrivateDnsName}
    expect: {answers-in: 10.0.1.0/24, via: [security-group, instance]}
  - {on: Client, run: "nc -z ${Server.PrivateIp} 53"}
  - {on: Client, run: "nc -zu ${Server.PrivateIp} 53"}
"#,
    );
}

#[test]
fn bind_installed_as_named_serves_dns() {
    run(
        &user_data("#!/bin/bash\nyum install -y bind bind-utils\nsystemctl start named\n"),
        r#"  - {on: Client, run: "dig +short @${Server.PrivateIp} ${Server.PrivateDnsName}", expect: {answers-in: 10.0.1.0/24}}
"#,
    );
}

#[test]
fn dig_at_an_instance_that_serves_no_dns_gets_no_answer() {
    run(
        PLAIN,
        r#"  - on: Client
    run: dig @${Server.PrivateIp} example.com
    expect: {exit: 9, output-contains: no servers could be reached}
"#,
    );
}

#[test]
fn snmpd_listens_on_udp_161() {
    run(
        &user_data("#!/bin/bash\nyum install -y net-snmp net-snmp-utils\nsystemctl start snmpd\n"),
        r#"  - {on: Client, run: "nc -zuv ${Server.PrivateIp} 161", expect: {output-contains: "[udp/snmp] succeeded!"}}
"#,
    );
}

#[test]
fn python_http_server_serves_its_port() {
    run(
        &user_data("#!/bin/bash\ncd /tmp\necho hi > index.html\nnohup python3 -m http.server 8000 &\n"),
        r#"  - {on: Client, run: "curl http://${Server.PrivateIp}:8000/", expect: {output-contains: hi}}
  - {on: Client, run: "nc -z ${Server.PrivateIp} 8000"}
"#,
    );
}

#[test]
fn services_declared_in_metadata_listen_beside_sshd() {
    let server = "        Metadata:\n          vpcsim:\n            services:\n              - {protocol: udp, port: 514, software: rsyslog}\n              - {port: 2222, banner: hello there}\n        Properties: {SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Open]}\n";
    run(
        server,
        r#"  - {on: Client, run: "nc -zu ${Server.PrivateIp} 514"}
  - {on: Client, run: "nc ${Server.PrivateIp} 2222", expect: {output-contains: hello there}}
  - {on: Client, run: "nc -z ${Server.PrivateIp} 22"}
"#,
    );
}

#[test]
fn a_bare_image_declared_in_metadata_listens_on_nothing() {
    let server = "        Metadata: {vpcsim: {image: bare}}\n        Properties: {SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Open]}\n";
    run(server, "  - {on: Client, run: \"nc -z ${Server.PrivateIp} 22\", expect: {fails: true}}\n");
}

#[test]
fn a_windows_instance_listens_on_rdp_and_does_not_answer_ping() {
    run(
        &user_data("<powershell>\nInstall-WindowsFeature Web-Server\n</powershell>\n"),
        r#"  - {on: Client, run: "nc -zv ${Server.PrivateIp} 3389", expect: {output-contains: ms-wbt-server}}
  - {on: Client, run: "nc -z ${Server.PrivateIp} 22", expect: {fails: true}}
  - {on: Client, run: "ping -c 1 ${Server.PrivateIp}", expect: {fails: true}}
"#,
    );
}

#[test]
fn an_unknown_metadata_service_key_is_a_located_error() {
    let server = "        Metadata: {vpcsim: {services: [{port: 53, protocl: udp}]}}\n        Properties: {SubnetId: !Ref Subnet}\n";
    let err = scenario_run::refused("services.yaml", &scenario_text(server, "  []\n")).to_string();
    assert!(err.contains("unknown key `protocl`"), "{err}");
    assert!(err.contains("services.yaml:"), "{err}");
}

/// An internal NLB with a UDP listener on 514 in front of the server, its target group
/// checked over TCP on `check_port` (at resource indentation, after the server).
fn udp_nlb(check_port: &str) -> String {
    format!(
        r#"      Tg:
        Type: AWS::ElasticLoadBalancingV2::TargetGroup
        Properties:
          Name: syslog-tg
          Protocol: UDP
          Port: 514
          VpcId: !Ref Vpc
          HealthCheckProtocol: TCP
          HealthCheckPort: '{check_port}'
          Targets: [{{Id: !Ref Server}}]
      Nlb:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties: {{Type: network, Scheme: internal, Subnets: [!Ref Subnet]}}
      Listener:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: !Ref Nlb
          Port: 514
          Protocol: UDP
          DefaultActions: [{{Type: forward, TargetGroupArn: !Ref Tg}}]
"#
    )
}

const RSYSLOG_UDP: &str = "#!/bin/bash\necho 'module(load=\"imudp\")' > /etc/rsyslog.d/udp.conf\necho 'input(type=\"imudp\" port=\"514\")' >> /etc/rsyslog.d/udp.conf\nsystemctl restart rsyslog\n";

#[test]
fn l16_a_udp_target_group_checked_over_tcp_on_a_port_only_udp_serves_is_unhealthy() {
    let server = user_data(RSYSLOG_UDP) + &udp_nlb("traffic-port");
    run(
        &server,
        r#"  - wait: 3m
  - run: aws elbv2 describe-target-health --target-group-arn ${Tg}
    expect: {output-contains: Target.FailedHealthChecks}
"#,
    );
}

#[test]
fn l16_a_udp_listener_reaches_rsyslog_when_the_check_uses_sshs_port() {
    let server = user_data(RSYSLOG_UDP) + &udp_nlb("22");
    run(
        &server,
        r#"  - wait-for: syslog-tg healthy
  - on: Client
    run: nc -zuv ${Nlb.DNSName} 514
    expect:
      output-contains: "[udp/syslog] succeeded!"
      via: [load-balancer-listener, target-group, instance]
"#,
    );
}
