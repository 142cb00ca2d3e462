//! Provider webhooks read into one shape. After the signature is checked,
//! each provider's event becomes a [`ProviderEvent`]: a payment for one of
//! our subscriptions succeeded or failed, a free trial's payment method was
//! set up (Stripe's completed `setup` session, Razorpay's authorised set-up
//! order, the sandbox's `setup.succeeded`), a refund went through or failed,
//! or something we do not act on.
//!
//! Our subscription travels with the provider's objects: Stripe's
//! `client_reference_id` or `metadata.masthead_subscription`, Razorpay's
//! `notes.masthead_subscription` (on the payment, or on the order or
//! subscription the event carries with it), the sandbox's
//! `subscription` field. Our refund travels back the same way: Stripe's
//! `metadata.masthead_refund` on the refund, Razorpay's
//! `notes.masthead_refund`, the sandbox's `refund` field.

use serde_json::Value;
use thiserror::Error;

/// A provider's event, in the one shape the lifecycle understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    /// The provider's event id: the idempotency key.
    pub event_id: String,
    /// The provider's event type, as sent ("invoice.paid").
    pub event_type: String,
    /// When the provider made the event (unix seconds).
    pub created: i64,
    /// What it means for us.
    pub kind: EventKind,
}

/// What an event means for a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// Money was taken.
    PaymentSucceeded {
        /// The provider's payment id (counted once).
        payment_id: String,
        /// Our subscription id, when the provider's object carries it.
        subscription: Option<i64>,
        /// Amount in minor units (paise for INR).
        amount: i64,
        /// ISO currency code, lowercase.
        currency: String,
        /// The saved payment method renewals may charge, when the event
        /// names one: the sandbox's card, Stripe's `customer:payment_method`,
        /// Razorpay's `customer_id:token_id`.
        payment_method: Option<String>,
    },
    /// A payment method was saved without a charge: a free trial's set-up.
    SetUp {
        /// The provider's id for the set-up (counted once): Stripe's
        /// SetupIntent, Razorpay's set-up order, the sandbox's set-up.
        setup_id: String,
        /// Our subscription id, when the provider's object carries it.
        subscription: Option<i64>,
        /// The saved method, when the event names it (Razorpay's
        /// `customer_id:token_id`, the sandbox's card); Stripe's session names
        /// only the customer, and the method is its SetupIntent's.
        payment_method: Option<String>,
        /// The customer the provider saved it on, when the event names one.
        customer: Option<String>,
    },
    /// A charge failed.
    PaymentFailed {
        /// Our subscription id, when the provider's object carries it.
        subscription: Option<i64>,
    },
    /// A refund went through.
    RefundSucceeded(RefundReport),
    /// A refund failed (its reservation of the payment is given back).
    RefundFailed {
        /// Our refund id, when the provider's object carries it.
        ours: Option<i64>,
        /// The provider's refund id.
        provider_refund: String,
    },
    /// An event we do not act on (stored, acknowledged, ignored).
    Ignored,
}

/// A refund as a provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReport {
    /// Our refund id, when the provider's object carries it.
    pub ours: Option<i64>,
    /// The provider's refund id (counted once).
    pub provider_refund: String,
    /// The provider's id of the refunded payment.
    pub payment_id: String,
    /// Amount in minor units.
    pub amount: i64,
}

/// Why an event body could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EventError {
    /// Not JSON.
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    /// JSON, but without a field every event has.
    #[error("the event has no {0}")]
    Missing(&'static str),
}

fn parse_json(body: &[u8]) -> Result<Value, EventError> {
    serde_json::from_slice(body).map_err(|e| EventError::Json(e.to_string()))
}

fn text(value: &Value, field: &'static str) -> Result<String, EventError> {
    value.get(field).and_then(Value::as_str).map(str::to_owned).ok_or(EventError::Missing(field))
}

/// `a:b` when an object names both a customer and a saved method.
fn saved_method(object: &Value, customer: &str, method: &str) -> Option<String> {
    let customer = object.get(customer).and_then(Value::as_str)?;
    let method = object.get(method).and_then(Value::as_str)?;
    Some(format!("{customer}:{method}"))
}

