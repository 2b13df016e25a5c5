//! `${...}` inside `expect` values: names are checked before the first step, values are
//! substituted after the step ran and then checked like literal ones.

use vpcsim::scenario::{self, render};
use vpcsim::session::Session;

fn scenario_text(expect: &str) -> String {
    let template = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/privatelink-lab.cfn.yaml");
    format!(
        "name: substitution in expect\nregion: ap-northeast-2\nstacks:\n  - name: lab\n    template: {template}\n    parameters: {{KeyName: k}}\nsteps:\n  - wait-for: Custom-NLB-TG healthy\n  - on: My-EC2\n    run: curl http://${{CustomNLB.DNSName}}/\n    expect:\n{expect}"
    )
}

fn run(expect: &str) -> Result<scenario::Report, vpcsim::error::FileError> {
    let s = scenario::load_str("subst.yaml", &scenario_text(expect))?;
    let mut session = Session::for_scenario(&s)?;
    scenario::run(&s, &mut session)
}

#[test]
fn a_substituted_source_that_holds_passes_and_one_that_does_not_fails() {
    let held = run("      seen-source-in: ${MyEC2.PublicIp}/32\n").unwrap();
    assert!(held.passed, "{}", render::text(&held));
    let failed = run("      seen-source-in: ${MyEC2.PrivateIp}/32\n").unwrap();
    assert!(!failed.passed);
    let text = render::text(&failed);
    assert!(text.contains("✘ seen-source-in"), "{text}");
}

#[test]
fn an_unknown_name_in_expect_is_refused_before_the_first_step() {
    let err = run("      output-contains: ${Nope.DNSName}\n").unwrap_err().to_string();
    assert!(err.contains("subst.yaml:12:24") && err.contains("step 2") && err.contains("Nope"), "{err}");
}

#[test]
fn a_value_that_is_invalid_after_substitution_fails_the_step_and_says_why() {
    let report = run("      answers-in: ${MyEC2.PublicIp}/99\n").unwrap();
    assert!(!report.passed);
    let text = render::text(&report);
    assert!(text.contains("after substitution") && text.contains("invalid CIDR"), "{text}");
}
