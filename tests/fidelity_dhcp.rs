//! DHCP option sets (Z2): the account's default set, custom DNS servers that make DNS a
//! flow like any other (routes, security groups, NACLs apply; the server must serve DNS),
//! search domains, `default` (no option set), and the aws ec2 calls and CloudFormation
//! types that manage them. The world is the lesson's template: a VPC whose options send
//! DNS to a dnsmasq server at 10.20.2.53 whose group admits TCP 53 only.

use indexmap::IndexMap;
use vpcsim::addr::Protocol;
use vpcsim::apps::curl::Curl;
use vpcsim::apps::dig::Dig;
use vpcsim::apps::host::{resolve, HostError};
use vpcsim::apps::nc::Nc;
use vpcsim::apps::ping::Ping;
use vpcsim::command::aws::parse_line;
use vpcsim::ids::InstanceId;
use vpcsim::ops::dhcp::{CreateDhcpOptions, NameService};
use vpcsim::scenario::run::Backend;
use vpcsim::scenario::StepOutcome;
use vpcsim::session::Session;
use vpcsim::stack::create_stack;
use vpcsim::trace::ExplanationCode;
use vpcsim::world::{Handle, World};

const TEMPLATE: &str = include_str!("../scenarios/lesson-dhcp-custom-dns.cfn.yaml");

struct Corp {
    s: Session,
    ids: IndexMap<String, String>,
}

impl Corp {
    fn new() -> Corp {
        let mut w = World::in_region("us-east-1", 11).unwrap();
        let stack =
            create_stack(&mut w, "corp", "corp.cfn.yaml", TEMPLATE, &IndexMap::new(), &IndexMap::new())
                .unwrap_or_else(|e| panic!("{e}"));
        let ids = stack.resources.iter().map(|(k, (_, c))| (k.clone(), c.physical_id.clone())).collect();
        Corp { s: Session::new(w), ids }
    }

    fn w(&mut self) -> &mut World {
        &mut self.s.world
    }

    fn instance(&self, logical_id: &str) -> InstanceId {
        match self.s.world.find(&self.ids[logical_id]) {
            Some(Handle::Instance(i)) => i,
            other => panic!("{logical_id}: {other:?}"),
        }
    }

    fn client(&self) -> InstanceId {
        self.instance("Client")
    }

