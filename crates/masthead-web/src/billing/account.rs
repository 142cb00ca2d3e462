//! The account page's billing side: the subscription panel (plan, status,
//! renews — with the next charge — or ends on, cancel/resume, pause, plan switch,
//! and what a change just did), cancelling's confirmation page, the details
//! invoices carry, the reader's invoices (HTML and PDF), the credit notes of
//! refunds (`super::refunds`) and partner codes.
//! A reader sees only their own invoices: anyone else's number is a 404;
//! admins see any under `/newsroom/invoices` (linked from the gifts list).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use masthead_domain::subscription::{Ending, Status};
use masthead_store::{Invoice, StoreError};
use serde::Deserialize;

use super::subscriptions::{Change, ChangeError, apply, latest};
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{Internal, PageError, Refusal};
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::respond::{private, see_other};
use crate::http::session::Required;
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// An invoice's number in a URL: `/` cannot appear in a path segment.
pub(crate) fn invoice_slug(number: &str) -> String {
    number.replace('/', "_")
}

/// One invoice in the account page's list.
pub(crate) struct InvoiceRow {
    pub number: String,
    pub url: String,
    pub date: String,
    pub amount: String,
}

/// One partner code on the account page.
pub(crate) struct CodeRow {
    pub code: String,
    pub year: i64,
    pub given: String,
}

/// A plan the reader may switch to.
pub(crate) struct SwitchOption {
    pub id: i64,
    pub label: String,
    pub chosen: bool,
}

/// The subscription as the account page shows it.
pub(crate) struct SubscriptionPanel {
    pub plan_name: String,
    pub status: &'static str,
    /// "Renews on Nov 27 2027: the next charge is ₹3,900 for Super Saver",
    /// or "Ends on Nov 27 2027".
    pub period_line: Option<String>,
    /// What the change the reader just made did (after `?changed=VERB`).
    pub notice: Option<String>,
    /// The page that asks before cancelling.
    pub cancel_url: Option<String>,
    pub resume_action: Option<String>,
    /// Where to pay: a pending subscription, or one whose renewal failed.
    pub checkout_url: Option<String>,
    pub switch_action: Option<String>,
    pub switch_options: Vec<SwitchOption>,
    /// The form that pauses renewal, when it may.
    pub pause_action: Option<String>,
    /// Lifting the pause, while there is one.
    pub unpause_action: Option<String>,
    pub pause_months: Vec<u32>,
    pub invoices: Vec<InvoiceRow>,
    /// The GST credit notes of refunds, listed as invoices are.
    pub credit_notes: Vec<InvoiceRow>,
    pub partner_codes: Vec<CodeRow>,
    pub buyer_name: String,
    pub buyer_state: String,
    pub states: &'static [&'static str],
}

