//! A deterministic generator of a realistic demo news archive, 1997 to today.
//!
//! [`DemoArchive`] writes any number of stories (up to millions, at well over
//! 100,000 a second) across the demo sections, credited to staff writers and
//! wire agencies, with headlines, standfirsts and bodies built from
//! section-specific templates and pools of companies, places, markets and
//! people (the `desks` and `vocabulary` modules).
//! The same `(total, today)` always gives the same archive, byte for byte, and
//! the seed page's AP story ([`seed_story`]) sits in it at its own time.
//!
//! Each story is generated from its index alone, so the archive can be
//! streamed, split or regenerated in any order:
//! - `timeline` decides when story `i` went out and when it was updated;
//! - `assignment` decides its desk, byline, dateline and cast;
//! - `writer` writes its words, from the desks' templates (parsed once, in
//!   `templates`).
//!
//! The archive also makes its own pictures: [`MarketChart`] draws a chart
//! of the index a market story names (the `charts` module).

mod assignment;
mod charts;
mod desks;
mod lettering;
mod newsletters;
mod rng;
mod templates;
mod timeline;
mod vocabulary;
mod writer;

pub use charts::{DemoPicture, MarketChart};
pub use newsletters::{DEMO_NEWSLETTERS, DemoNewsletter};

use chrono::{DateTime, NaiveDate, Utc};
use masthead_domain::{ArticleStatus, Credit, Lang, NewArticle, PublisherZone, SafeHtml};

use crate::assignment::Assignment;
use crate::rng::Rng;
use crate::timeline::{SEED_DATE, SEED_MINUTE, Timeline, local_instant};

/// Keeps the text stream apart from the timing stream of the same story.
const TEXT_SALT: u64 = 0x6D61_7374_6865_6164;

/// The demo archive: `total` stories spread from 1 Jan 1997 to `today`
/// (publisher's calendar).
#[derive(Debug, Clone)]
pub struct DemoArchive {
    timeline: Timeline,
    seed_index: Option<u64>,
}

impl DemoArchive {
    /// An archive of `total` stories published between 1 January 1997 and
    /// `today` in the publisher's `zone` (a `today` before 1997 puts them all
    /// on 1 January 1997).
    pub fn new(total: u64, today: NaiveDate, zone: PublisherZone) -> Self {
        let timeline = Timeline::new(total, today, zone);
        Self { seed_index: timeline.seed_index(), timeline }
    }

    /// All `total` stories in chronological order of first_published_at
    /// (oldest first); deterministic: same (total, today) => byte-identical
    /// output. Exactly one of them is `seed_story(zone)`, at its place in time
    /// (if total >= 1 and today >= 2017-04-13).
    pub fn stories(&self) -> impl Iterator<Item = NewArticle> + '_ {
        (0..self.timeline.total()).map(|index| self.story(index))
    }

    /// The stories as [`Self::stories`] gives them, none dated after `now`:
    /// a story due later today than `now` goes out at `now`, so that no list
    /// shows a story from the future above one published now (what `seed`
    /// writes).
    pub fn stories_until(&self, now: DateTime<Utc>) -> impl Iterator<Item = NewArticle> + '_ {
        self.stories().map(move |mut story| {
            story.first_published_at = story.first_published_at.min(now);
            story.updated_at = story.updated_at.min(now).max(story.first_published_at);
            story
        })
    }

    fn story(&self, index: u64) -> NewArticle {
        if Some(index) == self.seed_index {
            return seed_story(self.timeline.zone());
        }
        let (date, first_published_at) = self.timeline.published(index);
        let mut rng = Rng::for_story(index, TEXT_SALT);
        let assignment = Assignment::new(&mut rng, date);
        let story = writer::write(&assignment, &mut rng);
        NewArticle {
            section: assignment.desk.slug.to_owned(),
            headline: story.headline,
            standfirst: story.standfirst,
            body: story.body,
            credit: assignment.filer.credit(),
            dateline: assignment.dateline.map(str::to_owned),
            premium: assignment.premium,
            status: ArticleStatus::Published,
            first_published_at,
            updated_at: self.timeline.updated(index, first_published_at),
            lang: Lang::site(),
        }
    }
}