    /// Runs an `aws` line with `{LogicalId}` replaced by its physical id.
    fn aws(&mut self, line: &str) -> StepOutcome {
        let mut line = line.to_string();
        for (k, v) in &self.ids {
            line = line.replace(&format!("{{{k}}}"), v);
        }
        let call = parse_line(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        self.s.run_aws(&call)
    }

    fn aws_ok(&mut self, line: &str) -> serde_json::Value {
        let out = self.aws(line);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        out.json.unwrap_or_default()
    }

    fn open_udp_53(&mut self) {
        self.aws_ok("aws ec2 authorize-security-group-ingress --group-id {DnsSG} --protocol udp --port 53 --cidr 10.20.0.0/16");
    }
}

fn dig(name: &str) -> Dig {
    Dig { name: name.into(), short: true, server: None }
}

#[test]
fn z2_a_new_vpc_gets_the_accounts_default_set_of_the_region_domain_and_amazon_provided_dns() {
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let vpc = w
        .create_vpc(vpcsim::ops::vpc::CreateVpc {
            cidr: Some("10.0.0.0/16".parse().unwrap()),
            ..Default::default()
        })
        .unwrap();
    let d = w[vpc].dhcp_options.expect("the default set");
    assert_eq!(w[d].domain_names, ["eu-west-1.compute.internal"]);
    assert_eq!(w.name_service(vpc), NameService::AmazonProvided);
    let mut s = Session::new(w);
    let out = s.run_aws(
        &parse_line("aws ec2 describe-dhcp-options --query DhcpOptions[0].DhcpConfigurations --output text")
            .unwrap(),
    );
    assert_eq!(
        out.stdout,
        "domain-name\nVALUES\teu-west-1.compute.internal\ndomain-name-servers\nVALUES\tAmazonProvidedDNS\n",
        "{}",
        out.stdout
    );
}

#[test]
fn z2_with_a_custom_server_dig_sends_a_udp_flow_to_port_53_of_the_first_server_and_the_group_drops_it() {
    let mut c = Corp::new();
    let client = c.client();
    let out = c.w().dig(client, &Dig { short: false, ..dig("app.corp.internal") });
    assert_eq!(out.exit_code, 9);
    assert!(out.stdout.ends_with(";; connection timed out; no servers could be reached\n"), "{}", out.stdout);
    let trace = out.trace.expect("the query is a flow");
    let h = trace.flow;
    assert_eq!((h.dst, h.protocol, h.dst_port), ("10.20.2.53".parse().unwrap(), Protocol::Udp, 53));
    assert_eq!(trace.explanation.map(|e| e.code), Some(ExplanationCode::EniSgRulesMismatch));
}

#[test]
fn z2_once_the_group_admits_udp_53_the_server_answers_what_its_vpcs_resolver_answers() {
    let mut c = Corp::new();
    c.open_udp_53();
    let client = c.client();
    let out = c.w().dig(client, &dig("app.corp.internal"));
    assert_eq!((out.exit_code, out.stdout.as_str()), (0, "10.20.1.80\n"));
    let full = c.w().dig(client, &Dig { short: false, ..dig("app.corp.internal") });
    assert!(full.stdout.contains(";; SERVER: 10.20.2.53#53(10.20.2.53)"), "{}", full.stdout);
}

#[test]
fn z2_a_blocked_dns_flow_makes_curl_nc_and_ping_fail_to_resolve_and_their_trace_is_the_query() {
    let mut c = Corp::new();
    let client = c.client();
    let w = c.w();
    let curl = w.curl(
        client,
        &Curl { host: "app.corp.internal".into(), port: 80, path: "/".into(), ..Curl::default() },
    );
    assert_eq!(
        (curl.exit_code, curl.stderr.as_str()),
        (6, "curl: (6) Could not resolve host: app.corp.internal\n")
    );
    assert_eq!(curl.trace.map(|t| t.flow.dst_port), Some(53));
    let nc = w.nc(
        client,
        &Nc {
            host: "app".into(),
            ports: vpcsim::addr::PortRange::single(80),
            udp: false,
            verbose: false,
            zero_io: true,
            ..Default::default()
        },
    );
    assert_eq!(nc.stderr, "nc: getaddrinfo for host \"app\" port 80: Temporary failure in name resolution\n");
    let ping = w.ping(client, &Ping { host: "app".into(), count: Some(1), ..Ping::default() });
    assert_eq!(
        (ping.exit_code, ping.stderr.as_str()),
        (2, "ping: app: Temporary failure in name resolution\n")
    );
    let server = "10.20.2.53".parse().unwrap();
    assert_eq!(resolve(w, client, "app"), Err(HostError::ServerUnreachable { host: "app".into(), server }));
}

#[test]
fn z2_a_network_acl_denying_udp_53_stops_the_query_like_any_flow() {
    let mut c = Corp::new();
    c.open_udp_53();
    let acl = {
        let w = &c.s.world;
        let Some(Handle::Subnet(sub)) = w.find(&c.ids["Subnet"]) else { panic!("subnet") };
        w[w[sub].nacl].aws_id.clone()
    };
    c.aws_ok(&format!(
        "aws ec2 create-network-acl-entry --network-acl-id {acl} --rule-number 10 --protocol udp --port-range From=53,To=53 --rule-action deny --egress --cidr-block 10.20.2.53/32"
    ));
    let client = c.client();
    let out = c.w().dig(client, &dig("app.corp.internal"));
    assert_eq!(out.exit_code, 9);
    assert_eq!(
        out.trace.and_then(|t| t.explanation).map(|e| e.code),
        Some(ExplanationCode::SubnetAclRestriction)
    );
}

#[test]
fn z2_a_server_that_does_not_serve_dns_answers_nothing_though_the_query_gets_there() {
    let mut c = Corp::new();
    c.aws_ok("aws ec2 authorize-security-group-ingress --group-id {WebSG} --protocol udp --port 53 --cidr 10.20.0.0/16");
    let app = c.aws_ok(
        "aws ec2 create-dhcp-options --dhcp-configurations Key=domain-name-servers,Values=10.20.1.80",
    );
    let id = app["DhcpOptions"]["DhcpOptionsId"].as_str().unwrap().to_string();
    c.aws_ok(&format!("aws ec2 associate-dhcp-options --dhcp-options-id {id} --vpc-id {{Vpc}}"));
    let client = c.client();
    let out = c.w().dig(client, &dig("app.corp.internal"));
    assert_eq!(out.exit_code, 9, "{}", out.stdout);
    let trace = out.trace.expect("a flow");
    assert!(trace.explanation.is_none(), "the query is delivered to the instance: {trace:?}");
    assert_eq!(trace.delivered.map(|h| (h.dst, h.dst_port)), Some(("10.20.1.80".parse().unwrap(), 53)));
}

#[test]
fn z2_amazon_provided_dns_is_the_vpc_resolver_which_no_security_group_filters() {
    let mut c = Corp::new();
    let set = c.aws_ok("aws ec2 create-dhcp-options --dhcp-configurations Key=domain-name-servers,Values=AmazonProvidedDNS,10.20.2.53");
    let id = set["DhcpOptions"]["DhcpOptionsId"].as_str().unwrap().to_string();
    c.aws_ok(&format!("aws ec2 associate-dhcp-options --dhcp-options-id {id} --vpc-id {{Vpc}}"));
    let client = c.client();
    let out = c.w().dig(client, &dig("app.corp.internal"));
    assert_eq!((out.exit_code, out.stdout.as_str(), out.trace), (0, "10.20.1.80\n", None));
}

#[test]
fn z2_the_search_domain_completes_short_names_for_curl_but_dig_asks_the_name_as_given() {
    let mut c = Corp::new();
    c.open_udp_53();
    let client = c.client();
    let w = c.w();
    assert_eq!(resolve(w, client, "app"), Ok("10.20.1.80".parse().unwrap()));
    let curl = w.curl(client, &Curl { host: "app".into(), port: 80, path: "/".into(), ..Curl::default() });
    assert_eq!(curl.stdout, "corp app\n");
    let out = w.dig(client, &Dig { short: false, ..dig("app") });
    assert!(out.stdout.contains("status: NXDOMAIN"), "{}", out.stdout);
}

#[test]
fn z2_associating_default_leaves_instances_without_a_dns_server() {
    let mut c = Corp::new();
    c.aws_ok("aws ec2 associate-dhcp-options --dhcp-options-id default --vpc-id {Vpc}");
    let shown = c.aws("aws ec2 describe-vpcs --vpc-ids {Vpc} --query Vpcs[0].DhcpOptionsId --output text");
    assert_eq!(shown.stdout, "default\n");
    let client = c.client();
    let w = c.w();
    assert_eq!(
        resolve(w, client, "app.corp.internal"),
        Err(HostError::NoServer { host: "app.corp.internal".into() })
    );
    let out = w.dig(client, &dig("app.corp.internal"));
    assert_eq!((out.exit_code, out.trace), (9, None));
    let at_resolver =
        w.dig(client, &Dig { server: Some("10.20.0.2".parse().unwrap()), ..dig("app.corp.internal") });
    assert_eq!(at_resolver.stdout, "10.20.1.80\n");
}

#[test]
fn z2_delete_dhcp_options_is_refused_while_a_vpc_uses_the_set() {
    let mut c = Corp::new();
    let out = c.aws("aws ec2 delete-dhcp-options --dhcp-options-id {Options}");
    assert_eq!(out.exit_code, 254);
    let id = c.ids["Options"].clone();
    assert!(
        out.stderr.contains(&format!("An error occurred (DependencyViolation) when calling the DeleteDhcpOptions operation: The dhcpOptions '{id}' has dependencies and cannot be deleted.")),
        "{}",
        out.stderr
    );
    c.aws_ok("aws ec2 associate-dhcp-options --dhcp-options-id default --vpc-id {Vpc}");
    c.aws_ok("aws ec2 delete-dhcp-options --dhcp-options-id {Options}");
    let gone = c.aws("aws ec2 describe-dhcp-options --dhcp-options-ids {Options}");
    assert!(gone.stderr.contains("InvalidDhcpOptionID.NotFound"), "{}", gone.stderr);
}

#[test]
fn z2_create_dhcp_options_checks_keys_and_values_as_ec2_does() {
    let mut w = World::in_region("us-east-1", 1).unwrap();
    let create = |w: &mut World, key: &str, values: &[&str]| {
        let configurations = vec![(key.to_string(), values.iter().map(|v| v.to_string()).collect())];
        w.create_dhcp_options(CreateDhcpOptions { configurations, ..Default::default() }).map_err(|e| e.code)
    };
    assert_eq!(create(&mut w, "domain-name-server", &["10.0.0.5"]), Err("InvalidParameterValue".into()));
    let five = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"];
    assert_eq!(create(&mut w, "domain-name-servers", &five), Err("InvalidParameterValue".into()));
    assert_eq!(create(&mut w, "domain-name-servers", &["dns.example"]), Err("InvalidParameterValue".into()));
    assert_eq!(create(&mut w, "netbios-node-type", &["3"]), Err("InvalidParameterValue".into()));
    assert!(create(&mut w, "ntp-servers", &["169.254.169.123"]).is_ok());
    let err = w.create_dhcp_options(CreateDhcpOptions::default()).unwrap_err();
    assert_eq!(err.code, "MissingParameter");
}

#[test]
fn z2_ntp_netbios_and_lease_time_properties_are_warned_as_changing_nothing() {
    let template = "
Resources:
  Options:
    Type: AWS::EC2::DHCPOptions
    Properties:
      DomainNameServers: [AmazonProvidedDNS]
      NtpServers: [169.254.169.123]
      NetbiosNameServers: [10.0.0.9]
      NetbiosNodeType: 2
      Ipv6AddressPreferredLeaseTime: 3600
";
    let mut w = World::in_region("us-east-1", 1).unwrap();
    let stack =
        create_stack(&mut w, "o", "o.cfn.yaml", template, &IndexMap::new(), &IndexMap::new()).unwrap();
    let warned: Vec<&str> = stack
        .warnings
        .iter()
        .filter(|p| p.message.contains("does not change the simulation"))
        .map(|p| p.message.split(" property ").nth(1).and_then(|m| m.split(' ').next()).unwrap_or_default())
        .collect();
    assert_eq!(
        warned,
        ["NtpServers", "NetbiosNameServers", "NetbiosNodeType", "Ipv6AddressPreferredLeaseTime"]
    );
    let d = w.dhcp_options().live().last().map(|(_, d)| d.clone()).unwrap();
    assert_eq!(d.others.len(), 4);
}
