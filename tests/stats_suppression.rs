//! Small-cell suppression against an independent attacker.
//!
//! The attacker shares no code with `helpline::stats::suppress`: it takes only what is published,
//! and enumerates every table of non-negative integers that agrees with it — every row and
//! column adding up, each hidden figure within what it could know (1–9 for a figure hidden for
//! being small, 10 or more for a complement: stronger than a real attacker, who cannot tell them
//! apart). A hidden figure is recomputed when it has the same value in every such table. Every
//! test below asserts that this never happens, on fixtures built so that naive suppression (the
//! small figures alone, or one complement per row) can be undone.

use helpline::stats::suppress::{Figure, MAX_SMALL, Published, Table, suppress};

/// Extended table of the truth: cells, row totals last in each row, column totals last.
pub(crate) fn truth(t: &Table) -> Vec<Vec<u64>> {
    let r = t.rows.len();
    let c = t.columns.len();
    let mut x = vec![vec![0u64; c + 1]; r + 1];
    for i in 0..r {
        for j in 0..c {
            let v = t.cells[i][j];
            x[i][j] = v;
            x[i][c] += v;
            x[r][j] += v;
            x[r][c] += v;
        }
    }
    x
}

/// For each hidden figure, the set of values it takes over every table consistent with what is
/// published (capped: a figure seen with two values is not recomputable, so the search stops as
/// soon as every hidden figure has shown two).
pub(crate) struct Attacker {
    r: usize,
    c: usize,
    vars: Vec<(usize, usize)>,
    lo: Vec<i64>,
    hi: Vec<i64>,
    /// Known value of each position, `None` when hidden.
    known: Vec<Vec<Option<i64>>>,
    seen: Vec<std::collections::BTreeSet<i64>>,
    nodes: u64,
}

impl Attacker {
    pub(crate) fn new(p: &Published, truth: &[Vec<u64>]) -> Attacker {
        let r = p.rows.len();
        let c = p.columns.len();
        let mut known = vec![vec![None; c + 1]; r + 1];
        let mut vars = Vec::new();
        let mut lo = Vec::new();
        let mut hi = Vec::new();
        // No figure of a table of non-negative counts exceeds its grand total. Capping only
        // removes solutions, so it can only make the attacker look stronger.
        let cap = i64::try_from(truth[r][c]).unwrap_or(i64::MAX).max(10);
        for (i, row) in known.iter_mut().enumerate() {
            for (j, slot) in row.iter_mut().enumerate() {
                match p.at(i, j) {
                    Figure::Shown(v) => *slot = Some(i64::try_from(v).unwrap_or(i64::MAX)),
                    Figure::Hidden => {
                        vars.push((i, j));
                        let small = (1..=MAX_SMALL).contains(&truth[i][j]);
                        if small {
                            lo.push(1);
                            hi.push(9);
                        } else {
                            lo.push(10);
                            hi.push(cap);
                        }
                    }
                }
            }
        }
        let n = vars.len();
        Attacker {
            r,
            c,
            vars,
            lo,
            hi,
            known,
            seen: vec![Default::default(); n],
            nodes: 0,
        }
    }

    /// Each line as (position, sign): cells +1 and the line's total −1 sum to zero.
    fn lines(&self) -> Vec<Vec<((usize, usize), i64)>> {
        let mut lines = Vec::new();
        for i in 0..=self.r {
            let mut l: Vec<_> = (0..self.c).map(|j| ((i, j), 1)).collect();
            l.push(((i, self.c), -1));
            lines.push(l);
        }
        for j in 0..=self.c {
            let mut l: Vec<_> = (0..self.r).map(|i| ((i, j), 1)).collect();
            l.push(((self.r, j), -1));
            lines.push(l);
        }
        lines
    }

    fn range(&self, value: &[Option<i64>], pos: (usize, usize)) -> (i64, i64) {
        match self.known[pos.0][pos.1] {
            Some(v) => (v, v),
            None => {
                let k = self
                    .vars
                    .iter()
                    .position(|p| *p == pos)
                    .expect("a hidden position is a variable");
                match value[k] {
                    Some(v) => (v, v),
                    None => (self.lo[k], self.hi[k]),
                }
            }
        }
    }

    /// Whether every line can still sum to zero.
    fn feasible(&self, lines: &[Vec<((usize, usize), i64)>], value: &[Option<i64>]) -> bool {
        lines.iter().all(|line| {
            let (mut min, mut max) = (0i64, 0i64);
            for &(pos, sign) in line {
                let (a, b) = self.range(value, pos);
                if sign > 0 {
                    min += a;
                    max += b;
                } else {
                    min -= b;
                    max -= a;
                }
            }
            min <= 0 && 0 <= max
        })
    }

