//! The writer: fills a desk's templates from an [`Assignment`] and puts
//! together a headline, a standfirst and a body.
//!
//! Slots a template may use:
//! - the cast: `{co}` `{rival}` `{sector}` `{rival_sector}` `{country}`
//!   `{other_country}` `{demonym}` `{leader}` `{city}` `{state}` `{party}`
//!   `{party_h}` `{rival_party}` `{rival_party_h}` `{seats}` `{majority}`
//!   `{won_seats}` `{index}` `{index_h}` `{level}` `{points}` `{move}`
//!   `{move_h}` `{support}` `{resistance}` `{cb}` `{cb_h}` `{currency}`
//!   `{topic}` `{product}` `{theme}` `{commodity}` `{rating}` `{minister}`
//!   `{firm}` `{org}` `{person}`;
//! - people: `{src}` (the named source as a subject: "Aditi Rao, chief
//!   economist at ICRA," the first time, "Rao" after), `{attrib}` ("said Aditi
//!   Rao, …" then "Rao said"), `{anon}`, `{quote}`;
//! - fresh names: `{institute}` `{fund}` `{institution}` `{news}` `{plan}`
//!   `{tone}` `{span}` `{rare}` `{fpis}`;
//! - figures (`h` for headline style, "2.3%"; a headline's figures recur in
//!   its lede): `{pct}` `{hpct}` `{bigpct}` `{hbigpct}` `{daily}` `{share}`
//!   `{bps}` `{money}` `{crore}` `{usd}` `{billions}` `{price}`
//!   `{retail_price}` `{dividend}` `{count}`
//!   `{count_ordinal}` `{num}` `{num30}` `{thousands}` `{times}` `{pe}`
//!   `{ratio}` `{yield}` `{paise}` `{fx}` `{brent}`;
//! - the calendar: `{when}` `{month}` `{prev_month}` `{next_month}` `{year}`
//!   `{next_year}` `{target_year}` `{fy}` `{quarter}` `{quarter_h}` `{session}`;
//! - the direction of the news: `{rose}` `{rises}` `{rise}` `{rising}`
//!   `{rally}` `{rallied}` `{climbed}` `{high}` `{eases}` `{eased}`
//!   `{gained}` `{higher}` `{widened}` `{widening}`
//!   `{gainer}` `{buyers}` `{beat}` `{cues}` `{view}` `{spend}` `{best}`
//!   `{outperformed}` `{adj}`.
//!
//! Text is written into one reusable buffer and sentences are capitalised in
//! place, so a story costs a handful of allocations. The body goes straight
//! into HTML, escaped as it is written (see `Writer::push`): that is what
//! keeps generation well above 100,000 stories a second.

use chrono::Datelike;
use masthead_domain::SafeHtml;
use masthead_domain::time::weekday_name;

use crate::assignment::Assignment;
use crate::desks::Beat;
use crate::rng::Rng;
use crate::templates::{DeskTemplates, Piece, TEMPLATES, Template};
use crate::vocabulary::{
    ANONYMOUS_SOURCES, BRENT, DOWN_ADJECTIVES, FUND_HOUSES, INSTITUTES, INSTITUTIONS, NUMBER_WORDS, PLANS, RARE_WORDS,
    RUPEE, SPANS, TONES, UP_ADJECTIVES, pick,
};

/// Headline length bounds, in characters.
pub const HEADLINE_CHARS: std::ops::RangeInclusive<usize> = 40..=110;
/// The fewest paragraphs in a body.
pub const MIN_PARAGRAPHS: usize = 5;
/// The most paragraphs in a body.
pub const MAX_PARAGRAPHS: usize = 10;

/// Per cent of body sentences that quote a source, that come from the
/// shared connective pool, and that are local colour for stories from home
/// (cumulative thresholds on one roll).
const QUOTE_SHARE: usize = 20;
const GENERAL_SHARE: usize = QUOTE_SHARE + 12;
const INDIAN_SHARE: usize = GENERAL_SHARE + 12;
/// Quotes in one story, at most.
const MAX_QUOTES: usize = 4;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const ORDINALS: [&str; 5] = ["second", "third", "fourth", "fifth", "sixth"];

/// The words of a story.
#[derive(Debug)]
pub struct Story {
    /// The headline.
    pub headline: String,
    /// One or two sentences under it.
    pub standfirst: String,
    /// The body paragraphs.
    pub body: SafeHtml,
}

