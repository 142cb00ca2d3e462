//! The assignment: which desk a story is for, who files it and from where, and
//! the cast it is about (a company and its rival, a country, an index, a party).
//!
//! Choosing the cast once per story keeps the headline, standfirst and body
//! about the same things: a Reuters story from Tokyo quotes the Nikkei and the
//! Bank of Japan, a PTI story from Lucknow is about Uttar Pradesh.

use chrono::{Datelike, NaiveDate};
use masthead_domain::Credit;

use crate::desks::{Beat, DESKS, Desk};
use crate::rng::Rng;
use crate::vocabulary::{
    COMMODITIES, Company, Dated, GLOBAL_COMPANIES, GLOBAL_TECH, INDIA, INDIAN_CITIES, INDIAN_COMPANIES,
    INDIAN_FIRST_NAMES, INDIAN_SURNAMES, INDIAN_TECH, Index, MINISTERS, PARTIES, PLACES, PRODUCTS, Party, Place,
    RATINGS, SENSEX, STAFF_WRITERS, STATES, State, THEMES, WORLD_FIRST_NAMES, WORLD_SURNAMES, era_name, pick, place_in,
};

/// Per cent of news-desk stories that are wire copy (opinion and the Smart
/// Investor are staff-only), so that about 35% of the archive is.
const WIRE_SHARE: usize = 41;
/// Per cent of staff stories outside the Smart Investor that are premium, so
/// that about 12% of all stories outside it are (wire copy never is).
const STAFF_PREMIUM_SHARE: usize = 21;
/// Per cent of stories where the news is good: markets up, profits higher.
const GOOD_NEWS_SHARE: usize = 58;

/// A person quoted or named in a story.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    /// Given name.
    pub first: &'static str,
    /// Family name, used on second reference.
    pub last: &'static str,
}

