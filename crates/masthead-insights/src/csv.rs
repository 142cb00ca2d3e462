//! A funnel table as CSV (RFC 4180): one header line, one line a row, the
//! rates as decimals. A key that a spreadsheet would run as a formula is
//! quoted and prefixed with `'`.

use crate::EventKind;
use crate::funnel::{By, Funnel, Row};

/// The table's CSV, the total last.
pub fn table(by: By, funnel: &Funnel) -> String {
    let mut out = format!(
        "{},visitors,metered_readers,paywall,checkout,paid,metered_rate,paywall_rate,checkout_rate,paid_rate,overall_rate",
        by.as_str()
    );
    for kind in EventKind::ALL {
        out.push(',');
        out.push_str(kind.as_str());
    }
    out.push_str("\r\n");
    for row in &funnel.rows {
        line(&mut out, &row.key, row);
    }
    line(&mut out, "total", &funnel.total);
    out
}

fn line(out: &mut String, key: &str, row: &Row) {
    let rates = row.rates();
    let rate = |r: Option<f64>| r.map(|r| format!("{r:.4}")).unwrap_or_default();
    let mut fields = vec![
        field(key),
        row.visitors.to_string(),
        row.metered_readers.to_string(),
        row.paywall.to_string(),
        row.checkout.to_string(),
        row.paid.to_string(),
        rate(rates.metered),
        rate(rates.paywall),
        rate(rates.checkout),
        rate(rates.paid),
        rate(rates.overall),
    ];
    fields.extend(EventKind::ALL.map(|kind| row.events_of(kind).to_string()));
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// One text field, quoted when it must be, defused when a spreadsheet would
/// take it for a formula.
fn field(value: &str) -> String {
    let defused =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if defused.contains([',', '"', '\n', '\r']) || defused != value {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_a_header_rows_and_a_total() {
        let row = Row { key: "world".to_owned(), visitors: 4, metered_readers: 2, paid: 1, ..Row::default() };
        let funnel = Funnel { rows: vec![row.clone()], total: row };
        let csv = table(By::Section, &funnel);
        let lines: Vec<_> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("section,visitors,metered_readers,paywall,checkout,paid,metered_rate"));
        assert!(lines[1].starts_with("world,4,2,0,0,1,0.5000,0.0000,,,0.2500,0,"), "{}", lines[1]);
        assert!(lines[2].starts_with("total,4,"));
        assert_eq!(lines[3], "");
    }

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "\"'=SUM(A1)\"");
    }
}
