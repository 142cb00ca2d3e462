//! Group (corporate) subscriptions: a company buys N seats of a plan with its
//! GSTIN. The subscription is the manager's (the buying account); every
//! charge is the plan's price once per seat (`crate::offer::Charge::seats`),
//! invoiced to the company as a B2B tax invoice with its GSTIN; the
//! GSTIN's first two digits are the state that decides CGST + SGST or IGST.
//! Seats are taken by readers the manager invites, or who confirm an address
//! at the company's domain; they give the plan's benefits while the group's
//! subscription gives access, and end with it.
//!
//! Here are the pure rules: a GSTIN's shape and check digit ([`Gstin::parse`]),
//! what a company may buy ([`GroupDraft::parse`]), whether an address is
//! at its domain ([`at_domain`]), and how long a mailed link lasts and whether
//! it may still take a seat ([`LinkKind`], [`check_link`]). The seat cap is the
//! store's, in the transaction that takes a seat.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::email::Email;
use crate::tax::STATES;

/// The most seats one group may buy.
pub const MAX_SEATS: u32 = 1_000;

/// The characters of a GSTIN, in the order its check digit counts them.
const BASE36: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A GSTIN's two-digit state code and the state it names (GST's own codes;
/// 25 and 26 are the merged Dadra and Nagar Haveli and Daman and Diu, 28 and
/// 37 Andhra Pradesh before and after 2014).
const STATE_CODES: [(u8, &str); 38] = [
    (1, "Jammu and Kashmir"),
    (2, "Himachal Pradesh"),
    (3, "Punjab"),
    (4, "Chandigarh"),
    (5, "Uttarakhand"),
    (6, "Haryana"),
    (7, "Delhi"),
    (8, "Rajasthan"),
    (9, "Uttar Pradesh"),
    (10, "Bihar"),
    (11, "Sikkim"),
    (12, "Arunachal Pradesh"),
    (13, "Nagaland"),
    (14, "Manipur"),
    (15, "Mizoram"),
    (16, "Tripura"),
    (17, "Meghalaya"),
    (18, "Assam"),
    (19, "West Bengal"),
    (20, "Jharkhand"),
    (21, "Odisha"),
    (22, "Chhattisgarh"),
    (23, "Madhya Pradesh"),
    (24, "Gujarat"),
    (25, "Dadra and Nagar Haveli and Daman and Diu"),
    (26, "Dadra and Nagar Haveli and Daman and Diu"),
    (27, "Maharashtra"),
    (28, "Andhra Pradesh"),
    (29, "Karnataka"),
    (30, "Goa"),
    (31, "Lakshadweep"),
    (32, "Kerala"),
    (33, "Tamil Nadu"),
    (34, "Puducherry"),
    (35, "Andaman and Nicobar Islands"),
    (36, "Telangana"),
    (37, "Andhra Pradesh"),
    (38, "Ladakh"),
];

/// A checked GST identification number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gstin {
    /// The 15 characters, in capitals.
    pub number: String,
    /// The state its first two digits name, as [`STATES`] spells it.
    pub state: &'static str,
}

/// Why a GSTIN is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GstinError {
    /// Not 15 characters of the right kinds in the right places.
    #[error("a GSTIN is 15 characters: state code, PAN, entity number, Z and a check character (27AAPFU0939F1ZV)")]
    Shape,
    /// The first two digits are no state's code.
    #[error("the GSTIN's first two digits are no state's code")]
    State,
    /// The last character is not the check character of the others.
    #[error("the GSTIN's check character does not match: is it typed right?")]
    CheckDigit,
}

