//! Bounces and complaints, as mail providers report them to their webhooks.
//!
//! - **SendGrid** (Signed Event Webhook): the body is a JSON array of events,
//!   signed with ECDSA P-256 / SHA-256 over the
//!   `X-Twilio-Email-Event-Webhook-Timestamp` header's value followed by the
//!   raw body; the signature (base64 of its DER form) is in
//!   `X-Twilio-Email-Event-Webhook-Signature`, and the public key is the one
//!   SendGrid shows in its settings (base64 of its DER form). A timestamp
//!   further than [`SENDGRID_WINDOW`] from now is refused, so a captured
//!   request cannot be replayed later. `bounce` events of type `bounce` are
//!   hard bounces (type `blocked` is a soft one); `spamreport` is a complaint.
//! - **Postmark**: one JSON record per request, over HTTP basic auth (the
//!   web room checks it). `RecordType` `Bounce` with a hard `Type`
//!   ([`POSTMARK_HARD`]) is a bounce; `SpamComplaint` is a complaint.
//!
//! Everything else a provider sends (deliveries, opens, soft bounces) is
//! read and ignored. A report, whoever sends it, suppresses the address for
//! every list; a replayed report changes nothing, since the first is kept.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Duration, Utc};
use masthead_domain::email::Email;
use masthead_store::SuppressionReason;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use serde::Deserialize;
use thiserror::Error;

/// How far a SendGrid timestamp may be from now.
pub const SENDGRID_WINDOW: Duration = Duration::minutes(10);

/// The header carrying SendGrid's signature.
pub const SENDGRID_SIGNATURE: &str = "X-Twilio-Email-Event-Webhook-Signature";
/// The header carrying SendGrid's timestamp (Unix seconds).
pub const SENDGRID_TIMESTAMP: &str = "X-Twilio-Email-Event-Webhook-Timestamp";

/// Postmark bounce types that mean the address will never take mail.
pub const POSTMARK_HARD: [&str; 3] = ["HardBounce", "BadEmailAddress", "ManuallyDeactivated"];

/// One address a provider says to stop sending to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The address, as Masthead stores it (lowercased).
    pub email: String,
    /// A bounce or a complaint.
    pub reason: SuppressionReason,
    /// What the provider said, for the reader's manage page.
    pub detail: String,
}

/// Why a webhook request was refused: nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refused {
    /// The signature is missing, malformed or does not match.
    #[error("the signature does not verify")]
    Signature,
    /// The timestamp is missing, unreadable or outside the window.
    #[error("the timestamp is missing or too far from now")]
    Stale,
    /// The body is not what the provider sends.
    #[error("the body cannot be read: {0}")]
    Body(String),
}

/// SendGrid's public key for a site's signed event webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendgridKey(VerifyingKey);

/// A public key that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a P-256 public key in base64 DER, as SendGrid shows it (Mail Settings, Signed Event Webhook)")]
pub struct BadKey;

impl SendgridKey {
    /// Reads the key as SendGrid shows it: base64 of the DER
    /// SubjectPublicKeyInfo (a PEM's lines between the markers also work).
    pub fn from_base64(shown: &str) -> Result<Self, BadKey> {
        let body: String =
            shown.lines().filter(|line| !line.starts_with("-----")).flat_map(|line| line.split_whitespace()).collect();
        let der = BASE64.decode(body).map_err(|_| BadKey)?;
        VerifyingKey::from_public_key_der(&der).map(Self).map_err(|_| BadKey)
    }

