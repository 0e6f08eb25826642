//! Charts drawn on the server as inline SVG: no script, no style attribute
//! (the console's CSP allows neither), text escaped here. Each chart comes
//! with the same numbers as a table (the page shows it under the chart), so
//! nothing is only visible as a picture.

use std::fmt::Write as _;

/// Bar colours, in series order; readable on light and dark backgrounds.
const PALETTE: [&str; 5] = ["#3b6ea8", "#2e8b74", "#c07a12", "#8a63c2", "#b44a4a"];

/// Escapes text for SVG (XML) content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
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

/// A chart: its SVG markup (trusted: built and escaped here) and the rows of
/// its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub svg: String,
    /// The table's column headings.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Chart {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// `label` cut to `max` characters with an ellipsis (the full label is in
/// the bar's tooltip and the table).
fn shortened(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_owned();
    }
    let mut out: String = label.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Horizontal bars, one per `(label, value)`, longest scaled to the width.
pub fn bars(id: &'static str, title: &str, unit: &str, rows: &[(String, i64)]) -> Chart {
    // About 350 units wide: drawn at its own size on a 390 px phone, so the
    // labels keep their size there (a wider drawing shrank them unreadably).
    let (label_w, bar_w, row_h) = (170.0, 130.0, 26.0);
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let height = row_h * rows.len() as f64 + 4.0;
    let width = label_w + bar_w + 50.0;
    let mut svg = format!(
        r#"<svg id="{id}-svg" class="bars" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title" direction="ltr" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        escape(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        let w = (*value as f64 / max * bar_w).max(if *value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13" fill="currentColor">{short}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="{bh}" fill="{colour}"><title>{label}: {value} {unit}</title></rect><text x="{vx:.1}" y="{ty}" font-size="13" fill="currentColor">{value}</text>"#,
            lx = label_w - 8.0,
            ty = y + 16.0,
            label = escape(label),
            short = escape(&shortened(label, 22)),
            bh = row_h - 8.0,
            colour = PALETTE[0],
            vx = label_w + w + 6.0,
            unit = escape(unit),
        );
    }
    svg.push_str("</svg>");
    Chart {
        id,
        title: title.to_owned(),
        svg,
        columns: vec![String::new(), unit.to_owned()],
        rows: rows
            .iter()
            .map(|(l, v)| vec![l.clone(), v.to_string()])
            .collect(),
    }
}

/// Vertical bars per day, each stacked by series (`values[d][s]` is day
/// `d`'s count of series `s`), with a legend.
pub fn stacked_days(
    id: &'static str,
    title: &str,
    day_heading: &str,
    days: &[String],
    series: &[String],
    values: &[Vec<i64>],
) -> Chart {
    let (left, top, plot_h, legend_h) = (40.0, 8.0, 160.0, 24.0);
    let col = 16.0;
    let width = left + col * days.len().max(1) as f64 + 8.0;
    // The legend's keys, left to right, on as many lines as the width
    // needs (longer names in some languages).
    let mut legend = Vec::with_capacity(series.len());
    let (mut lx, mut line) = (left, 0.0_f64);
    for name in series {
        let w = 14.0 + 9.5 * name.chars().count() as f64;
        if lx > left && lx + w > width {
            lx = left;
            line += 1.0;
        }
        legend.push((lx, line));
        lx += w + 16.0;
    }
    let height = top + plot_h + 22.0 + legend_h * (line + 1.0);
    let max = values
        .iter()
        .map(|v| v.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = format!(
        r#"<svg id="{id}-svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title" direction="ltr" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        escape(title)
    );
    // The axis: zero and the largest day.
    let base = top + plot_h;
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="currentColor" stroke-opacity="0.4"/><text x="{lx}" y="{base}" text-anchor="end" font-size="15" fill="currentColor">0</text><text x="{lx}" y="{ty}" text-anchor="end" font-size="15" fill="currentColor">{max}</text>"##,
        lx = left - 4.0,
        ty = top + 10.0,
        max = max as i64,
    );
    for (d, day) in days.iter().enumerate() {
        let x = left + d as f64 * col + 2.0;
        let mut y = base;
        for (s, name) in series.iter().enumerate() {
            let v = values.get(d).and_then(|v| v.get(s)).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let h = v as f64 / max * plot_h;
            y -= h;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w}" height="{h:.1}" fill="{c}"><title>{day} {name}: {v}</title></rect>"#,
                w = col - 4.0,
                c = PALETTE[s % PALETTE.len()],
                day = escape(day),
                name = escape(name),
            );
        }
    }
    // First and last day under the axis.
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{ty}" font-size="15" fill="currentColor">{}</text><text x="{width}" y="{ty}" text-anchor="end" font-size="15" fill="currentColor">{}</text>"#,
            escape(first),
            escape(last),
            ty = base + 17.0,
        );
    }
    for (s, (name, (lx, line))) in series.iter().zip(legend).enumerate() {
        let ly = top + plot_h + 22.0 + legend_h * (line + 1.0) - 8.0;
        let _ = write!(
            svg,
            r#"<rect x="{lx}" y="{ry}" width="10" height="10" fill="{c}"/><text x="{tx}" y="{ly}" font-size="15" fill="currentColor">{name}</text>"#,
            ry = ly - 9.0,
            c = PALETTE[s % PALETTE.len()],
            tx = lx + 14.0,
            name = escape(name),
        );
    }
    svg.push_str("</svg>");
    let mut columns = vec![day_heading.to_owned()];
    columns.extend(series.iter().cloned());
    Chart {
        id,
        title: title.to_owned(),
        svg,
        columns,
        rows: days
            .iter()
            .zip(values)
            .filter(|(_, v)| v.iter().any(|n| *n > 0))
            .map(|(day, v)| {
                let mut row = vec![day.clone()];
                row.extend(v.iter().map(i64::to_string));
                row
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_values_scale_to_the_largest() {
        let chart = bars(
            "t",
            "A <chart>",
            "people",
            &[("<b>".to_owned(), 10), ("b".to_owned(), 5)],
        );
        assert!(chart.svg.contains("&lt;b&gt;"));
        assert!(!chart.svg.contains("<b>"));
        assert!(chart.svg.contains("A &lt;chart&gt;"));
        assert!(chart.svg.contains(r#"width="130.0""#), "{}", chart.svg);
        assert!(chart.svg.contains(r#"width="65.0""#), "{}", chart.svg);
        assert_eq!(
            shortened("YubiKey 5 Series with NFC", 22),
            "YubiKey 5 Series with…"
        );
        assert_eq!(shortened("Enrolled", 22), "Enrolled");
        assert_eq!(chart.rows, vec![vec!["<b>", "10"], vec!["b", "5"]]);
    }

    #[test]
    fn stacked_days_list_only_days_with_counts_in_the_table() {
        let days = vec!["2030-01-01".to_owned(), "2030-01-02".to_owned()];
        let series = vec!["autofill".to_owned(), "modal".to_owned()];
        let chart = stacked_days(
            "s",
            "Sign-ins",
            "Day",
            &days,
            &series,
            &[vec![0, 0], vec![3, 1]],
        );
        assert_eq!(chart.rows, vec![vec!["2030-01-02", "3", "1"]]);
        assert_eq!(
            chart.svg.matches("<rect x=").count(),
            2 + 2,
            "two bars, two legend keys"
        );
        assert!(!chart.svg.contains("style="));
    }
}