/// The check character of a GSTIN's first 14 characters: each character's
/// value (0–9, A–Z as 10–35) times 1 or 2 alternately, the product's base-36
/// digits summed, and the character that brings the sum to a multiple of 36.
pub fn check_character(first14: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (i, c) in first14.iter().enumerate() {
        let value = u32::try_from(BASE36.iter().position(|b| b == c)?).ok()?;
        let product = value * if i % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    let check = usize::try_from((36 - sum % 36) % 36).ok()?;
    Some(char::from(BASE36[check]))
}

impl Gstin {
    /// Checks a GSTIN as typed (spaces around it and lower case allowed):
    /// two digits of a state's code, a PAN (five letters, four digits, a
    /// letter), an entity character (1–9 or A–Z), `Z`, and the check character.
    pub fn parse(typed: &str) -> Result<Self, GstinError> {
        let number = typed.trim().to_ascii_uppercase();
        let b = number.as_bytes();
        let shape = b.len() == 15
            && b[..2].iter().all(u8::is_ascii_digit)
            && b[2..7].iter().all(u8::is_ascii_uppercase)
            && b[7..11].iter().all(u8::is_ascii_digit)
            && b[11].is_ascii_uppercase()
            && (b[12].is_ascii_uppercase() || (b'1'..=b'9').contains(&b[12]))
            && b[13] == b'Z'
            && b[14].is_ascii_alphanumeric();
        if !shape {
            return Err(GstinError::Shape);
        }
        let code = (b[0] - b'0') * 10 + (b[1] - b'0');
        let state = STATE_CODES.iter().find(|(c, _)| *c == code).map(|(_, s)| *s).ok_or(GstinError::State)?;
        debug_assert!(STATES.contains(&state));
        if check_character(&b[..14]) != Some(char::from(b[14])) {
            return Err(GstinError::CheckDigit);
        }
        Ok(Self { number, state })
    }
}

/// A group as its manager asks for it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDraft {
    /// The company's legal name, as the invoice names the buyer.
    pub company: String,
    /// Its GSTIN.
    pub gstin: Gstin,
    /// Seats to buy, 1 to [`MAX_SEATS`].
    pub seats: u32,
    /// Anyone who confirms an address at this domain may join (lower case), when set.
    pub domain: Option<String>,
}

/// Why a group cannot be bought as asked; the field it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GroupError {
    /// Empty or too long a name.
    #[error("give the company's name, 1 to 120 characters")]
    Company,
    /// A bad GSTIN.
    #[error(transparent)]
    Gstin(#[from] GstinError),
    /// Not 1 to the most seats.
    #[error("a group has 1 to {MAX_SEATS} seats")]
    Seats,
    /// A domain that is not one.
    #[error("the domain is the part of the company's addresses after @ (example.com), or empty")]
    Domain,
}

impl GroupError {
    /// The field of the request it is about.
    pub fn field(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Gstin(_) => "gstin",
            Self::Seats => "seats",
            Self::Domain => "domain",
        }
    }
}

impl GroupDraft {
    /// Checks what a manager typed.
    pub fn parse(company: &str, gstin: &str, seats: i64, domain: &str) -> Result<Self, GroupError> {
        let company = company.split_whitespace().collect::<Vec<_>>().join(" ");
        if company.is_empty() || company.chars().count() > 120 {
            return Err(GroupError::Company);
        }
        let gstin = Gstin::parse(gstin)?;
        let seats = u32::try_from(seats).ok().filter(|s| (1..=MAX_SEATS).contains(s)).ok_or(GroupError::Seats)?;
        let domain = match domain.trim().trim_start_matches('@').to_ascii_lowercase() {
            d if d.is_empty() => None,
            d => {
                // A domain is what an address may have after its @.
                let ok = d.contains('.') && Email::parse(&format!("x@{d}")).is_ok_and(|e| at_domain(&e, &d));
                Some(d).filter(|_| ok).ok_or(GroupError::Domain).map(Some)?
            }
        };
        Ok(Self { company, gstin, seats, domain })
    }
}

/// Whether `email` is at `domain` exactly (not a subdomain, any case).
pub fn at_domain(email: &Email, domain: &str) -> bool {
    email.as_str().rsplit_once('@').is_some_and(|(_, d)| d.eq_ignore_ascii_case(domain))
}

