//! The verdict-only walk is for benchmarks and bulk analysis: it must not allocate.
//! A counting global allocator (this test binary only) proves it for the lab's flows.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use vpcsim::addr::Protocol;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::trace::{Flow, Header};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn verdicts_of_the_labs_flows_allocate_nothing_while_traces_do() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let eni = w[lab.my_ec2].eni;
    let src = w[eni].private_ip;
    let endpoint_ip = w[w[ep].enis[0]].private_ip;
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    let flows = [endpoint_ip, nlb_ip, "10.0.0.77".parse().unwrap(), "8.8.4.4".parse().unwrap()].map(|dst| {
        Flow { header: Header { src, dst, protocol: Protocol::Tcp, src_port: 40000, dst_port: 80 }, seq: 9 }
    });

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let delivered = flows.iter().filter(|f| w.verdict(eni, **f).is_delivered()).count();
    let during = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(delivered, 2, "the endpoint and the NLB are reachable; the other two are not");
    assert_eq!(during, 0, "verdict() allocated {during} times");

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let trace = w.trace(eni, flows[0]);
    assert!(trace.reachable());
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before, "the counter sees allocations at all");
}
