//! Subscription plans and the figures derived from them on every plan card:
//! price per month (rounded down to whole rupees) and the saving against the
//! dearest plan per month (rounded to the nearest whole percent).

use serde::Serialize;

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
}

impl Plan {
    /// Price per month in whole rupees, rounded down: ₹3,900 over 24 months is ₹162.
    pub fn per_month_rupees(&self) -> i64 {
        self.price.0 / i64::from(self.term_months.max(1)) / 100
    }

    /// "3 Months", "1 Year", "2 Years": the term as the seed's cards print it.
    pub fn term_label(&self) -> String {
        match self.term_months {
            12 => "1 Year".to_owned(),
            m if m % 12 == 0 => format!("{} Years", m / 12),
            1 => "1 Month".to_owned(),
            m => format!("{m} Months"),
        }
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

/// The seed page's catalogue: Smart Quarterly, Smart Essential, Super Saver.
pub fn demo_catalogue() -> Vec<Plan> {
    [("Smart Quarterly", 900, 3), ("Smart Essential", 2_700, 12), ("Super Saver", 3_900, 24)]
        .into_iter()
        .zip(1..)
        .map(|((name, rupees, term_months), id)| Plan {
            id,
            name: name.to_owned(),
            price: Paise::rupees(rupees),
            term_months,
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
    fn empty_and_single_catalogues_save_nothing() {
        assert!(save_percents(&[]).is_empty());
        assert_eq!(save_percents(&demo_catalogue()[..1]), [None]);
    }
}