/// What a group's mailed link is: both take a seat once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// The manager invited an address: anyone signed in may use it.
    Invitation,
    /// A reader asked to confirm an address at the group's domain: only
    /// that reader's account may use it.
    Confirmation,
}

impl LinkKind {
    /// How long a link lasts from when it is mailed: an invitation two weeks
    /// (a manager invites colleagues who may be away), a confirmation a day
    /// (the reader asked for it just now, from the join page).
    pub fn lasts(self) -> Duration {
        match self {
            Self::Invitation => Duration::days(14),
            Self::Confirmation => Duration::hours(24),
        }
    }

    /// When a link of this kind mailed at `sent` stops working.
    pub fn expires_at(self, sent: DateTime<Utc>) -> DateTime<Utc> {
        sent + self.lasts()
    }
}

/// Why a mailed link takes no seat; nothing is stored when one is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkRefusal {
    /// No such link, or a confirmation asked for by another account.
    #[error("this link is not valid: it was not copied whole, or it was asked for by another account")]
    NotValid,
    /// It took a seat before.
    #[error("this link was used already: each link takes a seat once")]
    Used,
    /// Past its lifetime ([`LinkKind::lasts`]).
    #[error(
        "this link has expired: an invitation lasts 14 days and an address confirmation 24 hours; ask the group's \
         manager to invite you again, or confirm your address again from the join page"
    )]
    Expired,
}

/// A stored link, as far as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFacts {
    /// The account a confirmation is for (none for an invitation).
    pub for_reader: Option<i64>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether it took a seat already.
    pub used: bool,
}

/// Whether the link may take a seat for `reader_id` at `now`: used first
/// (a spent link says so, whenever), then the account, then the time.
pub fn check_link(link: &LinkFacts, reader_id: i64, now: DateTime<Utc>) -> Result<(), LinkRefusal> {
    if link.used {
        return Err(LinkRefusal::Used);
    }
    if link.for_reader.is_some_and(|r| r != reader_id) {
        return Err(LinkRefusal::NotValid);
    }
    if now >= link.expires_at {
        return Err(LinkRefusal::Expired);
    }
    Ok(())
}

