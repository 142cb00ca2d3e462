//! "Firefox 121 on Windows": a device's browser and system from its
//! `User-Agent`, for "Your devices". A few ordered rules cover the browsers
//! readers use; anything else is named honestly as unknown. Order matters:
//! Edge and Opera also say "Chrome", Chrome also says "Safari".

/// A device as "Your devices" names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Device {
    /// "Chrome 120", "Safari 17", "Unknown browser".
    pub browser: String,
    /// "Android 14", "iOS", "macOS", "Unknown system".
    pub os: String,
}

impl Device {
    /// "Chrome 120 on Android 14".
    pub fn label(&self) -> String {
        format!("{} on {}", self.browser, self.os)
    }
}

/// Browsers by the token that names them, first match wins.
const BROWSERS: &[(&str, &str)] = &[
    ("EdgiOS/", "Edge"),
    ("EdgA/", "Edge"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
    ("curl/", "curl"),
    ("okhttp/", "Android app"),
    ("CFNetwork/", "iOS app"),
];

/// Reads a `User-Agent` header.
pub(crate) fn parse(user_agent: &str) -> Device {
    Device { browser: browser(user_agent), os: os(user_agent) }
}

fn browser(ua: &str) -> String {
    for (token, name) in BROWSERS {
        if let Some(at) = ua.find(token) {
            // Safari's version is in `Version/`, but only Safari says `Safari/` with it.
            if *token == "Version/" && !ua.contains("Safari/") {
                continue;
            }
            let major: String = ua[at + token.len()..].chars().take_while(char::is_ascii_digit).collect();
            return if major.is_empty() { (*name).to_owned() } else { format!("{name} {major}") };
        }
    }
    "Unknown browser".to_owned()
}

fn os(ua: &str) -> String {
    if ua.contains("iPad") {
        "iPadOS".to_owned()
    } else if ua.contains("iPhone") || ua.contains("iPod") {
        "iOS".to_owned()
    } else if let Some(at) = ua.find("Android") {
        let version: String =
            ua[at + "Android".len()..].trim_start().chars().take_while(char::is_ascii_digit).collect();
        if version.is_empty() { "Android".to_owned() } else { format!("Android {version}") }
    } else if ua.contains("Windows") {
        "Windows".to_owned()
    } else if ua.contains("CrOS") {
        "ChromeOS".to_owned()
    } else if ua.contains("Macintosh") || ua.contains("Mac OS X") {
        "macOS".to_owned()
    } else if ua.contains("Linux") || ua.contains("X11") {
        "Linux".to_owned()
    } else {
        "Unknown system".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(ua: &str) -> String {
        parse(ua).label()
    }

    #[test]
    fn common_browsers_are_named_with_their_system() {
        for (ua, expected) in [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                "Chrome 120 on Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
                "Edge 120 on Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
                "Firefox 121 on Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
                "Safari 17 on macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
                "Safari 17 on iOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
                "Chrome 120 on iOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
                "Chrome 120 on Android 14",
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
                "Samsung Internet 23 on Android 13",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
                "Opera 106 on Linux",
            ),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 on Linux"),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                "Chrome 120 on ChromeOS",
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
                "Safari 17 on iPadOS",
            ),
            ("curl/8.5.0", "curl 8 on Unknown system"),
        ] {
            assert_eq!(label(ua), expected, "{ua}");
        }
    }

    #[test]
    fn unknown_or_empty_agents_are_named_as_unknown() {
        assert_eq!(label(""), "Unknown browser on Unknown system");
        assert_eq!(label("SomeBot/1.0"), "Unknown browser on Unknown system");
        assert_eq!(
            label("Mozilla/5.0 (Android) Version/4.0"),
            "Unknown browser on Android",
            "Version/ without Safari/"
        );
    }
}