/// Writes the story for an assignment.
pub fn write(assignment: &Assignment, rng: &mut Rng) -> Story {
    let mut writer = Writer::new(assignment, rng);
    let headline = writer.headline();
    let standfirst = writer.standfirst();
    let body = writer.body();
    Story { headline, standfirst, body }
}

/// Pools whose templates should not repeat within a story.
#[derive(Clone, Copy)]
enum Pool {
    Standfirsts,
    Sentences,
    Indian,
    General,
    Quotes,
    Frames,
}

/// Figures a headline shares with its lede: "profit rises 12%" is followed
/// by "a 12 per cent rise".
#[derive(Clone, Copy)]
enum Figure {
    Pct,
    BigPct,
    Count,
    Num,
    Num30,
    Thousands,
    Bps,
    Crore,
    Usd,
    Billions,
    Paise,
    RupeeRate,
    Price,
}

/// How many kinds of [`Figure`] there are.
const FIGURES: usize = Figure::Price as usize + 1;
/// How many [`Pool`]s there are.
const POOLS: usize = Pool::Frames as usize + 1;

/// What is being written, which decides whether figures are kept, reused or
/// drawn afresh.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Headline,
    Lede,
    Other,
}

struct Writer<'a> {
    a: &'a Assignment,
    /// The desk's templates.
    t: &'static DeskTemplates,
    rng: &'a mut Rng,
    out: String,
    /// Writing the body, as HTML.
    html: bool,
    part: Part,
    /// The first sentence, chosen with the headline.
    lede: Option<&'static Template>,
    /// The headline's figures, by [`Figure`], until the lede reuses them.
    figures: [Option<u64>; FIGURES],
    source_named: bool,
    quotes: usize,
    /// One bit per template already used, per [`Pool`].
    used: [u64; POOLS],
}

impl<'a> Writer<'a> {
    fn new(a: &'a Assignment, rng: &'a mut Rng) -> Self {
        Self {
            a,
            t: TEMPLATES.desk(a.desk),
            rng,
            out: String::with_capacity(4096),
            html: false,
            part: Part::Other,
            lede: None,
            figures: [None; FIGURES],
            source_named: false,
            quotes: 0,
            used: [0; POOLS],
        }
    }

    /// A headline from the desk's angles that fits [`HEADLINE_CHARS`]; its
    /// lede becomes the story's first sentence.
    fn headline(&mut self) -> String {
        let t = self.t;
        let indian: &[_] = if self.a.foreign { &[] } else { &t.indian_angles };
        self.part = Part::Headline;
        for _ in 0..16 {
            let n = self.rng.below(t.angles.len() + indian.len());
            let (headline, lede) = t.angles.get(n).unwrap_or_else(|| &indian[n - t.angles.len()]);
            self.out.clear();
            self.figures = [None; FIGURES];
            self.lede = Some(lede);
            self.sentence(headline);
            if HEADLINE_CHARS.contains(&self.out.chars().count()) {
                return self.out.clone();
            }
        }
        fit_headline(&self.out)
    }

    fn standfirst(&mut self) -> String {
        self.part = Part::Other;
        self.out.clear();
        let pool = &self.t.standfirsts;
        let template = self.fresh(pool, Pool::Standfirsts);
        self.sentence(template);
        if self.rng.percent(30) {
            self.out.push(' ');
            let template = self.fresh(pool, Pool::Standfirsts);
            self.sentence(template);
        }
        self.out.clone()
    }

    /// Paragraphs of two to four sentences, at least five of them, until the
    /// HTML reaches a length drawn between 1.8 and 3.1 KB (at most ten).
    ///
    /// The body is written straight into HTML: template text comes escaped
    /// from [`TEMPLATES`] and slot text is escaped as it is written (see
    /// [`Writer::push`]).
    fn body(&mut self) -> SafeHtml {
        self.out.clear();
        self.html = true;
        let target = 1800 + self.rng.below(1300);
        let mut count = 0;
        while count < MIN_PARAGRAPHS || (self.out.len() < target && count < MAX_PARAGRAPHS) {
            // Short sentences (opinion's) could leave a body short of its
            // target by the last paragraphs: those then run to four.
            let behind = count >= MIN_PARAGRAPHS && self.out.len() < target;
            let sentences = if behind { 4 } else { self.rng.between(2, 4) };
            self.out.push_str("<p>");
            for n in 0..sentences {
                if n >= 2 && self.out.len() >= target {
                    break;
                }
                if n > 0 {
                    self.out.push(' ');
                }
                match self.lede.take() {
                    Some(lede) => {
                        self.part = Part::Lede;
                        self.sentence(lede);
                        self.part = Part::Other;
                    }
                    None => self.body_sentence(),
                }
            }
            self.out.push_str("</p>\n");
            count += 1;
        }
        self.html = false;
        SafeHtml::from_storage(std::mem::take(&mut self.out))
    }