    /// The values variable `k` can still take, from every line through it.
    fn bounds(
        &self,
        lines: &[Vec<((usize, usize), i64)>],
        value: &[Option<i64>],
        k: usize,
    ) -> (i64, i64) {
        let me = self.vars[k];
        let (mut lo, mut hi) = (self.lo[k], self.hi[k]);
        for line in lines {
            let Some(&(_, my_sign)) = line.iter().find(|(p, _)| *p == me) else {
                continue;
            };
            let (mut min, mut max) = (0i64, 0i64);
            for &(pos, sign) in line.iter().filter(|(p, _)| *p != me) {
                let (a, b) = self.range(value, pos);
                if sign > 0 {
                    min += a;
                    max += b;
                } else {
                    min -= b;
                    max -= a;
                }
            }
            // my_sign * x + rest = 0, rest in [min, max].
            let (a, b) = if my_sign > 0 {
                (-max, -min)
            } else {
                (min, max)
            };
            lo = lo.max(a);
            hi = hi.min(b);
        }
        (lo, hi)
    }

    fn done(&self) -> bool {
        self.seen.iter().all(|s| s.len() >= 2)
    }

    fn search(
        &mut self,
        lines: &[Vec<((usize, usize), i64)>],
        value: &mut Vec<Option<i64>>,
        k: usize,
    ) {
        self.nodes += 1;
        assert!(
            self.nodes < 20_000_000,
            "the attacker's search is too large"
        );
        if self.done() || !self.feasible(lines, value) {
            return;
        }
        if k == self.vars.len() {
            for (s, v) in self.seen.iter_mut().zip(value.iter()) {
                s.insert(v.expect("every variable is set"));
            }
            return;
        }
        // Values not yet seen for this variable first: two solutions are what we are after.
        let (lo, hi) = self.bounds(lines, value, k);
        let mut order: Vec<i64> = (lo..=hi).collect();
        let seen = self.seen[k].clone();
        order.sort_by_key(|v| seen.contains(v));
        for v in order {
            value[k] = Some(v);
            self.search(lines, value, k + 1);
            if self.done() {
                break;
            }
        }
        value[k] = None;
    }

    /// Hidden positions whose value the attacker pins down.
    pub(crate) fn recomputed(mut self) -> Vec<((usize, usize), i64)> {
        let lines = self.lines();
        let mut value = vec![None; self.vars.len()];
        // Also try, for each variable, to find a solution with a value other than the first
        // one seen: restart the search with that variable's order reversed.
        self.search(&lines, &mut value, 0);
        for k in 0..self.vars.len() {
            if self.seen[k].len() >= 2 {
                continue;
            }
            let Some(&only) = self.seen[k].iter().next() else {
                continue;
            };
            for alt in (self.lo[k]..=self.hi[k]).filter(|v| *v != only) {
                let mut v = vec![None; self.vars.len()];
                v[k] = Some(alt);
                if self.exists(&lines, &mut v, 0) {
                    self.seen[k].insert(alt);
                    break;
                }
            }
        }
        self.vars
            .iter()
            .zip(&self.seen)
            .filter(|(_, s)| s.len() < 2)
            .map(|(p, s)| (*p, s.iter().next().copied().unwrap_or(-1)))
            .collect()
    }

    fn exists(
        &mut self,
        lines: &[Vec<((usize, usize), i64)>],
        value: &mut Vec<Option<i64>>,
        k: usize,
    ) -> bool {
        self.nodes += 1;
        assert!(
            self.nodes < 20_000_000,
            "the attacker's search is too large"
        );
        if !self.feasible(lines, value) {
            return false;
        }
        if k == self.vars.len() {
            return true;
        }
        if value[k].is_some() {
            return self.exists(lines, value, k + 1);
        }
        let (lo, hi) = self.bounds(lines, value, k);
        for v in lo..=hi {
            value[k] = Some(v);
            if self.exists(lines, value, k + 1) {
                value[k] = None;
                return true;
            }
        }
        value[k] = None;
        false
    }
}

fn table(cells: &[&[u64]]) -> Table {
    Table {
        title: "fixture".into(),
        rows: (0..cells.len()).map(|i| format!("r{i}")).collect(),
        columns: (0..cells[0].len()).map(|j| format!("q{j}")).collect(),
        cells: cells.iter().map(|r| r.to_vec()).collect(),
    }
}

