//! Health checks simulated by events: the cost of a wait does not grow with its length.

use std::time::Duration;

use super::*;

const MINUTE: Duration = Duration::from_secs(60);
const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

/// The lab before any wait, with its target group holding `extra` more targets on web1:
/// ports nothing listens on, so they turn unhealthy while the lab's own turn healthy.
fn lab_with_targets(extra: u16) -> (Lab, usize) {
    let mut l = Lab::build(LabOptions::default()).expect("the lab builds");
    let specs: Vec<TargetSpec> = (0..extra)
        .map(|p| TargetSpec { target: TargetRef::Instance(l.web1), port: Some(9000 + p) })
        .collect();
    l.world.register_targets(l.tg, &specs).unwrap();
    let targets = l.world.target_groups().values().map(|g| g.targets.len()).sum();
    (l, targets)
}

fn states(l: &Lab) -> Vec<&'static str> {
    l.world[l.tg].targets.iter().map(|t| t.state.as_str()).collect()
}

#[test]
fn l4_a_week_of_health_checks_costs_about_what_a_minute_costs_per_target() {
    let (lab, targets) = lab_with_targets(100);
    let mut minute = lab.clone();
    let mut week = lab;
    let m = minute.world.advance(MINUTE).events;
    let w = week.world.advance(WEEK).events;
    // Ticking would check every target 20,160 times in a week (every 30 s): 2 million events.
    // By events, a target costs a few events per change of state, whatever the wait.
    assert!(w <= 2 * m + 4 * targets as u64, "a minute: {m} events, a week: {w}, {targets} targets");
    assert!(w <= 10 * targets as u64, "a week: {w} events for {targets} targets");
    let s = states(&week);
    assert_eq!(s.iter().filter(|x| **x == "healthy").count(), 2, "{s:?}");
    assert_eq!(s.iter().filter(|x| **x == "unhealthy").count(), 100, "{s:?}");
}

#[test]
fn l4_one_long_wait_and_many_short_ones_leave_the_same_world() {
    let (lab, _) = lab_with_targets(3);
    let mut once = lab.clone();
    let mut stepped = lab;
    once.world.advance(Duration::from_secs(600));
    for _ in 0..600 {
        stepped.world.advance(Duration::from_secs(1));
    }
    assert_eq!(format!("{:?}", once.world), format!("{:?}", stepped.world));
    assert_eq!(states(&once), ["healthy", "healthy", "unhealthy", "unhealthy", "unhealthy"]);
}

#[test]
fn l4_the_lab_targets_turn_healthy_at_the_fifth_passed_check() {
    let (lab, _) = lab_with_targets(0);
    let mut early = lab.clone();
    early.world.advance(Duration::from_secs(129));
    assert_eq!(states(&early), ["initial", "initial"]);
    let mut on_time = lab;
    on_time.world.advance(Duration::from_secs(130));
    assert_eq!(states(&on_time), ["healthy", "healthy"]);
}
