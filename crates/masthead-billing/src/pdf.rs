//! A tax invoice, or a credit note, as a one-page A4 PDF, written with
//! krilla: the seller with its GSTIN, the document's number and date, the
//! buyer, then a table of the service (description, SAC, taxable value) with
//! the GST split (CGST and SGST within the seller's state, IGST across
//! states) and the total. Both are one [`Sheet`]; a credit note names the
//! invoice it credits and why.
//!
//! The fonts travel inside the file ([`text`]: DejaVu Sans for Latin and
//! "₹", Noto Sans Devanagari for names in Devanagari, shaped), so every
//! reader shows the same page and its text can be copied out. The file is
//! PDF/A-2b, the archival profile (fonts embedded, colours device-independent,
//! XMP metadata), checked by krilla as it writes: invoices are kept for years.

mod text;

/// Noto Sans Devanagari, regular (OFL, `assets/fonts/OFL.txt`): the invoice's
/// face for Devanagari, and the reader site's web font for it.
pub const NOTO_SANS_DEVANAGARI_REGULAR: &[u8] = include_bytes!("../assets/fonts/NotoSansDevanagari-Regular.ttf");
/// Noto Sans Devanagari, bold.
pub const NOTO_SANS_DEVANAGARI_BOLD: &[u8] = include_bytes!("../assets/fonts/NotoSansDevanagari-Bold.ttf");

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Rect};
use krilla::metadata::{self, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};
use masthead_domain::money::group_indian;
use masthead_domain::tax::Seller;
use masthead_domain::{Paise, PublisherZone};
use masthead_store::{CreditNote, Invoice};
use text::{Line, Weight};

/// The document could not be written (krilla refused it); says why.
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be written: {0}")]
pub struct PdfError(String);

/// A4, in points.
const PAGE: (f32, f32) = (595.0, 842.0);
const LEFT: f32 = 48.0;
const RIGHT: f32 = PAGE.0 - 48.0;
/// Where the invoice's facts start, beside the seller.
const FACTS: f32 = 340.0;
/// The table's column edges: number, description, SAC, amount.
const COLUMNS: [f32; 5] = [LEFT, 80.0, 380.0, 444.0, RIGHT];
/// Space inside a table cell.
const PAD: f32 = 6.0;

/// A kind of text on the page.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    weight: Weight,
    /// Labels are grey, values black.
    grey: bool,
}

const TITLE: Style = Style { size: 20.0, weight: Weight::Bold, grey: false };
const NAME: Style = Style { size: 13.0, weight: Weight::Bold, grey: false };
const BODY: Style = Style { size: 9.5, weight: Weight::Regular, grey: false };
const STRONG: Style = Style { size: 9.5, weight: Weight::Bold, grey: false };
const LABEL: Style = Style { size: 9.5, weight: Weight::Regular, grey: true };
const BUYER: Style = Style { size: 12.0, weight: Weight::Regular, grey: false };
const TOTAL: Style = Style { size: 10.5, weight: Weight::Bold, grey: false };
const SMALL: Style = Style { size: 8.5, weight: Weight::Regular, grey: true };

const GREY_TEXT: (u8, u8, u8) = (90, 90, 90);
const SHADE: (u8, u8, u8) = (236, 236, 236);

/// An amount as a tax invoice prints it, always with its paise: `₹2,700.00`,
/// `₹1,00,000.50`, `-₹900.00`.
pub fn amount(amount: Paise) -> String {
    let sign = if amount.0 < 0 { "-" } else { "" };
    let abs = amount.0.unsigned_abs();
    format!("{sign}₹{}.{:02}", group_indian(abs / 100), abs % 100)
}

