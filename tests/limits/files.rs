//! Files are refused at the size limit without reading past it (regular files only).

#[allow(unused_imports)]
use super::*;

#[test]
fn measuring_counts_what_this_thread_allocates() {
    let (_, usage) = measure(|| vec![0u8; 4096]);
    assert!(usage.allocated >= 4096 && usage.peak >= 4096, "{usage:?}");
}