/// Our subscription id from a string or number field.
fn subscription_ref(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Reads a Stripe event envelope.
pub fn parse_stripe(body: &[u8]) -> Result<ProviderEvent, EventError> {
    let event = parse_json(body)?;
    let event_id = text(&event, "id")?;
    let event_type = text(&event, "type")?;
    let created = event.get("created").and_then(Value::as_i64).ok_or(EventError::Missing("created"))?;
    let object = event.pointer("/data/object").ok_or(EventError::Missing("data.object"))?;
    let subscription = subscription_ref(object.pointer("/metadata/masthead_subscription"))
        .or_else(|| subscription_ref(object.get("client_reference_id")));
    let kind = match event_type.as_str() {
        "checkout.session.completed" if object.get("payment_status").and_then(Value::as_str) == Some("paid") => {
            EventKind::PaymentSucceeded {
                payment_id: object
                    .get("payment_intent")
                    .and_then(Value::as_str)
                    .map_or_else(|| text(object, "id"), |id| Ok(id.to_owned()))?,
                subscription,
                amount: object.get("amount_total").and_then(Value::as_i64).unwrap_or(0),
                currency: object.get("currency").and_then(Value::as_str).unwrap_or_default().to_owned(),
                // The session names the customer only; the payment intent's own event names the method.
                payment_method: None,
            }
        }
        // A set-up session (a free trial's) saved a card: its SetupIntent says which.
        "checkout.session.completed"
            if object.get("mode").and_then(Value::as_str) == Some("setup")
                && object.get("status").and_then(Value::as_str) == Some("complete") =>
        {
            EventKind::SetUp {
                setup_id: text(object, "setup_intent")?,
                subscription,
                payment_method: None,
                customer: object.get("customer").and_then(Value::as_str).map(str::to_owned),
            }
        }
        "payment_intent.succeeded" => EventKind::PaymentSucceeded {
            payment_id: text(object, "id")?,
            subscription,
            amount: object.get("amount_received").and_then(Value::as_i64).unwrap_or(0),
            currency: object.get("currency").and_then(Value::as_str).unwrap_or_default().to_owned(),
            payment_method: saved_method(object, "customer", "payment_method"),
        },
        "invoice.paid" => EventKind::PaymentSucceeded {
            payment_id: text(object, "id")?,
            subscription,
            amount: object.get("amount_paid").and_then(Value::as_i64).unwrap_or(0),
            currency: object.get("currency").and_then(Value::as_str).unwrap_or_default().to_owned(),
            payment_method: saved_method(object, "customer", "default_payment_method"),
        },
        "payment_intent.payment_failed" | "invoice.payment_failed" => EventKind::PaymentFailed { subscription },
        "refund.created" | "refund.updated" | "refund.failed" => stripe_refund(object, None)?,
        // A charge lists its refunds newest first; each also comes as a refund event.
        "charge.refunded" => match object.pointer("/refunds/data/0") {
            Some(refund) => stripe_refund(refund, object.get("payment_intent"))?,
            None => EventKind::Ignored,
        },
        _ => EventKind::Ignored,
    };
    Ok(ProviderEvent { event_id, event_type, created, kind })
}

/// A Stripe refund object by its status: done, failed, or still pending.
fn stripe_refund(refund: &Value, payment_intent: Option<&Value>) -> Result<EventKind, EventError> {
    let ours = subscription_ref(refund.pointer("/metadata/masthead_refund"));
    let provider_refund = text(refund, "id")?;
    Ok(match refund.get("status").and_then(Value::as_str) {
        Some("succeeded") => EventKind::RefundSucceeded(RefundReport {
            ours,
            payment_id: refund
                .get("payment_intent")
                .or(payment_intent)
                .and_then(Value::as_str)
                .ok_or(EventError::Missing("payment_intent"))?
                .to_owned(),
            amount: refund.get("amount").and_then(Value::as_i64).ok_or(EventError::Missing("amount"))?,
            provider_refund,
        }),
        Some("failed" | "canceled") => EventKind::RefundFailed { ours, provider_refund },
        _ => EventKind::Ignored,
    })
}

/// Reads a Razorpay webhook. Razorpay puts the event id in the
/// `X-Razorpay-Event-Id` header, not the body.
pub fn parse_razorpay(body: &[u8], event_id: Option<&str>) -> Result<ProviderEvent, EventError> {
    let event = parse_json(body)?;
    let event_id = event_id.map(str::to_owned).ok_or(EventError::Missing("X-Razorpay-Event-Id header"))?;
    let event_type = text(&event, "event")?;
    let created = event.get("created_at").and_then(Value::as_i64).ok_or(EventError::Missing("created_at"))?;
    let payment = event.pointer("/payload/payment/entity");
    let subscription = ["payment", "order", "subscription"].into_iter().find_map(|entity| {
        subscription_ref(event.pointer(&format!("/payload/{entity}/entity/notes/masthead_subscription")))
    });
    let kind = match (event_type.as_str(), payment) {
        ("payment.captured" | "order.paid" | "subscription.charged", Some(payment)) => EventKind::PaymentSucceeded {
            payment_id: text(payment, "id")?,
            subscription,
            amount: payment.get("amount").and_then(Value::as_i64).unwrap_or(0),
            currency: payment.get("currency").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase(),
            payment_method: saved_method(payment, "customer_id", "token_id"),
        },
        // A set-up's ₹1, authorised and never captured, saved the token.
        ("payment.authorized", Some(payment)) if payment.pointer("/notes/masthead_set_up").is_some() => {
            EventKind::SetUp {
                setup_id: payment
                    .get("order_id")
                    .and_then(Value::as_str)
                    .map_or_else(|| text(payment, "id"), |id| Ok(id.to_owned()))?,
                subscription,
                payment_method: saved_method(payment, "customer_id", "token_id"),
                customer: None,
            }
        }
        ("payment.failed" | "subscription.halted" | "subscription.pending", _) => {
            EventKind::PaymentFailed { subscription }
        }
        ("refund.processed" | "refund.failed", _) => {
            let refund = event.pointer("/payload/refund/entity").ok_or(EventError::Missing("payload.refund"))?;
            let ours = subscription_ref(refund.pointer("/notes/masthead_refund"));
            let provider_refund = text(refund, "id")?;
            if event_type == "refund.failed" {
                EventKind::RefundFailed { ours, provider_refund }
            } else {
                EventKind::RefundSucceeded(RefundReport {
                    ours,
                    provider_refund,
                    payment_id: text(refund, "payment_id")?,
                    amount: refund.get("amount").and_then(Value::as_i64).ok_or(EventError::Missing("amount"))?,
                })
            }
        }
        _ => EventKind::Ignored,
    };
    Ok(ProviderEvent { event_id, event_type, created, kind })
}

/// Reads the sandbox's own webhook: `{"id","type","created","subscription",
/// "payment_id","amount","currency","payment_method"}` with type `payment.succeeded` or
/// `payment.failed`, `{"id","type":"setup.succeeded","created","subscription","setup_id",
/// "payment_method"}` (or `setup.failed`, ignored: nothing starts), or `{"id","type":"refund.succeeded","created","refund","refund_id",
/// "payment_id","amount","currency"}`.
pub fn parse_sandbox(body: &[u8]) -> Result<ProviderEvent, EventError> {
    let event = parse_json(body)?;
    let event_id = text(&event, "id")?;
    let event_type = text(&event, "type")?;
    let created = event.get("created").and_then(Value::as_i64).ok_or(EventError::Missing("created"))?;
    let subscription = subscription_ref(event.get("subscription"));
    let kind = match event_type.as_str() {
        "payment.succeeded" => EventKind::PaymentSucceeded {
            payment_id: text(&event, "payment_id")?,
            subscription,
            amount: event.get("amount").and_then(Value::as_i64).ok_or(EventError::Missing("amount"))?,
            currency: text(&event, "currency")?,
            payment_method: event.get("payment_method").and_then(Value::as_str).map(str::to_owned),
        },
        "payment.failed" => EventKind::PaymentFailed { subscription },
        "setup.succeeded" => EventKind::SetUp {
            setup_id: text(&event, "setup_id")?,
            subscription,
            payment_method: Some(text(&event, "payment_method")?),
            customer: None,
        },
        "refund.succeeded" => EventKind::RefundSucceeded(RefundReport {
            ours: subscription_ref(event.get("refund")),
            provider_refund: text(&event, "refund_id")?,
            payment_id: text(&event, "payment_id")?,
            amount: event.get("amount").and_then(Value::as_i64).ok_or(EventError::Missing("amount"))?,
        }),
        _ => EventKind::Ignored,
    };
    Ok(ProviderEvent { event_id, event_type, created, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_checkout_paid_is_a_payment_for_our_subscription() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","created":1700000000,
            "data":{"object":{"id":"cs_1","payment_status":"paid","payment_intent":"pi_1",
            "client_reference_id":"42","amount_total":270000,"currency":"inr"}}}"#;
        let event = parse_stripe(body).unwrap();
        assert_eq!(event.event_id, "evt_1");
        assert_eq!(
            event.kind,
            EventKind::PaymentSucceeded {
                payment_id: "pi_1".into(),
                subscription: Some(42),
                amount: 270_000,
                currency: "inr".into(),
                payment_method: None,
            }
        );
    }

    #[test]
    fn unpaid_checkouts_and_other_events_are_ignored() {
        let body = br#"{"id":"evt_2","type":"checkout.session.completed","created":1,
            "data":{"object":{"id":"cs_1","payment_status":"unpaid"}}}"#;
        assert_eq!(parse_stripe(body).unwrap().kind, EventKind::Ignored);
        let body = br#"{"id":"evt_3","type":"customer.created","created":1,"data":{"object":{}}}"#;
        assert_eq!(parse_stripe(body).unwrap().kind, EventKind::Ignored);
    }

    #[test]
    fn razorpay_charges_carry_our_subscription_in_notes() {
        let body = br#"{"entity":"event","event":"subscription.charged","created_at":1700000000,
            "payload":{"payment":{"entity":{"id":"pay_1","amount":90000,"currency":"INR",
            "customer_id":"cust_1","token_id":"token_1","notes":{"masthead_subscription":"7"}}}}}"#;
        let event = parse_razorpay(body, Some("evt_rzp_1")).unwrap();
        assert_eq!(
            event.kind,
            EventKind::PaymentSucceeded {
                payment_id: "pay_1".into(),
                subscription: Some(7),
                amount: 90_000,
                currency: "inr".into(),
                payment_method: Some("cust_1:token_1".into()),
            }
        );
        assert_eq!(parse_razorpay(body, None), Err(EventError::Missing("X-Razorpay-Event-Id header")));
    }

    #[test]
    fn a_paid_razorpay_order_names_our_subscription_in_the_order_notes() {
        let body = br#"{"entity":"event","event":"order.paid","created_at":1700000000,
            "payload":{"order":{"entity":{"id":"order_1","notes":{"masthead_subscription":"8"}}},
            "payment":{"entity":{"id":"pay_2","amount":90000,"currency":"INR","order_id":"order_1",
            "customer_id":"cust_1","token_id":"token_1","notes":[]}}}}"#;
        let event = parse_razorpay(body, Some("evt_rzp_2")).unwrap();
        assert_eq!(
            event.kind,
            EventKind::PaymentSucceeded {
                payment_id: "pay_2".into(),
                subscription: Some(8),
                amount: 90_000,
                currency: "inr".into(),
                payment_method: Some("cust_1:token_1".into()),
            }
        );
    }

    #[test]
    fn stripe_refunds_name_the_payment_intent_and_our_refund() {
        let body = br#"{"id":"evt_r1","type":"refund.updated","created":1700000000,"data":{"object":{
            "id":"re_1","object":"refund","amount":45000,"currency":"inr","payment_intent":"pi_1",
            "status":"succeeded","metadata":{"masthead_refund":"12"}}}}"#;
        let report =
            RefundReport { ours: Some(12), provider_refund: "re_1".into(), payment_id: "pi_1".into(), amount: 45_000 };
        assert_eq!(parse_stripe(body).unwrap().kind, EventKind::RefundSucceeded(report.clone()));
        // charge.refunded carries its refunds, newest first, the payment intent on the charge.
        let body = br#"{"id":"evt_r2","type":"charge.refunded","created":1700000000,"data":{"object":{
            "id":"ch_1","object":"charge","payment_intent":"pi_1","amount_refunded":45000,
            "refunds":{"object":"list","data":[{"id":"re_1","amount":45000,"status":"succeeded",
            "metadata":{"masthead_refund":"12"}}]}}}}"#;
        assert_eq!(parse_stripe(body).unwrap().kind, EventKind::RefundSucceeded(report));
        let body = br#"{"id":"evt_r3","type":"refund.failed","created":1,"data":{"object":{
            "id":"re_2","status":"failed","amount":1,"payment_intent":"pi_1","metadata":{}}}}"#;
        assert_eq!(
            parse_stripe(body).unwrap().kind,
            EventKind::RefundFailed { ours: None, provider_refund: "re_2".into() }
        );
        let body = br#"{"id":"evt_r4","type":"refund.created","created":1,"data":{"object":{"id":"re_3","status":"pending"}}}"#;
        assert_eq!(parse_stripe(body).unwrap().kind, EventKind::Ignored);
    }

    #[test]
    fn razorpay_refunds_carry_our_refund_in_notes() {
        let body = br#"{"entity":"event","event":"refund.processed","created_at":1700000000,
            "payload":{"refund":{"entity":{"id":"rfnd_1","entity":"refund","amount":90000,"currency":"INR",
            "payment_id":"pay_1","notes":{"masthead_refund":"4"},"status":"processed"}}}}"#;
        assert_eq!(
            parse_razorpay(body, Some("evt_1")).unwrap().kind,
            EventKind::RefundSucceeded(RefundReport {
                ours: Some(4),
                provider_refund: "rfnd_1".into(),
                payment_id: "pay_1".into(),
                amount: 90_000
            })
        );
        let failed = br#"{"entity":"event","event":"refund.failed","created_at":1,
            "payload":{"refund":{"entity":{"id":"rfnd_2","payment_id":"pay_1","amount":1,"notes":[]}}}}"#;
        assert_eq!(
            parse_razorpay(failed, Some("evt_2")).unwrap().kind,
            EventKind::RefundFailed { ours: None, provider_refund: "rfnd_2".into() }
        );
    }

    #[test]
    fn a_completed_setup_session_names_its_setup_intent_and_customer() {
        let body = br#"{"id":"evt_s1","type":"checkout.session.completed","created":1700000000,
            "data":{"object":{"id":"cs_1","mode":"setup","status":"complete","payment_status":"no_payment_required",
            "setup_intent":"seti_1","customer":"cus_1","client_reference_id":"42",
            "metadata":{"masthead_subscription":"42"}}}}"#;
        assert_eq!(
            parse_stripe(body).unwrap().kind,
            EventKind::SetUp {
                setup_id: "seti_1".into(),
                subscription: Some(42),
                payment_method: None,
                customer: Some("cus_1".into()),
            }
        );
        let open = br#"{"id":"evt_s2","type":"checkout.session.completed","created":1,
            "data":{"object":{"id":"cs_1","mode":"setup","status":"open","setup_intent":"seti_1"}}}"#;
        assert_eq!(parse_stripe(open).unwrap().kind, EventKind::Ignored);
    }

    #[test]
    fn an_authorised_razorpay_set_up_saves_the_token_once_per_order() {
        let body = br#"{"entity":"event","event":"payment.authorized","created_at":1700000000,
            "payload":{"payment":{"entity":{"id":"pay_1","amount":100,"currency":"INR","status":"authorized",
            "captured":false,"order_id":"order_1","customer_id":"cust_1","token_id":"token_1",
            "notes":{"masthead_subscription":"9","masthead_set_up":"1"}}}}}"#;
        assert_eq!(
            parse_razorpay(body, Some("evt_1")).unwrap().kind,
            EventKind::SetUp {
                setup_id: "order_1".into(),
                subscription: Some(9),
                payment_method: Some("cust_1:token_1".into()),
                customer: None,
            }
        );
        // An ordinary payment's authorisation is not a set-up: its capture is what counts.
        let body = br#"{"entity":"event","event":"payment.authorized","created_at":1,
            "payload":{"payment":{"entity":{"id":"pay_2","amount":90000,"notes":{"masthead_subscription":"9"}}}}}"#;
        assert_eq!(parse_razorpay(body, Some("evt_2")).unwrap().kind, EventKind::Ignored);
    }

    #[test]
    fn the_sandbox_event_shape() {
        let body = br#"{"id":"sbx_evt_1","type":"payment.failed","created":1,"subscription":3}"#;
        assert_eq!(parse_sandbox(body).unwrap().kind, EventKind::PaymentFailed { subscription: Some(3) });
    }

    #[test]
    fn malformed_bodies_say_why() {
        assert!(matches!(parse_stripe(b"{not json"), Err(EventError::Json(_))));
        assert_eq!(parse_stripe(br#"{"type":"x"}"#), Err(EventError::Missing("id")));
        assert_eq!(
            parse_sandbox(br#"{"id":"e","type":"payment.succeeded","created":1}"#),
            Err(EventError::Missing("payment_id"))
        );
    }
}
