//! `/newsroom/insights`, for editors and admins: the funnel of a period
//! (visitors → metered readers → paywall → checkout → paid, with rates),
//! the days as an SVG chart drawn here, and tables by day, section, story
//! and variant, each also as CSV (`/newsroom/insights/{by}.csv`). GET only:
//! nothing here changes anything.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use masthead_insights::funnel::{By, CONVERSION, CREDIT};
use masthead_insights::stats::Difference;
use masthead_insights::{Row, chart, csv};

use super::funnel::{FunnelQuery, Period, against_control, label, load};
use crate::http::error::{PageError, Refusal};
use crate::http::guard::{AtLeastEditor, RequireRole};
use crate::http::respond::private;
use crate::http::views::{Layout, private_page};
use crate::{AppState, SharedState};

/// Rows of a table shown on the page (the CSV has them all).
const SHOWN: usize = 50;

#[derive(Template)]
#[template(path = "insights/funnel.html")]
struct InsightsPage<'a> {
    layout: Layout<'a>,
    from: String,
    to: String,
    credit: &'static str,
    conversion: &'static str,
    /// The period's funnel, stage by stage.
    stages: Vec<Stage>,
    /// The chart by day, as SVG markup made (and escaped) by `masthead_insights::chart`.
    chart: String,
    tables: Vec<Table>,
}

/// One stage of the period's funnel.
struct Stage {
    name: &'static str,
    count: i64,
    /// Of the stage before it.
    rate: String,
}

/// One breakdown's table.
struct Table {
    by: &'static str,
    heading: &'static str,
    csv_url: String,
    rows: Vec<Line>,
    /// Rows left off the page.
    more: usize,
    total: Line,
}

/// One row of a table.
struct Line {
    label: String,
    url: Option<String>,
    row: Row,
    overall: String,
    /// By variant: the difference against the control, with its interval.
    against_control: String,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn line(label: String, url: Option<String>, row: Row, against: Option<Difference>) -> Line {
    let overall = percent(row.rates().overall);
    let points = |rate: f64| format!("{:+.1}", rate * 100.0);
    let against_control = against.map_or_else(String::new, |d| {
        format!(
            "{} points (95%: {} to {}){}",
            points(d.estimate),
            points(d.interval.low),
            points(d.interval.high),
            if d.is_clear() { ", clear" } else { "" }
        )
    });
    Line { label, url, row, overall, against_control }
}

fn refused(message: String) -> PageError {
    PageError::Unprocessable(Refusal::new("That period does not work", message))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<SharedState>,
    _editor: RequireRole<AtLeastEditor>,
    Query(query): Query<FunnelQuery>,
) -> Result<Response, PageError> {
    let period = query.period(&state).map_err(refused)?;
    let mut tables = Vec::with_capacity(By::ALL.len());
    let mut stages = Vec::new();
    let mut chart = String::new();
    for by in By::ALL {
        let funnel = load(&state, by, period).await?;
        if by == By::Day {
            let total = &funnel.total;
            let rates = total.rates();
            stages = vec![
                Stage { name: "Visitors", count: total.visitors, rate: String::new() },
                Stage { name: "Metered readers", count: total.metered_readers, rate: percent(rates.metered) },
                Stage { name: "Paywall", count: total.paywall, rate: percent(rates.paywall) },
                Stage { name: "Checkout", count: total.checkout, rate: percent(rates.checkout) },
                Stage { name: "Paid", count: total.paid, rate: percent(rates.paid) },
            ];
            chart = chart::by_day(&funnel.rows, &format!("The funnel by day, {} to {}", period.from, period.to));
        }
        let compared = against_control(&state, by, &funnel).await?;
        let mut rows = Vec::new();
        for (row, against) in funnel.rows.iter().zip(compared).take(SHOWN) {
            let (name, url) = label(&state, by, &row.key).await?.unwrap_or_else(|| (row.key.clone(), None));
            rows.push(line(name, url, row.clone(), against));
        }
        tables.push(Table {
            by: by.as_str(),
            heading: match by {
                By::Day => "By day",
                By::Section => "By section",
                By::Story => "By story",
                By::Variant => "By variant",
            },
            csv_url: csv_url(by, period),
            more: funnel.rows.len().saturating_sub(SHOWN),
            rows,
            total: line("Total".to_owned(), None, funnel.total, None),
        });
    }
    let page = InsightsPage {
        layout: layout(&state),
        from: period.from.to_string(),
        to: period.to.to_string(),
        credit: CREDIT,
        conversion: CONVERSION,
        stages,
        chart,
        tables,
    };
    Ok(private_page(StatusCode::OK, &page))
}

fn layout(state: &AppState) -> Layout<'_> {
    Layout::new(state, "Insights — Newsroom".to_owned(), String::new(), None).without_subscribe()
}

fn csv_url(by: By, period: Period) -> String {
    format!("/newsroom/insights/{}.csv?from={}&to={}", by.as_str(), period.from, period.to)
}

/// `GET /newsroom/insights/{by}.csv?from=&to=`: one table, every row.
#[tracing::instrument(skip_all, fields(table = %table))]
pub(crate) async fn csv(
    State(state): State<SharedState>,
    _editor: RequireRole<AtLeastEditor>,
    Path(table): Path<String>,
    Query(query): Query<FunnelQuery>,
) -> Result<Response, PageError> {
    let by = table.strip_suffix(".csv").and_then(By::parse).ok_or(PageError::NotFound)?;
    let period = query.period(&state).map_err(refused)?;
    let funnel = load(&state, by, period).await?;
    let file = format!("attachment; filename=\"funnel-by-{}-{}-{}.csv\"", by.as_str(), period.from, period.to);
    let headers = [(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)];
    Ok(private((headers, csv::table(by, &funnel)).into_response()))
}
