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