/// Seats still free in a group of `seats` with `taken` held.
pub fn seats_left(seats: u32, taken: u32) -> u32 {
    seats.saturating_sub(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstins_are_checked_by_shape_state_and_check_character() {
        let g = Gstin::parse(" 27aapfu0939f1zv ").unwrap();
        assert_eq!((g.number.as_str(), g.state), ("27AAPFU0939F1ZV", "Maharashtra"));
        assert_eq!(Gstin::parse("29AAGCB7383J1Z4").unwrap().state, "Karnataka");
        assert_eq!(Gstin::parse("33AAACH7409R1Z8").unwrap().state, "Tamil Nadu");
        assert_eq!(Gstin::parse("27AAPFU0939F1ZW"), Err(GstinError::CheckDigit));
        assert_eq!(Gstin::parse("27AAPFU0939F1Z"), Err(GstinError::Shape), "14 characters");
        assert_eq!(Gstin::parse("27AAPF00939F1ZV"), Err(GstinError::Shape), "a digit in the PAN's letters");
        assert_eq!(Gstin::parse("27AAPFU0939F1YV"), Err(GstinError::Shape), "no Z");
        assert_eq!(Gstin::parse("27AAPFU0939F0ZV"), Err(GstinError::Shape), "entity 0");
        assert_eq!(Gstin::parse("99AAPFU0939F1ZV"), Err(GstinError::State));
        assert_eq!(Gstin::parse("00AAPFU0939F1ZV"), Err(GstinError::State));
        assert_eq!(Gstin::parse("२७AAPFU0939F1ZV"), Err(GstinError::Shape), "not ASCII");
    }

    #[test]
    fn the_check_character_is_base_36_luhn() {
        assert_eq!(check_character(b"27AAPFU0939F1Z"), Some('V'));
        assert_eq!(check_character(b"07AAACM0000A1Z"), Some('O'));
        assert_eq!(check_character(b"07aa"), None);
        // Every state's code maps to a state invoices know.
        assert!(STATE_CODES.iter().all(|(_, s)| STATES.contains(s)));
    }

    #[test]
    fn a_group_draft_is_checked_field_by_field() {
        let draft = GroupDraft::parse("  Acme   Traders Pvt Ltd ", "27AAPFU0939F1ZV", 10, "@Acme.example").unwrap();
        assert_eq!((draft.company.as_str(), draft.seats), ("Acme Traders Pvt Ltd", 10));
        assert_eq!(draft.domain.as_deref(), Some("acme.example"));
        assert_eq!(GroupDraft::parse("Acme", "27AAPFU0939F1ZV", 1, " ").unwrap().domain, None);
        let refused = |c: &str, g: &str, s: i64, d: &str| GroupDraft::parse(c, g, s, d).unwrap_err();
        assert_eq!(refused(" ", "27AAPFU0939F1ZV", 1, ""), GroupError::Company);
        assert_eq!(refused("Acme", "27AAPFU0939F1ZW", 1, "").field(), "gstin");
        assert_eq!(refused("Acme", "27AAPFU0939F1ZV", 0, ""), GroupError::Seats);
        assert_eq!(refused("Acme", "27AAPFU0939F1ZV", 1_001, ""), GroupError::Seats);
        assert_eq!(refused("Acme", "27AAPFU0939F1ZV", -3, ""), GroupError::Seats);
        assert_eq!(refused("Acme", "27AAPFU0939F1ZV", 5, "localhost"), GroupError::Domain);
        assert_eq!(refused("Acme", "27AAPFU0939F1ZV", 5, "a b.com"), GroupError::Domain);
    }

    #[test]
    fn addresses_are_at_a_domain_exactly_and_seats_count_down() {
        let email = Email::parse("Asha@Acme.example").unwrap();
        assert!(at_domain(&email, "acme.example"));
        assert!(!at_domain(&email, "example"));
        assert!(!at_domain(&Email::parse("asha@mail.acme.example").unwrap(), "acme.example"));
        assert_eq!((seats_left(10, 3), seats_left(10, 10), seats_left(2, 5)), (7, 0, 0));
    }

    #[test]
    fn links_last_two_weeks_or_a_day_and_take_a_seat_once_for_their_account() {
        let sent = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc();
        let invitation = LinkKind::Invitation.expires_at(sent);
        let confirmation = LinkKind::Confirmation.expires_at(sent);
        assert_eq!(invitation.to_rfc3339(), "2026-12-15T10:00:00+00:00");
        assert_eq!(confirmation.to_rfc3339(), "2026-12-02T10:00:00+00:00");
        let link = LinkFacts { for_reader: None, expires_at: invitation, used: false };
        assert_eq!(check_link(&link, 7, invitation - Duration::seconds(1)), Ok(()));
        assert_eq!(check_link(&link, 7, invitation), Err(LinkRefusal::Expired), "not at its last instant");
        let mine = LinkFacts { for_reader: Some(7), expires_at: confirmation, ..link };
        assert_eq!(check_link(&mine, 7, sent), Ok(()));
        assert_eq!(check_link(&mine, 8, sent), Err(LinkRefusal::NotValid), "another account's");
        assert_eq!(check_link(&mine, 8, confirmation), Err(LinkRefusal::NotValid), "whoever's it is first");
        let spent = LinkFacts { used: true, ..mine };
        assert_eq!(check_link(&spent, 7, sent), Err(LinkRefusal::Used));
        assert_eq!(check_link(&spent, 7, confirmation + Duration::days(30)), Err(LinkRefusal::Used), "used says so");
    }
}