    fn body_sentence(&mut self) {
        let (a, t) = (self.a, self.t);
        let roll = self.rng.below(100);
        let template = if roll < QUOTE_SHARE && !t.quotes.is_empty() && self.quotes < MAX_QUOTES {
            self.quotes += 1;
            self.fresh(&TEMPLATES.quote_frames, Pool::Frames)
        } else if roll < GENERAL_SHARE && a.desk.beat != Beat::Opinion {
            self.fresh(&TEMPLATES.general, Pool::General)
        } else if roll < INDIAN_SHARE && !a.foreign && !t.indian.is_empty() {
            self.fresh(&t.indian, Pool::Indian)
        } else {
            self.fresh(&t.sentences, Pool::Sentences)
        };
        self.sentence(template);
    }

    /// A template not yet used in this story, if a few draws find one.
    fn fresh(&mut self, pool: &'static [Template], which: Pool) -> &'static Template {
        let used = &mut self.used[which as usize];
        let mut index = self.rng.below(pool.len());
        for _ in 0..6 {
            if *used & (1 << (index % 64)) == 0 {
                break;
            }
            index = self.rng.below(pool.len());
        }
        *used |= 1 << (index % 64);
        &pool[index]
    }

    /// A figure: drawn afresh, except that the headline's first figure of
    /// each kind is kept and reused by the lede's first of that kind.
    fn figure(&mut self, kind: Figure, draw: impl FnOnce(&mut Rng) -> u64) -> u64 {
        let kept = &mut self.figures[kind as usize];
        match self.part {
            Part::Headline if kept.is_none() => *kept.insert(draw(self.rng)),
            Part::Lede => kept.take().unwrap_or_else(|| draw(self.rng)),
            _ => draw(self.rng),
        }
    }

    /// Writes a template as a sentence, capitalising its first letter.
    fn sentence(&mut self, template: &Template) {
        let mut at = self.out.len();
        self.expand(template);
        while let Some(quote) =
            ["\"", "'", "&quot;", "&#39;"].into_iter().find(|quote| self.out[at..].starts_with(quote))
        {
            at += quote.len();
        }
        if let Some(first) = self.out.get_mut(at..at + 1) {
            first.make_ascii_uppercase();
        }
    }

    /// Writes a template, filling its slots.
    fn expand(&mut self, template: &Template) {
        for piece in template.pieces() {
            match piece {
                Piece::Text { html, .. } if self.html => self.out.push_str(html),
                Piece::Text { plain, .. } => self.out.push_str(plain),
                Piece::Slot(slot) => self.fill(slot),
            }
        }
    }

    /// Appends a slot's text, escaped when writing the body's HTML, exactly
    /// as `SafeHtml::from_paragraphs` escapes it (a test holds it to that).
    /// The domain's escaper allocates and pushes one `char` at a time; this
    /// one copies runs of plain text into the story's buffer.
    fn push(&mut self, text: &str) {
        if !self.html {
            return self.out.push_str(text);
        }
        let mut rest = text;
        while let Some(at) = find_special(rest.as_bytes()) {
            self.out.push_str(&rest[..at]);
            self.out.push_str(entity(rest.as_bytes()[at]));
            rest = &rest[at + 1..];
        }
        self.out.push_str(rest);
    }

    /// Pushes the text for one slot; an unknown slot is written back as is,
    /// which the tests catch.
    fn fill(&mut self, slot: &str) {
        let a = self.a;
        let year = a.year;
        let text: &str = match slot {
            // The cast.
            "co" => a.company.name.text,
            "rival" => a.rival.name.text,
            "sector" => a.company.sector,
            "rival_sector" => a.rival.sector,
            "country" => a.place.country,
            "other_country" => a.other.country,
            "demonym" => a.place.demonym,
            "leader" => a.place.leader,
            "city" => a.city,
            "state" => a.state.name.text,
            "party" => a.party.name.text,
            "party_h" => a.party.short,
            "rival_party" => a.rival_party.name.text,
            "rival_party_h" => a.rival_party.short,
            "index" => a.index.name,
            "index_h" => a.index.short,
            "cb" => a.place.central_bank(year),
            "cb_h" => a.place.central_bank_short,
            "currency" => a.place.currency(year),
            "topic" => a.topic,
            "product" => a.product,
            "theme" => a.theme,
            "minister" => a.minister,
            "firm" => a.firm,
            "org" => a.organisation,
            "seats" => return push_number(&mut self.out, u64::from(a.state.seats)),
            "majority" => return push_number(&mut self.out, u64::from(a.state.seats / 2 + 1)),
            "won_seats" => {
                let seats = u64::from(a.state.seats);
                let won = self.rng.between(seats / 5, seats * 3 / 5);
                return push_number(&mut self.out, won);
            }
            "level" => return push_fixed(&mut self.out, a.level, !a.foreign),
            "points" => {
                let points = self.points();
                return push_grouped(&mut self.out, points, !a.foreign);
            }
            "move" => return push_percent(&mut self.out, a.move_hundredths, 2, " per cent"),
            "support" | "resistance" => {
                let step = if a.level >= 500_000 { 10_000 } else { 1_000 };
                let factor = if slot == "support" { 97 } else { 103 };
                let level = a.level * factor / 100 / step * step;
                return push_grouped(&mut self.out, level / 100, !a.foreign);
            }
            "person" => return self.push_person(a.appointee.first, a.appointee.last),
            "commodity" => a.commodity,
            "rating" => a.rating,

            // People.
            "src" => return self.source(false),
            "attrib" => return self.source(true),
            "anon" => self.rng.pick_zipf(ANONYMOUS_SOURCES),
            "quote" => {
                let quote = self.fresh(&self.t.quotes, Pool::Quotes);
                return self.expand(quote);
            }

            // Fresh names.
            "institute" => pick(self.rng, INSTITUTES, year).text,
            "fund" => pick(self.rng, FUND_HOUSES, year).text,
            "institution" => pick(self.rng, INSTITUTIONS, year).text,
            "news" => {
                let news = &TEMPLATES.company_news;
                let index = self.rng.below(news.len());
                return self.expand(&news[index]);
            }
            "plan" => self.rng.pick(PLANS),
            "tone" => self.rng.pick_zipf(TONES),
            "span" => self.rng.pick_zipf(SPANS),
            "rare" => self.rng.pick(RARE_WORDS),
            "fpis" => {
                if year >= 2014 {
                    "FPIs"
                } else {
                    "FIIs"
                }
            }

            // Figures.
            "pct" | "hpct" => {
                // Mostly the 0.5–10% of everyday news, with a long tail.
                let tenths = self.figure(Figure::Pct, |rng| {
                    if rng.percent(75) {
                        5 + (rng.below(100) + rng.below(100)) as u64 / 2
                    } else {
                        1 + rng.small(300) as u64
                    }
                });
                let unit = if slot == "pct" { " per cent" } else { "%" };
                return push_percent(&mut self.out, tenths, 1, unit);
            }
            "bigpct" | "hbigpct" => {
                let percent = self.figure(Figure::BigPct, |rng| rng.between(10, 60));
                push_number(&mut self.out, percent);
                return self.out.push_str(if slot == "bigpct" { " per cent" } else { "%" });
            }
            "daily" => {
                let hundredths = 5 + self.rng.small(296) as u64;
                return push_percent(&mut self.out, hundredths, 2, " per cent");
            }
            "move_h" => return push_percent(&mut self.out, a.move_hundredths, 2, "%"),
            "share" => {
                let percent = self.rng.between(35, 85);
                push_number(&mut self.out, percent);
                " per cent"
            }
            "bps" => {
                const STEPS: [u64; 12] = [10, 15, 20, 25, 25, 25, 35, 40, 50, 50, 75, 100];
                let bps = self.figure(Figure::Bps, |rng| rng.pick(&STEPS));
                push_number(&mut self.out, bps);
                " basis points"
            }
            "money" if a.foreign => return self.usd(),
            "money" | "crore" => return self.crore(),
            "usd" => return self.usd(),
            "billions" => {
                let tenths = self.figure(Figure::Billions, |rng| 10 + rng.small(490) as u64);
                self.out.push('$');
                return push_percent(&mut self.out, tenths, 1, " billion");
            }
            "price" => {
                let range = if a.foreign { (500, 90_000) } else { (4_000, 999_900) };
                let hundredths = self.figure(Figure::Price, |rng| rng.between(range.0, range.1));
                self.out.push_str(self.currency_sign());
                return push_fixed(&mut self.out, hundredths, !a.foreign);
            }
            "retail_price" => {
                self.out.push_str(self.currency_sign());
                if a.foreign {
                    return push_number(&mut self.out, self.rng.between(1, 20) * 100 - 1);
                }
                return push_grouped(&mut self.out, self.rng.between(5, 150) * 1000 - 1, true);
            }
            "dividend" => {
                self.out.push_str(self.currency_sign());
                if a.foreign {
                    let cents = self.rng.between(10, 250);
                    return push_fixed(&mut self.out, cents, false);
                }
                return push_number(&mut self.out, self.rng.between(1, 40));
            }
            "count" => {
                let n = self.figure(Figure::Count, |rng| rng.zipf(NUMBER_WORDS.len()) as u64);
                NUMBER_WORDS[n as usize]
            }
            "count_ordinal" => self.rng.pick_zipf(&ORDINALS),
            "num" => {
                let n = self.figure(Figure::Num, |rng| rng.between(12, 140));
                return push_number(&mut self.out, n);
            }
            "num30" => {
                let n = self.figure(Figure::Num30, |rng| rng.between(4, 27));
                return push_number(&mut self.out, n);
            }
            "thousands" => {
                let hundreds = self.figure(Figure::Thousands, |rng| rng.between(1, 50) * 5);
                return push_grouped(&mut self.out, hundreds * 100, false);
            }
            "times" => return push_percent(&mut self.out, self.rng.between(11, 999), 1, ""),
            "pe" => return push_percent(&mut self.out, self.rng.between(80, 650), 1, ""),
            "ratio" => return push_percent(&mut self.out, self.rng.between(1, 12), 1, ""),
            "yield" => {
                let hundredths = if a.foreign { self.rng.between(50, 500) } else { self.rng.between(550, 890) };
                return push_percent(&mut self.out, hundredths, 2, " per cent");
            }
            "paise" => {
                let paise = self.figure(Figure::Paise, |rng| rng.between(2, 60));
                return push_number(&mut self.out, paise);
            }
            "fx" => {
                let level = RUPEE.level(year, a.date.ordinal());
                let paise = self.figure(Figure::RupeeRate, |rng| level * rng.between(990, 1010) / 1000);
                return push_fixed(&mut self.out, paise, false);
            }
            "brent" => {
                let cents = BRENT.level(year, a.date.ordinal()) * self.rng.between(950, 1050) / 1000;
                self.out.push('$');
                return push_fixed(&mut self.out, cents, false);
            }

            // The calendar.
            "when" => {
                if self.rng.percent(85) {
                    self.out.push_str("on ");
                    weekday_name(a.date.weekday())
                } else {
                    "today"
                }
            }
            "month" => MONTHS[a.date.month0() as usize],
            "prev_month" => MONTHS[(a.date.month0() as usize + 11) % 12],
            "next_month" => MONTHS[(a.date.month0() as usize + 1) % 12],
            "year" => return push_number(&mut self.out, u64::from(year)),
            "next_year" => return push_number(&mut self.out, u64::from(year) + 1),
            "target_year" => {
                return push_number(&mut self.out, u64::from(year) + self.rng.between(3, 6));
            }
            "fy" if a.foreign => return push_number(&mut self.out, u64::from(year)),
            "fy" => {
                let starts = u64::from(year) - u64::from(a.date.month() < 4);
                push_number(&mut self.out, starts);
                self.out.push('-');
                let ends = (starts + 1) % 100;
                if ends < 10 {
                    self.out.push('0');
                }
                return push_number(&mut self.out, ends);
            }
            "quarter" => match a.date.month() {
                1..=3 => "the October-December quarter",
                4..=6 => "the January-March quarter",
                7..=9 => "the April-June quarter",
                _ => "the July-September quarter",
            },
            "quarter_h" => match a.date.month() {
                1..=3 => "Q3",
                4..=6 => "Q4",
                7..=9 => "Q1",
                _ => "Q2",
            },
            "session" => match a.date.month() {
                1..=5 => "Budget",
                6..=9 => "Monsoon",
                _ => "Winter",
            },

            // The direction of the news.
            "rose" => self.direction("rose", "fell"),
            "rises" => self.direction("rises", "falls"),
            "rise" => self.direction("rise", "fall"),
            "rising" => self.direction("rising", "falling"),
            "rally" => self.direction("rally", "slide"),
            "rallied" => self.direction("rallied", "slid"),
            "climbed" => self.direction("climbed", "slid"),
            "high" => self.direction("high", "low"),
            "eases" => self.direction("eases", "rises"),
            "eased" => self.direction("eased", "rose"),
            "gained" => self.direction("gained", "lost"),
            "higher" => self.direction("higher", "lower"),
            "widened" => self.direction("widened", "narrowed"),
            "widening" => self.direction("widening", "narrowing"),
            "gainer" => self.direction("gainer", "loser"),
            "buyers" => self.direction("buyers", "sellers"),
            "beat" => self.direction("beat", "missed"),
            "cues" => self.direction("firm", "weak"),
            "view" => self.direction("bullish", "bearish"),
            "spend" => self.direction("stepped up spending on", "cut back spending on"),
            "best" => self.direction("best", "worst"),
            "outperformed" => self.direction("outperformed", "underperformed"),
            "adj" => {
                let pool = if a.up { UP_ADJECTIVES } else { DOWN_ADJECTIVES };
                self.rng.pick_zipf(pool)
            }

            unknown => {
                self.out.push('{');
                self.out.push_str(unknown);
                "}"
            }
        };
        self.push(text);
    }

    fn direction(&self, up: &'static str, down: &'static str) -> &'static str {
        if self.a.up { up } else { down }
    }

