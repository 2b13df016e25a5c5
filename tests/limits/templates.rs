//! Templates: totals across a whole template and across stacks (intrinsic output bytes, stack creation cost).

#[allow(unused_imports)]
use super::*;
