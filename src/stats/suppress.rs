//! Small-cell suppression for published tables of counts.
//!
//! # The rule
//! A table is its cells, its row totals, its column totals and its grand total; every one of them
//! is a published figure and obeys the same rule:
//!
//! - **Primary suppression**: a figure of 1 to 9 is hidden. Such a figure could point at one
//!   woman (a small town, a rare answer).
//! - **Zero is shown.** A zero says that nobody gave that answer; it describes no woman, and
//!   hiding zeros would hide most of a sparse table for nothing. Zeros are never used as
//!   complements either, so every hidden figure is known to be at least 1 — the audit below
//!   takes that into account.
//! - **Complementary suppression**: more figures are hidden until no hidden figure can be worked
//!   out from what is published. A row with a single hidden figure is the classic leak (its
//!   total minus the others gives it away); two small figures whose total is known can leak too
//!   (row total 32, published 30: the two hidden figures are both 1, since each is at least 1).
//!
//! # Why the result is safe
//! Rows and columns of the table (totals included) are linear equations. With `y` the figure,
//! negated for row and column totals, every row and every column of the extended table sums to
//! zero, so adding +1 and −1 alternately around a cycle of hidden figures (row, column, row, …)
//! changes no published figure. The audit proves, for **every** hidden figure, that such a cycle
//! through it exists and keeps every figure on it within what an attacker knows about it: a
//! primary figure stays within 1–9, a complement at 10 or more (a stronger attacker than a real
//! one, who cannot tell the two apart). So for every hidden figure there is a second table,
//! identical in everything published, in which that figure differs: it cannot be recomputed.
//! Where the audit fails, the cheapest rectangle of figures (fewest newly hidden, interior before
//! totals, smallest counts) that gives the failing figure such a cycle is hidden too, and the
//! audit runs again. If no rectangle can help, the whole table is withheld.
//!
//! Tables published side by side must not share figures (a regional table and a national one
//! share the national margins); [`crate::stats`] publishes one table per place and dimension,
//! and no totals across places, for that reason.

/// Figures from 1 to this are hidden.
pub const MAX_SMALL: u64 = 9;

/// A table of counts as counted: `cells[row][column]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<u64>>,
}

/// One published figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    Shown(u64),
    Hidden,
}

impl Figure {
    pub fn shown(self) -> Option<u64> {
        match self {
            Figure::Shown(n) => Some(n),
            Figure::Hidden => None,
        }
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Figure::Shown(n) => write!(f, "{n}"),
            Figure::Hidden => f.write_str("<10"),
        }
    }
}

/// A table ready to publish: every figure either shown as counted or hidden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub title: String,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<Figure>>,
    pub row_totals: Vec<Figure>,
    pub column_totals: Vec<Figure>,
    pub total: Figure,
}

impl Published {
    /// The figure at `(row, column)` of the extended table, where index `rows.len()` is the
    /// column-totals row and `columns.len()` the row-totals column.
    pub fn at(&self, row: usize, column: usize) -> Figure {
        let (r, c) = (self.rows.len(), self.columns.len());
        match (row == r, column == c) {
            (false, false) => self.cells[row][column],
            (false, true) => self.row_totals[row],
            (true, false) => self.column_totals[column],
            (true, true) => self.total,
        }
    }

    /// How many figures (totals included) are hidden.
    pub fn hidden(&self) -> usize {
        let (r, c) = (self.rows.len(), self.columns.len());
        (0..=r)
            .flat_map(|i| (0..=c).map(move |j| (i, j)))
            .filter(|&(i, j)| self.at(i, j) == Figure::Hidden)
            .count()
    }
}

/// What is known of a hidden figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Shown,
    /// Hidden because it is 1–9.
    Primary,
    /// Hidden to protect others; at least 10.
    Complement,
}

/// The extended table: `(rows + 1) × (columns + 1)` figures, totals last.
struct Grid {
    r: usize,
    c: usize,
    value: Vec<Vec<u64>>,
    mark: Vec<Vec<Mark>>,
}

