//! The one way Masthead makes outbound HTTP(S) requests: to payment
//! providers' APIs and to agencies' feeds. TLS is rustls with the `ring`
//! crypto provider (installed here, once per process) and the system's
//! trusted roots. On Linux those are read as OpenSSL does, so
//! `SSL_CERT_FILE` (a PEM bundle) or `SSL_CERT_DIR` replace the system store
//! (rustls-native-certs reads them): an agency's private CA is trusted by
//! pointing `SSL_CERT_FILE` at the system bundle with that CA appended, and
//! the tests trust their own CA the same way.

use std::sync::Once;
use std::time::Duration;

/// How long one outbound request may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A client builder with TLS ready, Masthead's user agent naming `purpose`,
/// and [`TIMEOUT`]. Callers add what is theirs (extra roots in tests).
pub fn client_builder(purpose: &str) -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(format!("Masthead/{} ({purpose})", env!("CARGO_PKG_VERSION")))
}

/// Makes `ring` the process's rustls crypto provider. reqwest is built
/// without one (its default would pull in aws-lc and a C build); another
/// provider installed first is kept.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
    });
}
