//! Tax invoices: one per payment, numbered without gaps per financial year
//! even when payments arrive at once, GST split by the buyer's state, shown
//! as HTML and PDF to their owner only; the PDF carries its fonts, so a
//! buyer named in Devanagari and the rupee sign come out of it as text.

use chrono::{DateTime, Utc};

use crate::billing::{app_at, pay, pending};
use crate::support::{Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, text_of};

on_every_backend!(
    payments_at_once_take_consecutive_numbers,
    numbering_restarts_each_financial_year,
    an_invoice_splits_gst_by_state_and_only_its_owner_sees_it,
    a_devanagari_name_and_the_rupee_sign_come_out_of_the_pdf_as_text,
);

async fn payments_at_once_take_consecutive_numbers(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let mut buyers = Vec::new();
    for n in 0..12 {
        buyers.push(pending(&app, &format!("buyer{n}@example.com"), 1 + n % 3).await);
    }
    let app = std::sync::Arc::new(app);
    let payments: Vec<_> = buyers
        .into_iter()
        .map(|(id, token)| {
            let app = app.clone();
            tokio::spawn(async move { pay(&app, id, &token).await })
        })
        .collect();
    for payment in payments {
        payment.await.unwrap();
    }
    let invoices = app.store.invoices_of_year(2026).await.unwrap();
    let numbers: Vec<String> = invoices.iter().map(|i| i.number.clone()).collect();
    let expected: Vec<String> = (1..=12).map(|n| format!("MH/2026-27/{n:06}")).collect();
    assert_eq!(numbers, expected, "one number each, no gaps, no repeats");
    let mut subscriptions: Vec<i64> = invoices.iter().map(|i| i.subscription_id).collect();
    subscriptions.sort_unstable();
    subscriptions.dedup();
    assert_eq!(subscriptions.len(), 12, "one invoice per payment");
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn numbering_restarts_each_financial_year(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    // 31 March, 11:59 PM IST is still 2026-27; a minute later 2027-28 begins.
    clock.set(at("2027-03-31T18:29:00Z"));
    let (first, token_a) = pending(&app, "march@example.com", 1).await;
    pay(&app, first, &token_a).await;
    clock.set(at("2027-03-31T18:30:00Z"));
    let (second, token_b) = pending(&app, "april@example.com", 1).await;
    pay(&app, second, &token_b).await;
    let (third, token_c) = pending(&app, "april2@example.com", 2).await;
    pay(&app, third, &token_c).await;
    let old: Vec<String> = app.store.invoices_of_year(2026).await.unwrap().into_iter().map(|i| i.number).collect();
    let new: Vec<String> = app.store.invoices_of_year(2027).await.unwrap().into_iter().map(|i| i.number).collect();
    assert_eq!(old, ["MH/2026-27/000001"]);
    assert_eq!(new, ["MH/2027-28/000001", "MH/2027-28/000002"]);
}

/// Subscribes through the checkout form with invoice details (`name` to
/// bill, from `state`); the invoice's link.
async fn buy_in_browser<'a>(
    app: &'a TestApp,
    email: &str,
    plan: &str,
    name: &str,
    state: &str,
) -> (Browser<'a>, String) {
    register(app, email).await;
    let mut reader = Browser::new(app);
    log_in(&mut reader, email, PASSWORD).await;
    let chosen = reader.submit("/subscribe", "/subscribe", &[("plan_id", plan)]).await;
    let checkout = chosen.headers()["location"].to_str().unwrap().to_owned();
    let paid = reader.submit(&checkout, &checkout, &[("outcome", "pay"), ("name", name), ("state", state)]).await;
    assert_eq!(paid.status().as_u16(), 303);
    let account = reader.page("/account", 200).await;
    let link = account.split("href=\"/account/invoices/").nth(1).expect("an invoice on the account page");
    let link = format!("/account/invoices/{}", link.split('"').next().unwrap());
    (reader, link)
}

async fn an_invoice_splits_gst_by_state_and_only_its_owner_sees_it(backend: Backend) {
    let (app, _) = app_at(backend).await;
    // Same state as the publisher (Delhi): CGST + SGST.
    let (mut delhi, link) = buy_in_browser(&app, "delhi@example.com", "2", "Asha Rao (Home)", "Delhi").await;
    assert_eq!(link, "/account/invoices/MH_2026-27_000001");
    let page = text_of(&delhi.page(&link, 200).await);
    for needle in [
        "Tax invoice MH/2026-27/000001",
        "GSTIN: 07AAACM0000A1Z5",
        "Asha Rao (Home)",
        "Smart Essential digital subscription, Nov 27 2026 to Nov 27 2027",
        "998431",
        "₹2,288.14",
        "CGST @ 9% ₹205.93",
        "SGST @ 9% ₹205.93",
        "Total (GST included) ₹2,700",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert!(!page.contains("IGST"));
    let text = pdf_text(delhi.get(&format!("{link}/pdf")).await).await;
    for needle in [
        "Tax Invoice",
        "GSTIN: 07AAACM0000A1Z5",
        "Invoice number MH/2026-27/000001",
        "Asha Rao (Home)",
        "Place of supply Delhi",
        "998431 ₹2,288.14",
        "CGST @ 9% ₹205.93",
        "SGST @ 9% ₹205.93",
        "Total (GST included) ₹2,700.00",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    assert!(!text.contains("IGST"), "{text}");

    // Another state: IGST only.
    let (mut mumbai, other) = buy_in_browser(&app, "mumbai@example.com", "3", "Asha Rao (Home)", "maharashtra").await;
    assert_eq!(other, "/account/invoices/MH_2026-27_000002");
    let page = text_of(&mumbai.page(&other, 200).await);
    assert!(page.contains("State (place of supply) Maharashtra"), "{page}");
    assert!(page.contains("IGST @ 18% ₹594.92") && !page.contains("CGST"), "{page}");
    let text = pdf_text(mumbai.get(&format!("{other}/pdf")).await).await;
    assert!(text.contains("IGST @ 18% ₹594.92") && !text.contains("CGST"), "{text}");

    // Nobody sees another reader's invoice, in either form; strangers log in first.
    assert_eq!(mumbai.get(&link).await.status().as_u16(), 404);
    assert_eq!(mumbai.get(&format!("{link}/pdf")).await.status().as_u16(), 404);
    assert_eq!(delhi.get("/account/invoices/MH_2026-27_000009").await.status().as_u16(), 404);
    let anonymous = app.get(&link).await;
    assert_eq!(anonymous.status().as_u16(), 303);
}

/// The text of a one-page PDF answer, as a reader would copy it out.
async fn pdf_text(response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"));
    let document = masthead_epaper::pdf::Document::open("invoice.pdf", bytes).unwrap();
    assert_eq!(document.page_count(), 1);
    document.text(0)
}

async fn a_devanagari_name_and_the_rupee_sign_come_out_of_the_pdf_as_text(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let (mut reader, link) = buy_in_browser(&app, "ananya@example.com", "2", "अनन्या शर्मा", "Delhi").await;
    assert!(text_of(&reader.page(&link, 200).await).contains("अनन्या शर्मा"));
    let text = pdf_text(reader.get(&format!("{link}/pdf")).await).await;
    // The name whole, conjuncts (न्य) and the reph (र्म) included, not "?".
    assert!(text.contains("अनन्या शर्मा"), "{text}");
    assert!(!text.contains('?'), "{text}");
    assert!(text.contains("Total (GST included) ₹2,700.00"), "{text}");
}
