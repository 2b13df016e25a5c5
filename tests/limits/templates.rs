//! Templates: totals across a whole template and across stacks (intrinsic output bytes, stack creation cost).

use super::*;

/// Imports on a watched thread and counts what the import allocated.
fn import_measured(text: String) -> (Result<usize, FileError>, Usage) {
    finishes(move || {
        measure(|| {
            let mut sink = Counting::default();
            vpcsim::cfn::create_stack("t.yaml", &text, &IndexMap::new(), &ctx(), &IndexMap::new(), &mut sink)
                .map(|_| sink.0)
        })
    })
}

#[test]
fn forty_outputs_of_thirty_joined_mebibyte_parameters_are_refused_naming_max_template_eval_bytes() {
    let long = "x".repeat(1 << 20);
    let refs = vec!["!Ref P"; 30].join(", ");
    let mut t = format!(
        "Parameters:\n  P: {{Type: String, Default: '{long}'}}\n\
         Resources:\n  R:\n    Type: AWS::EC2::VPC\n    Properties: {{CidrBlock: 10.0.0.0/16}}\nOutputs:\n"
    );
    for i in 0..40 {
        writeln!(t, "  O{i}:\n    Value: !Join ['', [{refs}]]").unwrap();
    }
    let (result, usage) = import_measured(t);
    let e = result.unwrap_err();
    let p = &e.problems[0];
    assert!(p.message.contains("limit MAX_TEMPLATE_EVAL_BYTES"), "{p}");
    assert_eq!(p.file, "t.yaml");
    // 128 MiB reach the limit in the third output (each is 60 MiB: 30 copies, then the join).
    assert_eq!(p.context.as_deref(), Some("Outputs.O2"), "{p}");
    assert_eq!(p.location.line, 13, "{p}");
    assert!(usage.peak < 256 << 20, "{usage:?}");
    assert!(usage.allocated < 1 << 30, "{usage:?}");
}

#[test]
fn evaluation_stops_once_a_report_holds_its_hundred_problems() {
    // Each resource copies a 4 KiB parameter 20 times, then fails an out-of-range Fn::Select.
    let refs = vec!["!Ref P"; 20].join(", ");
    let mut t = format!("Parameters:\n  P: {{Type: String, Default: '{}'}}\nResources:\n", "p".repeat(4096));
    for i in 0..2_000 {
        writeln!(
            t,
            "  R{i}:\n    Type: AWS::EC2::VPC\n    Properties: {{CidrBlock: !Join ['', [{refs}, !Select [5, [a]]]]}}"
        )
        .unwrap();
    }
    let (result, usage) = import_measured(t);
    let e = result.unwrap_err();
    assert_eq!(e.problems.len(), 101, "at most 100 problems and a note");
    assert!(e.problems[0].message.contains("Fn::Select index 5 is out of range"), "{}", e.problems[0]);
    assert!(e.problems[100].message.contains("more problems not shown"), "{}", e.problems[100]);
    // Evaluating all 2,000 resources would copy the parameter 40,000 times and join them (over 400 MB);
    // reading the template costs about 50 MB.
    assert!(usage.allocated < 150 << 20, "{usage:?}");
}

#[test]
fn two_hundred_thousand_unknown_tags_are_reported_as_a_hundred_without_describing_the_rest() {
    let t =
        format!("Resources:\n  R: {{Type: AWS::EC2::VPC}}\nMetadata:\n{}", "  - !Foo x\n".repeat(200_000));
    let text = t.clone();
    let (_, parsing) = finishes(move || measure(|| yaml::parse(&text, &Limits::default()).map(|_| ())));
    let (result, usage) = import_measured(t);
    let e = result.unwrap_err();
    assert_eq!(e.problems.len(), 101, "at most 100 problems and a note");
    assert!(e.problems[0].message.contains("unknown tag `!Foo`"), "{}", e.problems[0]);
    assert_eq!(e.problems[0].location.line, 4);
    assert!(e.problems[100].message.contains("more problems not shown"), "{}", e.problems[100]);
    // Describing every unknown tag (a hint listing the supported ones each) costs about 4x the parse.
    assert!(usage.allocated < 2 * parsing.allocated, "{usage:?} against parsing alone {parsing:?}");
}

/// Runs `vpcsim import`'s report on `text` on a watched thread; the report and its cost.
fn import_report_measured(text: String) -> (vpcsim::stack::import::ImportReport, Usage) {
    finishes(move || {
        measure(|| {
            vpcsim::stack::import::import("t.yaml", &text, &IndexMap::new(), "us-east-1").expect("a report")
        })
    })
}

/// `n` VPCs, each `DependsOn` the one before, behind a first resource vpcsim refuses.
fn chain_behind_a_refusal(n: usize) -> String {
    let mut t =
        String::from("Resources:\n  R0:\n    Type: AWS::NetworkFirewall::Firewall\n    Properties: {}\n");
    for i in 1..n {
        write!(t, "  R{i}:\n    Type: AWS::EC2::VPC\n    DependsOn: R{}\n    Properties: {{CidrBlock: 10.0.0.0/16}}\n", i - 1)
            .unwrap();
    }
    t
}

/// A VPC and `n` resources vpcsim skips, each with its warning.
fn skipped_resources(n: usize) -> String {
    let mut t =
        String::from("Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n");
    for i in 0..n {
        write!(t, "  A{i}:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {{}}\n").unwrap();
    }
    t
}

#[test]
fn importing_four_times_as_long_a_chain_behind_a_refused_resource_costs_about_four_times_as_much() {
    let (small, usage_small) = import_report_measured(chain_behind_a_refusal(500));
    let (large, usage_large) = import_report_measured(chain_behind_a_refusal(2000));
    assert_eq!(large.count(&vpcsim::stack::import::Status::NotTried), 1999);
    assert_eq!(small.resources[499].reason.as_deref(), Some("it depends on R0, which is refused"));
    // Each resource's whole set of dependents, kept for every resource, held a square of the
    // chain's length (2,000,000 names for 2,000 resources).
    let (n, four_n) = (usage_small.allocated, usage_large.allocated);
    assert!(four_n <= 5 * n, "500: {n} bytes; 2000: {four_n} bytes");
}

#[test]
fn importing_four_times_as_many_skipped_resources_costs_about_four_times_as_much() {
    let (_, usage_small) = import_report_measured(skipped_resources(500));
    let (report, usage_large) = import_report_measured(skipped_resources(2000));
    assert_eq!(report.count(&vpcsim::stack::import::Status::Skipped), 2000);
    assert!(report.resources[2000].warnings[0].contains("`AWS::CloudWatch::Alarm` is not networking"));
    // Each resource's warnings were looked for among every warning, formatting a name each time.
    let (n, four_n) = (usage_small.allocations, usage_large.allocations);
    assert!(four_n <= 5 * n, "500: {n} allocations; 2000: {four_n} allocations");
}