/// What one page says: a tax invoice's or a credit note's.
struct Sheet<'a> {
    /// "Tax Invoice", "Credit Note".
    title: &'static str,
    /// The facts beside the seller: number, date, place of supply, …
    facts: Vec<(&'static str, String)>,
    seller: &'a Seller,
    buyer_name: &'a str,
    buyer_state: &'a str,
    /// A company's GSTIN, on a B2B document.
    buyer_gstin: Option<&'a str>,
    /// The service's line and its taxable value.
    line: String,
    sac: &'a str,
    value: Paise,
    /// The rows under the line: a discount, the taxable value, the tax.
    rows: Vec<(String, Paise)>,
    total_label: &'static str,
    total: Paise,
    issued_at: DateTime<Utc>,
    footnote: &'static str,
}

/// The tax rows: the taxable value, then IGST, or CGST and SGST.
fn tax_rows(taxable: Paise, cgst: Paise, sgst: Paise, igst: Paise) -> Vec<(String, Paise)> {
    let mut rows = vec![("Taxable value".to_owned(), taxable)];
    if igst.0 > 0 {
        rows.push(("IGST @ 18%".to_owned(), igst));
    } else {
        rows.push(("CGST @ 9%".to_owned(), cgst));
        rows.push(("SGST @ 9%".to_owned(), sgst));
    }
    rows
}

/// The invoice as a PDF file.
pub fn invoice_pdf(invoice: &Invoice, zone: &PublisherZone) -> Result<Vec<u8>, PdfError> {
    let day = |at| day(zone, at);
    let mut rows = Vec::new();
    if invoice.discount.0 > 0 {
        rows.push((invoice.discount_label(), Paise(-invoice.discount.0)));
    }
    rows.extend(tax_rows(invoice.taxable, invoice.cgst, invoice.sgst, invoice.igst));
    let sheet = Sheet {
        title: "Tax Invoice",
        facts: vec![
            ("Invoice number", invoice.number.clone()),
            ("Invoice date", day(invoice.issued_at)),
            ("Place of supply", invoice.buyer_state.clone()),
            ("Reverse charge", "No".to_owned()),
        ],
        seller: &invoice.seller,
        buyer_name: &invoice.buyer_name,
        buyer_state: &invoice.buyer_state,
        buyer_gstin: invoice.buyer_gstin.as_deref(),
        line: invoice.line(&format!("{} to {}", day(invoice.period.0), day(invoice.period.1))),
        sac: &invoice.sac,
        value: invoice.value_before_discount(),
        rows,
        total_label: "Total (GST included)",
        total: invoice.amount,
        issued_at: invoice.issued_at,
        footnote: "This is a computer-generated invoice and needs no signature.",
    };
    sheet_pdf(&sheet)
}

/// The credit note as a PDF file.
pub fn credit_note_pdf(note: &CreditNote, zone: &PublisherZone) -> Result<Vec<u8>, PdfError> {
    let sheet = Sheet {
        title: "Credit Note",
        facts: vec![
            ("Credit note number", note.number.clone()),
            ("Credit note date", day(zone, note.issued_at)),
            ("Against invoice", note.invoice_number.clone()),
            ("Place of supply", note.buyer_state.clone()),
        ],
        seller: &note.seller,
        buyer_name: &note.buyer_name,
        buyer_state: &note.buyer_state,
        buyer_gstin: note.buyer_gstin.as_deref(),
        line: format!("Refund of {} digital subscription: {}", note.plan_name, note.reason),
        sac: &note.sac,
        value: note.taxable,
        rows: tax_rows(note.taxable, note.cgst, note.sgst, note.igst),
        total_label: "Total credited (GST included)",
        total: note.amount,
        issued_at: note.issued_at,
        footnote: "This is a computer-generated credit note and needs no signature.",
    };
    sheet_pdf(&sheet)
}

/// A day as the documents print it: `Nov 27 2026`.
fn day(zone: &PublisherZone, at: DateTime<Utc>) -> String {
    zone.format(at).split(" |").next().unwrap_or_default().to_owned()
}

