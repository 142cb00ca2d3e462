//! `POST /webhooks/{sandbox,stripe,razorpay}`: every payment arrives here,
//! the sandbox's included. `masthead_billing::Billing::receive_webhook`
//! checks the signature first (400, nothing stored, on a bad, stale or
//! missing one), stores the event, then processes it once per provider
//! payment id; a provider without its secret configured answers 404. Each
//! webhook is counted by provider and outcome (`/metrics`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use masthead_billing::{BillingError, Received};
use serde_json::json;

use crate::SharedState;
use crate::http::error::ApiError;

/// `POST /webhooks/{provider}`.
pub(crate) async fn receive(
    State(state): State<SharedState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let received = state.billing.receive_webhook(&provider, &header, &body).await;
    count(&provider, &received);
    let received = received?;
    Ok((StatusCode::OK, Json(json!({ "status": received.as_str() }))).into_response())
}

/// Counter: webhooks received, by provider and outcome.
const WEBHOOKS: &str = "masthead_webhooks_total";

/// Counts one webhook by provider (an unknown one as `other`, so forged
/// names add no series) and what became of it.
fn count(provider: &str, received: &Result<Received, BillingError>) {
    let provider = match provider {
        "sandbox" => "sandbox",
        "stripe" => "stripe",
        "razorpay" => "razorpay",
        _ => "other",
    };
    let outcome = match received {
        Ok(received) => received.as_str(),
        Err(BillingError::Refused(_)) => "refused",
        Err(BillingError::NotListening(_)) => "not listening",
        Err(_) => "failed",
    };
    metrics::counter!(WEBHOOKS, "provider" => provider, "outcome" => outcome).increment(1);
}
