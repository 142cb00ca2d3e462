//! `/newsroom/experiments`, for admins: paywall experiments — make one
//! (variants with weights, each setting the meter limit and/or the paywall's
//! headline, text and highlighted plan and/or a registration wall), start it, and stop it by choosing
//! a winner, whose settings become everyone's. Every form carries the CSRF
//! token; a refused form is answered 422 with every reason, and nothing is
//! stored. Started and stopped experiments reach every instance on its
//! next request through the access counter (`read_model::current::Experiments`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_insights::Experiment;
use masthead_insights::experiment::{MOST_VARIANTS, VariantForm};
use masthead_store::{ExperimentState, StoredExperiment};
use serde::Deserialize;

use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{PageError, Refusal};
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::respond::see_other;
use crate::http::views::{Layout, private_page};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// Variant rows the form offers (blank ones are skipped).
const ROWS: usize = 4;

#[derive(Template)]
#[template(path = "insights/experiments.html")]
struct ExperimentsPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    notice: Option<&'static str>,
    /// Why the form was refused.
    reasons: Vec<String>,
    /// What readers get outside an experiment.
    default: String,
    experiments: Vec<Shown>,
    /// The form, as typed.
    name: String,
    rows: Vec<VariantForm>,
    plans: Vec<(i64, String)>,
}

/// One experiment on the page.
struct Shown {
    id: i64,
    name: String,
    state: &'static str,
    /// Each variant: name, weight, what it sets.
    variants: Vec<(String, u32, String)>,
    dates: String,
    winner: Option<String>,
    running: bool,
    draft: bool,
}

fn shown(stored: &StoredExperiment) -> Shown {
    let variants = Experiment::from_stored(&stored.name, &stored.variants)
        .map(|e| e.variants.into_iter().map(|v| (v.name, v.weight, v.settings.describe())).collect())
        .unwrap_or_default();
    let day = |at: Option<chrono::DateTime<chrono::Utc>>| at.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string());
    let dates = match (day(stored.started_at), day(stored.stopped_at)) {
        (Some(start), Some(stop)) => format!("ran from {start} to {stop}"),
        (Some(start), None) => format!("running since {start}"),
        _ => format!("made {}", day(Some(stored.created_at)).unwrap_or_default()),
    };
    Shown {
        id: stored.id,
        name: stored.name.clone(),
        state: match stored.state {
            ExperimentState::Draft => "draft",
            ExperimentState::Running => "running",
            ExperimentState::Stopped => "stopped",
        },
        variants,
        dates,
        winner: stored.winner.clone(),
        running: stored.state == ExperimentState::Running,
        draft: stored.state == ExperimentState::Draft,
    }
}

#[derive(Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "made" => "The experiment is saved as a draft. Start it when it is ready.",
        "started" => "The experiment is running: every instance deals readers its variants from their next page.",
        "stopped" => "The experiment is stopped: its winner's settings are everyone's from their next page.",
        _ => return None,
    })
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    notice: Option<&'static str>,
    reasons: Vec<String>,
    form: (String, Vec<VariantForm>),
) -> Result<Response, PageError> {
    let stored = state.store.experiments().await?;
    let current = state.experiments.get(&state.store).await?;
    let default = current.default_settings();
    let limit = default.meter_limit.unwrap_or(state.meter_limit);
    let plans = state.plans.get(&state.store).await?;
    let (name, mut rows) = form;
    rows.resize(ROWS.max(rows.len()), VariantForm::default());
    let page = ExperimentsPage {
        layout: Layout::new(state, "Experiments — Newsroom".to_owned(), String::new(), None).without_subscribe(),
        csrf: csrf::token(state, visitor),
        notice,
        reasons,
        default: format!(
            "{limit} free stories a month; {}",
            if default == &Default::default() {
                "the standard paywall".to_owned()
            } else {
                format!("the latest winner's settings: {}", default.describe())
            }
        ),
        experiments: stored.iter().map(shown).collect(),
        name,
        rows,
        plans: plans.0.iter().map(|plan| (plan.id, plan.name.clone())).collect(),
    };
    Ok(visitor.remember(private_page(status, &page)))
}

/// `GET /newsroom/experiments`.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    render(&state, &visitor, StatusCode::OK, notice(done.done.as_deref()), Vec::new(), Default::default()).await
}

