//! What every e-paper route asks: who is reading and whether they may
//! (staff, or holding the `epaper` benefit); which edition an address names; and the signed,
//! expiring addresses page images are handed out under (see
//! `masthead_epaper::signed`), keyed by a key derived from the site's
//! secret so that checking one needs no database.

use chrono::{DateTime, NaiveDate, Utc};
use masthead_domain::access::Benefit;
use masthead_epaper::signed::Signer;
use masthead_store::{EditionRecord, Store, StoreError};

use crate::http::session::Account;
use crate::http::visitor::CookieKey;
use crate::{AppState, StartError, secret};

/// A reader of the e-paper: the account, if any, and whether it may read.
pub(crate) struct Reader {
    pub account: Option<Account>,
    pub entitled: bool,
}

/// Who asks, and whether they may read: staff always (as they read every
/// story), anyone else while holding the `epaper` benefit.
pub(crate) async fn reader(state: &AppState, account: Option<Account>) -> Result<Reader, StoreError> {
    let entitled = match &account {
        Some(account) if account.role.is_staff() => true,
        Some(account) => {
            let access = state.access.current(&state.store).await?;
            access.benefits(account.id, state.clock.now()).await?.contains(&Benefit::Epaper)
        }
        None => false,
    };
    Ok(Reader { account, entitled })
}

/// The signer of page-image addresses: its key is the site's secret's
/// signature of this purpose, so no other signature the site makes is one.
fn signer_for(key: &CookieKey) -> Signer {
    Signer::new(key.sign_for("epaper page images", "").as_bytes())
}

/// This site's signer of page-image addresses.
pub(crate) fn signer(state: &AppState) -> Signer {
    signer_for(&state.cookie_key)
}

/// A page image's signed address, made at `now`.
fn address(signer: &Signer, sha256: &str, now: i64) -> String {
    let expires = Signer::expiry(now);
    format!("/epaper/images/{sha256}.webp?expires={expires}&sig={}", signer.sign(sha256, expires))
}

/// A page image's signed address, good for a while from now.
pub(crate) fn image_url(state: &AppState, signer: &Signer, sha256: &str) -> String {
    address(signer, sha256, state.clock.now().timestamp())
}

/// A page image's signed address, as a server of this database would hand
/// it out at `now`: for tools beside the site (`masthead epaper sign`).
pub async fn signed_image_path(store: &Store, sha256: &str, now: DateTime<Utc>) -> Result<String, StartError> {
    let key = store.setting_or_insert("cookie_key", || secret::random_hex(32)).await.map_err(StartError::Store)?;
    let key = CookieKey::from_hex(&key).ok_or(StartError::BadSecret)?;
    Ok(address(&signer_for(&key), sha256, now.timestamp()))
}

/// The earliest and latest dates an edition may have (as stored, dates
/// compare as text, so they keep to four-digit years).
pub(crate) fn all_days() -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).expect("a date");
    (first, NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date"))
}

/// A date in an address, `YYYY-MM-DD`.
pub(crate) fn parse_day(text: &str) -> Option<NaiveDate> {
    let exact = |d: &NaiveDate| text.len() == 10 && d.format("%Y-%m-%d").to_string() == text;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(exact)
}

/// The edition an address names: the date's named one, or its first.
pub(crate) async fn edition(
    state: &AppState,
    day: &str,
    name: Option<&str>,
) -> Result<Option<EditionRecord>, StoreError> {
    let Some(day) = parse_day(day) else { return Ok(None) };
    state.store.epaper_edition(day, name.filter(|n| !n.is_empty())).await
}

/// An edition's address.
pub(crate) fn edition_path(edition: &EditionRecord) -> String {
    edition_address(edition.day, &edition.edition)
}

/// The address of the edition of `day` named `name`.
pub(crate) fn edition_address(day: NaiveDate, name: &str) -> String {
    format!("/epaper/{}?edition={}", day.format("%Y-%m-%d"), crate::http::respond::query_value(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_addresses_are_exact() {
        assert_eq!(parse_day("2017-04-13"), NaiveDate::from_ymd_opt(2017, 4, 13));
        assert_eq!(parse_day("2017-4-13"), None);
        assert_eq!(parse_day("2017-02-30"), None);
        assert_eq!(parse_day("../etc"), None);
        assert_eq!(parse_day("12017-04-13"), None);
    }
}
