//! Constructs found in public CloudFormation templates (AWS samples, Quick Starts,
//! community templates) that vpcsim once got wrong, each shown by a minimal template
//! written from scratch in tests/data/public/. docs/templates.md lists the public
//! templates tried and what each needed.

use indexmap::IndexMap;
use vpcsim::stack::create_stack;
use vpcsim::stack::import::{self, ImportReport, Status};
use vpcsim::world::World;

/// The fixture's text.
fn fixture(name: &str) -> String {
    let path = format!("{}/tests/data/public/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What `vpcsim import` reports for the fixture, without parameters, in us-east-1.
fn report(name: &str) -> ImportReport {
    import::import(name, &fixture(name), &IndexMap::new(), "us-east-1").unwrap_or_else(|e| panic!("{e}"))
}

/// The status and reason `vpcsim import` gives one resource.
fn row<'r>(r: &'r ImportReport, id: &str) -> (&'r Status, &'r str) {
    let x = r.resources.iter().find(|x| x.logical_id == id).unwrap_or_else(|| panic!("no {id}: {r:?}"));
    (&x.status, x.reason.as_deref().unwrap_or(""))
}

/// The world after creating the fixture as a stack named `public`.
fn world_of(name: &str) -> World {
    let mut w = World::in_region("us-east-1", 7).unwrap();
    create_stack(&mut w, "public", name, &fixture(name), &IndexMap::new(), &IndexMap::new())
        .unwrap_or_else(|e| panic!("{e}"));
    w
}

#[test]
fn get_azs_with_no_argument_means_the_stacks_own_region() {
    let r = report("get-azs-without-argument.cfn.yaml");
    assert!(r.accepted(), "{r:?}");
    let w = world_of("get-azs-without-argument.cfn.yaml");
    let mut azs: Vec<String> = w.subnets().live().map(|(_, s)| s.az.to_string()).collect();
    azs.sort();
    assert_eq!(azs, ["us-east-1a", "us-east-1b"]);
}

#[test]
fn c2_an_error_exit_helper_is_not_called_when_defined_and_the_wait_condition_completes() {
    let r = report("error-exit-helper.cfn.yaml");
    assert!(r.accepted(), "{r:?}");
    assert_eq!(row(&r, "Ready").0, &Status::Modelled);
    let w = world_of("error-exit-helper.cfn.yaml");
    let server = w.instances().values().next().unwrap();
    let bodies: Vec<&str> = server.services.iter().filter_map(|s| s.http_body()).collect();
    assert_eq!(bodies, ["from cfn-init"]);
}

#[test]
fn l1_a_load_balancer_without_type_is_refused_as_an_application_load_balancer() {
    let r = report("load-balancer-without-type.cfn.yaml");
    let (status, reason) = row(&r, "Balancer");
    assert_eq!(status, &Status::Refused);
    assert!(
        reason.contains(
            "application load balancers (no Type: CloudFormation's default) are not modelled by vpcsim"
        ),
        "{reason}"
    );
    assert!(
        reason.starts_with("load-balancer-without-type.cfn.yaml:15:"),
        "located at the resource: {reason}"
    );
}

#[test]
fn a_classic_load_balancer_is_refused_as_networking_and_an_sns_topic_is_skipped() {
    let r = report("classic-load-balancer.cfn.yaml");
    assert_eq!(row(&r, "Classic"), (&Status::Refused, "a networking type vpcsim does not model"));
    assert_eq!(
        row(&r, "Topic"),
        (&Status::Skipped, "not networking: it does not change what the network does")
    );
}

#[test]
fn c2_m3_cfn_init_and_cfn_signal_accept_the_stack_id_for_the_stack_name() {
    let r = report("stack-id-in-helper-scripts.cfn.yaml");
    assert!(r.accepted(), "{r:?}");
    let w = world_of("stack-id-in-helper-scripts.cfn.yaml");
    let server = w.instances().values().next().unwrap();
    let bodies: Vec<&str> = server.services.iter().filter_map(|s| s.http_body()).collect();
    assert_eq!(bodies, ["configured by cfn-init"]);
}

#[test]
fn import_names_every_refusal_marks_what_depends_on_one_not_tried_and_creates_the_rest() {
    let r = report("several-refusals.cfn.yaml");
    let statuses: Vec<(&str, &Status)> =
        r.resources.iter().map(|x| (x.logical_id.as_str(), &x.status)).collect();
    assert_eq!(
        statuses,
        [
            ("Vpc", &Status::Modelled),
            ("Vpn", &Status::Refused),
            ("Private", &Status::Modelled),
            ("FromPool", &Status::Refused),
            ("Table", &Status::Modelled),
            ("ToVpn", &Status::NotTried),
            ("FromPoolTable", &Status::NotTried),
            ("PrivateTable", &Status::Modelled),
            ("Acl", &Status::Modelled),
            ("InIpv4", &Status::Modelled),
            ("InTooHigh", &Status::Refused),
        ]
    );
    assert_eq!(row(&r, "Vpn").1, "a networking type vpcsim does not model");
    let pool = row(&r, "FromPool").1;
    assert!(pool.starts_with("several-refusals.cfn.yaml:18:"), "located at the property: {pool}");
    assert!(pool.contains("Ipv4IpamPoolId is not modelled by vpcsim"), "{pool}");
    assert!(row(&r, "InTooHigh")
        .1
        .contains("Invalid rule number 40000: use 1 to 32766. (InvalidParameterValue)"));
    assert_eq!(row(&r, "ToVpn").1, "it depends on Vpn, which is refused");
    assert_eq!(row(&r, "FromPoolTable").1, "it depends on FromPool, which is refused");
    assert!(!r.accepted());
}

/// The fixture's text with `from` replaced by `to` (a variant of it).
fn variant(name: &str, from: &str, to: &str) -> String {
    let text = fixture(name);
    assert!(text.contains(from), "{name} has no {from:?}");
    text.replace(from, to)
}

#[test]
fn l1_an_nlb_node_given_an_allocation_id_answers_at_that_elastic_ip() {
    let r = report("nlb-with-elastic-ips.cfn.yaml");
    assert!(r.accepted(), "{r:?}");
    let w = world_of("nlb-with-elastic-ips.cfn.yaml");
    let lb = w.lbs().values().next().unwrap();
    let nodes: Vec<_> = lb.nodes.iter().map(|n| w.public_ip_of(n.eni)).collect();
    let eips: Vec<_> = w.eips().values().map(|e| Some(e.public_ip)).collect();
    assert_eq!(nodes, eips, "each node answers at its subnet's Elastic IP");
    // The zone A node's address reaches the server in zone A; zone B's node has no target
    // in its zone (cross-zone is off), so its address does not: each address is its node's.

    let text = fixture("nlb-with-elastic-ips.cfn.yaml");
    let body: String = text.lines().map(|l| format!("      {l}\n")).collect();
    let scenario = format!(
        "name: fixed addresses\nstacks:\n  - name: public\n    template-body:\n{body}steps:\n  - wait-for: Targets healthy\n  - on: internet\n    run: curl http://${{AddressA}}/\n    expect: {{output-contains: behind fixed addresses, via: [internet-gateway, load-balancer, target-group]}}\n  - on: internet\n    run: curl http://${{AddressB}}/\n    expect: {{fails: true, explanation: ELB_NOT_CROSSZONE}}\n"
    );
    let s = vpcsim::scenario::load_str("fixed.yaml", &scenario).unwrap_or_else(|e| panic!("{e}"));
    let mut session = vpcsim::session::Session::for_scenario(&s).unwrap();
    let run = vpcsim::scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}"));
    assert!(run.passed, "{}", vpcsim::scenario::render::text(&run));
}