/// Hides exactly the figures 1–9 (totals included), nothing more: the naive rule.
fn naive(t: &Table) -> Published {
    let x = truth(t);
    let r = t.rows.len();
    let c = t.columns.len();
    let fig = |v: u64| {
        if (1..=MAX_SMALL).contains(&v) {
            Figure::Hidden
        } else {
            Figure::Shown(v)
        }
    };
    Published {
        title: t.title.clone(),
        rows: t.rows.clone(),
        columns: t.columns.clone(),
        cells: (0..r)
            .map(|i| (0..c).map(|j| fig(x[i][j])).collect())
            .collect(),
        row_totals: (0..r).map(|i| fig(x[i][c])).collect(),
        column_totals: (0..c).map(|j| fig(x[r][j])).collect(),
        total: fig(x[r][c]),
    }
}

/// Everything a published table must satisfy: what is shown is true, every 1–9 is hidden, and
/// the attacker recomputes nothing.
fn assert_safe(t: &Table) {
    let p = suppress(t);
    let x = truth(t);
    for (i, row) in x.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            match p.at(i, j) {
                Figure::Shown(shown) => {
                    assert_eq!(shown, v, "a shown figure is the true one");
                    assert!(!(1..=MAX_SMALL).contains(&v), "{v} at ({i},{j}) is shown");
                }
                Figure::Hidden => assert_ne!(v, 0, "zeros are shown, never hidden"),
            }
        }
    }
    let leaks = Attacker::new(&p, &x).recomputed();
    assert!(
        leaks.is_empty(),
        "recomputed (position, value) {leaks:?} from {:?} published as {p:?}",
        t.cells
    );
}

#[test]
fn the_attacker_undoes_naive_suppression() {
    // One small figure alone in its row and column: its row total gives it away.
    let lone = table(&[&[3, 20, 30], &[15, 25, 40], &[12, 18, 22]]);
    let leaks = Attacker::new(&naive(&lone), &truth(&lone)).recomputed();
    assert!(leaks.contains(&((0, 0), 3)), "{leaks:?}");

    // Two small figures in a row add up to 2: each is at least 1, so both are 1.
    let pair = table(&[&[1, 1, 30], &[20, 25, 40]]);
    let leaks = Attacker::new(&naive(&pair), &truth(&pair)).recomputed();
    assert!(
        leaks.contains(&((0, 0), 1)) && leaks.contains(&((0, 1), 1)),
        "{leaks:?}"
    );

    // One complement per row is not enough: the column of the complement has it alone.
    let mut p = naive(&lone);
    p.cells[0][1] = Figure::Hidden;
    let leaks = Attacker::new(&p, &truth(&lone)).recomputed();
    assert!(!leaks.is_empty(), "a lone complement in its column leaks");
}

#[test]
fn a_lone_small_figure_cannot_be_recomputed() {
    assert_safe(&table(&[&[3, 20, 30], &[15, 25, 40], &[12, 18, 22]]));
}

#[test]
fn small_figures_whose_sum_would_pin_them_cannot_be_recomputed() {
    assert_safe(&table(&[&[1, 1, 30], &[20, 25, 40]]));
    assert_safe(&table(&[&[1, 1, 1], &[20, 25, 40], &[11, 12, 13]]));
}

#[test]
fn small_totals_are_hidden_and_cannot_be_recomputed() {
    // A row whose every figure and total is small; a column total of 2.
    assert_safe(&table(&[&[2, 3, 0], &[0, 40, 12], &[0, 15, 20]]));
    assert_safe(&table(&[&[4, 0], &[0, 0]]));
}

#[test]
fn figures_near_the_edges_of_their_bounds_cannot_be_recomputed() {
    // 9s that cannot grow and 1s that cannot shrink, next to complements of exactly 10.
    assert_safe(&table(&[&[9, 10, 10], &[1, 10, 45], &[10, 9, 1]]));
    assert_safe(&table(&[&[1, 9], &[9, 1]]));
}

#[test]
fn a_single_row_or_column_is_withheld_or_protected() {
    assert_safe(&table(&[&[5, 50, 60]]));
    assert_safe(&table(&[&[5], &[50], &[60]]));
}

#[test]
fn random_tables_never_leak() {
    // A fixed linear congruential generator: the same tables every run, no extra crate.
    let mut state: u64 = 0x5eed_1e55;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    for round in 0..150 {
        let rows = 1 + next(4) as usize;
        let cols = 1 + next(4) as usize;
        let cells: Vec<Vec<u64>> = (0..rows)
            .map(|_| {
                (0..cols)
                    .map(|_| match next(4) {
                        0 => 0,
                        1 => 1 + next(9),
                        _ => 10 + next(30),
                    })
                    .collect()
            })
            .collect();
        let t = Table {
            title: format!("random {round}"),
            rows: (0..rows).map(|i| format!("r{i}")).collect(),
            columns: (0..cols).map(|j| format!("q{j}")).collect(),
            cells,
        };
        assert_safe(&t);
    }
}
