//! DKIM signing (RFC 6376) of every message a [`crate::Mailer`] sends, with
//! an RSA key (`rsa-sha256`, relaxed/relaxed) through mail-auth. The public
//! half goes in DNS as a TXT record at `SELECTOR._domainkey.DOMAIN`:
//! `v=DKIM1; k=rsa; p=BASE64` (see README, Sending newsletters).

use std::fmt;
use std::path::Path;

use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{DkimSigner, Done};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

use crate::MailError;

/// The header fields signed: the ones a reader sees, the MIME structure,
/// and the one-click unsubscribe pair, which RFC 8058 requires be signed.
const SIGNED: [&str; 9] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// A DKIM signer: a private key, its selector and its domain.
pub struct Dkim {
    signer: DkimSigner<RsaKey<Sha256>, Done>,
    selector: String,
    domain: String,
}

impl fmt::Debug for Dkim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dkim({}._domainkey.{})", self.selector, self.domain)
    }
}

impl Dkim {
    /// Reads an RSA private key in PEM (PKCS #1 `RSA PRIVATE KEY` or PKCS #8
    /// `PRIVATE KEY`, as `openssl genpkey` writes it) from `path`.
    pub fn from_pem_file(path: &Path, selector: &str, domain: &str) -> Result<Self, MailError> {
        let refused = |reason: String| MailError::Dkim { path: path.to_owned(), reason };
        let pem = std::fs::read(path).map_err(|e| refused(e.to_string()))?;
        Self::from_pem(&pem, selector, domain).map_err(refused)
    }

    fn from_pem(pem: &[u8], selector: &str, domain: &str) -> Result<Self, String> {
        let valid = |s: &str| {
            !s.is_empty()
                && s.split('.')
                    .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        };
        if !valid(selector) || !valid(domain) {
            return Err(format!("selector {selector:?} and domain {domain:?} must be DNS names"));
        }
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|e| format!("no PEM private key: {e}"))?;
        let key = RsaKey::<Sha256>::from_key_der(der).map_err(|e| format!("not an RSA key: {e}"))?;
        let signer = DkimSigner::from_key(key).domain(domain).selector(selector).headers(SIGNED);
        Ok(Self { signer, selector: selector.to_owned(), domain: domain.to_owned() })
    }

    /// The message with its `DKIM-Signature` field in front.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, MailError> {
        let signature = self.signer.sign(message).map_err(|e| MailError::DkimSign(e.to_string()))?;
        let mut signed = value_closed_up(&signature.to_header()).into_bytes();
        signed.extend_from_slice(message);
        Ok(signed)
    }
}

/// The `DKIM-Signature` field with no whitespace around the value of its
/// `b=` tag.
///
/// mail-auth signs the field as it folds it with `b=` empty, then fills in
/// the signature and folds the field again. A fold that lands right after
/// `b=` or right before the `;` that closes its value is whitespace outside
/// the value (RFC 6376 §3.2: `[FWS] tag-value [FWS]`), which a verifier
/// hashes while the signer had none there: the message fails to verify.
/// Whether a fold lands there depends on the lengths of the fields before
/// it, so some messages (the account mails, with a 2048-bit key) failed and
/// others did not. Whitespace inside the value is part of it and ignored.
fn value_closed_up(field: &str) -> String {
    field
        .split(';')
        .map(|tag| match tag.split_once('=') {
            Some((name, value)) if name.trim() == "b" => format!("{name}={}", value.trim()),
            _ => tag.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_value_is_closed_up_whatever_the_folding() {
        let folded = "DKIM-Signature: v=1; a=rsa-sha256; d=news.example; bh=ab\r\n\tcd=;\r\n\tb=\r\n\tQUJD\r\n\tREVG==\r\n\t;\r\n";
        assert_eq!(
            value_closed_up(folded),
            "DKIM-Signature: v=1; a=rsa-sha256; d=news.example; bh=ab\r\n\tcd=;\r\n\tb=QUJD\r\n\tREVG==;\r\n",
            "only the b= value's ends change; bh= and the folds before b= stay"
        );
        let unfolded = "DKIM-Signature: v=1; bh=abc=; b=QUJDREVG==;\r\n";
        assert_eq!(value_closed_up(unfolded), unfolded);
    }

    #[test]
    fn keys_and_names_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, "not a key").unwrap();
        let error = Dkim::from_pem_file(&path, "mail", "news.example").unwrap_err().to_string();
        assert!(error.contains("key.pem") && error.contains("no PEM private key"), "{error}");
        assert!(Dkim::from_pem_file(&dir.path().join("missing.pem"), "mail", "news.example").is_err());
        assert!(Dkim::from_pem(b"", "bad selector", "news.example").unwrap_err().contains("DNS names"));
        assert!(Dkim::from_pem(b"", "mail", "").unwrap_err().contains("DNS names"));
    }
}