#[test]
fn l1_an_internal_nlb_given_an_allocation_id_is_refused() {
    let name = "nlb-with-elastic-ips.cfn.yaml";
    let text = variant(name, "Scheme: internet-facing", "Scheme: internal");
    let r = import::import(name, &text, &IndexMap::new(), "us-east-1").unwrap();
    let (status, reason) = row(&r, "Balancer");
    assert_eq!(status, &Status::Refused);
    assert!(reason.contains("cannot be assigned to an internal load balancer"), "{reason}");
    assert!(reason.contains("(InvalidConfigurationRequest)"), "{reason}");
}

#[test]
fn allowed_pattern_takes_look_ahead_as_cloudformation_does() {
    let name = "allowed-pattern-look-ahead.cfn.yaml";
    let with = |value: &str| {
        let params = IndexMap::from([("LogBucketName".to_string(), value.to_string())]);
        import::import(name, &fixture(name), &params, "us-east-1")
    };
    for good in ["my-flow-logs", "logs.example.com", ""] {
        let r = with(good).unwrap_or_else(|e| panic!("{good:?}: {e}"));
        assert!(r.accepted(), "{good:?}: {r:?}");
    }
    for bad in ["my..logs", "ab", "192.168.1.10", "-logs"] {
        let e = with(bad).expect_err(bad).to_string();
        assert!(e.contains(&format!("value `{bad}` does not match AllowedPattern")), "{bad}: {e}");
        assert!(e.contains(&format!("{name}:6:3")), "located at the parameter: {e}");
    }
}