/// One sheet as a PDF file.
fn sheet_pdf(sheet: &Sheet<'_>) -> Result<Vec<u8>, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| PdfError(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings { configuration, ..Default::default() });
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", sheet.title, sheet.facts[0].1))
            .authors(vec![sheet.seller.name.clone()])
            .creator("Masthead".to_owned())
            .producer("Masthead".to_owned())
            .language("en-IN".to_owned())
            .creation_date(pdf_date(sheet.issued_at)),
    );
    let settings = PageSettings::from_wh(PAGE.0, PAGE.1).expect("A4 is a page size");
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    draw(&mut Pen { surface: &mut surface }, sheet);
    surface.finish();
    page.finish();
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

fn pdf_date(at: DateTime<Utc>) -> metadata::DateTime {
    let two = |n: u32| u8::try_from(n).unwrap_or_default();
    metadata::DateTime::new(u16::try_from(at.year()).unwrap_or_default())
        .month(two(at.month()))
        .day(two(at.day()))
        .hour(two(at.hour()))
        .minute(two(at.minute()))
        .second(two(at.second()))
        .utc_offset_hour(0)
}

/// Draws on the page; y grows downwards from the top edge.
struct Pen<'s, 'p> {
    surface: &'s mut Surface<'p>,
}

impl Pen<'_, '_> {
    /// `text` with its baseline's left end at (`x`, `baseline`).
    fn text(&mut self, x: f32, baseline: f32, style: Style, text: &str) {
        let (r, g, b) = if style.grey { GREY_TEXT } else { (0, 0, 0) };
        self.surface.set_fill(Some(Fill { paint: rgb::Color::new(r, g, b).into(), ..Default::default() }));
        Line::new(text, style.weight).draw(self.surface, x, baseline, style.size);
        self.surface.set_fill(Some(Fill::default()));
    }

    /// `text` ending at `right`.
    fn text_right(&mut self, right: f32, baseline: f32, style: Style, text: &str) {
        let width = Line::new(text, style.weight).width(style.size);
        self.text(right - width, baseline, style, text);
    }

    /// `text` broken at spaces into lines no wider than `width`, drawn from
    /// `baseline` down; returns the last line's baseline.
    fn paragraph(&mut self, x: f32, baseline: f32, width: f32, style: Style, text: &str) -> f32 {
        let leading = style.size * 1.35;
        let lines = wrap(text, width, style);
        for (n, line) in lines.iter().enumerate() {
            self.text(x, baseline + n as f32 * leading, style, line);
        }
        baseline + lines.len().saturating_sub(1) as f32 * leading
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(from.0, from.1);
        path.line_to(to.0, to.1);
        let Some(path) = path.finish() else { return };
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke { paint: rgb::Color::black().into(), width, ..Default::default() }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill::default()));
    }

    fn shade(&mut self, top: f32, bottom: f32) {
        let Some(rect) = Rect::from_ltrb(LEFT, top, RIGHT, bottom) else { return };
        let mut path = PathBuilder::new();
        path.push_rect(rect);
        let Some(path) = path.finish() else { return };
        let (r, g, b) = SHADE;
        self.surface.set_fill(Some(Fill { paint: rgb::Color::new(r, g, b).into(), ..Default::default() }));
        self.surface.draw_path(&path);
        self.surface.set_fill(Some(Fill::default()));
    }
}