    /// The index's move in points, from its level and per cent move.
    fn points(&self) -> u64 {
        (self.a.level / 100 * self.a.move_hundredths / 10_000).max(1)
    }

    /// The named source: full name and role the first time, surname after.
    fn source(&mut self, as_attribution: bool) {
        let source = self.a.source;
        if self.source_named {
            self.push(source.last);
            if as_attribution {
                self.out.push_str(" said");
            }
            return;
        }
        self.source_named = true;
        if as_attribution {
            self.out.push_str("said ");
        }
        self.push_person(source.first, source.last);
        let roles = &self.t.roles;
        if !roles.is_empty() {
            self.out.push_str(", ");
            let index = self.rng.below(roles.len());
            self.expand(&roles[index]);
        }
        if !as_attribution {
            self.out.push(',');
        }
    }

    fn push_person(&mut self, first: &str, last: &str) {
        self.push(first);
        self.out.push(' ');
        self.push(last);
    }

    /// Dollars abroad, rupees at home.
    fn currency_sign(&self) -> &'static str {
        if self.a.foreign { "$" } else { self.rupee_sign() }
    }

    /// "₹" from 2011, when the rupee sign came into use; "Rs" before.
    fn rupee_sign(&self) -> &'static str {
        if self.a.year >= 2011 { "₹" } else { "Rs " }
    }

    /// An amount in crore of rupees, often rounded as reporters round it.
    fn crore(&mut self) {
        let amount = self.figure(Figure::Crore, |rng| {
            let low = 10u64.pow(3 + rng.small(3) as u32 - 1);
            let amount = rng.between(low, low * 10 - 1);
            if rng.percent(60) { amount / (low / 10) * (low / 10) } else { amount }
        });
        self.out.push_str(self.rupee_sign());
        push_grouped(&mut self.out, amount, true);
        self.out.push_str(" crore");
    }

    /// An amount in dollars: millions or billions (kept as tenths of a
    /// million, so that both fit one figure).
    fn usd(&mut self) {
        let tenths_of_millions = self.figure(Figure::Usd, |rng| {
            if rng.percent(55) { rng.between(2, 190) * 50 } else { (10 + rng.small(490) as u64) * 1_000 }
        });
        self.out.push('$');
        if tenths_of_millions < 10_000 {
            push_number(&mut self.out, tenths_of_millions / 10);
            self.out.push_str(" million");
        } else {
            push_percent(&mut self.out, tenths_of_millions / 1_000, 1, " billion");
        }
    }
}