/// Who files a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filer {
    /// A staff writer.
    Staff(&'static str),
    /// A wire agency.
    Wire(&'static str),
}

impl Filer {
    /// The domain's credit.
    pub fn credit(self) -> Credit {
        match self {
            Self::Staff(name) => Credit::Staff(name.to_owned()),
            Self::Wire(agency) => Credit::Wire(agency.to_owned()),
        }
    }
}

/// Everything decided about a story before a word is written.
#[derive(Debug)]
pub struct Assignment {
    /// The desk, hence the section.
    pub desk: &'static Desk,
    /// The publisher's calendar date of publication.
    pub date: NaiveDate,
    /// Its year, for dated vocabulary.
    pub year: u16,
    /// Staff writer or agency.
    pub filer: Filer,
    /// The filing city.
    pub dateline: Option<&'static str>,
    /// For subscribers only.
    pub premium: bool,
    /// About another country (foreign names, dollars, its own markets).
    pub foreign: bool,
    /// Whether the news is good: sets "rose" or "fell" throughout.
    pub up: bool,
    /// The country the story is about (India for stories from home).
    pub place: &'static Place,
    /// Another country in the story.
    pub other: &'static Place,
    /// The city the story is about.
    pub city: &'static str,
    /// The company in the story.
    pub company: &'static Company,
    /// Its rival or counterparty.
    pub rival: &'static Company,
    /// An Indian state.
    pub state: &'static State,
    /// A party and its rival.
    pub party: &'static Party,
    /// See [`Assignment::party`].
    pub rival_party: &'static Party,
    /// The market index quoted.
    pub index: &'static Index,
    /// Its level, in hundredths of a point.
    pub level: u64,
    /// The day's move, in hundredths of a per cent.
    pub move_hundredths: u64,
    /// What the story is about, from the desk's topics.
    pub topic: &'static str,
    /// A traded commodity.
    pub commodity: &'static str,
    /// A brokerage's rating on the company's stock.
    pub rating: &'static str,
    /// A technology product.
    pub product: &'static str,
    /// An investment theme.
    pub theme: &'static str,
    /// A Union minister's title.
    pub minister: &'static str,
    /// Where the quoted analyst works.
    pub firm: &'static str,
    /// An organisation in the news.
    pub organisation: &'static str,
    /// The named source.
    pub source: Person,
    /// Someone appointed or profiled.
    pub appointee: Person,
}

impl Assignment {
    /// Decides everything about a story published on `date`.
    pub fn new(rng: &mut Rng, date: NaiveDate) -> Self {
        let year = u16::try_from(date.year()).unwrap_or(u16::MAX);
        let desk = pick_desk(rng);
        let beat = desk.beat;

        let agency = match beat {
            Beat::Opinion | Beat::SmartInvestor => None,
            _ if rng.percent(WIRE_SHARE) => Some(rng.pick(&["AP", "Reuters", "PTI"])),
            _ => None,
        };
        let foreign = match beat {
            Beat::World => true,
            Beat::Politics | Beat::Opinion | Beat::SmartInvestor => false,
            _ => matches!(agency, Some("AP" | "Reuters")),
        };

        let companies = match (beat, foreign) {
            (Beat::Technology, true) => GLOBAL_TECH,
            (Beat::Technology, false) => INDIAN_TECH,
            (_, true) => GLOBAL_COMPANIES,
            (_, false) => INDIAN_COMPANIES,
        };
        // A foreign market story is about a market (and its companies); a
        // foreign company story comes from the company's home.
        let market = (foreign && beat == Beat::Markets).then(|| pick_place(rng, |p| !p.indices.is_empty()));
        let company = pick_company(rng, companies, year, market);
        let rival = other_than(company, || pick_company(rng, companies, year, market), companies, year);
        let place = match (foreign, beat) {
            (false, _) => &INDIA,
            (true, Beat::Markets) => market.unwrap_or(&PLACES[0]),
            (true, Beat::Companies | Beat::Technology) => place_in(company.city).unwrap_or(&PLACES[0]),
            (true, _) => pick_place(rng, |_| true),
        };
        let other = pick_place(rng, |p| p.country != place.country);

        let state = pick(rng, STATES, year);
        let city = if foreign {
            era_name(place.city, year)
        } else if beat == Beat::Politics {
            // Politics is reported from the state capital or from New Delhi.
            let capital = if rng.percent(50) { state.capital } else { "New Delhi" };
            era_name(capital, year)
        } else {
            era_name(rng.pick_zipf(INDIAN_CITIES), year)
        };

        let dateline = match (beat, agency) {
            (Beat::Opinion, _) => None,
            // PTI files foreign news from New Delhi and from its bureaux abroad.
            (Beat::World, Some("PTI")) => Some(if rng.percent(50) { "New Delhi" } else { city }),
            // Staff cover the world from the New Delhi desk.
            (Beat::World, None) => rng.percent(60).then_some("New Delhi"),
            (_, Some(_)) => Some(city),
            (_, None) => rng.percent(75).then_some(city),
        };
        let filer = match agency {
            Some(agency) => Filer::Wire(agency),
            None => Filer::Staff(rng.pick(STAFF_WRITERS)),
        };
        let premium = match (beat, filer) {
            (Beat::SmartInvestor, _) => true,
            (_, Filer::Wire(_)) => false,
            (_, Filer::Staff(_)) => rng.percent(STAFF_PREMIUM_SHARE),
        };

        let index = if place.indices.is_empty() { &SENSEX } else { rng.pick_zipf(place.indices) };
        let jitter = 970 + rng.between(0, 60);
        let level = index.level(year, date.ordinal()) * jitter / 1000;
        let move_hundredths = 5 + rng.small(246) as u64;

        let party = pick(rng, PARTIES, year);
        let rival_party = other_than(party, || pick(rng, PARTIES, year), PARTIES, year);

        let firms = if foreign { desk.foreign_firms } else { desk.firms };
        let (first_names, surnames) =
            if foreign { (WORLD_FIRST_NAMES, WORLD_SURNAMES) } else { (INDIAN_FIRST_NAMES, INDIAN_SURNAMES) };
        let mut person = || Person { first: rng.pick(first_names), last: rng.pick(surnames) };
        let (source, appointee) = (person(), person());

        Self {
            desk,
            date,
            year,
            filer,
            dateline,
            premium,
            foreign,
            up: rng.percent(GOOD_NEWS_SHARE),
            place,
            other,
            city,
            company,
            rival,
            state,
            party,
            rival_party,
            index,
            level,
            move_hundredths,
            topic: pick(rng, desk.topics, year).text,
            commodity: pick(rng, COMMODITIES, year).text,
            rating: rng.pick_zipf(RATINGS),
            product: pick(rng, PRODUCTS, year).text,
            theme: pick(rng, THEMES, year).text,
            minister: pick(rng, MINISTERS, year).text,
            firm: pick(rng, firms, year).text,
            organisation: pick(rng, desk.organisations, year).text,
            source,
            appointee,
        }
    }
}

/// A desk, by the desks' weights.
fn pick_desk(rng: &mut Rng) -> &'static Desk {
    let mut roll = rng.below(100);
    for desk in &DESKS {
        if roll < desk.weight {
            return desk;
        }
        roll -= desk.weight;
    }
    &DESKS[0]
}

/// A company from the pool, from the market's country if there is one and
/// the draws find one there.
fn pick_company(rng: &mut Rng, pool: &'static [Company], year: u16, market: Option<&Place>) -> &'static Company {
    let Some(market) = market else {
        return pick(rng, pool, year);
    };
    let local = |company: &Company| place_in(company.city).is_some_and(|home| home.country == market.country);
    (0..8).map(|_| pick(rng, pool, year)).find(|company| local(company)).unwrap_or_else(|| pick(rng, pool, year))
}

/// Another item than `first`: a few draws, then the first other one in use.
fn other_than<T: Dated>(first: &T, mut draw: impl FnMut() -> &'static T, pool: &'static [T], year: u16) -> &'static T {
    let differs = |other: &T| other.term().text != first.term().text;
    (0..4)
        .map(|_| draw())
        .find(|other| differs(other))
        .or_else(|| pool.iter().find(|other| differs(other) && other.term().in_use(year)))
        .unwrap_or(&pool[0])
}

/// A foreign place that fits, with Zipf weights; the first that fits if the
/// draws keep missing.
fn pick_place(rng: &mut Rng, fits: impl Fn(&Place) -> bool) -> &'static Place {
    (0..8)
        .map(|_| &PLACES[rng.zipf(PLACES.len())])
        .find(|place| fits(place))
        .or_else(|| PLACES.iter().find(|place| fits(place)))
        .unwrap_or(&PLACES[0])
}