#[test]
fn v1_a_peering_with_a_role_of_this_account_is_created_with_a_warning() {
    let name = "peering-role-of-this-account.cfn.yaml";
    let r = report(name);
    assert!(r.accepted(), "{r:?}");
    let warnings = &r.resources.iter().find(|x| x.logical_id == "Peering").unwrap().warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("PeerRoleArn is accepted but does not change the simulation"),
        "{warnings:?}"
    );
    let other = variant(name, "${AWS::AccountId}:role", "111122223333:role");
    let r = import::import(name, &other, &IndexMap::new(), "us-east-1").unwrap();
    let (status, reason) = row(&r, "Peering");
    assert_eq!(status, &Status::Refused);
    assert!(reason.contains("PeerRoleArn names a role of another account"), "{reason}");
}

#[test]
fn m7_an_aws_call_vpcsim_does_not_model_fails_from_user_data_as_in_a_step_and_set_e_ends_the_script() {
    let r = report("aws-call-in-user-data.cfn.yaml");
    assert!(r.accepted(), "{r:?}");
    let warnings = &r.resources.iter().find(|x| x.logical_id == "Bastion").unwrap().warnings;
    // The CLI reads the command line before it looks for credentials: describe-addresses
    // is refused as a step refuses it (252), and `#!/bin/bash -ex` ends the script there.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("UserData's `aws --region us-east-1 ec2 describe-addresses` failed (exit 252), changing nothing: aws: error: argument operation: Invalid choice"),
        "{warnings:?}"
    );
}

/// The NAT-instance fixture (widdix's shapes), changed by `edit`, created as stack `public`.
fn nat_stack(edit: impl Fn(String) -> String) -> (World, vpcsim::cfn::Stack) {
    let name = "nat-instance-user-data.cfn.yaml";
    let mut w = World::in_region("us-east-1", 7).unwrap();
    let stack =
        create_stack(&mut w, "public", name, &edit(fixture(name)), &IndexMap::new(), &IndexMap::new())
            .unwrap_or_else(|e| panic!("{e}"));
    (w, stack)
}

/// What the UserData calls of the NAT instance change, read back from the world: the
/// Elastic IP's interface, the NAT interface's source/destination check, the private
/// table's route for the internet (`i-...`, or none).
fn nat_setup(w: &World, stack: &vpcsim::cfn::Stack) -> (bool, bool, Option<String>) {
    use vpcsim::model::route_table::RouteTarget;
    use vpcsim::world::Handle;
    let id = |logical: &str| w.find(&stack.resources[logical].1.physical_id).unwrap();
    let (Handle::Instance(nat), Handle::RouteTable(rt)) = (id("Nat"), id("PrivateTable")) else { panic!() };
    let eni = w[nat].eni;
    let eip = w.eips().values().find(|e| e.public_ip.to_string() == stack.outputs["NatAddress"]).unwrap();
    let route = w[rt].routes.lookup(u32::from(vpcsim::region::CHECKIP_ADDR)).map(|r| match r.target {
        RouteTarget::Instance(i) => w[i].aws_id.clone(),
        ref other => format!("{other:?}"),
    });
    (eip.eni == Some(eni), w[eni].source_dest_check, route)
}

fn warnings_of(stack: &vpcsim::cfn::Stack) -> Vec<String> {
    stack.warnings.iter().map(|p| p.to_string()).collect()
}

/// The private instance's `curl http://checkip.amazonaws.com/` as a trace.
fn app_to_internet(w: &World, stack: &vpcsim::cfn::Stack) -> vpcsim::trace::Trace {
    use vpcsim::world::Handle;
    let Some(Handle::Instance(app)) = w.find(&stack.resources["App"].1.physical_id) else { panic!() };
    let eni = w[app].eni;
    let header = vpcsim::trace::Header {
        src: w[eni].private_ip,
        dst: vpcsim::region::CHECKIP_ADDR,
        protocol: vpcsim::addr::Protocol::Tcp,
        src_port: 40000,
        dst_port: 80,
    };
    let flow = vpcsim::trace::Flow { header, seq: 0 };
    w.trace(eni, flow)
}

