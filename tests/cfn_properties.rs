//! Every property of every modelled CloudFormation type is accounted for: modelled,
//! accepted with a warning that names it, or refused; a property the type does not have
//! is an error in CloudFormation's words ("Encountered unsupported property").

use indexmap::IndexMap;
use vpcsim::stack::nested::{self, Shape, NESTED};
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
                Disposition::Default(default) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.property.as_deref(), Some(*name), "{ty}.{name}");
                    assert!(e.message.contains(&format!("{name} = x is not modelled")), "{}", e.message);
                    let at_default = check(ty, &props(&format!("{name}: {default}\n")));
                    assert_eq!(at_default, Ok(Vec::new()), "{ty}.{name} at AWS's default");
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

#[test]
fn update_policy_and_update_replace_policy_are_named_in_warnings_at_their_lines_since_vpcsim_updates_no_stack(
) {
    let mut w = World::in_region("us-east-1", 1).unwrap();
    let template = "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    UpdateReplacePolicy: Retain\n    UpdatePolicy:\n      AutoScalingReplacingUpdate:\n        WillReplace: true\n    Properties:\n      CidrBlock: 10.0.0.0/16\n";
    let stack =
        vpcsim::stack::create_stack(&mut w, "s", "t.yaml", template, &IndexMap::new(), &IndexMap::new())
            .unwrap();
    let warned: Vec<(usize, &str)> = stack
        .warnings
        .iter()
        .filter(|p| p.message.contains("governs stack updates"))
        .map(|p| (p.location.line, p.message.split_whitespace().next().unwrap_or("")))
        .collect();
    assert_eq!(warned, [(4, "UpdateReplacePolicy"), (5, "UpdatePolicy")]);
}

/// A JSON document with `leaf` at `path` (`A[].B` puts it in the first item of list `A`),
/// and the written path of that place (`A[0].B`).
fn placed(path: &str, leaf: &str) -> (String, String) {
    let steps: Vec<&str> = path.split('.').collect();
    let mut doc = leaf.to_string();
    for step in steps.iter().rev() {
        doc = match step.strip_suffix("[]") {
            Some(name) => format!("{{\"{name}\": [{doc}]}}"),
            None => format!("{{\"{step}\": {doc}}}"),
        };
    }
    (doc, path.replace("[]", "[0]"))
}

fn top_disposition(ty: &str, path: &str) -> Disposition {
    let first = path.split(['.', '[']).next().unwrap();
    let list = TABLE.iter().find(|(t, _)| *t == ty).unwrap().1;
    list.iter().find(|(n, _)| *n == first).map(|(_, d)| *d).unwrap()
}

#[test]
fn every_nested_key_of_every_listed_type_is_modelled_warned_or_refused_and_others_are_errors_naming_their_path(
) {
    let mut walked = 0;
    for (ty, list) in TABLE {
        for (_, path, shape, keys) in nested::of(ty, list) {
            // A key the simulation follows warns of nothing itself: at most the one warning
            // of a warned property it sits inside.
            let only_an_ancestors_warning = |got: Result<Vec<vpcsim::cfn::SinkWarning>, _>, named: &str| {
                let w = got.unwrap_or_else(|e| panic!("{ty} {named}: {e:?}"));
                let top_warns = top_disposition(ty, path) == Disposition::Warned;
                assert!(w.len() <= 1 && (!top_warns || w.len() == 1), "{ty} {named}: {w:?}");
                assert!(
                    w.iter().all(|w| named.starts_with(&w.property) && named != w.property),
                    "{ty} {named}: {w:?}"
                );
            };
            let leaf = |name: &str, value: &str| match shape {
                Shape::Map => format!("{{\"{name}\": \"{value}\"}}"),
                Shape::Attributes => format!("{{\"Key\": \"{name}\", \"Value\": \"{value}\"}}"),
            };
            let (doc, at) = placed(path, &leaf("Bogus", "x"));
            let e = check(ty, &props(&doc)).unwrap_err();
            match shape {
                Shape::Map => {
                    assert_eq!(e.property.as_deref(), Some(format!("{at}.Bogus").as_str()), "{ty} {path}");
                    assert!(
                        e.message.contains(&format!(
                            "extraneous key [Bogus] is not permitted at Properties.{at}.Bogus"
                        )),
                        "{}",
                        e.message
                    );
                }
                Shape::Attributes => {
                    assert_eq!(e.property.as_deref(), Some(format!("{at}.Key").as_str()), "{ty} {path}");
                    assert!(
                        e.message.starts_with(&format!("Properties.{at}.Key: \"Bogus\"")),
                        "{}",
                        e.message
                    );
                }
            }
            for (name, disposition) in *keys {
                walked += 1;
                let (doc, at) = placed(path, &leaf(name, "x"));
                let got = check(ty, &props(&doc));
                let named = format!("{at}.{name}");
                match disposition {
                    Disposition::Modelled => only_an_ancestors_warning(got, &named),
                    Disposition::Warned => {
                        let w = got.unwrap_or_else(|e| panic!("{ty} {named}: {e:?}"));
                        assert_eq!(w.len(), 1, "{ty} {named}: {w:?}");
                        let own = match shape {
                            Shape::Map => named.clone(),
                            Shape::Attributes => format!("{at}.Key"),
                        };
                        assert!(
                            w[0].property == own || named.starts_with(&w[0].property),
                            "{ty} {named}: {w:?}"
                        );
                        if w[0].property == own {
                            assert_eq!(
                                w[0].message,
                                format!("{ty} {named} is accepted but does not change the simulation")
                            );
                        }
                    }
                    Disposition::Refused => {
                        let e = got.unwrap_err();
                        assert!(
                            e.message.contains(&format!("{ty} {named} is not modelled by vpcsim")),
                            "{}",
                            e.message
                        );
                    }
                    Disposition::Default(default) => {
                        let e = got.unwrap_err();
                        assert!(e.message.contains(&format!("{named} = x is not modelled")), "{}", e.message);
                        let (doc, _) = placed(path, &leaf(name, default));
                        only_an_ancestors_warning(check(ty, &props(&doc)), &named);
                    }
                }
            }
        }
    }
    assert!(walked > 200, "{walked} nested keys walked");
}

