//! What billing shows: the plan cards and the offer (on `/subscribe` and in
//! the paywall, where each card chooses its plan) with a redeemed offer code's
//! price on the cards it is for, and the house-ad slot.
//! The pages of each step keep their own view models beside their handlers.

use askama::Template;
use chrono::{DateTime, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::offer::{self, Offer as OfferCode, OfferRefusal};
use masthead_domain::plan::{self, Plan};
use masthead_store::HouseAd;

use crate::http::views::Layout;

/// The subscription offer: the plan cards and what every plan includes.
pub(crate) struct Offer {
    pub plans: Vec<PlanCard>,
    pub benefits: Vec<(&'static str, &'static str)>,
    /// Each card is a form that chooses its plan (`POST /subscribe`): the
    /// account step for a reader signed out, else that plan's checkout.
    pub choose: ChooseForm,
    /// An offer code the page was opened with (`?offer=CODE`).
    pub promo: Option<Promo>,
}

impl Offer {
    pub fn new(plans: &[Plan], choose: ChooseForm) -> Self {
        Self {
            plans: PlanCard::catalogue(plans),
            benefits: Benefit::ALL.iter().map(|b| (b.title(), b.description())).collect(),
            choose,
            promo: None,
        }
    }

    /// The offer `code` names (`None` when no offer has it) on the cards of
    /// the plans it is for, valid at `now`; or why it cannot be used.
    pub fn with_code(mut self, code: &str, found: Option<&OfferCode>, plans: &[Plan], now: DateTime<Utc>) -> Self {
        let Some(found) = found else {
            self.promo = Some(Promo { code: code.to_owned(), headline: None, refusal: Some(OfferRefusal::Unknown) });
            return self;
        };
        let mut refusal = found.exhausted().then_some(OfferRefusal::Exhausted);
        for (card, plan) in self.plans.iter_mut().zip(plans).filter(|_| !found.exhausted()) {
            match found.check(plan, now) {
                Ok(()) => card.offer = Some(CardOffer::new(found, plan)),
                Err(OfferRefusal::WrongPlan) => {}
                Err(other) => refusal = Some(other),
            }
        }
        let refusal = match refusal {
            None if self.plans.iter().all(|c| c.offer.is_none()) => Some(OfferRefusal::WrongPlan),
            other => other,
        };
        let headline = Some(format!("{}: {}", found.name, found.describe()));
        self.promo = Some(Promo { code: found.code.clone(), headline, refusal });
        self
    }
}

/// An offer code on the plans page.
pub(crate) struct Promo {
    pub code: String,
    /// "Monsoon sale: 25% off the first term".
    pub headline: Option<String>,
    /// Why it cannot be used, if it cannot.
    pub refusal: Option<OfferRefusal>,
}

/// An offer on a plan's card: what it costs with it.
pub(crate) struct CardOffer {
    /// The code the card's form carries.
    pub code: String,
    /// "₹2,025 with MONSOON25 (25% off the first term), then ₹2,700".
    pub line: String,
    /// What the first payment is.
    pub due: String,
}

impl CardOffer {
    pub fn new(found: &OfferCode, plan: &Plan) -> Self {
        let charge = offer::next_charge(plan, Some(found), None);
        let then =
            if found.forever { String::new() } else { format!(", then {} for {}", plan.price, plan.term_label()) };
        let line = if charge.trial {
            format!("{} with {}{then}", found.describe(), found.code)
        } else {
            format!("{} with {} ({}){then}", charge.amount, found.code, found.describe())
        };
        Self { code: found.code.clone(), line, due: charge.amount.to_string() }
    }
}

/// What a plan card's "Choose" form carries.
pub(crate) struct ChooseForm {
    pub csrf: String,
    pub next: Option<String>,
}

/// `/subscribe`: the plans on a page of their own.
#[derive(Template)]
#[template(path = "subscribe.html")]
pub(crate) struct SubscribePage<'a> {
    pub layout: Layout<'a>,
    pub offer: Offer,
    pub login_url: String,
    pub signed_in: bool,
}

/// A plan as the seed's cards show it.
pub(crate) struct PlanCard {
    pub id: i64,
    pub name: String,
    pub price: String,
    pub term: String,
    pub per_month: String,
    pub save_percent: Option<u32>,
    /// The plan with the largest saving, marked "Best value" in a catalogue.
    pub best_value: bool,
    /// An offer code's price for it, when one is being redeemed.
    pub offer: Option<CardOffer>,
}

impl PlanCard {
    pub fn catalogue(plans: &[Plan]) -> Vec<Self> {
        let savings = plan::save_percents(plans);
        let best = savings.iter().flatten().max().copied();
        plans
            .iter()
            .zip(savings)
            .map(|(plan, save_percent)| Self {
                id: plan.id,
                name: plan.name.clone(),
                price: plan.price.to_string(),
                term: plan.term_label(),
                per_month: format!(
                    "₹{}/Month",
                    masthead_domain::money::group_indian(plan.per_month_rupees().unsigned_abs())
                ),
                save_percent,
                best_value: save_percent.is_some() && save_percent == best,
                offer: None,
            })
            .collect()
    }

    /// The card of one plan (on sale or not).
    pub fn of(plan: &Plan) -> Self {
        Self::catalogue(std::slice::from_ref(plan)).remove(0)
    }
}

/// A page's house ad, for readers without the ad-free benefit.
#[derive(Template)]
#[template(path = "billing/ad_slot.html")]
pub(crate) struct AdSlot<'a> {
    pub ad: Option<&'a HouseAd>,
}
