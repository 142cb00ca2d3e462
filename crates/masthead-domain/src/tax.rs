//! Indian GST on a subscription invoice: the price is GST-inclusive at 18%;
//! the tax is split into CGST + SGST when buyer and publisher are in the same
//! state, IGST otherwise. Invoices are numbered per financial year (April to
//! March, in the publisher's calendar).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::money::Paise;

/// GST rate on digital news subscriptions, in basis points (18%).
pub const GST_RATE_BP: i64 = 1_800;

/// The SAC code for online news and information services.
pub const SAC_CODE: &str = "998431";

/// India's states and union territories as invoices name them (the place of
/// supply decides CGST + SGST or IGST).
pub const STATES: [&str; 36] = [
    "Andaman and Nicobar Islands",
    "Andhra Pradesh",
    "Arunachal Pradesh",
    "Assam",
    "Bihar",
    "Chandigarh",
    "Chhattisgarh",
    "Dadra and Nagar Haveli and Daman and Diu",
    "Delhi",
    "Goa",
    "Gujarat",
    "Haryana",
    "Himachal Pradesh",
    "Jammu and Kashmir",
    "Jharkhand",
    "Karnataka",
    "Kerala",
    "Ladakh",
    "Lakshadweep",
    "Madhya Pradesh",
    "Maharashtra",
    "Manipur",
    "Meghalaya",
    "Mizoram",
    "Nagaland",
    "Odisha",
    "Puducherry",
    "Punjab",
    "Rajasthan",
    "Sikkim",
    "Tamil Nadu",
    "Telangana",
    "Tripura",
    "Uttar Pradesh",
    "Uttarakhand",
    "West Bengal",
];

/// The state's name as [`STATES`] spells it, whatever the case and spacing.
pub fn state(name: &str) -> Option<&'static str> {
    let wanted = name.split_whitespace().collect::<Vec<_>>().join(" ");
    STATES.into_iter().find(|s| s.eq_ignore_ascii_case(&wanted))
}

/// The publisher as its invoices name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    /// Legal name.
    pub name: String,
    /// Registered address, one line.
    pub address: String,
    /// GST identification number.
    pub gstin: String,
    /// The state it is registered in, one of [`STATES`].
    pub state: String,
}

impl Seller {
    /// The demo publisher's details (a made-up GSTIN of the right shape).
    pub fn demo(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            address: "Nehru House, 4 Bahadur Shah Zafar Marg, New Delhi 110002".to_owned(),
            gstin: "07AAACM0000A1Z5".to_owned(),
            state: "Delhi".to_owned(),
        }
    }
}

/// How an inclusive price splits into taxable value and tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GstSplit {
    /// The price before tax.
    pub taxable: Paise,
    /// Central GST (same-state sales).
    pub cgst: Paise,
    /// State GST (same-state sales).
    pub sgst: Paise,
    /// Integrated GST (sales to another state).
    pub igst: Paise,
}

impl GstSplit {
    /// Splits a GST-inclusive `price`. The taxable value is rounded to the
    /// nearest paisa and the tax is the rest, so the parts always add up to
    /// the price; an odd paisa of tax goes to SGST.
    pub fn of(price: Paise, same_state: bool) -> Self {
        let price_paise = i128::from(price.0);
        let divisor = 10_000 + i128::from(GST_RATE_BP);
        // Nearest paisa of price × 10000 / 11800, half away from zero.
        let taxable = (price_paise * 10_000 * 2 + divisor) / (2 * divisor);
        let taxable = i64::try_from(taxable).expect("a price in paise fits");
        let tax = price.0 - taxable;
        if same_state {
            let cgst = tax / 2;
            Self { taxable: Paise(taxable), cgst: Paise(cgst), sgst: Paise(tax - cgst), igst: Paise(0) }
        } else {
            Self { taxable: Paise(taxable), cgst: Paise(0), sgst: Paise(0), igst: Paise(tax) }
        }
    }

    /// Splits what was paid after a discount off a GST-inclusive `list`
    /// price: the tax is on the value after the discount (the discount is
    /// given on the invoice, before tax), and the discount is shown as the
    /// taxable value it took off: the list price's taxable value less the
    /// one charged, so the invoice's lines add up to the paisa.
    pub fn discounted(list: Paise, paid: Paise, same_state: bool) -> (Self, Paise) {
        let split = Self::of(paid, same_state);
        let before = Self::of(list, same_state).taxable;
        (split, Paise((before.0 - split.taxable.0).max(0)))
    }

