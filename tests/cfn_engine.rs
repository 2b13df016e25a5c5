//! The CloudFormation engine end to end, with a mock model: the seed lab template, the
//! intrinsics it and others use, deletion, and one broken template per static mistake.

use indexmap::IndexMap;
use vpcsim::cfn::{
    create_stack, delete_stack, web_server, AttrValue, Created, ResourceSink, SinkError, Stack, StackContext,
};
use vpcsim::error::FileError;
use vpcsim::yaml::Node;

const MODELLED: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Instance",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
];

/// Records every call; fails creating or deleting the logical ids it is told to.
#[derive(Default)]
struct MockSink {
    created: Vec<(String, String, Node, Option<Node>)>,
    deleted: Vec<String>,
    fail_create: Option<(String, SinkError)>,
    fail_delete: Option<String>,
}

impl ResourceSink for MockSink {
    fn supports(&self, resource_type: &str) -> bool {
        MODELLED.contains(&resource_type)
    }

    fn create(
        &mut self,
        id: &str,
        kind: &str,
        props: &Node,
        meta: Option<&Node>,
    ) -> Result<Created, SinkError> {
        if let Some((_, e)) = self.fail_create.as_ref().filter(|(f, _)| f == id) {
            return Err(e.clone());
        }
        self.created.push((id.to_string(), kind.to_string(), props.clone(), meta.cloned()));
        let physical_id =
            format!("{}-{:017x}", kind.rsplit("::").next().unwrap_or("x").to_lowercase(), self.created.len());
        let mut attributes = IndexMap::new();
        attributes.insert("Arn".to_string(), AttrValue::Str(format!("arn:aws:ec2:::{physical_id}")));
        if kind == "AWS::EC2::VPC" {
            attributes.insert("CidrBlock".into(), AttrValue::Str(text(props, "CidrBlock")));
            attributes.insert("CidrBlockAssociations".into(), AttrValue::List(vec!["assoc-1".into()]));
        }
        Ok(Created { physical_id, attributes })
    }

    fn delete(&mut self, id: &str, _kind: &str, _created: &Created) -> Result<(), SinkError> {
        if self.fail_delete.as_deref() == Some(id) {
            return Err(SinkError { message: "DependencyViolation".into(), hint: None, property: None });
        }
        self.deleted.push(id.to_string());
        Ok(())
    }
}

fn text(props: &Node, key: &str) -> String {
    props.get(key).and_then(Node::scalar_text).unwrap_or_default()
}

fn ctx() -> StackContext {
    StackContext {
        stack_name: "lab".into(),
        region: "ap-northeast-2".into(),
        account_id: "123456789012".into(),
        azs: vec!["ap-northeast-2a".into(), "ap-northeast-2c".into()],
    }
}

fn params(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn run(text: &str, sink: &mut MockSink) -> Result<Stack, FileError> {
    create_stack("t.yaml", text, &params(&[]), &ctx(), &IndexMap::new(), sink)
}

const SEED: &str = include_str!("data/templates/seed-lab.cfn.yaml");

fn seed(sink: &mut MockSink) -> Stack {
    let p = params(&[("KeyName", "my-key")]);
    create_stack("seed-lab.cfn.yaml", SEED, &p, &ctx(), &IndexMap::new(), sink).unwrap()
}

fn created<'a>(sink: &'a MockSink, id: &str) -> &'a Node {
    &sink.created.iter().find(|c| c.0 == id).unwrap().2
}

#[test]
fn seed_template_creates_every_resource_after_its_dependencies() {
    let mut sink = MockSink::default();
    let stack = seed(&mut sink);
    assert_eq!(stack.creation_order.len(), 22);
    let pos = |id: &str| stack.creation_order.iter().position(|x| x == id).unwrap();
    for (id, deps) in &stack.dependencies {
        for d in deps {
            assert!(pos(d) < pos(id), "{d} must come before {id}");
        }
    }
    assert!(pos("MyIGWAttachment") < pos("MyDefaultPublicRoute"));
    assert!(pos("CustomNLB") < pos("NLBListener") && pos("CustomNLBTG") < pos("NLBListener"));
    assert_eq!(&stack.creation_order[..3], ["MyVPC", "CustomVPC", "MyIGW"]);
}

