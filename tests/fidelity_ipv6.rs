//! Fidelity tests for dual-stack VPCs in the control plane (docs/aws-rules.md A8): a
//! template in the shapes of the most deployed public VPC templates (an Amazon-provided
//! block, /64 subnets cut with `Fn::Cidr`, `::/0` routes to an internet gateway and an
//! egress-only one, IPv6 NACL entries, a `CidrIpv6` rule) is created and described as AWS
//! keeps it, and the IPv4 flows through it are those of an IPv4-only VPC. The located
//! refusals (a block outside the VPC's, taken, a /56, `::/0` to a NAT gateway) are in
//! tests/stack_errors.rs.

mod common;

use std::net::Ipv6Addr;

use common::*;
use indexmap::IndexMap;
use ipnet::Ipv6Net;
use vpcsim::forward::Outcome;
use vpcsim::model::ipv6::Ipv6Target;
use vpcsim::ops::ipv6::AMAZON_POOL;
use vpcsim::ops::vpc::RouteTargetSpec;
use vpcsim::scenario::Backend;
use vpcsim::stack::import::{self, Status};
use vpcsim::stack::{create_stack, delete_stack};
use vpcsim::trace::{ComponentKind as K, Direction};
use vpcsim::world::World;

const FIXTURE: &str = "dual-stack-vpc.cfn.yaml";

