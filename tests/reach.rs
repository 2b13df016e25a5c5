//! The reachability matrix (`vpcsim::analyzer`): computed over classes, it says for
//! every cell what the walk says for that one source, destination and probe.
//!
//! Case counts are sized for the debug build; a soak run:
//! `PROPTEST_CASES=2000 cargo test --test reach`.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use vpcsim::analyzer::cell;
use vpcsim::analyzer::group::Grouped;
use vpcsim::analyzer::{select, Matrix, Verdict, DEFAULT_PROBES};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::testing::strategies;
use vpcsim::world::World;

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

fn full_matrix(w: &World) -> Matrix {
    Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
}

/// Every cell of `m` against the cell walked on its own; the first difference.
fn first_difference(w: &World, m: &Matrix) -> Option<String> {
    for (si, s) in m.sources.iter().enumerate() {
        for (ti, t) in m.targets.iter().enumerate() {
            for (pi, p) in m.probes.iter().enumerate() {
                let alone = cell::evaluate(w, *s, *t, *p).verdict;
                let read = m.verdict(si, ti, pi);
                if alone != read {
                    return Some(format!(
                        "{} -> {} {p}: matrix {read:?}, walk {alone:?}",
                        select::source_label(w, *s),
                        select::target_label(w, *t)
                    ));
                }
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn the_matrix_over_classes_equals_every_cell_walked_alone(case in strategies::mixed_case()) {
        let m = full_matrix(&case.world);
        if let Some(diff) = first_difference(&case.world, &m) {
            prop_assert!(false, "{diff}\n{case}");
        }
    }

    #[test]
    fn grouped_rows_and_columns_keep_every_cell(case in strategies::mixed_case()) {
        let m = full_matrix(&case.world);
        let g = Grouped::of(&m);
        for (r, row) in g.rows.iter().enumerate() {
            for (c, col) in g.columns.iter().enumerate() {
                for p in 0..m.probes.len() {
                    for &s in row {
                        for &t in col {
                            prop_assert_eq!(g.verdict(r, c, p), m.verdict(s, t, p));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_seed_lab_matrix_reaches_the_web_servers_through_the_endpoint_on_port_80() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let m = full_matrix(w);
    let my_ec2 = m.sources.iter().position(|s| select::source_label(w, *s) == "My-EC2").unwrap();
    let endpoint = m.targets.iter().position(|t| *t == vpcsim::analyzer::Target::Endpoint(ep)).unwrap();
    let port_80 = m.probes.iter().position(|p| p.port == 80).unwrap();
    let port_22 = m.probes.iter().position(|p| p.port == 22).unwrap();
    assert_eq!(m.verdict(my_ec2, endpoint, port_80), Verdict::Reachable);
    assert!(!m.verdict(my_ec2, endpoint, port_22).is_reachable());
    assert_eq!(first_difference(w, &m), None);
}