    /// Checks a request's signature and timestamp, then reads its events.
    pub fn verify(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Vec<Report>, Refused> {
        let timestamp = timestamp.map(str::trim).ok_or(Refused::Stale)?;
        let signature = signature.map(str::trim).ok_or(Refused::Signature)?;
        let der = BASE64.decode(signature).map_err(|_| Refused::Signature)?;
        let signature = Signature::from_der(&der).map_err(|_| Refused::Signature)?;
        let mut signed = Vec::with_capacity(timestamp.len() + body.len());
        signed.extend_from_slice(timestamp.as_bytes());
        signed.extend_from_slice(body);
        self.0.verify(&signed, &signature).map_err(|_| Refused::Signature)?;
        // Checked after the signature, so the answer says nothing about an unsigned request's clock.
        let at = timestamp.parse::<i64>().ok().and_then(|t| DateTime::from_timestamp(t, 0)).ok_or(Refused::Stale)?;
        if (now - at).abs() > SENDGRID_WINDOW {
            return Err(Refused::Stale);
        }
        sendgrid_reports(body)
    }
}

#[derive(Deserialize)]
struct SendgridEvent {
    #[serde(default)]
    email: String,
    #[serde(default)]
    event: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    reason: String,
}

/// The hard bounces and complaints among SendGrid events.
fn sendgrid_reports(body: &[u8]) -> Result<Vec<Report>, Refused> {
    let events: Vec<SendgridEvent> = serde_json::from_slice(body).map_err(|e| Refused::Body(e.to_string()))?;
    Ok(events
        .into_iter()
        .filter_map(|event| {
            let reason = match (event.event.as_str(), event.kind.as_str()) {
                ("bounce", "blocked") => return None,
                ("bounce", _) => SuppressionReason::Bounce,
                ("spamreport", _) => SuppressionReason::Complaint,
                _ => return None,
            };
            report(&event.email, reason, event.reason)
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PostmarkRecord {
    #[serde(default)]
    record_type: String,
    #[serde(default, rename = "Type")]
    kind: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    details: String,
}

/// The hard bounce or complaint in a Postmark webhook body (one record, or
/// an array of them).
pub fn postmark_reports(body: &[u8]) -> Result<Vec<Report>, Refused> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(PostmarkRecord),
        Many(Vec<PostmarkRecord>),
    }
    let records = match serde_json::from_slice(body).map_err(|e| Refused::Body(e.to_string()))? {
        OneOrMany::One(record) => vec![record],
        OneOrMany::Many(records) => records,
    };
    Ok(records
        .into_iter()
        .filter_map(|record| {
            let reason = match record.record_type.as_str() {
                "Bounce" if POSTMARK_HARD.contains(&record.kind.as_str()) => SuppressionReason::Bounce,
                "SpamComplaint" => SuppressionReason::Complaint,
                _ => return None,
            };
            let detail = [record.description, record.details]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" — ");
            report(&record.email, reason, detail)
        })
        .collect())
}

/// Suppresses every reported address for every list; how many were new.
pub async fn suppress(
    store: &masthead_store::Store,
    provider: &str,
    reports: &[Report],
    now: DateTime<Utc>,
) -> Result<u64, masthead_store::StoreError> {
    let mut new = 0;
    for report in reports {
        if store.suppress_address(&report.email, report.reason, provider, &report.detail, now).await? {
            tracing::info!(provider, reason = ?report.reason, "an address is suppressed for every list");
            new += 1;
        }
    }
    Ok(new)
}

/// A report for a well-formed address; none for anything else.
fn report(email: &str, reason: SuppressionReason, detail: String) -> Option<Report> {
    let email = Email::parse(email).ok()?;
    let detail: String = detail.trim().chars().take(500).collect();
    Some(Report { email: email.as_str().to_owned(), reason, detail })
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::EncodePublicKey;

    use super::*;

    fn keys() -> (SigningKey, SendgridKey) {
        let signing = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let der = signing.verifying_key().to_public_key_der().unwrap();
        let shown = BASE64.encode(der.as_bytes());
        (signing, SendgridKey::from_base64(&shown).unwrap())
    }

    fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
        let signature: Signature = key.sign(&[timestamp.as_bytes(), body].concat());
        BASE64.encode(signature.to_der().as_bytes())
    }

    #[test]
    fn sendgrid_signatures_are_checked_over_timestamp_and_body() {
        let (signing, key) = keys();
        let now = Utc::now();
        let ts = now.timestamp().to_string();
        let body =
            br#"[{"email":"Gone@Example.com","event":"bounce","type":"bounce","reason":"550 5.1.1 no such user"},
            {"email":"soft@example.com","event":"bounce","type":"blocked","reason":"421 try later"},
            {"email":"angry@example.com","event":"spamreport"},
            {"email":"fine@example.com","event":"delivered"}]"#;
        let signature = sign(&signing, &ts, body);
        let reports = key.verify(Some(&signature), Some(&ts), body, now).unwrap();
        assert_eq!(
            reports,
            [
                Report {
                    email: "gone@example.com".into(),
                    reason: SuppressionReason::Bounce,
                    detail: "550 5.1.1 no such user".into()
                },
                Report {
                    email: "angry@example.com".into(),
                    reason: SuppressionReason::Complaint,
                    detail: String::new()
                },
            ]
        );
        // Another body, another timestamp, another key, or no signature: refused.
        let mut altered = body.to_vec();
        altered[12] = b'X';
        assert_eq!(key.verify(Some(&signature), Some(&ts), &altered, now), Err(Refused::Signature));
        let other_ts = (now.timestamp() + 1).to_string();
        assert_eq!(key.verify(Some(&signature), Some(&other_ts), body, now), Err(Refused::Signature));
        let stranger = SigningKey::from_slice(&[9u8; 32]).unwrap();
        assert_eq!(key.verify(Some(&sign(&stranger, &ts, body)), Some(&ts), body, now), Err(Refused::Signature));
        assert_eq!(key.verify(None, Some(&ts), body, now), Err(Refused::Signature));
        assert_eq!(key.verify(Some("not base64!"), Some(&ts), body, now), Err(Refused::Signature));
        assert_eq!(key.verify(Some(&signature), None, body, now), Err(Refused::Stale));
        // A genuine request replayed after the window: refused.
        let later = now + SENDGRID_WINDOW + Duration::seconds(1);
        assert_eq!(key.verify(Some(&signature), Some(&ts), body, later), Err(Refused::Stale));
    }

