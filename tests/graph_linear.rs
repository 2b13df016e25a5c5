//! `graph --format dot` and `describe` cost what the world's size says, proven by counting
//! rather than timing: a counting global allocator (this test binary only, counting the
//! calling thread alone) measures both at N and 5N resources of the world
//! benches/describe_graph.rs measures (the lab plus generated VPCs of 14 resources).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use vpcsim::graph::Diagram;
use vpcsim::world::World;

#[path = "../benches/common/mod.rs"]
mod bench;

struct Counting;

thread_local! {
    /// Whether this thread's allocations are being counted, and the counts: other tests'
    /// threads allocate at the same time.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        BYTES.with(|n| n.set(n.get() + bytes));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (a reallocation counts as one, of its new size) and bytes asked for.
#[derive(Debug, Clone, Copy)]
struct Cost {
    allocations: usize,
    bytes: usize,
}

/// What `f` allocates on this thread.
fn cost_of<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    let (a, b) = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    let cost = Cost { allocations: ALLOCATIONS.with(Cell::get) - a, bytes: BYTES.with(Cell::get) - b };
    (out, cost)
}

/// Resources in one generated VPC with three instances (as in benches/describe_graph.rs).
const PER_VPC: usize = 14;

/// The benchmark's world at `resources` resources: the lab plus generated VPCs.
fn world(resources: usize) -> World {
    let mut lab = bench::lab_flow().lab;
    bench::add_vpcs(&mut lab.world, resources / PER_VPC, 3);
    lab.world
}

const SMALL: usize = 2_000;
const LARGE: usize = 10_000;

#[test]
fn dot_allocates_a_fixed_number_of_times_and_bytes_in_proportion_to_the_world() {
    let mut per_resource = Vec::new();
    for size in [SMALL, LARGE] {
        let w = world(size);
        let (dot, cost) = cost_of(|| Diagram::of(&w, None).dot());
        assert!(dot.matches("Gen-EC2-").count() >= 3 * (size / PER_VPC), "every instance is drawn");
        assert!(
            cost.allocations <= 40,
            "DOT of {size} resources took {} allocations: something allocates per item",
            cost.allocations
        );
        per_resource.push(cost.bytes as f64 / size as f64);
    }
    assert!(
        per_resource[1] <= 1.1 * per_resource[0],
        "bytes per resource grow with the world: {:.0} at {SMALL}, {:.0} at {LARGE}",
        per_resource[0],
        per_resource[1]
    );
}

#[test]
fn describe_allocates_in_proportion_to_the_world() {
    let mut per_resource = Vec::new();
    for size in [SMALL, LARGE] {
        let w = world(size);
        let (text, cost) = cost_of(|| vpcsim::describe::pretty(&vpcsim::describe::everything(&w)));
        assert!(text.matches("Gen-EC2-").count() >= 3 * (size / PER_VPC), "every instance is described");
        per_resource.push((cost.allocations as f64 / size as f64, cost.bytes as f64 / size as f64));
    }
    let [(a0, b0), (a1, b1)] = [per_resource[0], per_resource[1]];
    assert!(
        a1 <= 1.1 * a0,
        "allocations per resource grow with the world: {a0:.1} at {SMALL}, {a1:.1} at {LARGE}"
    );
    assert!(b1 <= 1.1 * b0, "bytes per resource grow with the world: {b0:.0} at {SMALL}, {b1:.0} at {LARGE}");
}
