//! Refunds: admins' page under `/newsroom/refunds` to find a payment (by its
//! id, its invoice's number or the subscriber's address) and refund it,
//! whole or in part, through its provider, choosing whether access ends now,
//! ends on a day, or is kept (`masthead_billing::Billing::refund`); and the
//! reader's GST credit notes, as a page and a PDF, for their owner only.
//! The admin page is behind the `RequireRole<AdminOnly>` guard, its form
//! with the CSRF token as every admin form. A refusal (past what is left of
//! the payment, a bad amount or day, no reason) is a 422 that says why and
//! stores nothing; a provider that refuses is a 502 that stores nothing.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use masthead_billing::BillingError;
use masthead_billing::refunds::Refunded;
use masthead_domain::refund::{self, AccessChoice};
use masthead_store::{CreditNote, PaymentLine, RefundAsk};
use serde::Deserialize;

use super::admin::render;
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{Internal, PageError};
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::respond::{private, see_other};
use crate::http::session::Required;
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// A credit note's number in a URL: `/` cannot appear in a path segment.
pub(crate) fn credit_note_slug(number: &str) -> String {
    number.replace('/', "_")
}

/// A payment as the refunds page lists it, with its refunds.
struct PaymentRow {
    payment: PaymentLine,
    paid: String,
    amount: String,
    refunded: String,
    left: String,
    /// "₹450 (refunded)", "₹900 (asked of stripe)", …
    refunds: Vec<String>,
    /// Whether anything is left to refund, against an invoice.
    refundable: bool,
}

/// `/newsroom/refunds`.
#[derive(Template)]
#[template(path = "billing/admin_refunds.html")]
struct RefundsPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    query: String,
    payments: Vec<PaymentRow>,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct RefundsQuery {
    q: Option<String>,
    done: Option<String>,
}

async fn refunds_page<'a>(
    state: &'a AppState,
    visitor: &Visitor,
    query: &str,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<RefundsPage<'a>, PageError> {
    let found = if query.trim().is_empty() { Vec::new() } else { state.store.find_payments(query).await? };
    let mut payments = Vec::with_capacity(found.len());
    for payment in found {
        let refunds = state
            .store
            .payment_refunds(&payment.provider, &payment.payment_id)
            .await?
            .into_iter()
            .map(|r| {
                let status = match r.status.as_str() {
                    "requested" => format!("asked of {}", r.provider),
                    other => other.to_owned(),
                };
                format!("{} ({status}): {}", r.amount, r.reason)
            })
            .collect();
        payments.push(PaymentRow {
            paid: state.zone.format(payment.paid_at),
            amount: payment.amount.to_string(),
            refunded: payment.refunded.to_string(),
            left: payment.left().to_string(),
            refundable: payment.left().0 > 0 && payment.invoice_number.is_some(),
            refunds,
            payment,
        });
    }
    Ok(RefundsPage {
        layout: Layout::new(state, "Refunds".to_owned(), String::new(), None).without_subscribe(),
        csrf: csrf::token(state, visitor),
        query: query.trim().to_owned(),
        payments,
        notice,
        error,
    })
}

