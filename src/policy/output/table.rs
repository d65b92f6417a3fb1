//! `--output table`: aligned columns, one line per edge. The rows are walked twice, once
//! for the column widths and once to print, so no line is held.

use std::io::{self, Write};

use super::{Edges, Row, all_rows};

const HEADER: [&str; 7] = [
    "CLUSTER", "FROM", "TO", "PORT", "ALLOWED", "MTLS", "POLICIES",
];

pub fn write(clusters: &[Edges], out: &mut dyn Write) -> io::Result<()> {
    let mut widths = HEADER.map(str::len);
    let mut conditional = false;
    for row in all_rows(clusters) {
        conditional |= row.conditional;
        for (width, cell) in widths.iter_mut().zip(cells(&row)) {
            *width = (*width).max(cell.len());
        }
    }
    let print = |out: &mut dyn Write, cells: &[&str]| -> io::Result<()> {
        let last = cells.len() - 1;
        for (i, cell) in cells.iter().enumerate() {
            if i == last {
                writeln!(out, "{cell}")?;
            } else {
                write!(out, "{cell:<width$}  ", width = widths[i])?;
            }
        }
        Ok(())
    };
    print(out, &HEADER)?;
    for row in all_rows(clusters) {
        let line = cells(&row);
        let cells: Vec<&str> = line.iter().map(String::as_str).collect();
        print(out, &cells)?;
    }
    if conditional {
        writeln!(
            out,
            "\n* depends on conditions unknown offline (when, ipBlocks, JWT, CUSTOM)"
        )?;
    }
    Ok(())
}

/// The printed cells of `row`, in `HEADER` order.
fn cells(row: &Row) -> [String; 7] {
    let allowed = match (row.allowed, row.conditional) {
        (true, false) => "yes",
        (true, true) => "yes*",
        (false, false) => "no",
        (false, true) => "no*",
    };
    [
        row.cluster.to_string(),
        row.from.to_string(),
        row.to.to_string(),
        row.port.map_or_else(|| "*".to_string(), |p| p.to_string()),
        allowed.to_string(),
        row.mtls.to_string(),
        if row.policies.is_empty() {
            "-".to_string()
        } else {
            row.policies.join(",")
        },
    ]
}