impl Grid {
    fn new(table: &Table) -> Grid {
        let r = table.rows.len();
        let c = table.columns.len();
        let mut value = vec![vec![0u64; c + 1]; r + 1];
        for i in 0..r {
            for j in 0..c {
                let v = table.cells.get(i).and_then(|row| row.get(j)).copied();
                let v = v.unwrap_or(0);
                value[i][j] = v;
                value[i][c] += v;
                value[r][j] += v;
                value[r][c] += v;
            }
        }
        let mark = value
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&v| {
                        if (1..=MAX_SMALL).contains(&v) {
                            Mark::Primary
                        } else {
                            Mark::Shown
                        }
                    })
                    .collect()
            })
            .collect();
        Grid { r, c, value, mark }
    }

    fn hidden(&self, i: usize, j: usize) -> bool {
        self.mark[i][j] != Mark::Shown
    }

    /// +1 for cells and the grand total, −1 for row and column totals: with it, every line of
    /// the extended table sums to zero.
    fn sign(&self, i: usize, j: usize) -> i64 {
        if (i == self.r) == (j == self.c) {
            1
        } else {
            -1
        }
    }

    /// Whether the figure may move by `dy` (in the signed space) and stay within what an
    /// attacker knows of it, given the mark it has (or would get).
    fn may_move(&self, i: usize, j: usize, mark: Mark, dy: i64) -> bool {
        let x = i128::from(self.value[i][j]) + i128::from(self.sign(i, j) * dy);
        match mark {
            Mark::Shown => false,
            Mark::Primary => (1..=i128::from(MAX_SMALL)).contains(&x),
            Mark::Complement => x > i128::from(MAX_SMALL),
        }
    }

    /// Whether a cycle of hidden figures through `(r0, c0)` can move it by +1 or −1 without any
    /// figure leaving its bounds.
    fn protected(&self, r0: usize, c0: usize) -> bool {
        [1i64, -1]
            .into_iter()
            .any(|o| self.may_move(r0, c0, self.mark[r0][c0], o) && self.path(r0, c0, o).is_some())
    }

    /// Breadth-first search from column `c0` to row `r0` over hidden figures other than
    /// `(r0, c0)`: leaving a column through a figure moves it by `-o`, leaving a row by `+o`.
    #[allow(clippy::needless_range_loop)] // rows and columns are indices into the grid
    fn path(&self, r0: usize, c0: usize, o: i64) -> Option<()> {
        // Nodes: rows 0..=r, then columns as r + 1 + j.
        let n = self.r + 1 + self.c + 1;
        let mut seen = vec![false; n];
        let col = |j: usize| self.r + 1 + j;
        let mut queue = std::collections::VecDeque::new();
        seen[col(c0)] = true;
        queue.push_back(col(c0));
        while let Some(node) = queue.pop_front() {
            if node <= self.r {
                let i = node;
                for j in 0..=self.c {
                    if (i, j) == (r0, c0) || !self.hidden(i, j) || seen[col(j)] {
                        continue;
                    }
                    if self.may_move(i, j, self.mark[i][j], o) {
                        seen[col(j)] = true;
                        queue.push_back(col(j));
                    }
                }
            } else {
                let j = node - self.r - 1;
                for i in 0..=self.r {
                    if (i, j) == (r0, c0) || !self.hidden(i, j) || seen[i] {
                        continue;
                    }
                    if self.may_move(i, j, self.mark[i][j], -o) {
                        if i == r0 {
                            return Some(());
                        }
                        seen[i] = true;
                        queue.push_back(i);
                    }
                }
            }
        }
        None
    }

    fn first_unprotected(&self) -> Option<(usize, usize)> {
        (0..=self.r)
            .flat_map(|i| (0..=self.c).map(move |j| (i, j)))
            .find(|&(i, j)| self.hidden(i, j) && !self.protected(i, j))
    }

    /// The cheapest rectangle through `(r0, c0)` whose four figures, hidden, move together.
    fn best_rectangle(&self, r0: usize, c0: usize) -> Option<[(usize, usize); 3]> {
        type Cost = (usize, usize, u64);
        let mut best: Option<(Cost, [(usize, usize); 3])> = None;
        for r2 in (0..=self.r).filter(|&i| i != r0) {
            for c2 in (0..=self.c).filter(|&j| j != c0) {
                let others = [(r0, c2), (r2, c0), (r2, c2)];
                // A zero is never hidden: every hidden figure is known to be at least 1.
                if others
                    .iter()
                    .any(|&(i, j)| !self.hidden(i, j) && self.value[i][j] == 0)
                {
                    continue;
                }
                let mark = |i: usize, j: usize| match self.mark[i][j] {
                    Mark::Shown => Mark::Complement,
                    m => m,
                };
                let fits = [1i64, -1].into_iter().any(|o| {
                    self.may_move(r0, c0, self.mark[r0][c0], o)
                        && self.may_move(r0, c2, mark(r0, c2), -o)
                        && self.may_move(r2, c0, mark(r2, c0), -o)
                        && self.may_move(r2, c2, mark(r2, c2), o)
                });
                if !fits {
                    continue;
                }
                let new: Vec<(usize, usize)> = others
                    .iter()
                    .copied()
                    .filter(|&(i, j)| !self.hidden(i, j))
                    .collect();
                let margins = new
                    .iter()
                    .filter(|&&(i, j)| i == self.r || j == self.c)
                    .count();
                let sum: u64 = new.iter().map(|&(i, j)| self.value[i][j]).sum();
                let cost = (new.len(), margins, sum);
                if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                    best = Some((cost, others));
                }
            }
        }
        best.map(|(_, cells)| cells)
    }

    fn withhold_everything(&mut self) {
        for i in 0..=self.r {
            for j in 0..=self.c {
                if self.value[i][j] > 0 && self.mark[i][j] == Mark::Shown {
                    self.mark[i][j] = Mark::Complement;
                }
            }
        }
    }

    fn publish(&self, table: &Table) -> Published {
        let fig = |i: usize, j: usize| {
            if self.hidden(i, j) {
                Figure::Hidden
            } else {
                Figure::Shown(self.value[i][j])
            }
        };
        Published {
            title: table.title.clone(),
            rows: table.rows.clone(),
            columns: table.columns.clone(),
            cells: (0..self.r)
                .map(|i| (0..self.c).map(|j| fig(i, j)).collect())
                .collect(),
            row_totals: (0..self.r).map(|i| fig(i, self.c)).collect(),
            column_totals: (0..self.c).map(|j| fig(self.r, j)).collect(),
            total: fig(self.r, self.c),
        }
    }
}

