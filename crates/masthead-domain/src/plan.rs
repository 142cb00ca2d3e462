//! Subscription plans and the figures derived from them on every plan card:
//! price per month (rounded down to whole rupees) and the saving against the
//! dearest plan per month (rounded to the nearest whole percent); and what an
//! admin may save as a plan ([`PlanDraft::parse`]).

use serde::Serialize;
use thiserror::Error;

use crate::access::Benefit;
use crate::money::Paise;

/// A plan in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Catalogue id.
    pub id: i64,
    /// "Smart Essential".
    pub name: String,
    /// What one term costs, GST included.
    pub price: Paise,
    /// How long one term runs.
    pub term_months: u32,
    /// What a subscription on it gives.
    pub benefits: Vec<Benefit>,
    /// Whether it earns partner access codes (one per 12-month block).
    pub partner_eligible: bool,
    /// Offered to new subscribers; inactive plans keep renewing existing ones.
    pub active: bool,
}

impl Plan {
    /// Price per month in whole rupees, rounded down: ₹3,900 over 24 months is ₹162.
    pub fn per_month_rupees(&self) -> i64 {
        self.price.0 / i64::from(self.term_months.max(1)) / 100
    }

    /// "3 Months", "1 Year", "2 Years": the term as the seed's cards print it.
    pub fn term_label(&self) -> String {
        term_label(self.term_months)
    }
}

/// A term of `months` as the plan cards (and a gift's invoice) print it:
/// "3 Months", "1 Year", "2 Years".
pub fn term_label(months: u32) -> String {
    match months {
        12 => "1 Year".to_owned(),
        m if m % 12 == 0 => format!("{} Years", m / 12),
        1 => "1 Month".to_owned(),
        m => format!("{m} Months"),
    }
}

/// Savings of each plan against the dearest per month, as whole percent
/// rounded to nearest; `None` for plans that save nothing. Same order as `plans`.
pub fn save_percents(plans: &[Plan]) -> Vec<Option<u32>> {
    // The dearest per month is the plan with the largest price / term; compare
    // as cross products to stay in integers.
    let Some(dearest) = plans.iter().max_by(|a, b| {
        (i128::from(a.price.0) * i128::from(b.term_months)).cmp(&(i128::from(b.price.0) * i128::from(a.term_months)))
    }) else {
        return Vec::new();
    };
    plans
        .iter()
        .map(|plan| {
            // 1 - (p/t) / (pd/td) = (pd*t - p*td) / (pd*t)
            let numerator = i128::from(dearest.price.0) * i128::from(plan.term_months)
                - i128::from(plan.price.0) * i128::from(dearest.term_months);
            let denominator = i128::from(dearest.price.0) * i128::from(plan.term_months);
            if numerator <= 0 || denominator <= 0 {
                return None;
            }
            let percent = (200 * numerator + denominator) / (2 * denominator);
            u32::try_from(percent).ok().filter(|p| *p > 0)
        })
        .collect()
}

/// The longest term a plan may have (ten years).
pub const MAX_TERM_MONTHS: u32 = 120;

/// A plan as an admin submits it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDraft {
    /// Shown on the cards; 1 to 80 characters.
    pub name: String,
    /// Paise, GST included; more than zero.
    pub price: Paise,
    /// 1 to [`MAX_TERM_MONTHS`].
    pub term_months: u32,
    /// At least one.
    pub benefits: Vec<Benefit>,
    /// Partner codes need a term of 12 months or more.
    pub partner_eligible: bool,
    /// Offered to new subscribers.
    pub active: bool,
}

/// Why a plan cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    /// Empty or too long a name.
    #[error("a plan needs a name of 1 to 80 characters")]
    Name,
    /// Not a positive whole number of paise.
    #[error("the price must be a whole number of paise above zero (₹900 is 90000)")]
    Price,
    /// Out of range.
    #[error("the term must be 1 to {MAX_TERM_MONTHS} months")]
    Term,
    /// Nothing to give.
    #[error("a plan must give at least one benefit")]
    NoBenefits,
    /// Partner codes come in 12-month blocks.
    #[error("only plans of 12 months or more can earn partner codes")]
    PartnerTerm,
}