/// `text` broken at spaces into lines no wider than `width` (a longer word
/// stands alone).
fn wrap(text: &str, width: f32, style: Style) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if !line.is_empty() && Line::new(&candidate, style.weight).width(style.size) > width {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The whole page.
fn draw(pen: &mut Pen<'_, '_>, sheet: &Sheet<'_>) {
    pen.text(LEFT, 72.0, TITLE, sheet.title);
    pen.text_right(RIGHT, 72.0, SMALL, "Original for recipient");
    pen.line((LEFT, 82.0), (RIGHT, 82.0), 1.5);

    // The seller on the left, the invoice's facts on the right.
    let seller = sheet.seller;
    pen.text(LEFT, 106.0, NAME, &seller.name);
    let mut y = pen.paragraph(LEFT, 122.0, FACTS - LEFT - 16.0, BODY, &seller.address);
    y += 14.0;
    pen.text(LEFT, y, BODY, &format!("GSTIN: {}", seller.gstin));
    y += 14.0;
    pen.text(LEFT, y, BODY, &format!("State: {}", seller.state));
    for (n, (label, value)) in sheet.facts.iter().enumerate() {
        let baseline = 106.0 + n as f32 * 14.0;
        pen.text(FACTS, baseline, LABEL, label);
        pen.text_right(RIGHT, baseline, STRONG, value);
    }
    y = y.max(106.0 + 3.0 * 14.0) + 16.0;

    // The buyer.
    pen.line((LEFT, y), (RIGHT, y), 0.5);
    pen.text(LEFT, y + 18.0, LABEL, "Billed to");
    y = pen.paragraph(LEFT, y + 36.0, RIGHT - LEFT, BUYER, sheet.buyer_name);
    pen.text(LEFT, y + 16.0, BODY, &format!("State (place of supply): {}", sheet.buyer_state));
    y += 36.0;
    // A B2B invoice names the buyer's GSTIN.
    if let Some(gstin) = sheet.buyer_gstin {
        pen.text(LEFT, y - 4.0, BODY, &format!("GSTIN: {gstin}"));
        y += 14.0;
    }

    table(pen, sheet, y);
}

/// The table: a header row, the service, the tax rows and the total, ruled.
fn table(pen: &mut Pen<'_, '_>, sheet: &Sheet<'_>, top: f32) {
    let [no, description, sac, amount_at, right] = COLUMNS;
    let row = 20.0;
    let baseline = |top: f32| top + 13.5;

    pen.shade(top, top + row);
    pen.text(no + PAD, baseline(top), STRONG, "No.");
    pen.text(description + PAD, baseline(top), STRONG, "Description of service");
    pen.text(sac + PAD, baseline(top), STRONG, "SAC");
    pen.text_right(right - PAD, baseline(top), STRONG, "Taxable value");

    let item_top = top + row;
    pen.text(no + PAD, baseline(item_top), BODY, "1");
    let last = pen.paragraph(description + PAD, baseline(item_top), sac - description - 2.0 * PAD, BODY, &sheet.line);
    pen.text(sac + PAD, baseline(item_top), BODY, sheet.sac);
    pen.text_right(right - PAD, baseline(item_top), BODY, &amount(sheet.value));
    let items_bottom = last + 8.0;
    for x in [description, sac, amount_at] {
        pen.line((x, top), (x, items_bottom), 0.5);
    }
    pen.line((LEFT, item_top), (RIGHT, item_top), 0.5);
    pen.line((LEFT, items_bottom), (RIGHT, items_bottom), 0.5);

    let mut y = items_bottom;
    for (label, value) in &sheet.rows {
        pen.text_right(amount_at - PAD, baseline(y), BODY, label);
        pen.text_right(right - PAD, baseline(y), BODY, &amount(*value));
        y += row;
    }
    pen.line((amount_at, items_bottom), (amount_at, y), 0.5);
    pen.shade(y, y + row + 2.0);
    pen.line((LEFT, y), (RIGHT, y), 1.0);
    pen.text_right(amount_at - PAD, baseline(y) + 1.0, TOTAL, sheet.total_label);
    pen.text_right(right - PAD, baseline(y) + 1.0, TOTAL, &amount(sheet.total));
    y += row + 2.0;
    // The frame.
    pen.line((LEFT, top), (RIGHT, top), 0.75);
    pen.line((LEFT, y), (RIGHT, y), 0.75);
    pen.line((LEFT, top), (LEFT, y), 0.75);
    pen.line((RIGHT, top), (RIGHT, y), 0.75);

    pen.text(LEFT, y + 24.0, SMALL, sheet.footnote);
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use masthead_domain::tax::Seller;

    use super::*;

    fn invoice(buyer: &str) -> Invoice {
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
            discount: Paise(0),
            offer_code: None,
            buyer_name: buyer.into(),
            buyer_state: "Delhi".into(),
            buyer_gstin: Some("27AAPFU0939F1ZV".into()),
            seller: Seller::demo("Business Standard"),
            sac: "998431".into(),
            gift: None,
        }
    }

    #[test]
    fn amounts_print_with_the_rupee_sign_indian_grouping_and_paise() {
        assert_eq!(amount(Paise(270_000)), "₹2,700.00");
        assert_eq!(amount(Paise(228_814)), "₹2,288.14");
        assert_eq!(amount(Paise(5)), "₹0.05");
        assert_eq!(amount(Paise(10_000_050)), "₹1,00,000.50");
        assert_eq!(amount(Paise(-90_000)), "-₹900.00");
    }

    #[test]
    fn the_invoice_is_pdf_a_with_its_fonts_inside() {
        for buyer in ["अनन्या शर्मा", "Ananya (Rao) \\ Ltd — Café", "தமிழ் Rao", ""]
        {
            let pdf = invoice_pdf(&invoice(buyer), &PublisherZone::default()).unwrap();
            let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
            assert!(pdf.starts_with(b"%PDF-1.7"), "{buyer}");
            assert!(has(b"FontFile2") && has(b"pdfaid:part>2") && has(b"pdfaid:conformance>B"), "{buyer}");
        }
    }

    #[test]
    fn a_gifts_invoice_line_says_gift_for_whom_and_how_long() {
        let mut invoice = invoice("Ananya Rao");
        let period = "Nov 27 2026 to Nov 27 2027";
        assert_eq!(invoice.line(period), "Smart Essential digital subscription, Nov 27 2026 to Nov 27 2027");
        invoice.gift = Some(masthead_store::GiftLine { recipient: "friend@example.com".into(), term_months: 12 });
        assert_eq!(invoice.line(period), "Gift: Smart Essential, 1 Year for friend@example.com");
        invoice.gift = Some(masthead_store::GiftLine { recipient: "friend@example.com".into(), term_months: 3 });
        assert_eq!(invoice.line(period), "Gift: Smart Essential, 3 Months for friend@example.com");
        assert!(invoice_pdf(&invoice, &PublisherZone::default()).unwrap().starts_with(b"%PDF-1.7"));
    }

    #[test]
    fn the_credit_note_is_pdf_a_too_and_names_its_invoice() {
        let invoice = invoice("Ananya Rao");
        let note = CreditNote {
            number: "CN/2026-27/000001".into(),
            financial_year: 2026,
            sequence: 1,
            invoice_number: invoice.number.clone(),
            reader_id: 1,
            subscription_id: 1,
            issued_at: invoice.issued_at,
            plan_name: invoice.plan_name.clone(),
            reason: "Charged twice".into(),
            amount: Paise(100_000),
            taxable: Paise(84_746),
            cgst: Paise(7_627),
            sgst: Paise(7_627),
            igst: Paise(0),
            buyer_name: invoice.buyer_name.clone(),
            buyer_state: invoice.buyer_state.clone(),
            buyer_gstin: invoice.buyer_gstin.clone(),
            seller: invoice.seller.clone(),
            sac: invoice.sac.clone(),
        };
        let pdf = credit_note_pdf(&note, &PublisherZone::default()).unwrap();
        let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(pdf.starts_with(b"%PDF-1.7") && has(b"pdfaid:part>2") && has(b"FontFile2"));
        assert!(has(b"Credit Note CN/2026-27/000001"), "the title in the metadata");
    }

    #[test]
    fn long_text_wraps_at_spaces_within_its_width() {
        let lines = wrap("Smart Essential digital subscription, Nov 27 2026 to Nov 27 2027", 150.0, BODY);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|line| Line::new(line, Weight::Regular).width(BODY.size) <= 150.0));
        assert_eq!(lines.join(" "), "Smart Essential digital subscription, Nov 27 2026 to Nov 27 2027");
        assert_eq!(wrap("", 100.0, BODY), [""]);
    }
}