#[test]
fn seed_parameters_resolve_with_only_key_name_supplied() {
    let mut sink = MockSink::default();
    seed(&mut sink);
    let ec2 = created(&sink, "MyEC2");
    assert_eq!(text(ec2, "KeyName"), "my-key");
    assert!(text(ec2, "ImageId").starts_with("ami-0"));
    let subnet = created(&sink, "MyPublicSN");
    assert_eq!(text(subnet, "AvailabilityZone"), "ap-northeast-2a");
    let group = &created(&sink, "MyEC2").get("NetworkInterfaces").unwrap().as_seq().unwrap()[0];
    assert!(group.get("GroupSet").unwrap().as_seq().unwrap()[0]
        .as_str()
        .unwrap()
        .starts_with("securitygroup-"));
}

#[test]
fn seed_web_servers_are_detected_from_user_data() {
    let mut sink = MockSink::default();
    seed(&mut sink);
    for n in ["1", "2"] {
        let props = created(&sink, &format!("CustomWeb{n}EC2"));
        let server = web_server(props, None).unwrap().unwrap();
        assert_eq!(server.port, 80);
        assert_eq!(
            server.body,
            format!("<html><h1>Endpoint Service Lab - CloudNeta Web Server {n}</h1></html>")
        );
    }
    assert_eq!(web_server(created(&sink, "MyEC2"), None).unwrap(), None);
}

#[test]
fn missing_key_name_is_reported_by_name() {
    let mut sink = MockSink::default();
    let err = run(SEED, &mut sink).unwrap_err();
    assert_eq!(err.problems[0].location.line, 2);
    assert!(err.to_string().contains("parameter `KeyName` has no value"), "{err}");
    assert!(sink.created.is_empty());
}

#[test]
fn undeclared_supplied_parameter_is_an_error_with_a_suggestion() {
    let mut sink = MockSink::default();
    let p = params(&[("KeyName", "k"), ("KeyNme", "k")]);
    let err = create_stack("seed.yaml", SEED, &p, &ctx(), &IndexMap::new(), &mut sink).unwrap_err();
    assert!(
        err.to_string().contains("parameter `KeyNme` was supplied but the template does not declare it"),
        "{err}"
    );
    assert!(err.to_string().contains("did you mean `KeyName`?"), "{err}");
}

#[test]
fn delete_runs_in_reverse_creation_order() {
    let mut sink = MockSink::default();
    let mut stack = seed(&mut sink);
    let mut reversed = stack.creation_order.clone();
    reversed.reverse();
    delete_stack(&mut stack, &mut sink).unwrap();
    assert_eq!(sink.deleted, reversed);
    assert!(stack.resources.is_empty());
}

#[test]
fn c1_a_failed_delete_keeps_the_refusing_resource_and_what_it_needs_and_deletes_the_rest_for_good() {
    // C1: a failed stack deletion keeps what it had not deleted and reports DELETE_FAILED;
    // AWS does not restore what it already deleted.
    let mut sink = MockSink::default();
    let mut stack = seed(&mut sink);
    let before = stack.clone();
    let mut failing = MockSink { fail_delete: Some("CustomNLBTG".into()), ..MockSink::default() };
    let refused = delete_stack(&mut stack, &mut failing).unwrap_err();
    let refused: Vec<(&str, &str)> =
        refused.iter().map(|(id, e)| (id.as_str(), e.message.as_str())).collect();
    assert_eq!(refused, [("CustomNLBTG", "DependencyViolation")]);
    let mut needed = vec!["CustomNLBTG".to_string()];
    let mut i = 0;
    while i < needed.len() {
        for d in &before.dependencies[&needed[i]] {
            if before.resources.contains_key(d) && !needed.contains(d) {
                needed.push(d.clone());
            }
        }
        i += 1;
    }
    let mut kept: Vec<String> = stack.resources.keys().cloned().collect();
    kept.sort();
    needed.sort();
    assert_eq!(kept, needed, "the stack keeps the refusing group and what it depends on");
    assert!(needed.contains(&"CustomVPC".to_string()));
    let gone: Vec<&String> = before.resources.keys().filter(|r| !needed.contains(r)).collect();
    assert!(gone.iter().all(|r| failing.deleted.contains(r)), "every other resource was deleted once");
    assert!(failing.deleted.contains(&"NLBListener".to_string()), "the listener that used the group is gone");
    assert_eq!(stack.creation_order.len(), stack.resources.len());
}

#[test]
fn sink_failure_points_at_the_named_property() {
    let e = SinkError {
        message: "subnet is full".into(),
        hint: Some("use a larger subnet".into()),
        property: Some("NetworkInterfaces[0].SubnetId".into()),
    };
    let mut sink = MockSink { fail_create: Some(("CustomWeb2EC2".into(), e)), ..MockSink::default() };
    let p = params(&[("KeyName", "k")]);
    let err = create_stack("seed.yaml", SEED, &p, &ctx(), &IndexMap::new(), &mut sink).unwrap_err();
    let problem = &err.problems[0];
    assert_eq!((problem.location.line, problem.location.column), (214, 26));
    assert_eq!(
        err.to_string(),
        "error: seed.yaml:214:26: Resources.CustomWeb2EC2: subnet is full\n  help: use a larger subnet"
    );
}

