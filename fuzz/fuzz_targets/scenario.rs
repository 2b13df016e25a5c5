//! Any bytes as a scenario file next to the seed template: load, create stacks, run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vpcsim::scenario;
use vpcsim::session::Session;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let name = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/fuzz.yaml");
    let Ok(s) = scenario::load_str(name, text) else { return };
    let Ok(mut session) = Session::for_scenario(&s) else { return };
    let _ = scenario::run(&s, &mut session);
});
