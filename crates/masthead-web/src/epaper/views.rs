//! What the e-paper pages show: one view model per page over the templates
//! in `templates/epaper/`. Dates are formatted here.

use askama::Template;
use chrono::{Datelike, NaiveDate, Weekday};

use crate::http::views::Layout;

/// A date as headings show it: "Thursday, 13 April 2017".
pub(crate) fn long_date(day: NaiveDate) -> String {
    day.format("%A, %-d %B %Y").to_string()
}

/// A day in the calendar.
pub(crate) struct DayCell {
    pub day: u32,
    /// The day's edition, when there is one.
    pub url: Option<String>,
}

/// A month in the calendar: weeks from Monday, blanks outside the month.
pub(crate) struct Month {
    pub title: String,
    pub weeks: Vec<Vec<Option<DayCell>>>,
}

impl Month {
    /// The month holding `first` (its first day), with `url` giving each day's edition.
    pub fn new(first: NaiveDate, url: impl Fn(NaiveDate) -> Option<String>) -> Self {
        let mut weeks = Vec::new();
        let mut week: Vec<Option<DayCell>> = (0..first.weekday().num_days_from_monday()).map(|_| None).collect();
        let mut day = first;
        while day.month() == first.month() {
            week.push(Some(DayCell { day: day.day(), url: url(day) }));
            if day.weekday() == Weekday::Sun {
                weeks.push(std::mem::take(&mut week));
            }
            day = day.succ_opt().expect("a date after one with an edition exists");
        }
        if !week.is_empty() {
            week.resize_with(7, || None);
            weeks.push(week);
        }
        Self { title: first.format("%B %Y").to_string(), weeks }
    }
}

#[derive(Template)]
#[template(path = "epaper/calendar.html")]
pub(crate) struct CalendarPage<'a> {
    pub layout: Layout<'a>,
    pub latest: Option<(String, String)>,
    pub months: Vec<Month>,
}

/// Another edition of the same day.
pub(crate) struct EditionLink {
    pub name: String,
    pub url: String,
    pub current: bool,
}

/// A page's thumbnail in the strip.
pub(crate) struct Thumb {
    pub number: u32,
    pub url: String,
    pub image: String,
    pub current: bool,
}

/// An article region on the page view, in the full rendering's pixels.
pub(crate) struct RegionLink {
    pub url: String,
    pub headline: String,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The page being read.
pub(crate) struct PageView {
    pub number: u32,
    pub width: u32,
    pub height: u32,
    pub image: String,
    pub zoom: String,
    pub regions: Vec<RegionLink>,
}

#[derive(Template)]
#[template(path = "epaper/edition.html")]
pub(crate) struct EditionPage<'a> {
    pub layout: Layout<'a>,
    pub heading: String,
    pub edition: String,
    pub editions: Vec<EditionLink>,
    pub entitled: bool,
    pub signed_in: bool,
    pub login_url: String,
    /// Not entitled: the front page's thumbnail.
    pub front: Option<String>,
    pub thumbs: Vec<Thumb>,
    pub page: Option<PageView>,
    pub pages: u32,
    pub prev_page: Option<String>,
    pub next_page: Option<String>,
    pub prev_day: Option<String>,
    pub next_day: Option<String>,
    pub download: String,
}

#[derive(Template)]
#[template(path = "epaper/region.html")]
pub(crate) struct RegionPage<'a> {
    pub layout: Layout<'a>,
    pub headline: String,
    pub where_printed: String,
    pub paragraphs: Vec<String>,
    pub story: Option<String>,
    pub back: String,
    /// Where the clip form posts.
    pub clip: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "epaper/clip.html")]
pub(crate) struct ClipPage<'a> {
    pub layout: Layout<'a>,
    pub headline: String,
    pub where_printed: String,
    pub image: String,
    pub paragraphs: Vec<String>,
    pub expires: String,
}

/// A clip on the reader's list.
pub(crate) struct ClipLine {
    pub id: i64,
    pub headline: String,
    pub url: String,
    pub printed: String,
    pub status: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "epaper/clips.html")]
pub(crate) struct ClipsPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub clips: Vec<ClipLine>,
    /// Clips left this month.
    pub left: u32,
}

/// A page the e-paper search found.
pub(crate) struct SearchHit {
    pub url: String,
    pub label: String,
    pub snippet: String,
    pub day: NaiveDate,
    pub edition: String,
    pub page: u32,
}

#[derive(Template)]
#[template(path = "epaper/search.html")]
pub(crate) struct SearchPage<'a> {
    pub layout: Layout<'a>,
    pub q: String,
    pub asked: bool,
    pub entitled: bool,
    pub signed_in: bool,
    pub results: Vec<SearchHit>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_weeks_from_monday() {
        let april = Month::new(NaiveDate::from_ymd_opt(2017, 4, 1).unwrap(), |d| {
            (d.day() == 13).then(|| "/epaper/2017-04-13".to_owned())
        });
        assert_eq!(april.title, "April 2017");
        // 1 April 2017 was a Saturday.
        assert!(april.weeks[0][..5].iter().all(Option::is_none));
        assert_eq!(april.weeks[0][5].as_ref().unwrap().day, 1);
        assert!(april.weeks.iter().all(|w| w.len() == 7));
        let thirteenth = april.weeks.iter().flatten().flatten().find(|c| c.day == 13).unwrap();
        assert_eq!(thirteenth.url.as_deref(), Some("/epaper/2017-04-13"));
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2017, 4, 13).unwrap()), "Thursday, 13 April 2017");
    }
}