#[test]
fn every_nested_place_starts_at_a_property_of_its_type_and_its_keys_are_sorted() {
    for (ty, path, _, keys) in NESTED {
        let first = path.split(['.', '[']).next().unwrap();
        if *ty != "*" {
            let list =
                TABLE.iter().find(|(t, _)| t == ty).unwrap_or_else(|| panic!("{ty} is not in TABLE")).1;
            assert!(list.iter().any(|(n, _)| *n == first), "{ty} has no property {first}");
        }
        let names: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "{ty} {path}");
    }
}

#[test]
fn a_target_group_attribute_vpcsim_does_not_model_is_refused_at_its_value_and_a_warned_one_is_named() {
    let template = |key: &str, value: &str| {
        format!(
            "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n  G:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      Port: 80\n      Protocol: TCP\n      VpcId: !Ref V\n      TargetGroupAttributes:\n        - Key: deregistration_delay.timeout_seconds\n          Value: '30'\n        - Key: {key}\n          Value: '{value}'\n"
        )
    };
    let mut w = World::in_region("us-east-1", 1).unwrap();
    let e = vpcsim::stack::create_stack(
        &mut w,
        "s",
        "t.yaml",
        &template("stickiness.enabled", "true"),
        &IndexMap::new(),
        &IndexMap::new(),
    )
    .unwrap_err();
    let shown = e.to_string();
    assert_eq!((e.problems[0].location.line, e.problems[0].location.column), (16, 18), "{shown}");
    assert!(
        shown.contains("TargetGroupAttributes[1].stickiness.enabled = true is not modelled by vpcsim"),
        "{shown}"
    );

    let stack = vpcsim::stack::create_stack(
        &mut w,
        "s",
        "t.yaml",
        &template("proxy_protocol_v2.enabled", "false"),
        &IndexMap::new(),
        &IndexMap::new(),
    )
    .unwrap();
    assert!(stack.warnings.is_empty(), "{:?}", stack.warnings);

    let stack = vpcsim::stack::create_stack(
        &mut w,
        "s2",
        "t.yaml",
        &template("target_health_state.unhealthy.draining_interval_seconds", "30"),
        &IndexMap::new(),
        &IndexMap::new(),
    )
    .unwrap();
    let warning = &stack.warnings[0];
    assert_eq!(warning.location.line, 15);
    assert_eq!(
        warning.message,
        "AWS::ElasticLoadBalancingV2::TargetGroup TargetGroupAttributes[1].target_health_state.unhealthy.draining_interval_seconds is accepted but does not change the simulation"
    );
}

#[test]
fn a_rule_naming_the_groups_owner_is_accepted_for_this_account_and_refused_for_another() {
    let template = |owner: &str| {
        format!(
            "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n  A:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: a\n      VpcId: !Ref V\n  B:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: b\n      VpcId: !Ref V\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          SourceSecurityGroupId: !Ref A\n          SourceSecurityGroupOwnerId: {owner}\n"
        )
    };
    let mut w = World::in_region("us-east-1", 1).unwrap();
    let no = IndexMap::new();
    let stack =
        vpcsim::stack::create_stack(&mut w, "s", "t.yaml", &template("!Ref AWS::AccountId"), &no, &no);
    assert!(stack.is_ok(), "{:?}", stack.err().map(|e| e.to_string()));
    let e = vpcsim::stack::create_stack(&mut w, "s2", "t.yaml", &template("'999999999999'"), &no, &no)
        .unwrap_err();
    assert_eq!(e.problems[0].location.line, 21, "{e}");
    assert!(e.to_string().contains("a group of account 999999999999 is not modelled"), "{e}");
}