    /// All tax on the invoice.
    pub fn tax(&self) -> Paise {
        Paise(self.cgst.0 + self.sgst.0 + self.igst.0)
    }
}

/// The financial year a date falls in, as its first calendar year: 1 April
/// 2026 to 31 March 2027 is 2026.
pub fn financial_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 { date.year() } else { date.year() - 1 }
}

/// "2026-27": a financial year as invoices print it.
pub fn financial_year_label(start_year: i32) -> String {
    format!("{start_year}-{:02}", (start_year + 1).rem_euclid(100))
}

/// An invoice number: a prefix, the financial year and a sequence number
/// without gaps within that year, e.g. `MH/2026-27/000042`.
pub fn invoice_number(prefix: &str, start_year: i32, sequence: u64) -> String {
    format!("{prefix}/{}/{sequence:06}", financial_year_label(start_year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_prices_split_into_taxable_value_and_tax() {
        // ₹2,700 inclusive of 18%: ₹2,288.14 taxable, ₹411.86 tax.
        let split = GstSplit::of(Paise::rupees(2_700), true);
        assert_eq!(split.taxable, Paise(228_814));
        assert_eq!(split.tax(), Paise(41_186));
        assert_eq!((split.cgst, split.sgst, split.igst), (Paise(20_593), Paise(20_593), Paise(0)));
        // ₹900: ₹762.71 + ₹137.29; the odd paisa goes to SGST.
        let quarterly = GstSplit::of(Paise::rupees(900), true);
        assert_eq!(quarterly.taxable, Paise(76_271));
        assert_eq!((quarterly.cgst, quarterly.sgst), (Paise(6_864), Paise(6_865)));
    }

    #[test]
    fn other_states_pay_igst_only() {
        let split = GstSplit::of(Paise::rupees(3_900), false);
        assert_eq!(split.taxable, Paise(330_508));
        assert_eq!((split.cgst, split.sgst, split.igst), (Paise(0), Paise(0), Paise(59_492)));
    }

    #[test]
    fn parts_always_add_up_to_the_price() {
        for paise in [1, 99, 100, 118, 11_800, 90_000, 270_000, 390_000, 1_234_567] {
            for same_state in [true, false] {
                let split = GstSplit::of(Paise(paise), same_state);
                assert_eq!(split.taxable.0 + split.tax().0, paise, "{paise} {same_state}");
            }
        }
    }

    #[test]
    fn a_discount_lowers_the_taxable_value_and_the_tax_follows() {
        // ₹2,700 less 25% is ₹2,025 paid: ₹1,716.10 taxable, ₹308.90 tax;
        // the list price's taxable value ₹2,288.14 less ₹572.04 of discount.
        let (split, discount) = GstSplit::discounted(Paise(270_000), Paise(202_500), true);
        assert_eq!((split.taxable, split.cgst, split.sgst), (Paise(171_610), Paise(15_445), Paise(15_445)));
        assert_eq!(discount, Paise(57_204));
        assert_eq!(split.taxable.0 + discount.0, GstSplit::of(Paise(270_000), true).taxable.0);
        let (other, _) = GstSplit::discounted(Paise(270_000), Paise(202_500), false);
        assert_eq!((other.igst, other.cgst), (Paise(30_890), Paise(0)));
        // Without a discount there is nothing to show.
        assert_eq!(GstSplit::discounted(Paise(90_000), Paise(90_000), true).1, Paise(0));
    }

    #[test]
    fn states_are_recognised_in_any_case() {
        assert_eq!(state("  tamil   NADU "), Some("Tamil Nadu"));
        assert_eq!(state("Delhi"), Some("Delhi"));
        assert_eq!(state("Atlantis"), None);
    }

    #[test]
    fn financial_years_turn_on_the_first_of_april() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(financial_year(day(2027, 3, 31)), 2026);
        assert_eq!(financial_year(day(2027, 4, 1)), 2027);
        assert_eq!(financial_year_label(2026), "2026-27");
        assert_eq!(financial_year_label(1999), "1999-00");
        assert_eq!(invoice_number("MH", 2026, 42), "MH/2026-27/000042");
    }
}