/// The seed page's story body, paragraph by paragraph, exactly as captured.
const SEED_PARAGRAPHS: [&str; 11] = [
    "President Vladimir Putin's meeting with US Secretary of State Rex Tillerson hasn't produced any positive shift yet in Russia-US relations, the Kremlin said today.",
    "Putin's spokesman Dmitry Peskov said the Russian leader yesterday gave Tillerson his view of the causes of the current \"deadlock\" in bilateral ties. \"We hope that the US president will become aware of that analysis,\" he said today.",
    "Peskov said in a conference call with reporters that Putin's meeting with Tillerson reflected the \"understanding of the need to maintain a dialogue to search for solutions.\" He added there was no talk yesterday about a possible Trump-Putin meeting.",
    "Asked if the meeting at the Kremlin marked any positive change, Peskov said: \"Too early yet.\"",
    "Russian Foreign Minister Sergey Lavrov said Trump's administration has found itself under pressure from those who \"want to prevent it from curing the wounds inflicted by Barack Obama's administration and are using the Russian card in internal political struggle.\"",
    "Russia's hopes for a thaw in Russia-US ties following Trump's election have been shattered by the congressional investigation into alleged ties between Trump's campaign associates and Russia.",
    "The tense back-and-forth over last week's deadly chemical attack in Syria has added to the strain.",
    "\"It's deplorable, and we regret what is going on, but we can do little except asking to back accusations with facts,\" Lavrov said.",
    "\"There hasn't been a single fact, although under the pressure of President Donald Trump's foes the White House has been forced to periodically make statements containing unfounded accusations against us.\"",
    "Still, Lavrov sought to put a positive spin on the talks with Tillerson, saying they helped improve mutual understanding.",
    "\"The results will not come quickly,\" Lavrov said. \"But at least we agreed to establish a dialogue on a number of important issues, including problems created by the previous administration.",
];

