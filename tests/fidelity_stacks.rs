//! CloudFormation stacks as AWS deletes them (C1): an export another stack imports keeps
//! its stack whole, and a deletion that fails halfway keeps only what it did not delete.

use indexmap::IndexMap;
use vpcsim::command::aws::parse_line;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::instance::InstanceState;
use vpcsim::scenario::{Backend, StepOutcome};
use vpcsim::session::Session;
use vpcsim::stack::create_stack;
use vpcsim::world::World;

const NETWORK: &str = "
Resources:
  SharedVpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.70.0.0/16}
  SharedSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref SharedVpc, CidrBlock: 10.70.1.0/24}
Outputs:
  Subnet:
    Value: !Ref SharedSubnet
    Export: {Name: shared-subnet}
";

const APP: &str = "
Resources:
  App:
    Type: AWS::EC2::Instance
    Properties:
      SubnetId: !ImportValue shared-subnet
      Tags: [{Key: Name, Value: app}]
";

fn aws(s: &mut Session, line: &str) -> StepOutcome {
    let out = s.run_aws(&parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}")));
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out
}

fn stack(s: &mut Session, name: &str, template: &str) {
    let exports: IndexMap<String, String> = s.stacks.values().flat_map(|st| st.exports.clone()).collect();
    let created = create_stack(&mut s.world, name, "t.yaml", template, &IndexMap::new(), &exports)
        .unwrap_or_else(|e| panic!("{e}"));
    s.stacks.insert(name.to_string(), created);
}

fn stack_status(s: &mut Session) -> serde_json::Value {
    aws(s, "aws cloudformation describe-stacks").json.unwrap_or_default()
}

#[test]
fn c1_a_stack_whose_export_another_stack_imports_cannot_be_deleted_and_loses_nothing() {
    // C1: a stack whose export another stack imports cannot be deleted ("Export ... cannot be
    // deleted as it is in use by ..."); the stack stays, and nothing of it is removed.
    let mut s = Session::new(World::in_region("us-east-1", 5).unwrap());
    stack(&mut s, "network", NETWORK);
    stack(&mut s, "app", APP);
    let before = format!("{:?}", s.world);
    aws(&mut s, "aws cloudformation delete-stack --stack-name network");
    let stacks = stack_status(&mut s);
    let network = &stacks["Stacks"][0];
    assert_eq!(network["StackName"], "network");
    assert_eq!(network["StackStatus"], "DELETE_FAILED");
    assert_eq!(network["StackStatusReason"], "Export shared-subnet cannot be deleted as it is in use by app");
    assert_eq!(format!("{:?}", s.world), before, "nothing of the stack was removed");
    assert_eq!(s.stacks["network"].resources.len(), 2);

    aws(&mut s, "aws cloudformation delete-stack --stack-name app");
    aws(&mut s, "aws cloudformation delete-stack --stack-name network");
    assert!(s.stacks.is_empty(), "{:?}", s.stacks.keys());
    assert!(s.world.instances().values().all(|i| i.state == InstanceState::Terminated));
    assert_eq!(s.world.subnets().live().count(), 0);
    assert_eq!(s.world.vpcs().live().count(), 0);
}

#[test]
fn c1_a_subnet_with_an_instance_in_it_refuses_deletion_and_keeps_its_vpc() {
    // C1 with DeleteSubnet's DependencyViolation: a stack cannot leave an instance running in
    // a subnet and VPC that no longer exist; the subnet and the VPC it needs stay.
    let mut s = Session::new(World::in_region("us-east-1", 5).unwrap());
    stack(&mut s, "network", NETWORK);
    stack(&mut s, "app", APP);
    let app = s.stacks.shift_remove("app").unwrap();
    // Without the importing stack on record, the export check cannot hold the deletion back.
    aws(&mut s, "aws cloudformation delete-stack --stack-name network");
    let reason = stack_status(&mut s)["Stacks"][0]["StackStatusReason"].as_str().unwrap().to_string();
    assert!(
        reason.starts_with("The following resource(s) failed to delete: [SharedSubnet]. The subnet 'subnet-")
            && reason.ends_with("has dependencies and cannot be deleted. (DependencyViolation)"),
        "{reason}"
    );
    let instance = &s.world[s
        .world
        .find(&app.resources["App"].1.physical_id)
        .and_then(|h| match h {
            vpcsim::world::Handle::Instance(i) => Some(i),
            _ => None,
        })
        .unwrap()];
    assert_eq!(instance.state, InstanceState::Running);
    let eni = &s.world[instance.eni];
    assert!(!s.world[eni.subnet].deleted && !s.world[eni.vpc].deleted, "its subnet and VPC are still there");
}

#[test]
fn c1_a_failed_deletion_does_not_put_back_the_listener_it_already_deleted() {
    // C1: a failed stack deletion keeps what it had not deleted and reports DELETE_FAILED;
    // AWS does not restore what it already deleted.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let nlb = lab.nlb;
    let mut s = Session::new(lab.world);
    s.stacks.insert("privatelink-lab".into(), lab.stack);
    let arn = s.world[nlb].arn.clone();
    aws(
        &mut s,
        &format!("aws ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns {arn}"),
    );
    assert_eq!(s.world.listeners().live().count(), 1);

    aws(&mut s, "aws cloudformation delete-stack --stack-name privatelink-lab");
    let stacks = stack_status(&mut s);
    assert_eq!(stacks["Stacks"][0]["StackStatus"], "DELETE_FAILED");
    let reason = stacks["Stacks"][0]["StackStatusReason"].as_str().unwrap();
    // The gateway attachment refuses too (I7): the NLB node's public address is still mapped.
    assert!(
        reason.starts_with("The following resource(s) failed to delete: [CustomNLB, CustomIGWAttachment]."),
        "{reason}"
    );
    assert_eq!(s.world.listeners().live().count(), 0, "the deleted listener stays deleted");
    assert!(!s.world[nlb].deleted);
    let kept = &s.stacks["privatelink-lab"];
    assert!(kept.resources.contains_key("CustomNLB") && !kept.resources.contains_key("NLBListener"));
    let instances = s.world.instances().values().filter(|i| i.state == InstanceState::Running).count();
    assert_eq!(instances, 0, "the instances did not depend on the load balancer: they went");
}