#[test]
fn m7_a_nat_instance_that_sets_itself_up_from_user_data_carries_the_private_subnet_to_the_internet() {
    let (w, stack) = nat_stack(|t| t);
    let nat = stack.resources["Nat"].1.physical_id.clone();
    // M7: the Elastic IP is on the NAT instance, its check is off, and replace-route failed
    // (no route yet), so `||` ran create-route.
    assert_eq!(nat_setup(&w, &stack), (true, false, Some(nat.clone())));
    let t = app_to_internet(&w, &stack);
    assert!(t.reachable(), "{:?}", t.explanation);
    use vpcsim::trace::ComponentKind as K;
    let kinds: Vec<K> = t.forward.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        [
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::NetworkAcl,
            K::SecurityGroup,
            K::NetworkInterface,
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
            K::Internet,
        ]
    );
    assert_eq!(t.forward[8].id.to_string(), nat, "the path goes through the NAT instance");
    // M7: replace-route failed (no route yet) and `||` ran create-route; the warning says so.
    assert!(warnings_of(&stack).iter().any(|w| w.contains("replace-route") && w.contains("(exit 254)")));
    assert_eq!(t.seen_source().map(|a| a.to_string()), Some(stack.outputs["NatAddress"].clone()));
    let warnings = warnings_of(&stack);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("UserData made 3 aws call(s) as the instance with instance profile")
                && w.contains("not what its role's policies allow")),
        "{warnings:?}"
    );
}

#[test]
fn m7_without_an_instance_profile_the_calls_change_nothing_and_a_warning_says_why() {
    let (w, stack) = nat_stack(|t| t.replace("      IamInstanceProfile: !Ref Profile\n", ""));
    assert_eq!(nat_setup(&w, &stack), (false, true, None));
    assert!(!app_to_internet(&w, &stack).reachable());
    let warnings = warnings_of(&stack);
    assert_eq!(warnings.iter().filter(|w| w.contains("UserData's `aws")).count(), 1, "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w.contains("ec2 associate-address --instance-id i-") && w.contains("failed (exit 253), changing nothing: Unable to locate credentials: the instance has no instance profile (IamInstanceProfile)")),
        "{warnings:?}"
    );
}

#[test]
fn m7_without_a_path_to_the_ec2_endpoint_the_calls_time_out_and_change_nothing() {
    // No route to the internet gateway: the NAT instance cannot reach ec2.us-east-1.amazonaws.com.
    let (w, stack) = nat_stack(|t| {
        t.replace("    DependsOn: [PublicRoute, PublicAssociation]\n", "    DependsOn: [PublicAssociation]\n").replace(
            "  PublicRoute:\n    Type: AWS::EC2::Route\n    DependsOn: Attach\n    Properties: {RouteTableId: !Ref PublicTable, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}\n",
            "",
        )
    });
    assert_eq!(nat_setup(&w, &stack), (false, true, None));
    let warnings = warnings_of(&stack);
    assert!(
        warnings.iter().any(|w| w.contains("ec2 associate-address") && w.contains("failed (exit 255), changing nothing: Connect timeout on endpoint URL: \"https://ec2.us-east-1.amazonaws.com/\" (after 60 s: the instance cannot reach ec2.us-east-1.amazonaws.com:443: ") && w.contains("NO_ROUTE_TO_DESTINATION")),
        "{warnings:?}"
    );
}

#[test]
fn m7_a_call_vpcsim_does_not_model_is_refused_as_in_a_step_and_the_script_goes_on_after_or() {
    let (w, stack) = nat_stack(|t| {
        t.replace(
            "--source-dest-check \"{\\\"Value\\\": false}\"",
            "--source-dest-check \"{\\\"Value\\\": false}\" --dry-run || echo refused",
        )
    });
    let nat = stack.resources["Nat"].1.physical_id.clone();
    assert_eq!(nat_setup(&w, &stack), (true, true, Some(nat)));
    let warnings = warnings_of(&stack);
    assert!(
        warnings.iter().any(|w| w.contains("ec2 modify-instance-attribute") && w.contains("--dry-run")),
        "{warnings:?}"
    );
}

