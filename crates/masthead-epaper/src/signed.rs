//! Expiring signed addresses for page images: `…?expires=<unix>&sig=<hex>`
//! where the signature is an HMAC-SHA256, under the site's secret, of the
//! image's name and the expiry. Checking one needs no database: the
//! signature holds and the time has not passed, or the image is refused.
//!
//! Expiries are rounded up to a [`WINDOW`] boundary, so a reader who turns
//! pages back and forth gets the same address (and the browser's copy) for
//! a while; an address lives between one and two windows.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How expiries are rounded, in seconds (15 minutes).
pub const WINDOW: i64 = 15 * 60;

/// Why a signed address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The signature does not hold: tampered with, or never issued.
    Forged,
    /// It held, but its time has passed.
    Expired,
}

/// Signs and checks page-image addresses under one key.
#[derive(Clone)]
pub struct Signer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// A signer keyed with `key` (at least 32 bytes of secret).
    pub fn new(key: &[u8]) -> Self {
        Self { mac: <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length") }
    }

    fn mac_of(&self, name: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(name.as_bytes());
        mac.update(b"\0");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// The expiry an address made at `now` gets.
    pub fn expiry(now: i64) -> i64 {
        (now.div_euclid(WINDOW) + 2) * WINDOW
    }

    /// The signature of `name` until `expires`, as hex.
    pub fn sign(&self, name: &str, expires: i64) -> String {
        hex::encode(self.mac_of(name, expires).finalize().into_bytes())
    }

    /// Checks a signature (in constant time), then the time.
    pub fn check(&self, name: &str, expires: i64, signature: &str, now: i64) -> Result<(), Refused> {
        let signature = hex::decode(signature).map_err(|_| Refused::Forged)?;
        self.mac_of(name, expires).verify_slice(&signature).map_err(|_| Refused::Forged)?;
        if now >= expires { Err(Refused::Expired) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn an_address_holds_until_it_expires() {
        let signer = Signer::new(&[7; 32]);
        let now = 1_000_000;
        let expires = Signer::expiry(now);
        assert!(expires - now > WINDOW && expires - now <= 2 * WINDOW);
        let sig = signer.sign(NAME, expires);
        assert_eq!(signer.check(NAME, expires, &sig, now), Ok(()));
        assert_eq!(signer.check(NAME, expires, &sig, expires), Err(Refused::Expired));
    }

    #[test]
    fn tampering_with_any_part_is_forgery() {
        let signer = Signer::new(&[7; 32]);
        let expires = Signer::expiry(0);
        let sig = signer.sign(NAME, expires);
        assert_eq!(signer.check(NAME, expires + 3600, &sig, 0), Err(Refused::Forged));
        assert_eq!(signer.check(&NAME.replace('b', "c"), expires, &sig, 0), Err(Refused::Forged));
        assert_eq!(signer.check(NAME, expires, &sig.replace('a', "b"), 0), Err(Refused::Forged));
        assert_eq!(signer.check(NAME, expires, "zz", 0), Err(Refused::Forged));
        assert_eq!(Signer::new(&[8; 32]).check(NAME, expires, &sig, 0), Err(Refused::Forged));
    }
}
