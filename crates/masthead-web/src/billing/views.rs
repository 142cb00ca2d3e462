//! What billing shows: the plan cards and the offer (on `/subscribe` and in
//! the paywall, where each card chooses its plan), and the house-ad slot.
//! The pages of each step keep their own view models beside their handlers.

use askama::Template;
use masthead_domain::access::Benefit;
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
}

impl Offer {
    pub fn new(plans: &[Plan], choose: ChooseForm) -> Self {
        Self {
            plans: PlanCard::catalogue(plans),
            benefits: Benefit::ALL.iter().map(|b| (b.title(), b.description())).collect(),
            choose,
        }
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