/// The new experiment's form: `name`, and for each row `n` (0 to
/// [`MOST_VARIANTS`] − 1) `variant_n`, `weight_n`, `limit_n`, `headline_n`,
/// `text_n`, `plan_n` and `wall_n`.
fn read_form(fields: &[(String, String)]) -> (String, Vec<VariantForm>) {
    let mut name = String::new();
    let mut rows = vec![VariantForm::default(); MOST_VARIANTS];
    let mut used = 0;
    for (key, value) in fields {
        if key == "name" {
            value.clone_into(&mut name);
            continue;
        }
        let Some((field, n)) = key.rsplit_once('_') else { continue };
        let Some(row) = n.parse::<usize>().ok().filter(|n| *n < MOST_VARIANTS) else { continue };
        let slot = match field {
            "variant" => &mut rows[row].name,
            "weight" => &mut rows[row].weight,
            "limit" => &mut rows[row].meter_limit,
            "headline" => &mut rows[row].headline,
            "text" => &mut rows[row].text,
            "plan" => &mut rows[row].plan,
            "wall" => &mut rows[row].wall,
            _ => continue,
        };
        value.clone_into(slot);
        used = used.max(row + 1);
    }
    rows.truncate(used);
    (name, rows)
}

/// `POST /newsroom/experiments`: saves a draft, or refuses with every reason.
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (name, rows) = read_form(&fields);
    let refuse = |reasons| {
        render(&state, &visitor, StatusCode::UNPROCESSABLE_ENTITY, None, reasons, (name.clone(), rows.clone()))
    };
    let experiment = match Experiment::from_form(&name, &rows) {
        Ok(experiment) => experiment,
        Err(reasons) => return refuse(reasons).await,
    };
    let plans = state.plans.get(&state.store).await?;
    let unknown: Vec<String> = experiment
        .variants
        .iter()
        .filter_map(|v| v.settings.plan.filter(|id| plans.find(*id).is_none()).map(|id| (v, id)))
        .map(|(v, id)| format!("Variant {:?}: plan {id} is not on sale.", v.name))
        .collect();
    if !unknown.is_empty() {
        return refuse(unknown).await;
    }
    let made = state.store.create_experiment(&experiment.name, &experiment.variants_json(), state.clock.now()).await?;
    match made {
        Some(id) => {
            tracing::info!(id, name = %experiment.name, "experiment made");
            Ok(see_other("/newsroom/experiments?done=made"))
        }
        None => {
            refuse(vec![format!("An experiment is already called {:?}: choose another name.", experiment.name)]).await
        }
    }
}

/// `POST /newsroom/experiments/{id}/start`.
#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn start(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<csrf::NoFields>,
) -> Result<Response, PageError> {
    if !state.store.start_experiment(id, state.clock.now()).await? {
        return Err(PageError::Unprocessable(Refusal::new(
            "That experiment cannot start",
            "Only a draft starts, and only while no other experiment runs: stop the running one first.",
        )));
    }
    tracing::info!(id, "experiment started");
    Ok(see_other("/newsroom/experiments?done=started"))
}

#[derive(Deserialize)]
pub(crate) struct StopForm {
    #[serde(default)]
    winner: String,
}

/// `POST /newsroom/experiments/{id}/stop`: stops it with a winner.
#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn stop(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StopForm>,
) -> Result<Response, PageError> {
    let refused = |message: String| PageError::Unprocessable(Refusal::new("That experiment cannot stop", message));
    let stored = state.store.experiments().await?;
    let Some(running) = stored.iter().find(|e| e.id == id && e.state == ExperimentState::Running) else {
        return Err(refused("It is not running.".to_owned()));
    };
    let experiment = Experiment::from_stored(&running.name, &running.variants).map_err(refused)?;
    if experiment.variant(&form.winner).is_none() {
        return Err(refused(format!("Choose the winner among its variants; {:?} is not one.", form.winner)));
    }
    if !state.store.stop_experiment(id, &form.winner, state.clock.now()).await? {
        return Err(refused("It stopped meanwhile.".to_owned()));
    }
    tracing::info!(id, winner = %form.winner, "experiment stopped");
    Ok(see_other("/newsroom/experiments?done=stopped"))
}