/// `GET /newsroom/refunds?q=`: the payments a search finds, each with what
/// is left to refund and the form that refunds it.
pub(crate) async fn refunds(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    Query(query): Query<RefundsQuery>,
) -> Result<Response, PageError> {
    let notice = match query.done.as_deref() {
        Some("refunded") => Some("Refunded: the credit note is issued and access changed as you chose."),
        Some("asked") => Some("Asked of the provider: the credit note is issued when it confirms the refund."),
        _ => None,
    };
    let page = refunds_page(&state, &visitor, query.q.as_deref().unwrap_or_default(), notice, None).await?;
    Ok(render(&visitor, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct RefundFields {
    #[serde(default)]
    provider: String,
    #[serde(default)]
    payment_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    access: String,
    #[serde(default)]
    end_on: String,
    #[serde(default)]
    reason: String,
}

/// The longest reason a credit note prints.
const REASON_MAX: usize = 200;

/// `POST /newsroom/refunds`: refunds a payment as the form says, or says
/// why not (422, nothing stored; 502 when the provider refuses).
pub(crate) async fn refund(
    State(state): State<SharedState>,
    admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<RefundFields>,
) -> Result<Response, PageError> {
    let reason = form.reason.trim();
    let checked = refund::parse_rupees(&form.amount)
        .and_then(|amount| Ok((amount, AccessChoice::parse(&form.access, &form.end_on, &state.zone)?)))
        .map_err(|refusal| refusal.to_string())
        .and_then(|parsed| match reason.chars().count() {
            0 => Err("give the reason for the refund: the credit note prints it".to_owned()),
            n if n > REASON_MAX => Err(format!("the reason is longer than {REASON_MAX} characters")),
            _ => Ok(parsed),
        });
    let refused = |status: StatusCode, error: String| {
        let state = &state;
        let visitor = &visitor;
        let payment_id = form.payment_id.clone();
        async move {
            let page = refunds_page(state, visitor, &payment_id, None, Some(error)).await?;
            Ok::<_, PageError>(render(visitor, status, &page))
        }
    };
    let (amount, access) = match checked {
        Ok(parsed) => parsed,
        Err(error) => return refused(StatusCode::UNPROCESSABLE_ENTITY, error).await,
    };
    let ask = RefundAsk {
        provider: &form.provider,
        payment_id: &form.payment_id,
        amount,
        access,
        reason,
        requested_by: admin.account().id,
    };
    let done = match state.billing.refund(&ask).await {
        Ok(Refunded::Done(_)) => "refunded",
        Ok(Refunded::Asked(_)) => "asked",
        Ok(Refunded::NoPayment) => return Err(PageError::NotFound),
        Ok(Refunded::Refused(refusal)) => return refused(StatusCode::UNPROCESSABLE_ENTITY, refusal.to_string()).await,
        Err(BillingError::Store(error)) => return Err(error.into()),
        Err(error) => {
            tracing::warn!(%error, "refund refused by its provider");
            return refused(StatusCode::BAD_GATEWAY, format!("Not refunded: {error}")).await;
        }
    };
    let query =
        serde_urlencoded::to_string([("q", form.payment_id.as_str()), ("done", done)]).map_err(PageError::internal)?;
    Ok(see_other(&format!("/newsroom/refunds?{query}")))
}

/// `/account/credit-notes/{number}`: one credit note.
#[derive(Template)]
#[template(path = "billing/credit_note.html")]
struct CreditNotePage<'a> {
    layout: Layout<'a>,
    note: CreditNote,
    date: String,
    invoice_url: String,
    pdf_url: String,
}

/// The signed-in reader's credit note, or 404 (also for someone else's).
async fn own_credit_note(state: &AppState, reader_id: i64, slug: &str) -> Result<CreditNote, PageError> {
    let number = slug.replace('_', "/");
    state.store.credit_note(&number).await?.filter(|n| n.reader_id == reader_id).ok_or(PageError::NotFound)
}

/// `GET /account/credit-notes/{number}`.
pub(crate) async fn credit_note_page(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let note = own_credit_note(&state, account.id, &slug).await?;
    let page = CreditNotePage {
        layout: Layout::new(&state, format!("Credit note {}", note.number), String::new(), None),
        date: state.billing.day(note.issued_at),
        invoice_url: format!("/account/invoices/{}", note.invoice_number.replace('/', "_")),
        pdf_url: format!("/account/credit-notes/{}/pdf", credit_note_slug(&note.number)),
        note,
    };
    Ok(private(views::render(&page)))
}

/// `GET /account/credit-notes/{number}/pdf`.
pub(crate) async fn credit_note_pdf(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let note = own_credit_note(&state, account.id, &slug).await?;
    let pdf = masthead_billing::pdf::credit_note_pdf(&note, &state.zone).map_err(Internal::from)?;
    let file = format!("attachment; filename=\"credit-note-{}.pdf\"", credit_note_slug(&note.number));
    Ok(private(([(CONTENT_TYPE, "application/pdf".to_owned()), (CONTENT_DISPOSITION, file)], pdf).into_response()))
}