    #[test]
    fn sendgrid_keys_are_read_as_shown() {
        let (signing, key) = keys();
        let der = signing.verifying_key().to_public_key_der().unwrap();
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", BASE64.encode(der.as_bytes()));
        assert_eq!(SendgridKey::from_base64(&pem).unwrap(), key);
        assert_eq!(SendgridKey::from_base64("bm90IGEga2V5"), Err(BadKey));
        assert_eq!(SendgridKey::from_base64("%%%"), Err(BadKey));
    }

    #[test]
    fn postmark_hard_bounces_and_complaints_count() {
        let hard = br#"{"RecordType":"Bounce","Type":"HardBounce","TypeCode":1,"Email":"Gone@Example.com",
            "Description":"The server was unable to deliver your message","Details":"smtp;550 5.1.1 unknown"}"#;
        assert_eq!(
            postmark_reports(hard).unwrap(),
            [Report {
                email: "gone@example.com".into(),
                reason: SuppressionReason::Bounce,
                detail: "The server was unable to deliver your message — smtp;550 5.1.1 unknown".into()
            }]
        );
        let soft = br#"{"RecordType":"Bounce","Type":"SoftBounce","Email":"full@example.com"}"#;
        assert!(postmark_reports(soft).unwrap().is_empty());
        let spam = br#"[{"RecordType":"SpamComplaint","Type":"SpamComplaint","Email":"angry@example.com"}]"#;
        assert_eq!(postmark_reports(spam).unwrap()[0].reason, SuppressionReason::Complaint);
        let delivery = br#"{"RecordType":"Delivery","Recipient":"x@example.com"}"#;
        assert!(postmark_reports(delivery).unwrap().is_empty());
        assert!(matches!(postmark_reports(b"not json"), Err(Refused::Body(_))));
        let bad_address = br#"{"RecordType":"SpamComplaint","Email":"not an address"}"#;
        assert!(postmark_reports(bad_address).unwrap().is_empty());
    }
}