/// The account page's view of the newest subscription, if any; `changed`
/// is the change the reader just made (`cancel`, `resume` or `switch`).
pub(crate) async fn panel(
    state: &AppState,
    reader_id: i64,
    changed: Option<&str>,
) -> Result<Option<SubscriptionPanel>, StoreError> {
    let Some((record, folded)) = latest(state, reader_id).await? else {
        return Ok(None);
    };
    let id = record.id;
    let day = |at| state.billing.day(at);
    let plan_name = state.store.plan(folded.plan_id).await?.map_or_else(String::new, |p| p.name);
    let refunded = folded.ending == Some(Ending::Refunded);
    let status = match folded.status {
        Status::Cancelled if refunded => "refunded: it does not renew",
        Status::Cancelled if record.provider == "gift" => "a gift: it does not renew",
        Status::Pending => "awaiting payment",
        Status::Active if folded.trial_until.is_some() => "trial",
        Status::Active => "active",
        Status::RenewalDue => "renewing",
        Status::PastDue => "payment failed: please pay to keep reading",
        Status::Cancelled => "cancelled",
        Status::Paused => "paused",
        Status::Expired => "ended",
    };
    let renews = matches!(folded.status, Status::Active | Status::RenewalDue);
    let due = if renews { state.store.plan(folded.plan_due()).await? } else { None };
    let end = folded.current_period_end.map(day);
    let in_trial = folded.trial_until.is_some() && folded.has_access();
    let next_charge = if renews { Some(state.billing.charge_due(&record).await?.amount) } else { None };
    // One line for the date: when it renews (or the trial turns into a
    // subscription) and what that costs, or when it ends.
    let period_line = end.as_ref().map(|end| match (folded.status, &due, next_charge) {
        (Status::Cancelled, _, _) if refunded => format!("Access ends on {end}, as the refund decided"),
        (Status::Cancelled | Status::Expired, _, _) => format!("Ends on {end}"),
        (_, Some(plan), Some(amount)) if in_trial => {
            format!("Trial until {end}: then {amount} for {} is charged, unless you cancel before", plan.name)
        }
        (_, Some(plan), Some(amount)) => format!("Renews on {end}: the next charge is {amount} for {}", plan.name),
        _ => format!("Renews on {end}"),
    });
    let pause = super::pause::describe(state, &folded, state.billing.charge_due(&record).await?.amount, changed);
    let period_line = pause.line.clone().or(period_line);
    let notice = match (changed, folded.status, &due) {
        (Some("cancel"), Status::Cancelled, _) => {
            // The end date is on the line below: not said twice.
            Some(
                "Your subscription is cancelled: it will not renew and nothing more is charged. You keep reading \
                  everything until it ends."
                    .to_owned(),
            )
        }
        (Some("cancel"), Status::Expired, _) if folded.trial_until.is_some() => {
            Some("Your trial has ended and nothing is charged.".to_owned())
        }
        (Some("keep"), _, _) if folded.retention.is_some() => {
            Some("Thank you for staying: the offer is applied to your next renewal.".to_owned())
        }
        (Some("resume"), Status::Active | Status::RenewalDue, _) => {
            Some("Your subscription renews again as before.".to_owned())
        }
        (Some("gift"), _, _) if folded.has_access() => {
            Some("Your gift is redeemed: it is added to your subscription.".to_owned())
        }
        (Some("switch"), _, Some(plan)) => Some(format!("Saved: from your next renewal your plan is {}.", plan.name)),
        _ => pause.notice.clone(),
    };
    let action = |verb: &str| format!("/account/subscription/{id}/{verb}");
    let payable = matches!(folded.status, Status::Pending | Status::PastDue)
        && record.provider == "sandbox"
        && state.billing.sandbox_on();
    let switch_options = if renews {
        state
            .plans
            .get(&state.store)
            .await?
            .0
            .iter()
            .map(|p| SwitchOption {
                id: p.id,
                chosen: p.id == folded.plan_due(),
                label: format!("{} — {} for {}", p.name, p.price, p.term_label()),
            })
            .collect()
    } else {
        Vec::new()
    };
    let invoices = state
        .store
        .reader_invoices(reader_id)
        .await?
        .into_iter()
        .map(|invoice| InvoiceRow {
            url: format!("/account/invoices/{}", invoice_slug(&invoice.number)),
            date: day(invoice.issued_at),
            amount: invoice.amount.to_string(),
            number: invoice.number,
        })
        .collect();
    let credit_notes = state
        .store
        .reader_credit_notes(reader_id)
        .await?
        .into_iter()
        .map(|note| InvoiceRow {
            url: format!("/account/credit-notes/{}", super::refunds::credit_note_slug(&note.number)),
            date: day(note.issued_at),
            amount: note.amount.to_string(),
            number: note.number,
        })
        .collect();
    let partner_codes = state
        .store
        .reader_partner_codes(reader_id)
        .await?
        .into_iter()
        .map(|code| CodeRow {
            given: chrono::DateTime::from_timestamp(code.assigned_at, 0).map(day).unwrap_or_default(),
            year: code.block,
            code: code.code,
        })
        .collect();
    let (buyer_name, buyer_state) = state.store.billing_profile(reader_id).await?.unwrap_or_default();
    Ok(Some(SubscriptionPanel {
        plan_name,
        status,
        period_line,
        notice,
        cancel_url: cancellable(folded.status).then(|| action("cancel")),
        // A gift does not renew, and a refund or a cancelled trial ends it for good: nothing to resume.
        resume_action: (folded.status == Status::Cancelled && folded.resumable() && record.provider != "gift")
            .then(|| action("resume")),
        checkout_url: payable.then(|| format!("/checkout/sandbox/{id}")),
        switch_action: renews.then(|| action("switch")),
        switch_options,
        pause_action: pause.can_pause.then(|| action("pause")),
        unpause_action: pause.paused.then(|| action("unpause")),
        pause_months: pause.months,
        invoices,
        credit_notes,
        partner_codes,
        buyer_name,
        buyer_state,
        states: &masthead_domain::tax::STATES,
    }))
}

