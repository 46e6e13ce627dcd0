//! Counters into published tables, and those tables as text (`helpline stats`), CSV, SVG bar
//! charts and an HTML page body for the admin. Everything here works on [`Published`] tables
//! only: a figure that suppression hid cannot reach any output.
//!
//! Layout: one table per dimension and place (country, and region where known), values as rows,
//! quarters as columns. No table sums across places, so no two published tables share a margin
//! (see [`super::suppress`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::suppress::{Figure, Published, Table, suppress};
use super::{CounterRow, Dimension};

/// Builds and suppresses every table, in a stable order (dimension, country, region).
pub fn tables(rows: &[CounterRow]) -> Vec<Published> {
    type Key = (Dimension, String, String);
    let mut groups: BTreeMap<Key, BTreeMap<(String, String), u64>> = BTreeMap::new();
    for r in rows {
        let Some(dimension) = Dimension::parse(&r.dimension) else {
            continue;
        };
        let count = u64::try_from(r.count).unwrap_or(0);
        *groups
            .entry((dimension, r.country.clone(), r.region.clone()))
            .or_default()
            .entry((r.value.clone(), r.quarter.clone()))
            .or_default() += count;
    }
    groups
        .into_iter()
        .map(|((dimension, country, region), counts)| {
            let values: BTreeSet<&String> = counts.keys().map(|(v, _)| v).collect();
            let quarters: BTreeSet<&String> = counts.keys().map(|(_, q)| q).collect();
            let place = match (country.as_str(), region.as_str()) {
                ("--", _) => "country not given".to_owned(),
                (c, "") => c.to_owned(),
                (c, r) => format!("{c} / {r}"),
            };
            let table = Table {
                title: format!("{} — {place}", dimension.title()),
                rows: values.iter().map(|v| (*v).clone()).collect(),
                columns: quarters.iter().map(|q| (*q).clone()).collect(),
                cells: values
                    .iter()
                    .map(|v| {
                        quarters
                            .iter()
                            .map(|q| {
                                counts
                                    .get(&((*v).clone(), (*q).clone()))
                                    .copied()
                                    .unwrap_or(0)
                            })
                            .collect()
                    })
                    .collect(),
            };
            suppress(&table)
        })
        .collect()
}

/// Plain-text tables for the terminal.
pub fn text(tables: &[Published]) -> String {
    let mut out = String::new();
    if tables.is_empty() {
        out.push_str("Nothing has been counted yet.\n");
    }
    for t in tables {
        let mut lines: Vec<Vec<String>> = Vec::new();
        let mut header = vec![String::new()];
        header.extend(t.columns.iter().cloned());
        header.push("total".into());
        lines.push(header);
        for (i, row) in t.rows.iter().enumerate() {
            let mut line = vec![row.clone()];
            line.extend(t.cells[i].iter().map(Figure::to_string));
            line.push(t.row_totals[i].to_string());
            lines.push(line);
        }
        let mut footer = vec!["total".to_owned()];
        footer.extend(t.column_totals.iter().map(Figure::to_string));
        footer.push(t.total.to_string());
        lines.push(footer);
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|j| {
                lines
                    .iter()
                    .map(|l| l[j].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let _ = writeln!(out, "{}", t.title);
        for l in &lines {
            let cells: Vec<String> = l
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    if j == 0 {
                        format!("{s:<w$}", w = widths[j])
                    } else {
                        format!("{s:>w$}", w = widths[j])
                    }
                })
                .collect();
            let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
        }
        out.push('\n');
    }
    out.push_str("<10: hidden (1 to 9, or hidden so that a hidden figure cannot be worked out)\n");
    out
}

