//! Random secrets: visitor ids, cookie-signing keys, account tokens, and
//! the marks a page skeleton leaves for its holes. A leaf: it imports nothing
//! from the crate, so every room may use it.

/// `bytes` random bytes from the operating system, as hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex::encode(buf)
}
