//! Nested stacks (C3): `AWS::CloudFormation::Stack` with a local `TemplateURL`, created
//! with its parent in the same world, read through `Ref` and `Fn::GetAtt Outputs.NAME`,
//! reported by `vpcsim import` and deleted with the parent.

use std::net::Ipv4Addr;

use indexmap::IndexMap;
use vpcsim::addr::Protocol;
use vpcsim::error::FileError;
use vpcsim::forward::INTERNET_CLIENT;
use vpcsim::stack::import::{import, Status};
use vpcsim::stack::{create_stack, delete_stack, StackResult};
use vpcsim::trace::{Flow, Header};
use vpcsim::world::World;

fn path(name: &str) -> String {
    format!("{}/tests/data/nested/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn create(w: &mut World, name: &str) -> StackResult {
    let file = path(name);
    let text = std::fs::read_to_string(&file).unwrap();
    create_stack(w, "shop", &file, &text, &IndexMap::new(), &IndexMap::new())
}

fn failure(name: &str) -> FileError {
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let before = format!("{w:?}");
    let err = create(&mut w, name).expect_err(name);
    assert_eq!(format!("{w:?}"), before, "{name}: a failed nested stack leaves the world as it was");
    err
}

fn from_internet(w: &World, dst: Ipv4Addr, port: u16) -> bool {
    let header =
        Header { src: INTERNET_CLIENT, dst, protocol: Protocol::Tcp, src_port: 40000, dst_port: port };
    w.verdict_from_internet(Flow { header, seq: 0 }).is_delivered()
}

#[test]
fn c3_a_parent_nests_a_network_stack_and_an_app_stack_built_on_its_outputs_and_the_web_server_answers() {
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let stack = create(&mut w, "parent.cfn.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stack.nested.keys().collect::<Vec<_>>(), ["Network", "App"]);
    assert_eq!(w.vpcs().len(), 1);
    assert_eq!(w.instances().len(), 1);
    let web: Ipv4Addr = stack.outputs["WebIp"].parse().unwrap();
    assert!(from_internet(&w, web, 80), "the app stack's web server answers on port 80");
    assert!(!from_internet(&w, web, 22), "its group opens port 80 only");
}

#[test]
fn c3_a_nested_stack_is_named_parent_logical_id_suffix_and_its_ref_is_the_stack_arn() {
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let stack = create(&mut w, "parent.cfn.yaml").unwrap_or_else(|e| panic!("{e}"));
    let name = &stack.nested["Network"].name;
    let suffix = name.strip_prefix("shop-Network-").unwrap_or_else(|| panic!("{name}"));
    assert_eq!(suffix.len(), 12, "{name}");
    assert!(suffix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{name}");
    let arn = &stack.outputs["NetworkStack"];
    assert!(
        arn.starts_with(&format!("arn:aws:cloudformation:eu-west-1:{}:stack/{name}/", w.account_id())),
        "{arn}"
    );
    let mut again = World::in_region("eu-west-1", 3).unwrap();
    assert_eq!(create(&mut again, "parent.cfn.yaml").unwrap().outputs, stack.outputs, "deterministic");
}

#[test]
fn c3_timeout_and_tags_of_a_nested_stack_are_warned_as_changing_nothing() {
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let stack = create(&mut w, "parent.cfn.yaml").unwrap();
    let warned: Vec<(usize, &str)> = stack
        .warnings
        .iter()
        .filter(|p| p.file.ends_with("parent.cfn.yaml"))
        .map(|p| (p.location.line, p.message.as_str()))
        .collect();
    assert_eq!(
        warned,
        [
            (10, "AWS::CloudFormation::Stack property TimeoutInMinutes is accepted but does not change the simulation"),
            (11, "AWS::CloudFormation::Stack property Tags is accepted but does not change the simulation"),
        ]
    );
}

#[test]
fn c3_a_parameter_the_child_refuses_is_located_in_the_child_file() {
    let err = failure("bad_child_parent.cfn.yaml");
    let p = &err.problems[0];
    assert!(p.file.ends_with("tests/data/nested/network.cfn.yaml"), "{err}");
    assert_eq!(p.location.line, 2, "{err}");
    assert!(p.context.as_deref().is_some_and(|c| c.starts_with("Resources.Network.")), "{err}");
    assert!(err.to_string().contains("not-a-cidr"), "{err}");
}

#[test]
fn c3_a_mistake_in_the_child_template_is_located_in_the_child_file_under_the_nested_stack() {
    let err = failure("broken_child_parent.cfn.yaml");
    let p = &err.problems[0];
    assert!(p.file.ends_with("tests/data/nested/broken_child.cfn.yaml"), "{err}");
    assert_eq!(p.location.line, 7, "{err}");
    assert_eq!(p.context.as_deref(), Some("Resources.Broken.Resources.Subnet"), "{err}");
}

#[test]
fn c3_a_template_url_on_s3_is_refused_at_its_line_before_anything_is_created() {
    let text = "Resources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      \
                TemplateURL: https://s3.amazonaws.com/bucket/net.yaml\n";
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let err = create_stack(&mut w, "s", "t.yaml", text, &IndexMap::new(), &IndexMap::new()).unwrap_err();
    assert_eq!(err.problems[0].location.line, 5, "{err}");
    let shown = err.to_string();
    assert!(shown.contains("is a URL: vpcsim never downloads templates"), "{shown}");
    assert!(shown.contains("download the template"), "{shown}");
}

#[test]
fn c3_templates_that_nest_each_other_are_a_cycle() {
    let err = failure("self.cfn.yaml");
    let p = &err.problems[0];
    assert!(p.file.ends_with("loop.cfn.yaml"), "{err}");
    assert_eq!(p.location.line, 5, "{err}");
    assert!(p.message.starts_with("nested stacks form a cycle: "), "{err}");
    assert!(p.message.ends_with("self.cfn.yaml"), "{err}");
}

#[test]
fn c3_five_levels_of_nesting_are_created_and_a_sixth_is_refused() {
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let stack = create(&mut w, "deep/level2.cfn.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.vpcs().len(), 1, "the fifth level's VPC");
    assert!(stack.nested["Down"].nested["Down"].nested["Down"].nested["Down"].resources.contains_key("Vpc"));
    let err = failure("deep/level1.cfn.yaml");
    assert!(err.problems[0].file.ends_with("level5.cfn.yaml"), "{err}");
    assert!(err.to_string().contains("nested stacks are more than 5 levels deep"), "{err}");
}

#[test]
fn c3_deleting_the_parent_deletes_the_nested_stacks_resources() {
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let mut stack = create(&mut w, "parent.cfn.yaml").unwrap();
    delete_stack(&mut w, &mut stack).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(stack.resources.is_empty());
    assert!(stack.nested.is_empty());
    assert_eq!(w.vpcs().live().count(), 0);
    assert_eq!(w.igws().live().count(), 0);
    assert_eq!(w.subnets().live().count(), 0);
    assert_eq!(w.sgs().live().filter(|(_, g)| !g.is_default).count(), 0, "the app stack's group");
}

#[test]
fn c3_import_reports_the_nested_stacks_resources_by_their_logical_id_path() {
    let file = path("parent.cfn.yaml");
    let report =
        import(&file, &std::fs::read_to_string(&file).unwrap(), &IndexMap::new(), "eu-west-1").unwrap();
    let rows: Vec<(&str, &Status)> =
        report.resources.iter().map(|r| (r.logical_id.as_str(), &r.status)).collect();
    let m = &Status::Modelled;
    assert_eq!(
        rows,
        [
            ("Network", m),
            ("Network.Vpc", m),
            ("Network.Igw", m),
            ("Network.Attach", m),
            ("Network.Public", m),
            ("Network.Table", m),
            ("Network.Default", m),
            ("Network.PublicTable", m),
            ("App", m),
            ("App.WebGroup", m),
            ("App.Web", m),
        ]
    );
    assert!(report.accepted());
}

#[test]
fn c3_a_nested_template_that_is_not_there_is_an_error_at_its_template_url() {
    let text = "Resources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      \
                TemplateURL: missing.cfn.yaml\n";
    let mut w = World::in_region("eu-west-1", 3).unwrap();
    let err =
        create_stack(&mut w, "s", &path("t.yaml"), text, &IndexMap::new(), &IndexMap::new()).unwrap_err();
    let p = &err.problems[0];
    assert_eq!((p.location.line, p.context.as_deref()), (5, Some("Resources.Net")), "{err}");
    assert!(p.message.starts_with("cannot read the nested template: "), "{err}");
    assert!(p.message.contains("tests/data/nested/missing.cfn.yaml"), "{err}");
}

#[test]
fn c3_a_scenario_reads_a_nested_stacks_output_curls_its_web_server_and_deletes_it_with_the_parent() {
    let s =
        vpcsim::scenario::load(std::path::Path::new(&path("shop.yaml"))).unwrap_or_else(|e| panic!("{e}"));
    let mut session = vpcsim::session::Session::for_scenario(&s).unwrap_or_else(|e| panic!("{e}"));
    let report = vpcsim::scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.passed, "{}", vpcsim::scenario::render::text(&report));
}