/// CSV in long form: one line per published figure, totals included, hidden ones as `<10`.
pub fn csv(tables: &[Published]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["table", "row", "column", "count"]);
    for t in tables {
        let r = t.rows.len();
        let c = t.columns.len();
        for i in 0..=r {
            for j in 0..=c {
                let row = t.rows.get(i).map(String::as_str).unwrap_or("total");
                let column = t.columns.get(j).map(String::as_str).unwrap_or("total");
                let figure = t.at(i, j).to_string();
                let _ = w.write_record([t.title.as_str(), row, column, figure.as_str()]);
            }
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Escapes text for XML and HTML (element content and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const BAR_HEIGHT: u32 = 22;
const LABEL_WIDTH: u32 = 200;
const BAR_SPACE: u32 = 320;

/// A horizontal bar chart of `(label, figure)`, server-rendered SVG. A hidden figure gets no bar,
/// only the words "fewer than 10 or hidden", so a chart never shows more than the table.
pub fn bar_chart(title: &str, bars: &[(String, Figure)]) -> String {
    let max = bars
        .iter()
        .filter_map(|(_, f)| f.shown())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = 30 + BAR_HEIGHT * u32::try_from(bars.len()).unwrap_or(0) + 10;
    let width = LABEL_WIDTH + BAR_SPACE + 120;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" \
         font-size=\"12\"><title>{}</title>\
         <text x=\"0\" y=\"16\" font-weight=\"bold\">{}</text>",
        escape(title),
        escape(title)
    );
    for (k, (label, figure)) in bars.iter().enumerate() {
        let y = 30 + BAR_HEIGHT * u32::try_from(k).unwrap_or(0);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL_WIDTH - 8,
            y + 15,
            escape(label)
        );
        match figure {
            Figure::Shown(n) => {
                let w = u32::try_from(u64::from(BAR_SPACE) * n / max).unwrap_or(BAR_SPACE);
                let _ = write!(
                    svg,
                    "<rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{w}\" height=\"{}\" \
                     fill=\"#6a4c93\"/><text x=\"{}\" y=\"{}\">{n}</text>",
                    y + 3,
                    BAR_HEIGHT - 6,
                    LABEL_WIDTH + w + 6,
                    y + 15
                );
            }
            Figure::Hidden => {
                let _ = write!(
                    svg,
                    "<text x=\"{}\" y=\"{}\" fill=\"#666\">fewer than 10 or hidden</text>",
                    LABEL_WIDTH + 6,
                    y + 15
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The chart of one table: each value's total over all its quarters.
pub fn chart(table: &Published) -> String {
    let bars: Vec<(String, Figure)> = table
        .rows
        .iter()
        .cloned()
        .zip(table.row_totals.iter().copied())
        .collect();
    bar_chart(&table.title, &bars)
}

/// The chart of one table by quarter: the total of each quarter.
pub fn quarter_chart(table: &Published) -> String {
    let bars: Vec<(String, Figure)> = table
        .columns
        .iter()
        .cloned()
        .zip(table.column_totals.iter().copied())
        .collect();
    bar_chart(&format!("{} — by quarter", table.title), &bars)
}

/// The statistics page body for the admin: a note on the rule, a CSV link, and for each table
/// its charts and its figures. `csv_href` is where the admin serves [`csv()`].
pub fn page(tables: &[Published], csv_href: &str) -> String {
    let mut html = String::new();
    // The admin's layout gives the page its `<h1>`; each table is an `<h2>`.
    html.push_str("<section class=\"stats\">");
    html.push_str(
        "<p>Counted only when a woman agreed. Figures from 1 to 9 are hidden, and so are others \
         where needed so that no hidden figure can be worked out from the totals.</p>",
    );
    let _ = write!(
        html,
        "<p><a href=\"{}\">Download CSV</a></p>",
        escape(csv_href)
    );
    if tables.is_empty() {
        html.push_str("<p>Nothing has been counted yet.</p>");
    }
    for t in tables {
        let _ = write!(html, "<article><h2>{}</h2>", escape(&t.title));
        html.push_str(&chart(t));
        html.push_str(&quarter_chart(t));
        html.push_str("<table><thead><tr><th></th>");
        for c in &t.columns {
            let _ = write!(html, "<th>{}</th>", escape(c));
        }
        html.push_str("<th>total</th></tr></thead><tbody>");
        for i in 0..=t.rows.len() {
            let name = t.rows.get(i).map(String::as_str).unwrap_or("total");
            let _ = write!(html, "<tr><th>{}</th>", escape(name));
            for j in 0..=t.columns.len() {
                let _ = write!(html, "<td>{}</td>", escape(&t.at(i, j).to_string()));
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table></article>");
    }
    html.push_str("</section>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: &str, quarter: &str, count: i64) -> CounterRow {
        CounterRow {
            country: "UA".into(),
            region: String::new(),
            quarter: quarter.into(),
            dimension: "form".into(),
            value: value.into(),
            count,
        }
    }

    #[test]
    fn small_counts_never_reach_any_output() {
        let rows = [
            row("physical", "2026-Q3", 40),
            row("physical", "2026-Q4", 3),
            row("economic", "2026-Q3", 25),
            row("economic", "2026-Q4", 31),
            row("sexual", "2026-Q4", 12),
        ];
        let t = tables(&rows);
        assert_eq!(t.len(), 1);
        let all = format!("{}{}{}", text(&t), csv(&t), page(&t, "/stats.csv"));
        assert!(all.contains("<10") || all.contains("&lt;10"));
        // The 3 is hidden everywhere (its complements are the suppression tests' business).
        for leak in [",3\n", ">3<", " 3\n", " 3 "] {
            assert!(!all.contains(leak), "{leak} published");
        }
    }

    #[test]
    fn labels_are_escaped_in_charts() {
        let svg = bar_chart("a<b", &[("<script>".into(), Figure::Shown(12))]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