#[test]
fn a_template_rule_whose_assertion_fails_refuses_the_stack_with_its_description() {
    let name = "rules-on-parameters.cfn.yaml";
    let mut w = World::in_region("us-east-1", 7).unwrap();
    let own = w.account_id().to_string();
    let with = |w: &mut World, owner: &str| {
        let params = IndexMap::from([("PeerOwnerId".to_string(), owner.to_string())]);
        create_stack(w, "rules", name, &fixture(name), &params, &IndexMap::new())
    };
    let e = with(&mut w, "111122223333").expect_err("another account without a role").to_string();
    assert!(e.contains("A role is required to peer with another account."), "{e}");
    assert!(e.contains(&format!("{name}:19:")), "located at the assertion: {e}");
    assert!(e.contains("Rules.SameAccountWithoutRole"), "{e}");
    let stack = with(&mut w, &own).unwrap_or_else(|e| panic!("{e}"));
    let warned: Vec<String> = stack.warnings.iter().map(|p| p.message.clone()).collect();
    assert_eq!(
        warned,
        ["rule KnownEnvironment uses Fn::Contains, which vpcsim does not evaluate: the rule is not checked"]
    );
}

#[test]
fn m7_c2_an_auto_scaling_groups_instance_runs_its_launch_templates_user_data_as_its_own() {
    let name = "nat-instance-asg-user-data.cfn.yaml";
    let mut w = World::in_region("us-east-1", 7).unwrap();
    let stack = create_stack(&mut w, "public", name, &fixture(name), &IndexMap::new(), &IndexMap::new())
        .unwrap_or_else(|e| panic!("{e}"));
    // The group's instance read its own id (IMDSv2), made the calls and signalled success.
    let t = app_to_internet(&w, &stack);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(t.seen_source().map(|a| a.to_string()), Some(stack.outputs["NatAddress"].clone()));
    let nat = t.forward[8].id.to_string();
    assert!(w.instances().values().any(|i| i.aws_id == nat), "{nat} is the group's instance");
}

#[test]
fn m7_c2_without_an_instance_profile_the_err_trap_signals_failure_and_the_stack_rolls_back() {
    let name = "nat-instance-asg-user-data.cfn.yaml";
    let text = fixture(name).replace("        IamInstanceProfile: {Name: !Ref Profile}\n", "");
    let mut w = World::in_region("us-east-1", 7).unwrap();
    let e = create_stack(&mut w, "public", name, &text, &IndexMap::new(), &IndexMap::new()).unwrap_err();
    let p = &e.problems[0];
    assert!(p.message.starts_with("Received FAILURE signal with UniqueId i-"), "{e}");
    let hint = p.hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("signalled FAILURE: UserData's `aws --region us-east-1 ec2 associate-address")
            && hint.contains("(exit 253)"),
        "{hint}"
    );
    assert_eq!(w.instances().len(), 0, "the stack rolled back");
}

#[test]
fn m7_p13_an_interface_endpoint_for_ec2_carries_the_calls_without_the_internet() {
    // No route to the internet gateway, but an `ec2` interface endpoint with private DNS
    // in the NAT instance's subnet: ec2.us-east-1.amazonaws.com answers the endpoint.
    let (w, stack) = nat_stack(|t| {
        t.replace(
            "  PublicRoute:\n    Type: AWS::EC2::Route\n    DependsOn: Attach\n    Properties: {RouteTableId: !Ref PublicTable, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}\n",
            "  Ec2Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcEndpointType: Interface\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.ec2\n      VpcId: !Ref Vpc\n      SubnetIds: [!Ref Public]\n      SecurityGroupIds: [!Ref NatGroup]\n      PrivateDnsEnabled: true\n",
        )
        .replace("    DependsOn: [PublicRoute, PublicAssociation]\n", "    DependsOn: [Ec2Endpoint, PublicAssociation]\n")
        .replace("Properties: {CidrBlock: 10.86.0.0/16}", "Properties: {CidrBlock: 10.86.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}")
    });
    let nat = stack.resources["Nat"].1.physical_id.clone();
    assert_eq!(nat_setup(&w, &stack), (true, false, Some(nat)));
    assert!(
        warnings_of(&stack).iter().any(|w| w.contains("UserData made 3 aws call(s) as the instance")),
        "{:?}",
        warnings_of(&stack)
    );
}

#[test]
fn m7_the_private_instances_curl_goes_out_through_the_nat_instance_at_its_elastic_ip() {
    use vpcsim::scenario::{self, render};
    use vpcsim::session::Session;
    let path = std::path::PathBuf::from(format!(
        "{}/tests/data/public/nat-instance-user-data.yaml",
        env!("CARGO_MANIFEST_DIR")
    ));
    let s = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::for_scenario(&s).unwrap();
    let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.passed, "{}", render::text(&report));
}
