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

/// A session that counts how often `wait-for` moves the clock and the events simulated.
struct Counted {
    session: vpcsim::session::Session,
    steps: u64,
    events: u64,
}

impl vpcsim::scenario::Backend for Counted {
    fn create_stacks(&mut self, s: &vpcsim::scenario::Scenario) -> Result<(), FileError> {
        self.session.create_stacks(s)
    }
    fn resolve(&self, name: &str) -> vpcsim::scenario::Resolution {
        self.session.resolve(name)
    }
    fn get_att(&self, name: &str, attr: &str) -> Result<String, String> {
        self.session.get_att(name, attr)
    }
    fn run_app(&mut self, on: &str, cmd: &vpcsim::command::app::AppCommand) -> vpcsim::scenario::StepOutcome {
        self.session.run_app(on, cmd)
    }
    fn run_aws(&mut self, call: &vpcsim::command::aws::AwsCall) -> vpcsim::scenario::StepOutcome {
        self.session.run_aws(call)
    }
    fn advance(&mut self, by: Duration) {
        self.steps += 1;
        self.events += self.session.world.advance(by).events;
    }
    fn state_of(&self, resource: &str, wanted: &str) -> Result<bool, String> {
        self.session.state_of(resource, wanted)
    }
    fn next_change(&self) -> Option<Duration> {
        self.session.next_change()
    }
}

/// `wait-for` the lab's target group to be healthy, with 3 targets that never will:
/// the outcome, the clock's moves and the events simulated.
fn wait_for_healthy(timeout: Duration) -> (String, u64, u64) {
    let (lab, _) = lab_with_targets(3);
    let arn = lab.world[lab.tg].arn.clone();
    let mut counted = Counted { session: vpcsim::session::Session::new(lab.world), steps: 0, events: 0 };
    let outcome = vpcsim::scenario::wait::wait_for(&mut counted, &arn, "healthy", timeout);
    (outcome.stderr, counted.steps, counted.events)
}

#[test]
fn l4_wait_for_with_a_24h_timeout_costs_about_what_a_1m_timeout_costs() {
    let (minute, minute_steps, minute_events) = wait_for_healthy(MINUTE);
    let (day, day_steps, day_events) = wait_for_healthy(Duration::from_secs(24 * 3600));
    assert!(minute.starts_with("timed out after 1m:"), "{minute}");
    assert!(day.starts_with("timed out after 24h:"), "{day}");
    // Looking every second moved the clock 86,400 times for a day (and 60 for a minute).
    assert!(day_steps <= minute_steps + 4, "a minute: {minute_steps} moves; a day: {day_steps}");
    assert!(day_events <= minute_events + 20, "a minute: {minute_events} events; a day: {day_events}");
}

#[test]
fn l4_wait_for_reports_the_first_whole_second_at_which_the_targets_are_healthy() {
    // The lab's targets turn healthy at the fifth check, 130 s after registration (see above).
    let l = Lab::build(LabOptions::default()).expect("the lab builds");
    let arn = l.world[l.tg].arn.clone();
    let mut counted = Counted { session: vpcsim::session::Session::new(l.world), steps: 0, events: 0 };
    let outcome = vpcsim::scenario::wait::wait_for(&mut counted, &arn, "healthy", Duration::from_secs(600));
    assert_eq!(outcome.stdout, format!("{arn} is healthy after 2m10s\n"));
    assert!(counted.steps <= 3, "{} moves of the clock", counted.steps);
}
