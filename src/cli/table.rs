//! Plain-text tables whose columns line up whatever the cell widths.

/// Renders rows (the first is the header) with each column as wide as its widest cell, two
/// spaces between columns and no padding after the last.
pub fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_with_the_widest_cell() {
        let text = render(&[
            vec!["feature".into(), "data".into(), "action".into()],
            vec![
                "licenses".into(),
                "a much longer cell".into(),
                "kept".into(),
            ],
            vec!["é".into(), "x".into(), "y".into()],
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "feature   data                action");
        assert_eq!(lines[1], "licenses  a much longer cell  kept");
        assert_eq!(lines[2], "é         x                   y");
    }

    #[test]
    fn empty_table_is_empty() {
        assert_eq!(render(&[]), "");
    }
}
