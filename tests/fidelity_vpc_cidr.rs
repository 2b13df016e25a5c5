//! Fidelity tests for secondary IPv4 blocks of a VPC (docs/aws-rules.md A1, R2):
//! associate-vpc-cidr-block and disassociate-vpc-cidr-block, subnets in a secondary
//! block, the local route per block, and AWS::EC2::VPCCidrBlock.

mod common;

use common::*;
use indexmap::IndexMap;
use vpcsim::command::aws::parse_line;
use vpcsim::ids::VpcId;
use vpcsim::model::route_table::RouteTarget as ModelTarget;
use vpcsim::ops::vpc::CreateSubnet;
use vpcsim::scenario::Backend;
use vpcsim::session::Session;
use vpcsim::trace::{ComponentKind as K, Matched, RouteState, RouteTarget};
use vpcsim::world::World;

fn associate(w: &mut World, v: VpcId, block: &str) -> Result<String, String> {
    w.associate_vpc_cidr_block(v, cidr(block)).map_err(|e| e.code)
}

fn local_routes(w: &World, v: VpcId) -> Vec<Vec<String>> {
    w.route_tables()
        .live()
        .filter(|(_, rt)| rt.vpc == v)
        .map(|(_, rt)| {
            rt.routes
                .iter()
                .filter(|r| r.target == ModelTarget::Local)
                .map(|r| r.destination.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a1_r2_an_instance_in_a_secondary_block_is_reached_from_the_primary_through_its_local_route() {
    // A1: a subnet lies inside a VPC CIDR (here the secondary one); R2: every table holds a
    // local route for each VPC CIDR.
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    associate(&mut w, v, "10.1.0.0/16").unwrap();
    let near = subnet(&mut w, v, "10.0.0.0/24", 0);
    let far = subnet(&mut w, v, "10.1.0.0/24", 1);
    let web = group(&mut w, v, "web", &[80], "10.0.0.0/16");
    let client = instance(&mut w, near, &[], false);
    let server = instance(&mut w, far, &[web], false);
    assert!(cidr("10.1.0.0/24").contains(private_ip(&w, server)));
    let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, server), 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    let route = t.forward.iter().find(|h| h.kind == K::RouteTable).and_then(|h| h.matched.clone());
    assert_eq!(
        route,
        Some(Matched::Route {
            destination: cidr("10.1.0.0/16"),
            target: RouteTarget::Local,
            state: RouteState::Active
        })
    );
}

#[test]
fn r2_every_table_of_the_vpc_holds_one_local_route_per_block_and_loses_it_on_disassociation() {
    // R2: every table holds an implicit local route for each VPC CIDR.
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let before = w.create_route_table(v, Default::default());
    let assoc = associate(&mut w, v, "10.1.0.0/16").unwrap();
    let after = w.create_route_table(v, Default::default());
    let both = vec!["10.0.0.0/16".to_string(), "10.1.0.0/16".to_string()];
    assert_eq!(local_routes(&w, v), vec![both.clone(), both.clone(), both]);
    assert!(w[before].routes.iter().any(|r| r.destination == cidr("10.1.0.0/16")));
    assert!(w[after].routes.iter().any(|r| r.destination == cidr("10.1.0.0/16")));
    w.disassociate_vpc_cidr_block(&assoc).unwrap();
    let primary = vec!["10.0.0.0/16".to_string()];
    assert_eq!(local_routes(&w, v), vec![primary.clone(), primary.clone(), primary]);
    assert_eq!(w[v].cidrs().count(), 1);
}

#[test]
fn a1_a_secondary_block_is_checked_as_aws_checks_it() {
    // A1: /16 to /28, no overlap with the VPC's blocks, and AWS's association restrictions
    // on private ranges; Q1: five blocks per VPC, the primary included.
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let refused = |w: &mut World, block: &str| associate(w, v, block).unwrap_err();
    assert_eq!(refused(&mut w, "10.1.0.0/15"), "InvalidVpc.Range");
    assert_eq!(refused(&mut w, "10.1.0.0/29"), "InvalidVpc.Range");
    assert_eq!(refused(&mut w, "10.0.128.0/17"), "InvalidVpc.Range");
    assert_eq!(refused(&mut w, "172.16.0.0/16"), "InvalidVpc.Range");
    assert_eq!(refused(&mut w, "192.168.0.0/16"), "InvalidVpc.Range");
    assert_eq!(refused(&mut w, "198.19.0.0/16"), "InvalidVpc.Range");
    assert_eq!(w[v].cidrs().count(), 1, "a refused association changes nothing");
    associate(&mut w, v, "100.64.0.0/16").unwrap();
    for block in ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"] {
        associate(&mut w, v, block).unwrap();
    }
    assert_eq!(refused(&mut w, "10.4.0.0/16"), "CidrLimitExceeded");
    assert_eq!(w[v].cidrs().count(), 5);
}

#[test]
fn a1_a_block_a_subnet_uses_or_the_primary_cannot_be_disassociated() {
    // A1: a subnet must lie inside a VPC CIDR, so the block it uses stays associated.
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let assoc = associate(&mut w, v, "10.1.0.0/16").unwrap();
    let s = w
        .create_subnet(CreateSubnet { vpc: Some(v), cidr: Some(cidr("10.1.2.0/24")), ..Default::default() })
        .unwrap();
    let err = w.disassociate_vpc_cidr_block(&assoc).unwrap_err();
    assert_eq!(err.code, "InvalidCidrBlock.InUse");
    assert!(err.message.contains(&w[s].aws_id), "{}", err.message);
    let primary = vpcsim::ops::vpc_cidr::primary_association_id(&w[v].aws_id);
    assert_eq!(w.disassociate_vpc_cidr_block(&primary).unwrap_err().code, "OperationNotPermitted");
    assert_eq!(
        w.disassociate_vpc_cidr_block("vpc-cidr-assoc-00000000000000000").unwrap_err().code,
        "InvalidVpcCidrBlockAssociationID.NotFound"
    );
    w.delete_subnet(s).unwrap();
    w.disassociate_vpc_cidr_block(&assoc).unwrap();
    let outside =
        w.create_subnet(CreateSubnet { vpc: Some(v), cidr: Some(cidr("10.1.2.0/24")), ..Default::default() });
    assert_eq!(outside.unwrap_err().code, "InvalidSubnet.Range");
}

fn aws(s: &mut Session, line: &str) -> serde_json::Value {
    let out = s.run_aws(&parse_line(line).unwrap());
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.json.unwrap_or_default()
}

#[test]
fn associate_vpc_cidr_block_answers_as_the_cli_and_describe_vpcs_lists_every_association() {
    // A1, R2: describe-vpcs' CidrBlockAssociationSet and describe-route-tables' local routes.
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let id = w[v].aws_id.clone();
    let mut s = Session::new(w);
    let answer =
        aws(&mut s, &format!("aws ec2 associate-vpc-cidr-block --vpc-id {id} --cidr-block 10.1.0.0/16"));
    let assoc = answer["CidrBlockAssociation"]["AssociationId"].as_str().unwrap().to_string();
    assert!(assoc.starts_with("vpc-cidr-assoc-"), "{assoc}");
    assert_eq!(answer["CidrBlockAssociation"]["CidrBlock"], "10.1.0.0/16");
    assert_eq!(answer["VpcId"], id.as_str());
    let vpcs = aws(&mut s, "aws ec2 describe-vpcs");
    let set: Vec<(String, String)> = vpcs["Vpcs"][0]["CidrBlockAssociationSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["CidrBlock"].as_str().unwrap().to_string(),
                a["CidrBlockState"]["State"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        set,
        vec![("10.0.0.0/16".into(), "associated".into()), ("10.1.0.0/16".into(), "associated".into())]
    );
    assert_eq!(vpcs["Vpcs"][0]["CidrBlockAssociationSet"][1]["AssociationId"], assoc.as_str());
    assert_eq!(vpcs["Vpcs"][0]["CidrBlock"], "10.0.0.0/16");
    let tables = aws(&mut s, "aws ec2 describe-route-tables");
    let locals: Vec<&str> = tables["RouteTables"][0]["Routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["GatewayId"] == "local")
        .map(|r| r["DestinationCidrBlock"].as_str().unwrap())
        .collect();
    assert_eq!(locals, vec!["10.0.0.0/16", "10.1.0.0/16"]);
    aws(&mut s, &format!("aws ec2 disassociate-vpc-cidr-block --association-id {assoc}"));
    let vpcs = aws(&mut s, "aws ec2 describe-vpcs");
    assert_eq!(vpcs["Vpcs"][0]["CidrBlockAssociationSet"].as_array().unwrap().len(), 1);
}

const TEMPLATE: &str = "\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Secondary:
    Type: AWS::EC2::VPCCidrBlock
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 100.64.0.0/16
  Pods:
    Type: AWS::EC2::Subnet
    DependsOn: Secondary
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 100.64.1.0/24
";

#[test]
fn a1_a_template_subnet_in_a_secondary_block_is_created_after_its_vpc_cidr_block() {
    // A1: with DependsOn, the subnet is created once its block is associated.
    let mut w = seoul(SEED);
    let stack =
        vpcsim::stack::create_stack(&mut w, "s", "t.yaml", TEMPLATE, &IndexMap::new(), &IndexMap::new())
            .unwrap();
    let (_, v) = w.vpcs().live().next().unwrap();
    assert_eq!(v.cidrs().map(|c| c.to_string()).collect::<Vec<_>>(), ["10.0.0.0/16", "100.64.0.0/16"]);
    assert_eq!(w.subnets().live().next().unwrap().1.cidr, cidr("100.64.1.0/24"));
    let physical = &stack.resources["Secondary"].1.physical_id;
    assert_eq!(physical, &v.secondary_cidrs[0].association_id);
}
