//! Every property of every modelled CloudFormation type is accounted for: modelled,
//! accepted with a warning that names it, or refused; a property the type does not have
//! is an error in CloudFormation's words ("Encountered unsupported property").

use indexmap::IndexMap;
use vpcsim::stack::properties::{check, Disposition, TABLE};
use vpcsim::world::World;

fn props(text: &str) -> vpcsim::yaml::Node {
    vpcsim::yaml::parse(text, &vpcsim::yaml::Limits::default()).unwrap()
}

#[test]
fn every_property_of_every_listed_type_is_modelled_warned_or_refused_and_others_are_unsupported() {
    for (ty, list) in TABLE {
        let e = check(ty, &props("Bogus: 1\n")).unwrap_err();
        assert_eq!(e.message, "Encountered unsupported property Bogus", "{ty}");
        assert_eq!(e.property.as_deref(), Some("Bogus"));
        for (name, disposition) in *list {
            let got = check(ty, &props(&format!("{name}: x\n")));
            match disposition {
                Disposition::Modelled => assert_eq!(got, Ok(Vec::new()), "{ty}.{name}"),
                Disposition::Warned => {
                    let w = got.unwrap_or_else(|e| panic!("{ty}.{name}: {e:?}"));
                    assert_eq!(w.len(), 1, "{ty}.{name}");
                    assert_eq!(w[0].property, *name);
                    assert_eq!(
                        w[0].message,
                        format!("{ty} property {name} is accepted but does not change the simulation")
                    );
                }
                Disposition::Refused => {
                    let e = got.unwrap_err();
                    assert_eq!(e.property.as_deref(), Some(*name), "{ty}.{name}");
                    assert!(
                        e.message.contains(&format!("{ty} property {name} is not modelled by vpcsim")),
                        "{}",
                        e.message
                    );
                }
            }
        }
    }
}

#[test]
fn the_lists_are_sorted_and_have_no_duplicates() {
    for (ty, list) in TABLE {
        let names: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "{ty}");
    }
}

#[test]
fn a_misspelt_property_fails_the_stack_at_its_line_and_a_warned_one_is_named_in_a_warning() {
    let mut w = World::in_region("us-east-1", 1).unwrap();
    let bogus = "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      Bogus: 1\n";
    let e = vpcsim::stack::create_stack(&mut w, "s", "t.yaml", bogus, &IndexMap::new(), &IndexMap::new())
        .unwrap_err();
    assert_eq!(e.problems[0].location.line, 6);
    assert!(e.to_string().contains("Resources.V: Encountered unsupported property Bogus"), "{e}");

    let tenancy = "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      InstanceTenancy: default\n";
    let stack =
        vpcsim::stack::create_stack(&mut w, "s", "t.yaml", tenancy, &IndexMap::new(), &IndexMap::new())
            .unwrap();
    let warning = stack.warnings.iter().find(|p| p.message.contains("InstanceTenancy")).expect("a warning");
    assert_eq!(warning.location.line, 6);
    assert_eq!(
        warning.message,
        "AWS::EC2::VPC property InstanceTenancy is accepted but does not change the simulation"
    );
}

#[test]
fn c2_a_creation_policy_that_no_instance_signals_fails_the_stack_at_its_line_after_the_timeout() {
    let mut w = World::in_region("us-east-1", 1).unwrap();
    let template = "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    CreationPolicy:\n      ResourceSignal:\n        Timeout: PT5M\n    Properties:\n      CidrBlock: 10.0.0.0/16\n";
    let e = vpcsim::stack::create_stack(&mut w, "s", "t.yaml", template, &IndexMap::new(), &IndexMap::new())
        .unwrap_err();
    let p = &e.problems[0];
    assert_eq!(p.location.line, 4);
    assert_eq!(p.message, "Failed to receive 1 resource signal(s) within the specified duration");
    assert_eq!(w.vpcs().live().count(), 0, "the stack rolled back");
}