/// The seed page's AP story, verbatim.
pub fn seed_story(zone: PublisherZone) -> NewArticle {
    let published = local_instant(zone, SEED_DATE, SEED_MINUTE);
    NewArticle {
        section: "world".to_owned(),
        headline: "Kremlin: No positive shift yet on Russia-US ties".to_owned(),
        standfirst: "The Kremlin said President Putin's talks with Rex Tillerson have not yet improved relations, as Moscow and Washington trade accusations over Syria.".to_owned(),
        body: SafeHtml::from_paragraphs(SEED_PARAGRAPHS),
        credit: Credit::Wire("AP".to_owned()),
        dateline: Some("Moscow".to_owned()),
        premium: false,
        status: ArticleStatus::Published,
        first_published_at: published,
        updated_at: published,
        lang: Lang::site(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::TimeDelta;
    use masthead_domain::section::DEMO_SECTIONS;

    use super::*;
    use crate::timeline::ARCHIVE_START;
    use crate::writer::{HEADLINE_CHARS, MAX_PARAGRAPHS, MIN_PARAGRAPHS};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    fn archive(total: u64) -> Vec<NewArticle> {
        DemoArchive::new(total, today(), PublisherZone::default()).stories().collect()
    }

    #[test]
    fn the_same_inputs_give_the_same_archive() {
        let zone = PublisherZone::default();
        let first: Vec<_> = DemoArchive::new(20_000, today(), zone).stories().take(300).collect();
        let second: Vec<_> = DemoArchive::new(20_000, today(), zone).stories().take(300).collect();
        assert_eq!(first, second);
        let other_total: Vec<_> = DemoArchive::new(20_001, today(), zone).stories().take(300).collect();
        assert_ne!(first, other_total, "a different total spreads stories differently");
    }

    #[test]
    fn stories_are_all_there_in_chronological_order() {
        let stories = archive(5_000);
        assert_eq!(stories.len(), 5_000);
        assert!(stories.windows(2).all(|w| w[0].first_published_at <= w[1].first_published_at));
    }

    #[test]
    fn the_seed_story_appears_once_at_its_time() {
        let zone = PublisherZone::default();
        for total in [1, 2, 7, 1_000, 30_000] {
            let stories: Vec<_> = DemoArchive::new(total, today(), zone).stories().collect();
            let seed = seed_story(zone);
            let found: Vec<_> = stories.iter().filter(|s| s.headline == seed.headline).collect();
            assert_eq!(found, [&seed], "total {total}");
            assert!(stories.windows(2).all(|w| w[0].first_published_at <= w[1].first_published_at));
        }
        let before_the_seed = NaiveDate::from_ymd_opt(2017, 4, 12).unwrap();
        let early: Vec<_> = DemoArchive::new(500, before_the_seed, zone).stories().collect();
        assert!(early.iter().all(|s| s.headline != seed_story(zone).headline));
    }

    #[test]
    fn the_seed_story_is_the_captured_page() {
        let zone = PublisherZone::default();
        let seed = seed_story(zone);
        assert_eq!(seed.section, "world");
        assert_eq!(seed.credit, Credit::Wire("AP".into()));
        assert_eq!(seed.dateline.as_deref(), Some("Moscow"));
        assert!(!seed.premium);
        assert_eq!(seed.status, ArticleStatus::Published);
        assert_eq!(zone.format(seed.first_published_at), "Apr 13 2017 | 8:13 PM IST");
        assert_eq!(seed.updated_at, seed.first_published_at);
        let body = seed.body.as_str();
        assert_eq!(body.matches("<p>").count(), 11);
        assert!(body.starts_with("<p>President Vladimir Putin&#39;s meeting with US Secretary of State"));
        assert!(body.contains("Peskov said: &quot;Too early yet.&quot;</p>"));
        assert!(body.ends_with("problems created by the previous administration.</p>\n"));
    }

    #[test]
    fn edge_sizes() {
        assert!(archive(0).is_empty());
        assert_eq!(archive(1), [seed_story(PublisherZone::default())]);
        let before_the_seed = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let one: Vec<_> = DemoArchive::new(1, before_the_seed, PublisherZone::default()).stories().collect();
        assert_eq!(one.len(), 1);
        assert_ne!(one[0].headline, seed_story(PublisherZone::default()).headline);
    }

    #[test]
    fn sections_credits_and_premium_follow_the_rules() {
        let stories = archive(20_000);
        let used: HashSet<_> = stories.iter().map(|s| s.section.as_str()).collect();
        for (slug, _, _) in DEMO_SECTIONS {
            assert!(used.contains(slug), "{slug} unused");
        }
        let mut wire = 0;
        let (mut other, mut other_premium) = (0, 0);
        for story in &stories {
            match story.section.as_str() {
                "smart-investor" => assert!(story.premium, "{}", story.headline),
                "opinion" => {
                    assert!(matches!(story.credit, Credit::Staff(_)), "{}", story.headline);
                    assert_eq!(story.dateline, None);
                }
                _ => {}
            }
            if story.section != "smart-investor" {
                other += 1;
                other_premium += usize::from(story.premium);
            }
            if let Credit::Wire(agency) = &story.credit {
                wire += 1;
                assert!(["AP", "Reuters", "PTI"].contains(&agency.as_str()));
                assert!(story.dateline.is_some());
            }
            assert_eq!(story.status, ArticleStatus::Published);
        }
        let wire_share = wire * 100 / stories.len();
        assert!((30..=40).contains(&wire_share), "{wire_share}% wire");
        let premium_share = other_premium * 100 / other;
        assert!((9..=15).contains(&premium_share), "{premium_share}% premium");
    }

    #[test]
    fn nothing_is_dated_after_now_and_the_order_holds() {
        let zone = PublisherZone::default();
        // 01:00 on the archive's last day, before its first publishing minute.
        let now = zone.instant(today(), 1, 0).unwrap();
        let archive = DemoArchive::new(20_000, today(), zone);
        let due_later = archive.stories().filter(|s| s.first_published_at > now).count();
        assert!(due_later > 0, "the last day has stories after 01:00");
        let stories: Vec<_> = archive.stories_until(now).collect();
        assert!(stories.iter().all(|s| s.first_published_at <= now && s.updated_at <= now));
        assert!(stories.iter().all(|s| s.updated_at >= s.first_published_at));
        assert!(stories.windows(2).all(|w| w[0].first_published_at <= w[1].first_published_at));
        assert_eq!(stories.iter().filter(|s| s.first_published_at == now).count(), due_later);
    }

    #[test]
    fn times_fall_within_publishing_hours_up_to_today() {
        let zone = PublisherZone::default();
        let stories = archive(20_000);
        let (start, _) = zone.day_bounds(ARCHIVE_START);
        let (_, end) = zone.day_bounds(today());
        let mut updated = 0;
        for story in &stories {
            let first = story.first_published_at;
            assert!(first >= start && first < end);
            let day = zone.date(first);
            assert!(zone.instant(day, 6, 0).unwrap() <= first, "{}", zone.format(first));
            assert!(first < zone.instant(day, 23, 30).unwrap(), "{}", zone.format(first));
            assert!(story.updated_at >= first && story.updated_at < end);
            if story.updated_at != first {
                updated += 1;
                assert!(story.updated_at - first >= TimeDelta::minutes(5));
                assert!(story.updated_at - first <= TimeDelta::hours(8));
            }
        }
        let updated_share = updated * 100 / stories.len();
        assert!((21..=29).contains(&updated_share), "{updated_share}% updated");
        assert!(zone.date(stories[0].first_published_at) < NaiveDate::from_ymd_opt(1997, 1, 10).unwrap());
        assert!(zone.date(stories[19_999].first_published_at) > today() - TimeDelta::days(10));
    }

    #[test]
    fn headlines_standfirsts_and_bodies_are_in_bounds() {
        let seed = seed_story(PublisherZone::default());
        for story in archive(20_000).iter().filter(|s| **s != seed) {
            let chars = story.headline.chars().count();
            assert!(HEADLINE_CHARS.contains(&chars), "{chars}: {}", story.headline);
            assert!(story.standfirst.ends_with('.') || story.standfirst.ends_with('?'), "{}", story.standfirst);
            let body = story.body.as_str();
            let paragraphs = body.matches("<p>").count();
            assert!((MIN_PARAGRAPHS..=MAX_PARAGRAPHS).contains(&paragraphs), "{paragraphs}");
            assert!((1_600..=3_500).contains(&body.len()), "{} bytes: {}", body.len(), story.headline);
            assert!(!body.contains(['{', '}']) && !story.headline.contains('{'));
        }
    }

    #[test]
    fn words_wait_for_their_time() {
        let until_2007 = NaiveDate::from_ymd_opt(2007, 12, 31).unwrap();
        let stories: Vec<_> = DemoArchive::new(20_000, until_2007, PublisherZone::default()).stories().collect();
        for story in &stories {
            let text = format!("{} {} {}", story.headline, story.standfirst, story.body.as_str());
            for anachronism in
                ["smartphone", "UPI", "5G", "4G", "crypto", "₹", "Bengaluru", "Gurugram", "Jio", "Paytm", "GST"]
            {
                assert!(!text.contains(anachronism), "{anachronism} in {}: {text}", story.first_published_at);
            }
        }
        assert!(stories.iter().any(|s| s.body.as_str().contains("Rs ")));
        assert!(stories.iter().any(|s| s.dateline.as_deref() == Some("Bangalore")));
    }

    /// The generation rate; run with
    /// `cargo test -p masthead-demo --release -- --ignored --nocapture`.
    #[test]
    #[ignore = "a benchmark: run in release"]
    fn generation_rate() {
        let total = 500_000;
        let archive = DemoArchive::new(total, today(), PublisherZone::default());
        let start = std::time::Instant::now();
        let bytes: usize = archive.stories().map(|s| s.body.as_str().len()).sum();
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "{total} stories in {seconds:.2} s: {:.0} stories/s, {:.0} body bytes on average",
            total as f64 / seconds,
            bytes as f64 / total as f64
        );
    }
}
