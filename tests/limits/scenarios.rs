//! Scenarios and the shell: bounded steps, kept output and waits.

use super::*;
use vpcsim::scenario::{MAX_KEPT_OUTPUT, MAX_STEPS};

#[test]
fn a_scenario_of_more_than_max_steps_steps_is_refused_at_the_first_step_too_many() {
    let steps = "  - wait: 1s\n".repeat(MAX_STEPS + 1);
    let e = vpcsim::scenario::load_str("s.yaml", &format!("name: s\nsteps:\n{steps}")).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    assert!(e.problems[0].message.contains("more than 1000 steps (limit MAX_STEPS)"), "{e}");
    assert_eq!(e.problems[0].location.line, MAX_STEPS + 3);
    let steps = "  - wait: 1s\n".repeat(MAX_STEPS);
    assert!(vpcsim::scenario::load_str("s.yaml", &format!("name: s\nsteps:\n{steps}")).is_ok());
}

#[test]
fn a_scenario_of_max_steps_steps_with_broken_names_is_checked_in_linear_time() {
    // Each step uses the output the next one saves: 1,000 problems, reported as 100 and a note.
    let mut text = String::from("name: many\nsteps:\n");
    for i in 0..MAX_STEPS {
        write!(text, "  - run: aws ec2 describe-vpcs --vpc-ids ${{s{}.Vpcs}}\n    save: s{i}\n", i + 1)
            .unwrap();
    }
    let e = finishes(move || {
        let s = vpcsim::scenario::load_str("many.yaml", &text).expect("the file is well formed");
        let mut session = vpcsim::session::Session::for_scenario(&s).expect("a session");
        vpcsim::scenario::run(&s, &mut session).map(|_| ()).unwrap_err()
    });
    assert_eq!(e.problems.len(), 101);
    assert!(e.problems[100].message.contains("more problems not shown"), "{}", e.problems[100]);
}

/// A scenario on a world of `instances` instances whose `steps` steps each describe all of them.
fn describing_scenario(instances: usize, steps: usize) -> String {
    let mut text = String::from(
        "name: describe a large world\nregion: ap-northeast-2\nstacks:\n  - name: many\n    template-body:\n      Resources:\n        V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n        S: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref V, CidrBlock: 10.0.0.0/20}}\n",
    );
    for i in 0..instances {
        writeln!(
            text,
            "        I{i}: {{Type: AWS::EC2::Instance, Properties: {{ImageId: ami-1, SubnetId: !Ref S}}}}"
        )
        .unwrap();
    }
    text.push_str("steps:\n");
    for _ in 0..steps {
        text.push_str("  - run: aws ec2 describe-instances\n");
    }
    text
}

#[test]
fn thirty_describe_steps_on_a_200_instance_world_keep_at_most_max_kept_output_and_no_json() {
    // 30 steps printing 431 kB each: before the budget, every output and its JSON stayed
    // alive for the whole run (13 MB of text, several times that as JSON values).
    let text = describing_scenario(200, 30);
    let (report, usage) = finishes(move || {
        let s = vpcsim::scenario::load_str("many.yaml", &text).expect("the file is well formed");
        let mut session = vpcsim::session::Session::for_scenario(&s).expect("a session");
        measure(|| vpcsim::scenario::run(&s, &mut session).expect("the scenario runs"))
    });
    assert!(report.passed);
    let first = report.steps[0].outcome.as_ref().expect("an outcome");
    assert!(first.stdout.len() > 400_000, "each step prints the whole world: {}", first.stdout.len());
    let outcomes: Vec<_> = report.steps.iter().filter_map(|s| s.outcome.as_ref()).collect();
    let kept: usize = outcomes.iter().map(|o| o.stdout.len() + o.stderr.len()).sum();
    let notes = report.steps.len() * vpcsim::scenario::run::cut_note().len();
    assert!(kept <= MAX_KEPT_OUTPUT + notes, "kept {kept} bytes");
    assert!(report
        .steps
        .last()
        .and_then(|s| s.outcome.as_ref())
        .is_some_and(|o| o.stderr.contains("MAX_KEPT_OUTPUT")));
    assert!(report.steps.iter().all(|s| s.outcome.as_ref().is_some_and(|o| o.json.is_none())));
    // Measured: 20.0 MB at the peak (8 MiB kept, one step's text, JSON and world copy).
    assert!(usage.peak < 24 << 20, "peak {} bytes", usage.peak);
}
