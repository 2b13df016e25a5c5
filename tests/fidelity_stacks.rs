//! CloudFormation stacks as AWS deletes them (C1) and reports them (C4): an export another stack imports keeps
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

// ------------------------------------------------- create-stack, rollback and stack events

/// A VPC, then a WaitCondition nobody signals: the stack fails after the 300 s timeout (C2).
const NEVER_SIGNALLED: &str = r#"'{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.80.0.0/16"}}, "Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle", "DependsOn": "Vpc"}, "Wait": {"Type": "AWS::CloudFormation::WaitCondition", "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": "300"}}}}'"#;

/// A VPC and a subnet in it.
const NETWORK_JSON: &str = r#"'{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.81.0.0/16"}}, "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.81.1.0/24"}}}}'"#;

fn try_aws(s: &mut Session, line: &str) -> StepOutcome {
    s.run_aws(&parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}")))
}

/// Each event of a stack, oldest first: logical id, status and reason.
fn events(s: &mut Session, name: &str) -> Vec<(String, String, String)> {
    let out = aws(s, &format!("aws cloudformation describe-stack-events --stack-name {name}"));
    let json = out.json.unwrap_or_default();
    let mut list: Vec<(String, String, String)> = json["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (text("LogicalResourceId"), text("ResourceStatus"), text("ResourceStatusReason"))
        })
        .collect();
    list.reverse();
    list
}

fn ev(id: &str, status: &str, reason: &str) -> (String, String, String) {
    (id.to_string(), status.to_string(), reason.to_string())
}