#[test]
fn non_network_resources_are_skipped_with_a_warning() {
    let text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  MyVPC:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      Tags: [{Key: b, Value: !Ref Bucket}]\n";
    let mut sink = MockSink::default();
    let stack = run(text, &mut sink).unwrap();
    assert_eq!(stack.skipped, ["Bucket"]);
    assert_eq!(stack.warnings.len(), 1);
    assert!(stack.warnings[0].message.contains("AWS::S3::Bucket"));
    assert_eq!(stack.creation_order, ["MyVPC"]);
}

#[test]
fn intrinsics_conditions_outputs_and_exports_evaluate() {
    let text = r#"
Parameters:
  Env: {Type: String, Default: prod, AllowedValues: [dev, prod]}
Mappings:
  Cidrs: {prod: {Vpc: 10.9.0.0/16}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  MyVPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !FindInMap [Cidrs, !Ref Env, Vpc]
      Tags:
        - {Key: Name, Value: !Sub "${AWS::StackName}-${Env}-vpc"}
        - {Key: Dev, Value: !If [IsDev, yes, !Ref AWS::NoValue]}
  DevOnly:
    Type: AWS::EC2::InternetGateway
    Condition: IsDev
  Sub0:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref MyVPC
      CidrBlock: !Select [1, !Cidr [!GetAtt MyVPC.CidrBlock, 4, 8]]
      Name: !Join ["/", !Split [".", "a.b"]]
      Assoc: !Select [0, !GetAtt [MyVPC, CidrBlockAssociations]]
      Imported: !ImportValue shared-zone
Outputs:
  VpcId:
    Value: !Ref MyVPC
    Export: {Name: !Sub "${AWS::StackName}-vpc"}
"#;
    let mut sink = MockSink::default();
    let exports = params(&[("shared-zone", "Z1")]);
    let stack = create_stack("t.yaml", text, &params(&[]), &ctx(), &exports, &mut sink).unwrap();
    let vpc = created(&sink, "MyVPC");
    assert_eq!(text_of(vpc, "CidrBlock"), "10.9.0.0/16");
    let tags = vpc.get("Tags").unwrap().as_seq().unwrap();
    assert_eq!(text_of(&tags[0], "Value"), "lab-prod-vpc");
    assert!(tags[1].get("Value").is_none());
    let sub = created(&sink, "Sub0");
    assert_eq!(text_of(sub, "CidrBlock"), "10.9.1.0/24");
    assert_eq!(text_of(sub, "Name"), "a/b");
    assert_eq!(text_of(sub, "Assoc"), "assoc-1");
    assert_eq!(text_of(sub, "Imported"), "Z1");
    assert_eq!(stack.skipped, ["DevOnly"]);
    assert_eq!(stack.exports.get("lab-vpc"), Some(&stack.resources["MyVPC"].1.physical_id));
}

fn text_of(node: &Node, key: &str) -> String {
    text(node, key)
}

#[test]
fn json_templates_parse() {
    let text = r#"{"Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Fn::Join": ["", ["10.0.0.0", "/16"]]}}}}}"#;
    let mut sink = MockSink::default();
    run(text, &mut sink).unwrap();
    assert_eq!(text_of(created(&sink, "V"), "CidrBlock"), "10.0.0.0/16");
}

#[test]
fn independent_static_problems_are_reported_together_before_any_creation() {
    let text = "Resources:\n  A:\n    Type: AWS::EC2::VPC\n    Properties:\n      X: !Ref Nope\n  B:\n    Type: AWS::EC2::Subnet\n    Properties:\n      Y: {\"Fn::Bogus\": 1}\n";
    let mut sink = MockSink::default();
    let err = run(text, &mut sink).unwrap_err();
    let lines: Vec<usize> = err.problems.iter().map(|p| p.location.line).collect();
    assert_eq!(lines, [5, 9]);
    assert!(sink.created.is_empty());
}

/// One broken template per mistake: file, line of the first problem, text it must contain,
/// and whether it must be caught before the model is called.
const INVALID: &[(&str, usize, &str, bool)] = &[
    ("yaml_syntax.cfn.yaml", 6, "YAML syntax error", true),
    ("unknown_intrinsic.cfn.yaml", 6, "unknown intrinsic function `Fn::Concat`", true),
    ("unknown_tag.cfn.yaml", 5, "unknown tag `!Reff`", true),
    (
        "ref_missing.cfn.yaml",
        9,
        "reference to `MyVCP`: no resource or parameter with that name\n  help: did you mean `MyVPC`?",
        true,
    ),
    ("getatt_missing.cfn.yaml", 10, "reference to `OtherVPC`: no resource", true),
    ("cycle.cfn.yaml", 2, "circular dependency: VpcA -> SgB -> VpcA", true),
    ("missing_parameter.cfn.yaml", 2, "parameter `VpcCidr` has no value and no Default", true),
    (
        "allowed_values.cfn.yaml",
        2,
        "value `staging` is not one of AllowedValues [dev, prod]\n  help: must be dev or prod.",
        true,
    ),
    ("allowed_pattern.cfn.yaml", 2, "does not match AllowedPattern", true),
    (
        "unknown_resource_attribute.cfn.yaml",
        4,
        "unknown resource attribute `Propertes`\n  help: did you mean `Properties`?",
        true,
    ),
    ("duplicate_key.cfn.yaml", 6, "duplicate key `MyVPC` (first defined at 2:3)", true),
    ("billion_laughs.cfn.yaml", 7, "max_nodes", true),
    ("select_index.cfn.yaml", 10, "Fn::Select index 5 is out of range: the list has 2 item(s)", true),
    ("join_wrong_type.cfn.yaml", 8, "Fn::Join's second argument must be a list, not a string", true),
    (
        "unsupported_network_type.cfn.yaml",
        7,
        "`AWS::EC2::TransitGateway` is networking but not supported",
        true,
    ),
    (
        "unknown_section.cfn.yaml",
        2,
        "unknown top-level section `Resource`\n  help: did you mean `Resources`?",
        true,
    ),
    ("depends_on_missing.cfn.yaml", 6, "reference to `MyIGWAttachment`: no resource", true),
    ("condition_missing.cfn.yaml", 6, "reference to `IsProduction`: no condition with that name", true),
    ("cidr_too_many.cfn.yaml", 10, "Fn::Cidr count must be 1 to 256, not `300`", true),
    (
        "ref_to_skipped_resource.cfn.yaml",
        10,
        "resource `Igw` is not created: its Condition `Never` is false",
        true,
    ),
    (
        "getatt_unknown_attribute.cfn.yaml",
        10,
        "resource `MyVPC` has no attribute `VpcIdentifier`\n  help: known attributes: Arn, CidrBlock",
        false,
    ),
    ("invalid_type.cfn.yaml", 3, "invalid resource type `EC2VPC`", true),
    (
        "nested_stack.cfn.yaml",
        9,
        "nested template `https://s3.amazonaws.com/my-bucket/network.yaml` is a URL: vpcsim never downloads templates",
        true,
    ),
    ("unknown_parameter_type.cfn.yaml", 2, "unsupported type `Integer`", true),
];

#[test]
fn each_broken_template_names_its_line_and_mistake() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/invalid/cfn");
    for (file, line, expected, before_create) in INVALID {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        let mut sink = MockSink::default();
        let err = run(&text, &mut sink).expect_err(file);
        let shown = err.to_string();
        assert_eq!(err.problems[0].location.line, *line, "{file}: {shown}");
        assert!(shown.contains(expected), "{file}: expected {expected:?} in:\n{shown}");
        if *before_create {
            assert!(sink.created.is_empty(), "{file}: the model was called before the problem was found");
        }
    }
}

#[test]
fn every_broken_template_file_is_in_the_table() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/invalid/cfn");
    let mut files: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    files.sort();
    let mut listed: Vec<String> = INVALID.iter().map(|(f, ..)| f.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed);
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn mangled_seed_templates_never_panic(
            at in 0usize..SEED.len(),
            cut in 0usize..40,
            insert in "[-!:{}\\[\\]&*|>$ a-zA-Z0-9'\"\n]{0,8}",
        ) {
            let end = (at + cut).min(SEED.len());
            let text = format!("{}{insert}{}", &SEED[..at], &SEED[end..]);
            let mut sink = MockSink::default();
            let p = params(&[("KeyName", "k")]);
            if let Err(e) = create_stack("m.yaml", &text, &p, &ctx(), &IndexMap::new(), &mut sink) {
                prop_assert!(!e.problems.is_empty());
                prop_assert!(e.problems.iter().all(|p| p.location.line >= 1 && p.location.column >= 1));
            }
        }
    }
}
