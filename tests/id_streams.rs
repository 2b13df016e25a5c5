//! Resource ids and per-connection randomness come from separate seeded streams (A5):
//! a `dig` or `curl` step draws ports, sequence numbers and DNS ids, never ids.

use vpcsim::scenario;
use vpcsim::session::Session;

/// The allocation ids and addresses of two Elastic IPs allocated after `extra` steps on the seed lab.
fn ids_created_after(extra: &str) -> Vec<(String, std::net::Ipv4Addr)> {
    let text = format!(
        "name: ids after connections
region: ap-northeast-2
seed: 7
stacks:
  - name: privatelink-lab
    template: privatelink-lab.cfn.yaml
    parameters: {{KeyName: lab-key}}
steps:
{extra}  - run: aws ec2 allocate-address --domain vpc
  - run: aws ec2 allocate-address --domain vpc
"
    );
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/ids-after-connections.yaml");
    let s = scenario::load_str(file, &text).unwrap();
    let mut session = Session::for_scenario(&s).unwrap();
    let report = scenario::run(&s, &mut session).unwrap();
    assert!(report.steps.iter().all(|r| r.status == scenario::StepStatus::Passed), "{report:?}");
    let eips: Vec<_> =
        session.world.eips().values().map(|e| (e.allocation_id.clone(), e.public_ip)).collect();
    assert_eq!(eips.len(), 2);
    eips
}

#[test]
fn a5_a_dig_or_curl_step_does_not_renumber_the_resources_created_after_it() {
    let plain = ids_created_after("");
    let with_dig = ids_created_after("  - on: My-EC2\n    run: dig +short checkip.amazonaws.com\n");
    let with_curl = ids_created_after("  - on: My-EC2\n    run: curl -s http://checkip.amazonaws.com/\n");
    assert_eq!(plain, with_dig);
    assert_eq!(plain, with_curl);
}
