//! Money: integer paise inside, rupees with Indian digit grouping when shown.

use std::fmt;

use serde::Serialize;

/// An amount in paise (1/100 of a rupee). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Paise(pub i64);

impl Paise {
    /// From whole rupees.
    pub const fn rupees(rupees: i64) -> Self {
        Self(rupees * 100)
    }
}

impl fmt::Display for Paise {
    /// `₹2,700`, `₹1,00,000`, `₹12.50`: whole rupees without decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (rupees, paise) = (abs / 100, abs % 100);
        write!(f, "{sign}₹{}", group_indian(rupees))?;
        if paise != 0 {
            write!(f, ".{paise:02}")?;
        }
        Ok(())
    }
}

/// Indian digit grouping: the last three digits, then pairs (12,34,567).
pub fn group_indian(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() <= 3 {
        return digits;
    }
    let (head, last3) = digits.split_at(digits.len() - 3);
    let mut out = String::with_capacity(digits.len() + digits.len() / 2);
    let first = head.len() % 2;
    if first == 1 {
        out.push_str(&head[..1]);
    }
    for (i, pair) in head.as_bytes()[first..].chunks(2).enumerate() {
        if i > 0 || first == 1 {
            out.push(',');
        }
        out.push_str(std::str::from_utf8(pair).expect("ASCII digits"));
    }
    out.push(',');
    out.push_str(last3);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indian_grouping() {
        for (n, shown) in [
            (0, "0"),
            (900, "900"),
            (2_700, "2,700"),
            (39_000, "39,000"),
            (100_000, "1,00,000"),
            (1_234_567, "12,34,567"),
            (1_234_567_890, "1,23,45,67,890"),
        ] {
            assert_eq!(group_indian(n), shown);
        }
    }

    #[test]
    fn rupees_show_paise_only_when_there_are_some() {
        assert_eq!(Paise::rupees(2_700).to_string(), "₹2,700");
        assert_eq!(Paise::rupees(100_000).to_string(), "₹1,00,000");
        assert_eq!(Paise(1_250).to_string(), "₹12.50");
        assert_eq!(Paise(-90_000).to_string(), "-₹900");
    }
}
