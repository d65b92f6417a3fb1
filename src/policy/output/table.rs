//! `--output table`: aligned columns, one line per edge.

use std::io::{self, Write};

use super::Row;

pub fn write(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    let header = [
        "CLUSTER", "FROM", "TO", "PORT", "ALLOWED", "MTLS", "POLICIES",
    ];
    let lines: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let allowed = match (r.allowed, r.conditional) {
                (true, false) => "yes",
                (true, true) => "yes*",
                (false, false) => "no",
                (false, true) => "no*",
            };
            [
                r.cluster.clone(),
                r.from.clone(),
                r.to.clone(),
                r.port.map_or_else(|| "*".to_string(), |p| p.to_string()),
                allowed.to_string(),
                r.mtls.to_string(),
                if r.policies.is_empty() {
                    "-".to_string()
                } else {
                    r.policies.join(",")
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
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
    print(out, &header)?;
    for line in &lines {
        let cells: Vec<&str> = line.iter().map(String::as_str).collect();
        print(out, &cells)?;
    }
    if rows.iter().any(|r| r.conditional) {
        writeln!(
            out,
            "\n* depends on conditions unknown offline (when, ipBlocks, JWT, CUSTOM)"
        )?;
    }
    Ok(())
}
