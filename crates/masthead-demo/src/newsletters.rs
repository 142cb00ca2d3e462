//! The demo publication's newsletters, as the paywall sells them: "Curated
//! Newsletters — insights on markets, finance, politics, tech and more".
//! Three are free; The Smart Investor's weekly letter is for subscribers
//! holding the newsletters benefit.

/// A demo newsletter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoNewsletter {
    /// URL segment.
    pub slug: &'static str,
    /// Name.
    pub name: &'static str,
    /// What it carries.
    pub description: &'static str,
    /// When it goes out, publisher's time ("daily 07:00", "weekly sat 09:00").
    pub cadence: &'static str,
    /// Sections it assembles itself from, comma-separated.
    pub sections: &'static str,
    /// Subscribers with the newsletters benefit only.
    pub subscribers_only: bool,
}

/// The demo's newsletters, in the order `/newsletters` lists them.
pub const DEMO_NEWSLETTERS: [DemoNewsletter; 4] = [
    DemoNewsletter {
        slug: "markets-morning-brief",
        name: "Markets Morning Brief",
        description: "What moved markets overnight and what to watch before the opening bell, in five minutes.",
        cadence: "daily 07:00",
        sections: "markets,economy",
        subscribers_only: false,
    },
    DemoNewsletter {
        slug: "technology-weekly",
        name: "Technology Weekly",
        description: "The week in Indian and global technology: companies, start-ups, policy and the deals behind them.",
        cadence: "weekly fri 18:00",
        sections: "technology",
        subscribers_only: false,
    },
    DemoNewsletter {
        slug: "politics-digest",
        name: "Politics Digest",
        description: "The day's politics from Delhi and the states, and what it means for business.",
        cadence: "daily 19:00",
        sections: "politics",
        subscribers_only: false,
    },
    DemoNewsletter {
        slug: "smart-investor-weekly",
        name: "The Smart Investor Weekly",
        description: "Market analysis and investment insights from The Smart Investor, for subscribers.",
        cadence: "weekly sat 09:00",
        sections: "smart-investor",
        subscribers_only: true,
    },
];