/// Applies primary and complementary suppression. Missing cells (ragged input) count as 0.
pub fn suppress(table: &Table) -> Published {
    let mut grid = Grid::new(table);
    // Every round hides at least one more figure, so this ends; the bound is a seatbelt.
    let rounds = (grid.r + 1) * (grid.c + 1) + 1;
    for _ in 0..rounds {
        let Some((i, j)) = grid.first_unprotected() else {
            return grid.publish(table);
        };
        match grid.best_rectangle(i, j) {
            Some(cells) => {
                for (a, b) in cells {
                    if grid.mark[a][b] == Mark::Shown {
                        grid.mark[a][b] = Mark::Complement;
                    }
                }
            }
            None => {
                grid.withhold_everything();
                break;
            }
        }
    }
    if grid.first_unprotected().is_some() {
        // Nothing hidden is left that a cycle could protect: publish zeros only.
        grid.withhold_everything();
    }
    grid.publish(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cells: &[&[u64]]) -> Table {
        Table {
            title: "t".into(),
            rows: (0..cells.len()).map(|i| format!("r{i}")).collect(),
            columns: (0..cells[0].len()).map(|j| format!("c{j}")).collect(),
            cells: cells.iter().map(|r| r.to_vec()).collect(),
        }
    }

    #[test]
    fn a_table_without_small_figures_is_published_whole() {
        let p = suppress(&table(&[&[10, 20], &[30, 0]]));
        assert_eq!(p.hidden(), 0);
        assert_eq!(p.total, Figure::Shown(60));
        assert_eq!(p.row_totals, vec![Figure::Shown(30), Figure::Shown(30)]);
    }

    #[test]
    fn a_lone_small_figure_gets_complements_in_its_row_and_column() {
        let p = suppress(&table(&[&[3, 20, 30], &[15, 25, 40], &[12, 18, 22]]));
        assert_eq!(p.cells[0][0], Figure::Hidden);
        // Never alone in its row or column.
        assert!(p.cells[0].iter().filter(|f| **f == Figure::Hidden).count() >= 2);
        assert!((0..3).filter(|&i| p.cells[i][0] == Figure::Hidden).count() >= 2);
    }

    #[test]
    fn small_totals_are_hidden_too() {
        let p = suppress(&table(&[&[2, 3], &[0, 40]]));
        assert_eq!(p.row_totals[0], Figure::Hidden);
        assert_eq!(p.cells[1][0], Figure::Shown(0));
    }
}
