//! Any bytes as a CloudFormation template: import into a fresh world; never a panic,
//! and a refused template leaves the world as it was.
#![no_main]

use indexmap::IndexMap;
use libfuzzer_sys::fuzz_target;
use vpcsim::world::World;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut world = World::in_region("ap-northeast-2", 7).expect("known region");
    let before = format!("{world:?}");
    let params = IndexMap::from([("KeyName".to_string(), "lab-key".to_string())]);
    if vpcsim::stack::create_stack(&mut world, "fuzz", "fuzz.cfn.yaml", text, &params, &IndexMap::new()).is_err() {
        assert_eq!(before, format!("{world:?}"), "a refused template changed the world");
    }
});
