//! The providers' own signatures, made by their official libraries, verify;
//! a changed byte or secret does not.

use masthead_billing::signature::{SignatureError, verify_razorpay, verify_timestamped};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

fn vector(name: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

#[test]
fn stripe_signature_made_by_stripe_python_verifies() {
    let v = vector("signature_vector.json");
    let body = fixture(v["payload_file"].as_str().unwrap());
    let header = v["stripe_signature"].as_str().unwrap();
    let secret = v["secret"].as_str().unwrap();
    let t = v["timestamp"].as_i64().unwrap();
    assert_eq!(verify_timestamped(Some(header), &body, secret, t + 10), Ok(()));
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(verify_timestamped(Some(header), &tampered, secret, t), Err(SignatureError::Mismatch));
    assert_eq!(verify_timestamped(Some(header), &body, "whsec_other", t), Err(SignatureError::Mismatch));
    assert_eq!(verify_timestamped(Some(header), &body, secret, t + 301), Err(SignatureError::Stale { age: 301 }));
}

#[test]
fn razorpay_signature_checked_with_razorpay_python_verifies() {
    let v = vector("razorpay_signature_vector.json");
    let body = v["body"].as_str().unwrap().as_bytes();
    let header = v["x_razorpay_signature"].as_str().unwrap();
    let secret = v["secret"].as_str().unwrap();
    assert_eq!(verify_razorpay(Some(header), body, secret), Ok(()));
    assert_eq!(verify_razorpay(Some(header), &body[1..], secret), Err(SignatureError::Mismatch));
    assert_eq!(verify_razorpay(Some(header), body, "other"), Err(SignatureError::Mismatch));
}

#[test]
fn stripe_sample_envelopes_parse() {
    use masthead_billing::events::{EventKind, parse_stripe};
    for (file, event_type) in [
        ("evt_checkout.session.completed.json", "checkout.session.completed"),
        ("evt_customer.subscription.created.json", "customer.subscription.created"),
        ("evt_invoice.paid.json", "invoice.paid"),
    ] {
        let event = parse_stripe(&fixture(file)).unwrap();
        assert_eq!(event.event_type, event_type);
        assert_eq!(event.event_id, "evt_1Pgc76B7WZ01zgkWwyRHS12y");
        // The samples' objects are unpaid or unrelated to us: nothing is granted from them.
        if let EventKind::PaymentSucceeded { subscription, .. } = event.kind {
            assert_eq!(subscription, None, "{file}");
        }
    }
}