/// A resource's three creation events.
fn made(id: &str) -> [(String, String, String); 3] {
    [
        ev(id, "CREATE_IN_PROGRESS", ""),
        ev(id, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
        ev(id, "CREATE_COMPLETE", ""),
    ]
}

#[test]
fn c2_c4_a_stack_whose_wait_condition_times_out_rolls_back_and_stays_as_rollback_complete_until_deleted() {
    let mut s = Session::new(World::in_region("us-east-1", 5).unwrap());
    let before = format!("{:?}", s.world.vpcs());
    let created = aws(
        &mut s,
        &format!("aws cloudformation create-stack --stack-name web --template-body {NEVER_SIGNALLED}"),
    );
    let id = created.json.unwrap_or_default()["StackId"].as_str().unwrap().to_string();
    assert!(id.starts_with("arn:aws:cloudformation:us-east-1:") && id.contains(":stack/web/"), "{id}");
    assert!(created.stderr.contains("ROLLBACK_COMPLETE"), "{}", created.stderr);
    assert_eq!(s.world.now_ms(), 300_000, "the clock moved to the timeout");
    assert_eq!(format!("{:?}", s.world.vpcs()), before, "its resources are deleted");
    assert!(s.stacks.is_empty());

    let stacks = stack_status(&mut s);
    let web = &stacks["Stacks"][0];
    assert_eq!(web["StackName"], "web");
    assert_eq!(web["StackId"], id.as_str());
    assert_eq!(web["StackStatus"], "ROLLBACK_COMPLETE");
    assert_eq!(
        web["StackStatusReason"],
        "The following resource(s) failed to create: [Wait]. Rollback requested by user."
    );
    let mut expected = vec![ev("web", "CREATE_IN_PROGRESS", "User Initiated")];
    expected.extend(made("Vpc"));
    expected.extend(made("Handle"));
    expected.extend([
        ev("Wait", "CREATE_IN_PROGRESS", ""),
        ev("Wait", "CREATE_IN_PROGRESS", "Resource creation Initiated"),
        ev("Wait", "CREATE_FAILED", "WaitCondition timed out. Received 0 conditions when expecting 1"),
        ev(
            "web",
            "ROLLBACK_IN_PROGRESS",
            "The following resource(s) failed to create: [Wait]. Rollback requested by user.",
        ),
    ]);
    for r in ["Wait", "Handle", "Vpc"] {
        expected.extend([ev(r, "DELETE_IN_PROGRESS", ""), ev(r, "DELETE_COMPLETE", "")]);
    }
    expected.push(ev("web", "ROLLBACK_COMPLETE", ""));
    assert_eq!(events(&mut s, "web"), expected);

    let again = try_aws(
        &mut s,
        &format!("aws cloudformation create-stack --stack-name web --template-body {NETWORK_JSON}"),
    );
    assert_eq!(again.exit_code, 254);
    assert!(
        again.stderr.contains(
            "(AlreadyExistsException) when calling the CreateStack operation: Stack [web] already exists"
        ),
        "{}",
        again.stderr
    );

    aws(&mut s, "aws cloudformation delete-stack --stack-name web");
    assert_eq!(stack_status(&mut s)["Stacks"], serde_json::json!([]));
    let gone = try_aws(&mut s, "aws cloudformation describe-stack-events --stack-name web");
    assert!(gone.stderr.contains("Stack [web] does not exist"), "{}", gone.stderr);
    let by_id = aws(&mut s, &format!("aws cloudformation describe-stack-events --stack-name {id}"));
    let newest = &by_id.json.unwrap_or_default()["StackEvents"][0];
    assert_eq!(
        (newest["LogicalResourceId"].as_str(), newest["ResourceStatus"].as_str()),
        (Some("web"), Some("DELETE_COMPLETE"))
    );
    aws(&mut s, &format!("aws cloudformation create-stack --stack-name web --template-body {NETWORK_JSON}"));
    assert_eq!(stack_status(&mut s)["Stacks"][0]["StackStatus"], "CREATE_COMPLETE");
}

#[test]
fn c4_a_created_stack_lists_its_events_newest_first_with_times_on_the_virtual_clock_and_its_deletion_after() {
    let mut s = Session::new(World::in_region("us-east-1", 5).unwrap());
    s.world.advance(std::time::Duration::from_secs(90));
    aws(&mut s, &format!("aws cloudformation create-stack --stack-name net --template-body {NETWORK_JSON}"));
    let out =
        aws(&mut s, "aws cloudformation describe-stack-events --stack-name net").json.unwrap_or_default();
    let newest = &out["StackEvents"][0];
    let stack_id = stack_status(&mut s)["Stacks"][0]["StackId"].as_str().unwrap().to_string();
    assert_eq!(newest["StackId"], stack_id.as_str());
    assert_eq!(newest["StackName"], "net");
    assert_eq!(newest["LogicalResourceId"], "net");
    assert_eq!(newest["PhysicalResourceId"], stack_id.as_str());
    assert_eq!(newest["ResourceType"], "AWS::CloudFormation::Stack");
    assert_eq!(newest["ResourceStatus"], "CREATE_COMPLETE");
    assert_eq!(newest["Timestamp"], "2021-06-08T06:07:43.000Z", "90 s after the clock's start");
    let subnet = &out["StackEvents"][1];
    assert_eq!(subnet["ResourceType"], "AWS::EC2::Subnet");
    assert!(subnet["PhysicalResourceId"].as_str().unwrap().starts_with("subnet-"), "{subnet}");
    let ids: std::collections::BTreeSet<&str> =
        out["StackEvents"].as_array().unwrap().iter().map(|e| e["EventId"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 8, "every event has its own id");

    aws(&mut s, "aws cloudformation delete-stack --stack-name net");
    let after = aws(&mut s, &format!("aws cloudformation describe-stack-events --stack-name {stack_id}"));
    let mut deletion: Vec<(String, String, String)> = after.json.unwrap_or_default()["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .take(6)
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (text("LogicalResourceId"), text("ResourceStatus"), text("ResourceStatusReason"))
        })
        .collect();
    deletion.reverse();
    assert_eq!(
        deletion,
        [
            ev("net", "DELETE_IN_PROGRESS", "User Initiated"),
            ev("Subnet", "DELETE_IN_PROGRESS", ""),
            ev("Subnet", "DELETE_COMPLETE", ""),
            ev("Vpc", "DELETE_IN_PROGRESS", ""),
            ev("Vpc", "DELETE_COMPLETE", ""),
            ev("net", "DELETE_COMPLETE", ""),
        ]
    );
}

#[test]
fn c1_c4_a_refused_deletion_is_a_delete_failed_event_with_the_reason_describe_stacks_shows() {
    let mut s = Session::new(World::in_region("us-east-1", 5).unwrap());
    stack(&mut s, "network", NETWORK);
    stack(&mut s, "app", APP);
    aws(&mut s, "aws cloudformation delete-stack --stack-name network");
    assert_eq!(
        events(&mut s, "network"),
        [
            ev("network", "DELETE_IN_PROGRESS", "User Initiated"),
            ev("network", "DELETE_FAILED", "Export shared-subnet cannot be deleted as it is in use by app"),
        ]
    );
}

#[test]
fn c4_a_template_that_fails_its_checks_is_a_validation_error_and_no_stack_is_kept() {
    let mut s = Session::new(World::in_region("us-east-1", 5).unwrap());
    let bad = r#"'{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Missing"}}}}}'"#;
    let out =
        try_aws(&mut s, &format!("aws cloudformation create-stack --stack-name bad --template-body {bad}"));
    assert_eq!(out.exit_code, 254);
    assert!(
        out.stderr.contains(
            "(ValidationError) when calling the CreateStack operation: Template error: --template-body:1:"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Missing"), "{}", out.stderr);
    assert_eq!(stack_status(&mut s)["Stacks"], serde_json::json!([]));
    let named = try_aws(
        &mut s,
        &format!("aws cloudformation create-stack --stack-name 9lives --template-body {NETWORK_JSON}"),
    );
    assert!(named.stderr.contains("failed to satisfy constraint"), "{}", named.stderr);
}