/// The entity `SafeHtml::from_paragraphs` writes for a special byte.
fn entity(byte: u8) -> &'static str {
    match byte {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        _ => "&#39;",
    }
}

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// `byte` in each of a word's eight bytes.
const fn splat(byte: u8) -> u64 {
    ONES * byte as u64
}

/// Flags the zero bytes of `x` in their high bits. Bytes above a zero byte
/// may be flagged too, but the lowest flag is always exact.
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The position of the first byte that `flags` flags, testing eight bytes
/// at a time: scanning text is most of the generator's work, and a
/// byte-at-a-time loop halved its speed. The last bytes are padded with
/// zero bytes, which no test flags.
#[inline]
fn find_first(text: &[u8], flags: impl Fn(u64) -> u64) -> Option<usize> {
    let first = |at: usize, word: u64| {
        let found = flags(word);
        (found != 0).then(|| at + (found.trailing_zeros() / 8) as usize)
    };
    let mut chunks = text.chunks_exact(8);
    for (n, chunk) in chunks.by_ref().enumerate() {
        if let Some(found) = first(n * 8, u64::from_le_bytes(chunk.try_into().unwrap_or_default())) {
            return Some(found);
        }
    }
    // Assembled by hand: a copy into a buffer would call `memcpy` on every
    // search, and most searches are over short runs of text.
    let rest = chunks.remainder();
    let last = rest.iter().rev().fold(0, |word, &byte| word << 8 | u64::from(byte));
    first(text.len() - rest.len(), last)
}

