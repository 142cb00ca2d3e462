//! What the page and the API share: the period and breakdown asked for,
//! the funnel loaded for them, and what a row's key names.

use chrono::{Days, NaiveDate};
use std::collections::HashMap;

use masthead_insights::funnel::By;
use masthead_insights::stats::Difference;
use masthead_insights::{Experiment, Funnel};
use masthead_store::StoreError;
use serde::Deserialize;

use crate::AppState;

/// The longest period one funnel covers, in days.
const LONGEST: u64 = 366;
/// The period shown when none is asked for: the last 30 days.
const DEFAULT_DAYS: u64 = 30;

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD&by=day|section|story|variant`, all optional.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FunnelQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

/// The days a funnel covers, both included, in the publisher's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl FunnelQuery {
    /// The period asked for (by default the last [`DEFAULT_DAYS`] up to
    /// today), or what is wrong with it.
    pub(crate) fn period(&self, state: &AppState) -> Result<Period, String> {
        let date = |name: &str, value: &Option<String>| -> Result<Option<NaiveDate>, String> {
            match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| format!("{name}={v:?} is not a date: write it as YYYY-MM-DD")),
            }
        };
        let to = date("to", &self.to)?.unwrap_or_else(|| state.zone.date(state.clock.now()));
        let from =
            date("from", &self.from)?.unwrap_or_else(|| to.checked_sub_days(Days::new(DEFAULT_DAYS - 1)).unwrap_or(to));
        if from > to {
            return Err(format!("from={from} is after to={to}: swap them"));
        }
        if (to - from).num_days() >= LONGEST as i64 {
            return Err(format!("from {from} to {to} is more than {LONGEST} days: ask for a shorter period"));
        }
        Ok(Period { from, to })
    }

    /// The breakdown asked for (by day unless said), or what is wrong with it.
    pub(crate) fn by(&self) -> Result<By, String> {
        match self.by.as_deref() {
            None | Some("") => Ok(By::Day),
            Some(name) => By::parse(name)
                .ok_or_else(|| format!("by={name:?} is not a breakdown: use day, section, story or variant")),
        }
    }
}

/// The funnel of `period` by `by`, counting what this instance has queued.
pub(crate) async fn load(state: &AppState, by: By, period: Period) -> Result<Funnel, StoreError> {
    state.store.flush_events().await?;
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let counts = state.store.insight_counts(by.breakdown(), &from, &to).await?;
    let funnel = Funnel::of(by, &counts);
    if by == By::Day {
        return Ok(funnel);
    }
    let whole = state.store.insight_counts(By::Day.breakdown(), &from, &to).await?;
    Ok(funnel.with_total(&whole))
}

/// Each row's difference against its experiment's control (by variant;
/// nothing for the other breakdowns): a variant's key is
/// `EXPERIMENT/VARIANT` and the control is the experiment's first variant.
pub(crate) async fn against_control(
    state: &AppState,
    by: By,
    funnel: &Funnel,
) -> Result<Vec<Option<Difference>>, StoreError> {
    if by != By::Variant {
        return Ok(vec![None; funnel.rows.len()]);
    }
    let experiments = state.store.experiments().await?;
    let controls: HashMap<String, String> = experiments
        .iter()
        .filter_map(|stored| {
            let experiment = Experiment::from_stored(&stored.name, &stored.variants).ok()?;
            let control = experiment.variants.first()?;
            Some((stored.name.clone(), experiment.key(control)))
        })
        .collect();
    Ok(funnel.against_control(|key| key.split_once('/').and_then(|(name, _)| controls.get(name).cloned())))
}

/// What a row's key names, for people: a story's headline and address, a
/// section's name; `None` for a key with nothing to add (a day, a variant).
pub(crate) async fn label(state: &AppState, by: By, key: &str) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(match by {
        _ if key.is_empty() => Some((format!("No {}", by.as_str()), None)),
        By::Section => state.section(key).map(|section| (section.name, Some(format!("/{key}")))),
        By::Story => match key.parse::<i64>() {
            Ok(id) => state
                .content
                .current(&state.store)
                .await?
                .story(id)
                .await?
                .map(|story| (story.article.summary.headline.clone(), Some(story.article.summary.path()))),
            Err(_) => None,
        },
        By::Day | By::Variant => None,
    })
}