/// Whether a subscription in `status` can be cancelled (it would renew).
fn cancellable(status: Status) -> bool {
    matches!(status, Status::Active | Status::RenewalDue | Status::PastDue)
}

/// `/account/subscription/{id}/cancel`: asks before cancelling.
#[derive(Template)]
#[template(path = "billing/cancel.html")]
struct CancelPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    action: String,
    plan_name: String,
    /// The day it would have renewed, when known.
    end: Option<String>,
    /// Cancelling a trial ends it now.
    in_trial: bool,
    /// The offer to stay, when this subscription may be shown it.
    retention: Option<super::retention::RetentionView>,
}

/// `GET /account/subscription/{id}/cancel`: what cancelling means, and the
/// button that does it; a subscription that cannot be cancelled now goes
/// back to the account page.
pub(crate) async fn confirm_cancel(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
    Path((id, verb)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    if verb != "cancel" {
        return Err(PageError::NotFound);
    }
    let record =
        state.store.subscription(id).await?.filter(|s| s.reader_id == account.id).ok_or(PageError::NotFound)?;
    let folded = state.store.subscription_state(id, state.clock.now()).await?;
    let Some(folded) = folded.filter(|folded| cancellable(folded.status)) else {
        return Ok(see_other("/account"));
    };
    let page = CancelPage {
        layout: Layout::new(&state, "Cancel renewal".to_owned(), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        action: format!("/account/subscription/{id}/cancel"),
        plan_name: state.store.plan(folded.plan_id).await?.map_or_else(String::new, |p| p.name),
        end: folded.current_period_end.map(|end| state.billing.day(end)),
        in_trial: folded.trial_until.is_some(),
        retention: super::retention::view(&state, &record).await?,
    };
    Ok(visitor.remember(private(views::render(&page))))
}

#[derive(Deserialize)]
pub(crate) struct ChangeFields {
    plan_id: Option<i64>,
}

/// `POST /account/subscription/{id}/{cancel|resume|switch}` from the account page.
pub(crate) async fn account_change(
    State(state): State<SharedState>,
    Required(account): Required,
    visitor: Visitor,
    Path((id, verb)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<ChangeFields>,
) -> Result<Response, PageError> {
    let change = match (verb.as_str(), form.plan_id) {
        ("cancel", _) => Change::Cancel,
        ("resume", _) => Change::Resume,
        ("switch", Some(plan_id)) => Change::Switch(plan_id),
        _ => return Err(PageError::NotFound),
    };
    let subscription =
        state.store.subscription(id).await?.filter(|s| s.reader_id == account.id).ok_or(PageError::NotFound)?;
    match apply(&state, &visitor, &subscription, change).await {
        // A change the subscription cannot take now (ended, unknown plan) changes nothing.
        // The account page says what the change did (nothing, for one it could not take).
        Ok(_) | Err(ChangeError::NotNow(_) | ChangeError::NoSuchPlan(_)) => {
            Ok(see_other(&format!("/account?changed={verb}")))
        }
        Err(ChangeError::Store(error)) => Err(error.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct DetailsFields {
    name: String,
    state: String,
}

/// `POST /account/billing-details`: the name and state the next invoices carry.
pub(crate) async fn save_details(
    State(state): State<SharedState>,
    Required(account): Required,
    CsrfForm(form): CsrfForm<DetailsFields>,
) -> Result<Response, PageError> {
    let name = form.name.trim();
    let buyer_state = masthead_domain::tax::state(&form.state);
    match buyer_state {
        Some(buyer_state) if !name.is_empty() && name.chars().count() <= 120 => {
            state.store.set_billing_profile(account.id, name, buyer_state).await?;
            Ok(see_other("/account"))
        }
        _ => Err(PageError::Unprocessable(Refusal::new(
            "Invoice details not saved",
            "Give a name (up to 120 characters) and choose your state from the list.",
        ))),
    }
}

/// `/account/invoices/{number}`: one tax invoice.
#[derive(Template)]
#[template(path = "billing/invoice.html")]
struct InvoicePage<'a> {
    layout: Layout<'a>,
    invoice: Invoice,
    date: String,
    period: String,
    pdf_url: String,
}

/// The signed-in reader's invoice, or 404 (also for someone else's).
async fn own_invoice(state: &AppState, reader_id: i64, slug: &str) -> Result<Invoice, PageError> {
    let number = slug.replace('_', "/");
    state.store.invoice(&number).await?.filter(|i| i.reader_id == reader_id).ok_or(PageError::NotFound)
}

/// Any invoice, for admins (a gift's, from `/newsroom/gifts`), or 404.
async fn any_invoice(state: &AppState, slug: &str) -> Result<Invoice, PageError> {
    state.store.invoice(&slug.replace('_', "/")).await?.ok_or(PageError::NotFound)
}

/// An invoice's page; its PDF under `base` (`/account/invoices` or `/newsroom/invoices`).
fn show_invoice(state: &AppState, invoice: Invoice, base: &str) -> Response {
    let day = |at| state.billing.day(at);
    let page = InvoicePage {
        layout: Layout::new(state, format!("Invoice {}", invoice.number), String::new(), None),
        date: day(invoice.issued_at),
        period: format!("{} to {}", day(invoice.period.0), day(invoice.period.1)),
        pdf_url: format!("{base}/{}/pdf", invoice_slug(&invoice.number)),
        invoice,
    };
    private(views::render(&page))
}

/// An invoice as a PDF download.
fn invoice_file(state: &AppState, invoice: &Invoice) -> Result<Response, PageError> {
    let pdf = masthead_billing::pdf::invoice_pdf(invoice, &state.zone).map_err(Internal::from)?;
    let file = format!("attachment; filename=\"invoice-{}.pdf\"", invoice_slug(&invoice.number));
    Ok(private(([(CONTENT_TYPE, "application/pdf".to_owned()), (CONTENT_DISPOSITION, file)], pdf).into_response()))
}

/// `GET /account/invoices/{number}`.
pub(crate) async fn invoice_page(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let invoice = own_invoice(&state, account.id, &slug).await?;
    Ok(show_invoice(&state, invoice, "/account/invoices"))
}

/// `GET /account/invoices/{number}/pdf`.
pub(crate) async fn invoice_pdf(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let invoice = own_invoice(&state, account.id, &slug).await?;
    invoice_file(&state, &invoice)
}

/// `GET /newsroom/invoices/{number}`: any reader's invoice, for admins.
pub(crate) async fn newsroom_invoice_page(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let invoice = any_invoice(&state, &slug).await?;
    Ok(show_invoice(&state, invoice, "/newsroom/invoices"))
}

/// `GET /newsroom/invoices/{number}/pdf`.
pub(crate) async fn newsroom_invoice_pdf(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let invoice = any_invoice(&state, &slug).await?;
    invoice_file(&state, &invoice)
}