/// Flags the bytes HTML escapes: `&` and `'` (0x26, 0x27) differ only in
/// the lowest bit and `<` and `>` (0x3C, 0x3E) in the second, so three tests
/// find all five.
fn special_bytes(word: u64) -> u64 {
    zero_bytes((word ^ splat(b'&')) & splat(!1))
        | zero_bytes((word ^ splat(b'<')) & splat(!2))
        | zero_bytes(word ^ splat(b'"'))
}

/// The position of the first byte HTML escapes.
fn find_special(text: &[u8]) -> Option<usize> {
    find_first(text, special_bytes)
}

/// Forces a headline into bounds when no template fitted (vanishingly rare):
/// long ones are cut at a word, short ones get a kicker.
fn fit_headline(headline: &str) -> String {
    let mut fitted = String::with_capacity(*HEADLINE_CHARS.end() + 4);
    for word in headline.split(' ') {
        if fitted.chars().count() + word.chars().count() + 1 > *HEADLINE_CHARS.end() {
            break;
        }
        if !fitted.is_empty() {
            fitted.push(' ');
        }
        fitted.push_str(word);
    }
    while fitted.chars().count() < *HEADLINE_CHARS.start() {
        fitted.push_str(": what we know");
    }
    fitted
}

/// Writes `n` without grouping (years, small counts).
fn push_number(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// Writes `n` with thousands separators: Indian grouping (`1,23,456`) or
/// Western (`123,456`).
fn push_grouped(out: &mut String, n: u64, indian: bool) {
    let mut plain = String::new();
    push_number(&mut plain, n);
    let len = plain.len();
    for (i, digit) in plain.chars().enumerate() {
        let left = len - i;
        let comma = if indian { left >= 3 && (left - 3).is_multiple_of(2) } else { left.is_multiple_of(3) };
        if comma && i > 0 {
            out.push(',');
        }
        out.push(digit);
    }
}

/// Writes an amount given in hundredths with two decimals, grouped.
pub(crate) fn push_fixed(out: &mut String, hundredths: u64, indian: bool) {
    push_grouped(out, hundredths / 100, indian);
    out.push('.');
    let cents = hundredths % 100;
    if cents < 10 {
        out.push('0');
    }
    push_number(out, cents);
}

/// Writes a number with `decimals` (1 or 2) implied decimal places, dropping
/// a fractional part of zero, then `unit`.
fn push_percent(out: &mut String, scaled: u64, decimals: u32, unit: &str) {
    let scale = 10u64.pow(decimals);
    push_number(out, scaled / scale);
    let fraction = scaled % scale;
    if fraction != 0 {
        out.push('.');
        if decimals == 2 && fraction < 10 {
            out.push('0');
        }
        push_number(out, if decimals == 2 && fraction.is_multiple_of(10) { fraction / 10 } else { fraction });
    }
    out.push_str(unit);
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::desks::DESKS;

    fn number(f: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        f(&mut out);
        out
    }

    #[test]
    fn numbers_are_grouped_as_indian_and_western_readers_expect() {
        assert_eq!(number(|o| push_grouped(o, 1_234_567, true)), "12,34,567");
        assert_eq!(number(|o| push_grouped(o, 1_234_567, false)), "1,234,567");
        assert_eq!(number(|o| push_grouped(o, 4_200, true)), "4,200");
        assert_eq!(number(|o| push_grouped(o, 999, true)), "999");
        assert_eq!(number(|o| push_fixed(o, 7_411_939, false)), "74,119.39");
        assert_eq!(number(|o| push_fixed(o, 8_305, false)), "83.05");
        assert_eq!(number(|o| push_percent(o, 23, 1, " per cent")), "2.3 per cent");
        assert_eq!(number(|o| push_percent(o, 40, 1, "%")), "4%");
        assert_eq!(number(|o| push_percent(o, 85, 2, "")), "0.85");
        assert_eq!(number(|o| push_percent(o, 705, 2, "")), "7.05");
        assert_eq!(number(|o| push_percent(o, 710, 2, "")), "7.1");
    }

    #[test]
    fn paragraphs_are_escaped_exactly_as_the_domain_escapes_them() {
        let tricky = ["", "plain", "\"Quoted,\" he said & left <b>bold</b> it's ₹4,200 — done", "&&''\"\"<<>>", "₹"];
        let date = NaiveDate::from_ymd_opt(2012, 5, 1).unwrap();
        let mut rng = Rng::for_story(0, 3);
        let a = Assignment::new(&mut rng, date);
        let mut writer = Writer::new(&a, &mut rng);
        writer.html = true;
        for paragraph in tricky {
            writer.out.push_str("<p>");
            writer.push(paragraph);
            writer.out.push_str("</p>\n");
        }
        assert_eq!(writer.out, SafeHtml::from_paragraphs(tricky).as_str());

        for index in 0..2_000 {
            let mut rng = Rng::for_story(index, 3);
            let date = NaiveDate::from_ymd_opt(1997 + (index % 29) as i32, 5, 1).unwrap();
            let a = Assignment::new(&mut rng, date);
            let body = Writer::new(&a, &mut rng).body();
            let mut paragraphs = Vec::new();
            let mut html = body.as_str();
            while let Some(rest) = html.strip_prefix("<p>") {
                let end = rest.find("</p>\n").unwrap();
                paragraphs.push(unescape(&rest[..end]));
                html = &rest[end + 5..];
            }
            assert_eq!(html, "");
            assert_eq!(body, SafeHtml::from_paragraphs(paragraphs.iter().map(String::as_str)));
        }
    }

    fn unescape(html: &str) -> String {
        html.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    #[test]
    fn the_scan_finds_the_first_byte_to_escape() {
        let text = "0123456789abcdef{ghij}k\"l'm&n<o>p₹";
        for at in 0..text.len() {
            let special = text.bytes().skip(at).position(|b| b"&<>\"'".contains(&b));
            assert_eq!(find_special(&text.as_bytes()[at..]), special, "{at}");
        }
        let plain = "%$#()=?;:-+!@ ₹ plain $%()!? ?=;: \x01\x7f";
        assert_eq!(find_special(plain.as_bytes()), None);
        assert_eq!(find_special("₹₹₹'".as_bytes()), Some(9));
    }

    #[test]
    fn overlong_and_short_headlines_are_fitted() {
        let long = "word ".repeat(40);
        assert!(HEADLINE_CHARS.contains(&fit_headline(&long).chars().count()));
        assert!(HEADLINE_CHARS.contains(&fit_headline("Short one").chars().count()));
    }

    /// Every template of every desk, expanded for stories from home and abroad
    /// across the years, leaves no slot unfilled.
    #[test]
    fn every_template_fills_every_slot() {
        let mut seen = [false; 8];
        for index in 0..4_000u64 {
            let mut rng = Rng::for_story(index, 1);
            let year = 1997 + (index % 29) as i32;
            let date = NaiveDate::from_ymd_opt(year, 1 + (index % 12) as u32, 15).unwrap();
            let a = Assignment::new(&mut rng, date);
            let desk_index = DESKS.iter().position(|d| d.slug == a.desk.slug).unwrap();
            seen[desk_index] = true;
            let mut writer = Writer::new(&a, &mut rng);
            let t = writer.t;
            let angles = t.angles.iter().chain(&t.indian_angles);
            let angles: Vec<&Template> = angles.flat_map(|(headline, lede)| [headline, lede]).collect();
            let pools = [
                &t.standfirsts,
                &t.sentences,
                &t.indian,
                &t.quotes,
                &t.roles,
                &TEMPLATES.general,
                &TEMPLATES.quote_frames,
                &TEMPLATES.company_news,
            ];
            let templates = angles.into_iter().chain(pools.into_iter().flat_map(|pool| pool.iter()));
            for template in templates {
                let quotes = template.pieces().iter().any(|p| matches!(p, Piece::Slot("quote")));
                if quotes && t.quotes.is_empty() {
                    continue;
                }
                writer.out.clear();
                writer.source_named = index % 2 == 0;
                writer.sentence(template);
                assert!(!writer.out.contains(['{', '}']), "{}: {}", a.desk.slug, writer.out);
            }
        }
        assert!(seen.iter().all(|&s| s));
    }
}
