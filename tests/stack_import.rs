//! Importing CloudFormation templates into a world: the seed lab verbatim, and
//! failures that leave the world as it was.

use indexmap::IndexMap;
use vpcsim::model::nlb::Scheme;
use vpcsim::stack::create_stack;
use vpcsim::world::World;

const SEED: &str = include_str!("../scenarios/privatelink-lab.cfn.yaml");

fn params() -> IndexMap<String, String> {
    IndexMap::from([("KeyName".to_string(), "lab-key".to_string())])
}

#[test]
fn the_seed_template_creates_the_labs_resources() {
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    let stack = create_stack(
        &mut w,
        "privatelink-lab",
        "privatelink-lab.cfn.yaml",
        SEED,
        &params(),
        &IndexMap::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stack.resources.len(), 22);
    assert_eq!(w.vpcs().len(), 2);
    assert_eq!(w.subnets().len(), 2);
    assert_eq!(w.route_tables().values().filter(|t| !t.main).count(), 2, "two custom tables");
    assert_eq!(w.route_tables().values().filter(|t| t.main).count(), 2, "and each VPC's main table");
    assert_eq!(w.igws().values().filter(|g| g.attached.is_some()).count(), 2);
    assert_eq!(w.sgs().values().filter(|g| !g.is_default).count(), 2);
    assert_eq!(w.sgs().values().filter(|g| g.is_default).count(), 2);
    assert_eq!(w.instances().len(), 3);
    assert!(
        w.instances().values().all(|i| w.public_ip_of(i.eni).is_some()),
        "three instances with public IPs"
    );
    assert_eq!(w.lbs().len(), 1);
    assert_eq!(w.lbs().first().unwrap().scheme, Scheme::InternetFacing);
    assert_eq!(w.lbs().first().unwrap().nodes.len(), 1);
    assert!(w.lbs().first().unwrap().dns_name.starts_with("Custom-NLB-"));
    assert_eq!(w.listeners().len(), 1);
    assert_eq!(w.target_groups().len(), 1);
    assert_eq!(w.target_groups().first().unwrap().targets.len(), 2);
    let bodies: Vec<_> = w
        .instances()
        .values()
        .filter_map(|i| i.services.iter().find_map(|s| s.http_body().map(str::to_string)))
        .collect();
    assert_eq!(
        bodies,
        vec![
            "<html><h1>Endpoint Service Lab - CloudNeta Web Server 1</h1></html>".to_string(),
            "<html><h1>Endpoint Service Lab - CloudNeta Web Server 2</h1></html>".to_string()
        ]
    );
}

#[test]
fn a_stack_that_fails_halfway_leaves_the_world_as_it_was() {
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    let broken = SEED.replace("CidrBlock: 20.0.0.0/24", "CidrBlock: 30.0.0.0/24");
    let before = format!("{w:?}");
    let err = create_stack(&mut w, "lab", "lab.cfn.yaml", &broken, &params(), &IndexMap::new()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("CustomPublicSN") && text.contains("InvalidSubnet.Range"), "{text}");
    assert_eq!(format!("{w:?}"), before);
}