fn fixture() -> String {
    let path = format!("{}/tests/data/public/{FIXTURE}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The world and stack after creating the fixture in us-east-1 with `seed`.
fn created(seed: u64) -> (World, vpcsim::cfn::Stack) {
    let mut w = World::in_region("us-east-1", seed).unwrap();
    let stack = create_stack(&mut w, "dual", FIXTURE, &fixture(), &IndexMap::new(), &IndexMap::new())
        .unwrap_or_else(|e| panic!("{e}"));
    (w, stack)
}

fn v6(text: &str) -> Ipv6Net {
    text.parse().unwrap()
}

/// The instance a stack created under `logical_id`.
fn instance_of(w: &World, stack: &vpcsim::cfn::Stack, logical_id: &str) -> vpcsim::ids::InstanceId {
    let id = &stack.resources[logical_id].1.physical_id;
    w.instances().iter().find(|(_, i)| &i.aws_id == id).map(|(i, _)| i).unwrap()
}

#[test]
fn a8_a_dual_stack_template_in_widdix_shapes_imports_with_nothing_refused_and_one_warning() {
    let r =
        import::import(FIXTURE, &fixture(), &IndexMap::new(), "us-east-1").unwrap_or_else(|e| panic!("{e}"));
    assert!(r.accepted(), "{r:?}");
    assert!(r.resources.iter().all(|x| x.status == Status::Modelled), "{r:?}");
    let warnings: Vec<&String> = r.resources.iter().flat_map(|x| &x.warnings).collect();
    let ipv6: Vec<&&String> = warnings.iter().filter(|w| w.contains("IPv4 flows only")).collect();
    assert_eq!(ipv6.len(), 1, "one warning per stack: {warnings:?}");
    assert!(ipv6[0].contains(
        "VPCCidrBlock, EgressOnlyInternetGateway, SubnetPublic, SubnetPrivate, RoutePublicInternetIPv6, RoutePrivateInternetIPv6, NetworkAclEntryInPrivateAllowAllIPv6, NetworkAclEntryOutPrivateAllowAllIPv6, WebGroup are kept and described; no IPv6 flow is simulated"
    ), "{}", ipv6[0]);
}

#[test]
fn a8_the_vpc_gets_a_seeded_amazon_56_and_its_subnets_the_64s_fn_cidr_cuts_from_it() {
    let (w, stack) = created(7);
    let block = v6(&stack.outputs["CidrBlockIPv6"]);
    assert_eq!(block.prefix_len(), 56);
    assert!(AMAZON_POOL.contains(&block), "{block} is Amazon's");
    assert_eq!(created(7).1.outputs["CidrBlockIPv6"], block.to_string(), "the same seed, the same block");
    assert_ne!(created(8).1.outputs["CidrBlockIPv6"], block.to_string(), "another seed, another block");
    let second = Ipv6Net::new(Ipv6Addr::from(u128::from(block.network()) + (1u128 << 64)), 64).unwrap();
    assert_eq!(stack.outputs["SubnetPrivateIPv6"], second.to_string(), "!Select [1, !Cidr [block, 4, 64]]");
    let vpc = w.vpcs().live().next().unwrap().1;
    assert_eq!(vpc.ipv6_cidrs.len(), 1);
    assert_eq!(vpc.ipv6_cidrs[0].cidr, block);
    let mut subnets: Vec<(String, bool)> = w
        .subnets()
        .live()
        .map(|(_, s)| (s.ipv6_cidr.as_ref().unwrap().cidr.to_string(), s.assign_ipv6_on_creation))
        .collect();
    subnets.sort();
    let first = Ipv6Net::new(block.network(), 64).unwrap();
    let mut expected = vec![(first.to_string(), false), (second.to_string(), true)];
    expected.sort();
    assert_eq!(subnets, expected);
}

#[test]
fn a8_describe_shows_the_ipv6_blocks_routes_entries_rules_and_gateway_as_ec2_does() {
    let (w, stack) = created(7);
    let block = &stack.outputs["CidrBlockIPv6"];
    let vpcs = vpcsim::describe::vpcs(&w);
    let assoc = &vpcs["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0];
    assert_eq!(assoc["Ipv6CidrBlock"], block.as_str());
    assert_eq!(assoc["Ipv6CidrBlockState"]["State"], "associated");
    assert_eq!(assoc["NetworkBorderGroup"], "us-east-1");
    assert_eq!(assoc["Ipv6Pool"], "Amazon");
    assert!(assoc["AssociationId"].as_str().unwrap().starts_with("vpc-cidr-assoc-"));

    let subnets = vpcsim::describe::subnets(&w);
    let private =
        subnets["Subnets"].as_array().unwrap().iter().find(|s| s["AssignIpv6AddressOnCreation"] == true);
    let private = private.expect("the private subnet assigns IPv6 on creation");
    assert_eq!(
        private["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"],
        stack.outputs["SubnetPrivateIPv6"].as_str()
    );

    let eigw = &stack.resources["EgressOnlyInternetGateway"].1.physical_id;
    assert!(eigw.starts_with("eigw-"), "{eigw}");
    let tables = vpcsim::describe::route_tables(&w);
    let private_rtb = &stack.resources["RouteTablePrivate"].1.physical_id;
    let table =
        tables["RouteTables"].as_array().unwrap().iter().find(|t| &t["RouteTableId"] == private_rtb).unwrap();
    let ipv6_routes: Vec<String> = table["Routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("DestinationIpv6CidrBlock").is_some())
        .map(|r| r.to_string())
        .collect();
    assert_eq!(
        ipv6_routes,
        [
            format!(
                r#"{{"DestinationIpv6CidrBlock":"{block}","GatewayId":"local","Origin":"CreateRouteTable","State":"active"}}"#
            ),
            format!(
                r#"{{"DestinationIpv6CidrBlock":"::/0","EgressOnlyInternetGatewayId":"{eigw}","Origin":"CreateRoute","State":"active"}}"#
            ),
        ]
    );

    let gateways = vpcsim::describe::by_name(&w, "egress-only-internet-gateways").unwrap();
    assert_eq!(gateways["EgressOnlyInternetGateways"][0]["EgressOnlyInternetGatewayId"], eigw.as_str());
    assert_eq!(gateways["EgressOnlyInternetGateways"][0]["Attachments"][0]["State"], "attached");

    let groups = vpcsim::describe::security_groups(&w);
    let web_id = &stack.resources["WebGroup"].1.physical_id;
    let web = groups["SecurityGroups"].as_array().unwrap().iter().find(|g| &g["GroupId"] == web_id).unwrap();
    assert_eq!(
        web["IpPermissions"][1]["Ipv6Ranges"].to_string(),
        r#"[{"CidrIpv6":"::/0","Description":"HTTPS over IPv6"}]"#
    );
    assert_eq!(web["IpPermissionsEgress"][1]["Ipv6Ranges"][0]["CidrIpv6"], "::/0", "AWS's ::/0 egress rule");
    let (mut w, _) = created(7);
    let vpc = w.vpcs().live().next().unwrap().0;
    let template = format!(
        "Resources:\n  Narrow:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: narrow\n      VpcId: {}\n      SecurityGroupEgress: [{{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}}]\n",
        w[vpc].aws_id
    );
    create_stack(&mut w, "narrow", "narrow.yaml", &template, &IndexMap::new(), &IndexMap::new()).unwrap();
    let narrow = w.sgs().live().find(|(_, g)| g.description == "narrow").unwrap().1;
    assert!(narrow.ipv6_egress.is_empty(), "SecurityGroupEgress replaces both default egress rules");
}

#[test]
fn a8_n2_ipv6_entries_share_rule_numbers_with_ipv4_and_each_direction_ends_with_a_star_for_both() {
    let (w, stack) = created(7);
    let acl_id = &stack.resources["NetworkAclPrivate"].1.physical_id;
    let acls = vpcsim::describe::network_acls(&w);
    let acl = acls["NetworkAcls"].as_array().unwrap().iter().find(|a| &a["NetworkAclId"] == acl_id).unwrap();
    let ingress: Vec<(u64, String)> = acl["Entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["Egress"] == false)
        .map(|e| {
            let block = e.get("CidrBlock").or(e.get("Ipv6CidrBlock")).unwrap().as_str().unwrap().to_string();
            (e["RuleNumber"].as_u64().unwrap(), block)
        })
        .collect();
    let expected = [(98, "::/0"), (99, "0.0.0.0/0"), (32767, "0.0.0.0/0"), (32767, "::/0")];
    assert_eq!(ingress, expected.map(|(n, b)| (n, b.to_string())));
    let default = acls["NetworkAcls"].as_array().unwrap().iter().find(|a| a["IsDefault"] == true).unwrap();
    assert!(
        default["Entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["RuleNumber"] == 101 && e["Ipv6CidrBlock"] == "::/0" && e["RuleAction"] == "allow"),
        "the default NACL allows all IPv6 at rule 101 once the VPC has a block"
    );

    let mut w = w;
    let acl = w.nacl_id("CreateNetworkAclEntry", acl_id).unwrap();
    let entry = vpcsim::model::ipv6::Ipv6AclEntry {
        number: 99,
        protocol: vpcsim::addr::RuleProtocol::All,
        ports: vpcsim::addr::PortRange::ALL,
        icmp: vpcsim::model::nacl::IcmpTypeCode::ALL,
        cidr: v6("2001:db8::/32"),
        action: vpcsim::model::nacl::Action::Deny,
    };
    let e = w.create_ipv6_network_acl_entry(acl, Direction::Ingress, entry).unwrap_err();
    assert_eq!(e.code, "NetworkAclEntryAlreadyExists", "rule 99 is the IPv4 entry's");
}

#[test]
fn a8_ipv4_flows_through_a_dual_stack_vpc_are_those_of_an_ipv4_only_one() {
    let (w, stack) = created(7);
    let web = instance_of(&w, &stack, "Web");
    let worker = instance_of(&w, &stack, "Worker");
    let out = w.trace(eni(&w, web), tcp_from(&w, web, ip("8.8.8.8"), 443));
    assert_eq!(
        kinds(&out.forward),
        [
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
            K::Internet
        ],
        "the public subnet reaches the internet by its IPv4 default route"
    );
    assert!(matches!(
        w.verdict(eni(&w, web), tcp_from(&w, web, ip("8.8.8.8"), 443)),
        Outcome::Delivered { .. }
    ));
    let blocked = w.verdict(eni(&w, worker), tcp_from(&w, worker, ip("8.8.8.8"), 443));
    assert!(
        !matches!(blocked, Outcome::Delivered { .. }),
        "the egress-only gateway's ::/0 route carries no IPv4: {blocked:?}"
    );
    let inbound = w.verdict(eni(&w, web), tcp_from(&w, web, private_ip(&w, worker), 443));
    assert!(matches!(inbound, Outcome::Delivered { .. }), "{inbound:?}");
}

#[test]
fn a8_r4_an_ipv6_route_names_an_egress_only_gateway_of_its_own_vpc_once_per_destination_and_blackholes_without_it(
) {
    let (mut w, stack) = created(7);
    let table = w.route_table_id("CreateRoute", &stack.resources["RouteTablePublic"].1.physical_id).unwrap();
    let other = vpc(&mut w, "10.9.0.0/16");
    let foreign = w.create_egress_only_internet_gateway(other, vpcsim::model::Tags::new());
    let foreign_id = w[foreign].aws_id.clone();
    let e = w
        .create_ipv6_route(
            table,
            v6("2001:db8::/32"),
            &RouteTargetSpec::EgressOnlyInternetGateway(foreign_id),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidParameterValue");
    let igw = RouteTargetSpec::Gateway(stack.resources["InternetGateway"].1.physical_id.clone());
    let e = w.create_ipv6_route(table, v6("::/0"), &igw).unwrap_err();
    assert_eq!(e.code, "RouteAlreadyExists", "{}", e.message);
    let eigw = w.find(&stack.resources["EgressOnlyInternetGateway"].1.physical_id);
    let Some(vpcsim::world::Handle::Eigw(eigw)) = eigw else { panic!("{eigw:?}") };
    w.delete_egress_only_internet_gateway(eigw);
    let private =
        w.route_table_id("DeleteRoute", &stack.resources["RouteTablePrivate"].1.physical_id).unwrap();
    let route = w[private].ipv6_routes.iter().find(|r| r.destination == v6("::/0")).unwrap();
    assert_eq!(route.target, Ipv6Target::EgressOnly(eigw));
    assert!(
        !w.ipv6_route_is_active(private, &route.target),
        "R5: a route to a deleted gateway is a blackhole"
    );
}

#[test]
fn a8_deleting_the_stack_removes_the_ipv6_state_and_the_vpc() {
    let (mut w, mut stack) = created(7);
    delete_stack(&mut w, &mut stack).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(w.vpcs().live().count(), 0);
    assert_eq!(w.eigws().live().count(), 0);
}

/// One `aws` line run in the session; its exit code, JSON answer and stderr.
fn aws(s: &mut vpcsim::session::Session, line: &str) -> (i32, serde_json::Value, String) {
    let call = vpcsim::command::aws::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    let out = s.run_aws(&call);
    (out.exit_code, out.json.unwrap_or_default(), out.stderr)
}

#[test]
fn a8_the_aws_calls_build_a_dual_stack_vpc_and_warn_once_a_session_that_no_ipv6_flow_is_simulated() {
    let mut s = vpcsim::session::Session::new(World::in_region("us-east-1", 7).unwrap());
    let (_, v, _) = aws(&mut s, "aws ec2 create-vpc --cidr-block 10.0.0.0/16");
    let vpc = v["Vpc"]["VpcId"].as_str().unwrap().to_string();
    let (code, v, err) = aws(
        &mut s,
        &format!("aws ec2 associate-vpc-cidr-block --vpc-id {vpc} --amazon-provided-ipv6-cidr-block"),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]["State"], "associating");
    assert!(err.contains("no IPv6 flow is simulated"), "{err}");
    let block = v6(v["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"].as_str().unwrap());
    assert!(AMAZON_POOL.contains(&block));
    let (_, v, _) = aws(&mut s, &format!("aws ec2 create-subnet --vpc-id {vpc} --cidr-block 10.0.1.0/24"));
    let subnet = v["Subnet"]["SubnetId"].as_str().unwrap().to_string();
    let first = Ipv6Net::new(block.network(), 64).unwrap();
    let (code, v, err) = aws(
        &mut s,
        &format!("aws ec2 associate-subnet-cidr-block --subnet-id {subnet} --ipv6-cidr-block {first}"),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"], first.to_string());
    assert!(!err.contains("IPv6"), "said once a session: {err}");
    let (code, _, err) = aws(
        &mut s,
        &format!("aws ec2 associate-subnet-cidr-block --subnet-id {subnet} --ipv6-cidr-block {block}"),
    );
    assert_eq!(code, 254);
    assert!(err.contains("(InvalidParameterValue)"), "{err}");
    let (_, v, _) = aws(&mut s, &format!("aws ec2 create-egress-only-internet-gateway --vpc-id {vpc}"));
    let eigw = v["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"].as_str().unwrap().to_string();
    let (_, v, _) = aws(&mut s, &format!("aws ec2 create-route-table --vpc-id {vpc}"));
    let rtb = v["RouteTable"]["RouteTableId"].as_str().unwrap().to_string();
    let route = format!("aws ec2 create-route --route-table-id {rtb} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id {eigw}");
    assert_eq!(aws(&mut s, &route).1, serde_json::json!({"Return": true}));
    let ipv4 = format!("aws ec2 create-route --route-table-id {rtb} --destination-cidr-block 0.0.0.0/0 --egress-only-internet-gateway-id {eigw}");
    let (code, _, err) = aws(&mut s, &ipv4);
    assert_eq!(code, 254);
    assert!(err.contains("(InvalidParameterCombination)"), "{err}");
    let (_, v, _) = aws(&mut s, &format!("aws ec2 describe-route-tables --route-table-ids {rtb}"));
    assert_eq!(v["RouteTables"][0]["Routes"][2]["EgressOnlyInternetGatewayId"], eigw.as_str());
    let (code, _, err) = aws(&mut s, &format!("aws ec2 delete-vpc --vpc-id {vpc}"));
    assert_eq!(code, 254, "A7: the gateway holds the VPC");
    assert!(err.contains("DependencyViolation"), "{err}");
    let (_, v, _) = aws(
        &mut s,
        &format!("aws ec2 delete-egress-only-internet-gateway --egress-only-internet-gateway-id {eigw}"),
    );
    assert_eq!(v, serde_json::json!({"ReturnCode": true}));
    let (_, v, _) = aws(&mut s, "aws ec2 describe-egress-only-internet-gateways");
    assert_eq!(v["EgressOnlyInternetGateways"], serde_json::json!([]));
}

#[test]
fn a8_a_subnet_cidr_block_gives_an_existing_subnet_its_64_and_its_stack_deletion_takes_it_back() {
    let template = "Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Block: {Type: AWS::EC2::VPCCidrBlock, Properties: {VpcId: !Ref Vpc, AmazonProvidedIpv6CidrBlock: true}}
  Subnet: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}}
  SubnetBlock:
    Type: AWS::EC2::SubnetCidrBlock
    DependsOn: Block
    Properties:
      SubnetId: !Ref Subnet
      Ipv6CidrBlock: !Select [3, !Cidr [!Select [0, !GetAtt Vpc.Ipv6CidrBlocks], 4, 64]]
";
    let mut w = World::in_region("us-east-1", 7).unwrap();
    let mut stack = create_stack(&mut w, "s", "s.yaml", template, &IndexMap::new(), &IndexMap::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let vpc_block = w.vpcs().live().next().unwrap().1.ipv6_cidrs[0].cidr;
    let subnet = w.subnets().live().next().unwrap().1;
    let third = Ipv6Net::new(Ipv6Addr::from(u128::from(vpc_block.network()) + (3u128 << 64)), 64).unwrap();
    let assoc = subnet.ipv6_cidr.clone().unwrap();
    assert_eq!(assoc.cidr, third);
    assert_eq!(stack.resources["SubnetBlock"].1.physical_id, assoc.association_id);
    assert!(assoc.association_id.starts_with("subnet-cidr-assoc-"));
    let mut without = w.clone();
    without.disassociate_subnet_ipv6_cidr_block(&assoc.association_id);
    assert_eq!(without.subnets().live().next().unwrap().1.ipv6_cidr, None, "what its deletion does");
    delete_stack(&mut w, &mut stack).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(w.vpcs().live().count(), 0);
}
