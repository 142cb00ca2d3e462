//! A tax invoice as a one-page PDF, written by hand: a few text lines in
//! the standard Helvetica fonts (every PDF reader has them, so nothing is
//! embedded), with the cross-reference table's byte offsets computed as the
//! file is written. The standard fonts' WinAnsi encoding has no rupee sign,
//! so amounts print as "Rs. 2,700.00"; other characters outside Latin-1
//! print as "?".

use masthead_domain::money::group_indian;
use masthead_domain::{Paise, PublisherZone};
use masthead_store::Invoice;

/// One line on the page.
struct Line {
    bold: bool,
    size: u32,
    /// Points from the left edge.
    x: u32,
    /// False for a right-hand cell on the previous line's baseline.
    advance: bool,
    text: String,
}

fn rupees(amount: Paise) -> String {
    let sign = if amount.0 < 0 { "-" } else { "" };
    let abs = amount.0.unsigned_abs();
    format!("{sign}Rs. {}.{:02}", group_indian(abs / 100), abs % 100)
}

/// The invoice's lines, top to bottom; `None` is a blank line.
fn lines(invoice: &Invoice, zone: &PublisherZone) -> Vec<Option<Line>> {
    let day = |at| zone.format(at).split(" |").next().unwrap_or_default().to_owned();
    let text = |bold, size, x, text: String| Some(Line { bold, size, x, advance: true, text });
    let mut out = vec![
        text(true, 18, 56, "Tax Invoice".to_owned()),
        None,
        text(true, 12, 56, invoice.seller.name.clone()),
        text(false, 10, 56, invoice.seller.address.clone()),
        text(false, 10, 56, format!("GSTIN: {}   State: {}", invoice.seller.gstin, invoice.seller.state)),
        None,
        text(false, 10, 56, format!("Invoice number: {}", invoice.number)),
        text(false, 10, 56, format!("Date: {}", day(invoice.issued_at))),
        None,
        text(true, 10, 56, "Billed to".to_owned()),
        text(false, 10, 56, invoice.buyer_name.clone()),
        text(false, 10, 56, format!("State (place of supply): {}", invoice.buyer_state)),
        None,
        text(true, 10, 56, "Description".to_owned()),
        text(
            false,
            10,
            56,
            format!(
                "{} digital subscription, {} to {} (SAC {})",
                invoice.plan_name,
                day(invoice.period.0),
                day(invoice.period.1),
                invoice.sac
            ),
        ),
        None,
    ];
    let mut amount_line = |label: &str, amount: Paise, bold: bool| {
        out.push(text(bold, 10, 56, label.to_owned()));
        out.push(Some(Line { bold, size: 10, x: 400, advance: false, text: rupees(amount) }));
    };
    amount_line("Taxable value", invoice.taxable, false);
    if invoice.igst.0 > 0 {
        amount_line("IGST @ 18%", invoice.igst, false);
    } else {
        amount_line("CGST @ 9%", invoice.cgst, false);
        amount_line("SGST @ 9%", invoice.sgst, false);
    }
    amount_line("Total (GST included)", invoice.amount, true);
    out.push(None);
    out.push(text(false, 9, 56, "This is a computer-generated invoice and needs no signature.".to_owned()));
    out
}

/// Latin-1 bytes for the standard fonts, with PDF string escapes.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'(');
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => out.push(u8::try_from(u32::from(c)).unwrap_or(b'?')),
            '\u{2014}' | '\u{2013}' => out.push(b'-'),
            _ => out.push(b'?'),
        }
    }
    out.push(b')');
    out
}

/// The page's content stream: each line a text object.
fn content(lines: &[Option<Line>]) -> Vec<u8> {
    let mut stream = Vec::new();
    let mut y: u32 = 790;
    for line in lines {
        let Some(line) = line else {
            y = y.saturating_sub(10);
            continue;
        };
        if line.advance {
            y = y.saturating_sub(line.size + 6);
        }
        let font = if line.bold { "F2" } else { "F1" };
        stream.extend_from_slice(format!("BT /{font} {} Tf {} {y} Td ", line.size, line.x).as_bytes());
        stream.extend_from_slice(&pdf_string(&line.text));
        stream.extend_from_slice(b" Tj ET\n");
    }
    stream
}

/// The invoice as a PDF file.
pub fn invoice_pdf(invoice: &Invoice, zone: &PublisherZone) -> Vec<u8> {
    let stream = content(&lines(invoice, zone));
    let title = pdf_string(&format!("Invoice {}", invoice.number));
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>"
            .to_vec(),
        [format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes(), stream, b"\nendstream".to_vec()].concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
        [b"<< /Title ".to_vec(), title, b" /Producer (Masthead) >>".to_vec()].concat(),
    ];
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (number, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", number + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use masthead_domain::tax::Seller;

    use super::*;

    fn invoice() -> Invoice {
        let at = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        Invoice {
            number: "MH/2026-27/000001".into(),
            financial_year: 2026,
            sequence: 1,
            reader_id: 1,
            subscription_id: 1,
            issued_at: at,
            plan_name: "Smart Essential".into(),
            period: (at, at + chrono::Months::new(12)),
            amount: Paise(270_000),
            taxable: Paise(228_814),
            cgst: Paise(20_593),
            sgst: Paise(20_593),
            igst: Paise(0),
            buyer_name: "Ananya (Rao) \\ Ltd — Café".into(),
            buyer_state: "Delhi".into(),
            seller: Seller::demo("Business Standard"),
            sac: "998431".into(),
        }
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let pdf = invoice_pdf(&invoice(), &PublisherZone::default());
        let text = String::from_utf8_lossy(&pdf);
        let startxref: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(pdf[startxref..].starts_with(b"xref\n0 8\n"));
        let table = &text[text.find("xref\n0 8\n").unwrap() + 9..];
        for (number, entry) in table.lines().skip(1).take(7).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            let header = format!("{} 0 obj", number + 1);
            assert!(pdf[offset..].starts_with(header.as_bytes()), "object {} at {offset}", number + 1);
        }
        assert!(text.ends_with("%%EOF\n"));
    }

    #[test]
    fn the_page_carries_the_invoice_and_escapes_its_strings() {
        let pdf = invoice_pdf(&invoice(), &PublisherZone::default());
        let text = String::from_utf8_lossy(&pdf);
        for needle in [
            "(Tax Invoice)",
            "(Invoice number: MH/2026-27/000001)",
            "(GSTIN: 07AAACM0000A1Z5   State: Delhi)",
            "(Rs. 2,288.14)",
            "(CGST @ 9%)",
            "(Rs. 205.93)",
            "(Rs. 2,700.00)",
            "SAC 998431",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
        let escaped: &[u8] = b"(Ananya \\(Rao\\) \\\\ Ltd - Caf\xe9)";
        assert!(pdf.windows(escaped.len()).any(|w| w == escaped), "escaped, and é as WinAnsi");
        let length: usize = text.split("/Length ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let start = pdf.windows(7).position(|w| w == b"stream\n").unwrap() + 7;
        assert_eq!(&pdf[start + length..start + length + 10], b"\nendstream", "the stream length is exact");
    }
}
