//! Webhook signatures, checked before a byte of the body is trusted.
//!
//! - Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`, HMAC-SHA256
//!   keyed with the whole `whsec_...` secret over `"{t}.{raw body}"`; any v1
//!   may match; older or newer than the tolerance (300 s) is refused.
//! - The built-in sandbox signs the same way in `X-Masthead-Signature`, so
//!   the demo runs the code path real providers run.
//! - Razorpay: `X-Razorpay-Signature` is the hex HMAC-SHA256 of the raw body
//!   with the webhook secret; there is no timestamp, so replays are stopped
//!   by deduplicating event ids, not here.
//!
//! Every comparison is constant-time (`Mac::verify_slice`).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use thiserror::Error;

/// How far a signed timestamp may be from now, in seconds.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a webhook's signature was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SignatureError {
    /// No signature header at all.
    #[error("the signature header is missing")]
    Missing,
    /// A header that does not follow the scheme.
    #[error("the signature header is malformed: {0}")]
    Malformed(&'static str),
    /// The timestamp is outside the tolerance: stale or from the future.
    #[error("the signature's timestamp is {age} s away from now (at most {TOLERANCE_SECONDS} s allowed)")]
    Stale {
        /// Seconds between the signed timestamp and now.
        age: i64,
    },
    /// No signature matches the body.
    #[error("no signature matches the body")]
    Mismatch,
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length")
}

/// Checks a `t=...,v1=...` header (Stripe's scheme, and the sandbox's).
pub fn verify_timestamped(header: Option<&str>, body: &[u8], secret: &str, now: i64) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.trim().split_once('=').ok_or(SignatureError::Malformed("expected key=value pairs"))?;
        match key {
            "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed("t is not a number"))?),
            "v1" => signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed("v1 is not hex"))?),
            _ => {} // other schemes (v0) are ignored, as Stripe documents
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("no t="))?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed("no v1="));
    }
    let age = now - timestamp;
    if age.abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale { age });
    }
    let mut signed = mac(secret.as_bytes());
    signed.update(timestamp.to_string().as_bytes());
    signed.update(b".");
    signed.update(body);
    if signatures.iter().any(|signature| signed.clone().verify_slice(signature).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The `t=...,v1=...` header for a body: how the sandbox signs its webhooks.
pub fn sign_timestamped(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut signed = mac(secret.as_bytes());
    signed.update(timestamp.to_string().as_bytes());
    signed.update(b".");
    signed.update(body);
    format!("t={timestamp},v1={}", hex::encode(signed.finalize().into_bytes()))
}

/// Checks Razorpay's `X-Razorpay-Signature`.
pub fn verify_razorpay(header: Option<&str>, body: &[u8], secret: &str) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let signature = hex::decode(header.trim()).map_err(|_| SignatureError::Malformed("not hex"))?;
    let mut signed = mac(secret.as_bytes());
    signed.update(body);
    signed.verify_slice(&signature).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_verifies_what_it_signs() {
        let header = sign_timestamped(b"{}", "sandbox_secret", 1_700_000_000);
        assert_eq!(verify_timestamped(Some(&header), b"{}", "sandbox_secret", 1_700_000_100), Ok(()));
        assert_eq!(
            verify_timestamped(Some(&header), b"{ }", "sandbox_secret", 1_700_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify_timestamped(Some(&header), b"{}", "other", 1_700_000_100), Err(SignatureError::Mismatch));
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let header = sign_timestamped(b"{}", "s", 1_700_000_000);
        assert_eq!(
            verify_timestamped(Some(&header), b"{}", "s", 1_700_000_301),
            Err(SignatureError::Stale { age: 301 })
        );
        assert_eq!(
            verify_timestamped(Some(&header), b"{}", "s", 1_699_999_699),
            Err(SignatureError::Stale { age: -301 })
        );
        assert_eq!(verify_timestamped(Some(&header), b"{}", "s", 1_700_000_300), Ok(()));
    }

    #[test]
    fn any_of_several_v1_signatures_may_match() {
        let good = sign_timestamped(b"{}", "s", 1_700_000_000);
        let v1 = good.split("v1=").nth(1).unwrap();
        let header = format!("t=1700000000,v1={},v0=abc,v1={v1}", "00".repeat(32));
        assert_eq!(verify_timestamped(Some(&header), b"{}", "s", 1_700_000_000), Ok(()));
    }

    #[test]
    fn malformed_headers_say_what_is_wrong() {
        for (header, why) in [
            ("", "expected key=value pairs"),
            ("t=abc,v1=00", "t is not a number"),
            ("t=1,v1=zz", "v1 is not hex"),
            ("v1=00", "no t="),
            ("t=1", "no v1="),
        ] {
            assert_eq!(verify_timestamped(Some(header), b"", "s", 1), Err(SignatureError::Malformed(why)), "{header}");
        }
        assert_eq!(verify_timestamped(None, b"", "s", 1), Err(SignatureError::Missing));
        assert_eq!(verify_razorpay(None, b"", "s"), Err(SignatureError::Missing));
        assert_eq!(verify_razorpay(Some("xyz"), b"", "s"), Err(SignatureError::Malformed("not hex")));
    }
}