impl PlanDraft {
    /// Checks the fields an admin typed.
    pub fn parse(
        name: &str,
        price_paise: &str,
        term_months: &str,
        benefits: &[String],
        partner_eligible: bool,
        active: bool,
    ) -> Result<Self, PlanError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(PlanError::Name);
        }
        let price = price_paise.trim().parse::<i64>().ok().filter(|p| *p > 0).ok_or(PlanError::Price)?;
        let term_months = term_months
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|t| (1..=MAX_TERM_MONTHS).contains(t))
            .ok_or(PlanError::Term)?;
        let benefits: Vec<Benefit> =
            Benefit::ALL.into_iter().filter(|b| benefits.iter().any(|s| s == b.as_str())).collect();
        if benefits.is_empty() {
            return Err(PlanError::NoBenefits);
        }
        if partner_eligible && term_months < 12 {
            return Err(PlanError::PartnerTerm);
        }
        Ok(Self { name: name.to_owned(), price: Paise(price), term_months, benefits, partner_eligible, active })
    }
}

/// The seed page's catalogue: Smart Quarterly, Smart Essential, Super Saver.
/// Every plan gives every benefit, the partner bundle from a year up.
pub fn demo_catalogue() -> Vec<Plan> {
    [("Smart Quarterly", 900, 3), ("Smart Essential", 2_700, 12), ("Super Saver", 3_900, 24)]
        .into_iter()
        .zip(1..)
        .map(|((name, rupees, term_months), id)| Plan {
            id,
            name: name.to_owned(),
            price: Paise::rupees(rupees),
            term_months,
            benefits: Benefit::ALL.into_iter().filter(|b| *b != Benefit::PartnerAccess || term_months >= 12).collect(),
            partner_eligible: term_months >= 12,
            active: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_per_month_prices() {
        let plans = demo_catalogue();
        let per_month: Vec<_> = plans.iter().map(Plan::per_month_rupees).collect();
        assert_eq!(per_month, [300, 225, 162]);
    }

    #[test]
    fn seed_savings_against_the_dearest_per_month() {
        // 1 - 225/300 = 25%; 1 - 162.5/300 = 45.8% shown as 46%.
        assert_eq!(save_percents(&demo_catalogue()), [None, Some(25), Some(46)]);
    }

    #[test]
    fn savings_do_not_depend_on_catalogue_order() {
        let mut plans = demo_catalogue();
        plans.reverse();
        assert_eq!(save_percents(&plans), [Some(46), Some(25), None]);
    }

    #[test]
    fn seed_prices_and_terms_print_as_on_the_cards() {
        let plans = demo_catalogue();
        let shown: Vec<_> = plans.iter().map(|p| format!("{} {}", p.price, p.term_label())).collect();
        assert_eq!(shown, ["₹900 3 Months", "₹2,700 1 Year", "₹3,900 2 Years"]);
    }

    #[test]
    fn admins_drafts_are_checked() {
        let all: Vec<String> = Benefit::ALL.iter().map(|b| b.as_str().to_owned()).collect();
        let draft = PlanDraft::parse(" Monthly ", "29900", "1", &all[..1], false, true).unwrap();
        assert_eq!((draft.name.as_str(), draft.price, draft.term_months), ("Monthly", Paise(29_900), 1));
        assert_eq!(draft.benefits, [Benefit::PremiumStories]);
        assert_eq!(PlanDraft::parse("", "1", "1", &all, false, true), Err(PlanError::Name));
        assert_eq!(PlanDraft::parse("X", "9.00", "1", &all, false, true), Err(PlanError::Price));
        assert_eq!(PlanDraft::parse("X", "0", "1", &all, false, true), Err(PlanError::Price));
        assert_eq!(PlanDraft::parse("X", "100", "0", &all, false, true), Err(PlanError::Term));
        assert_eq!(PlanDraft::parse("X", "100", "121", &all, false, true), Err(PlanError::Term));
        assert_eq!(PlanDraft::parse("X", "100", "3", &["nothing".into()], false, true), Err(PlanError::NoBenefits));
        assert_eq!(PlanDraft::parse("X", "100", "6", &all, true, true), Err(PlanError::PartnerTerm));
        assert!(PlanDraft::parse("X", "100", "12", &all, true, false).is_ok());
    }

    #[test]
    fn empty_and_single_catalogues_save_nothing() {
        assert!(save_percents(&[]).is_empty());
        assert_eq!(save_percents(&demo_catalogue()[..1]), [None]);
    }
}
