//! Rows and columns with identical verdicts merged, so a matrix of thousands of
//! instances fits on a screen: sources whose every verdict is the same form one row,
//! then destinations whose every verdict over those rows is the same form one column.
//! An instance's cell to itself, which has no path ([`no_path`]), is kept apart from
//! walked verdicts, so a row or column never mixes the two.

use rustc_hash::FxHashMap;

use super::access::no_path;
use super::cell::Verdict;
use super::matrix::Matrix;

/// A verdict, and whether it stands only for a flow with no path (an instance to itself).
type Cell = (Verdict, bool);

/// A matrix with identical rows and columns merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouped {
    /// Each row: the sources (indexes into [`Matrix::sources`]) it stands for.
    pub rows: Vec<Vec<usize>>,
    /// Each column: the destinations (indexes into [`Matrix::targets`]) it stands for.
    pub columns: Vec<Vec<usize>>,
    /// `cells[(row * columns + column) * probes + probe]`.
    cells: Vec<Verdict>,
    probes: usize,
}

impl Grouped {
    /// Merges the identical rows and columns of `m`.
    pub fn of(m: &Matrix) -> Grouped {
        let tcs = m.target_classes.len() as u32;
        let probes = m.probes.len();
        // A row's verdicts over every destination class and probe, each with whether it
        // stands only for the source's flow to itself (kept apart from a walked verdict).
        let row_of = |s: usize| -> Vec<Cell> {
            (0..tcs)
                .flat_map(|tc| {
                    let members = &m.target_classes.members[tc as usize];
                    let t = members[0] as usize;
                    let alone = members.len() == 1 && no_path(m.sources[s], m.targets[t]);
                    (0..probes).map(move |p| (m.verdict(s, t, p), alone))
                })
                .collect()
        };
        let mut row_index: FxHashMap<Vec<Cell>, usize> = FxHashMap::default();
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut row_cells: Vec<Vec<Cell>> = Vec::new();
        for (sc, members) in m.source_classes.members.iter().enumerate() {
            let varies = (0..tcs).any(|tc| (0..probes).any(|p| m.varies_by_source(sc as u32, tc, p)));
            let mut shared = None;
            for &s in members {
                let cells = match (&shared, varies) {
                    (Some(c), false) => Vec::clone(c),
                    _ => row_of(s as usize),
                };
                if !varies {
                    shared = Some(cells.clone());
                }
                let next = rows.len();
                let r = *row_index.entry(cells.clone()).or_insert(next);
                if r == next {
                    rows.push(Vec::new());
                    row_cells.push(cells);
                }
                rows[r].push(s as usize);
            }
        }
        rows.iter_mut().for_each(|r| r.sort_unstable());
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&r| rows[r][0]);
        let (rows, row_cells): (Vec<_>, Vec<_>) =
            order.into_iter().map(|r| (rows[r].clone(), row_cells[r].clone())).unzip();
        // A column's verdicts over every row and probe.
        let mut col_index: FxHashMap<Vec<Cell>, usize> = FxHashMap::default();
        let mut col_classes: Vec<Vec<u32>> = Vec::new();
        let mut col_cells: Vec<Vec<Cell>> = Vec::new();
        for tc in 0..tcs as usize {
            let cells: Vec<Cell> =
                row_cells.iter().flat_map(|r| r[tc * probes..(tc + 1) * probes].iter().copied()).collect();
            let next = col_classes.len();
            let c = *col_index.entry(cells.clone()).or_insert(next);
            if c == next {
                col_classes.push(Vec::new());
                col_cells.push(cells);
            }
            col_classes[c].push(tc as u32);
        }
        let columns: Vec<Vec<usize>> = col_classes
            .iter()
            .map(|tcs| {
                let mut t: Vec<usize> = tcs
                    .iter()
                    .flat_map(|&tc| m.target_classes.members[tc as usize].iter().map(|&x| x as usize))
                    .collect();
                t.sort_unstable();
                t
            })
            .collect();
        let mut cells = vec![Verdict::NoAddress; rows.len() * columns.len() * probes];
        for (c, col) in col_cells.iter().enumerate() {
            for r in 0..rows.len() {
                for p in 0..probes {
                    cells[(r * columns.len() + c) * probes + p] = col[r * probes + p].0;
                }
            }
        }
        Grouped { rows, columns, cells, probes }
    }

    /// The verdict of row `r`, column `c` and probe `p`.
    pub fn verdict(&self, r: usize, c: usize, p: usize) -> Verdict {
        self.cells[(r * self.columns.len() + c) * self.probes + p]
    }
}
