//! Gift subscriptions: a buyer pays for a plan's term for someone else
//! through the usual checkout (the buyer's invoice as for any payment); on
//! the delivery day the renewal job mails the recipient the code and the
//! redeem link (naming the buyer unless they chose not to be named), once
//! however many runners run it; redeeming adds the term to
//! the redeemer's subscription (`masthead_store::Store::redeem_gift`). The
//! rules are `masthead_domain::gift`.

use chrono::{DateTime, Utc};
use masthead_mail::emails::GiftDelivered;
use masthead_store::StoreError;

use crate::provider::random_hex;
use crate::renewal::RunReport;
use crate::service::Billing;

/// A new gift's code: `GIFT` and 16 random hex digits (64 bits), in capitals.
pub fn new_code() -> String {
    format!("GIFT{}", random_hex(8).to_ascii_uppercase())
}

impl Billing {
    /// Mails every paid gift whose day has come to its recipient, once.
    pub(crate) async fn deliver_gifts(&self, now: DateTime<Utc>, report: &mut RunReport) -> Result<(), StoreError> {
        for gift in self.store.gifts_to_deliver(now).await? {
            if !self.store.claim_gift_delivery(gift.id, now).await? {
                continue;
            }
            // A buyer who left their name out is "Someone" to the recipient.
            let buyer = if gift.anonymous {
                "Someone".to_owned()
            } else {
                self.store.reader(gift.buyer_id).await?.map(|r| r.email).unwrap_or_default()
            };
            let plan = self.store.plan(gift.plan_id).await?;
            let mail = GiftDelivered {
                publisher: self.publisher.clone(),
                buyer,
                plan: plan.map(|p| format!("{} ({})", p.name, p.term_label())).unwrap_or_default(),
                message: gift.message,
                link: format!("{}/gifts/redeem?code={}", self.public_url, gift.code),
                code: gift.code,
            };
            self.mail(&gift.recipient_email, &mail).await;
            report.gifts_delivered += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_random_and_survive_normalising() {
        let (a, b) = (new_code(), new_code());
        assert_ne!(a, b);
        assert_eq!(a.len(), 20);
        assert_eq!(masthead_domain::gift::normalise_code(&a.to_lowercase()), a);
    }
}
