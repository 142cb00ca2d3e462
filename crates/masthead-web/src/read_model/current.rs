//! Small tables every page may need, kept whole in memory and read again
//! whenever the database's change counter they are filed under has moved:
//! the sections and the house ads under the content counter (triggers bump
//! it with every change to either, migrations `0028_sections_counter` and
//! `0037_house_ads_counter`), the plans on sale under the access counter
//! (`0012_access_counter`). So editing a plan reaches every instance on its
//! very next request; marking a section premium or editing an ad does on
//! SQLite, and on PostgreSQL once the change's notification has arrived,
//! like a story edit (`masthead_store::Counter`). The paywall experiments
//! are filed under the access counter too (`0036_experiments`): an admin
//! starting or stopping one on any instance changes every instance's meter
//! limits and paywall on its next request.
//!
//! A [`Current`] is brought up to date by [`Current::get`] (one counter
//! reading per page view, shared: `super::counters`); the sections are also
//! brought up to date before every request by the `current_sections`
//! middleware, so the page frame can take them as kept ([`Current::kept`])
//! without waiting.

use std::future::Future;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use masthead_domain::Section;
use masthead_domain::plan::Plan;
use masthead_insights::Experiment;
use masthead_insights::experiment::Settings;
use masthead_store::{Counter, ExperimentState, HouseAd, Store, StoreError};

/// A table kept whole: how it is read and which counter moves with it.
pub(crate) trait Table: Clone + Send + Sync + Sized {
    /// The counter that moves with every change to the table.
    const COUNTER: Counter;
    /// Reads the whole table.
    fn read(store: &Store) -> impl Future<Output = Result<Self, StoreError>> + Send;
}

/// The publication's sections, in navigation order.
impl Table for Arc<[Section]> {
    const COUNTER: Counter = Counter::Content;

    async fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(store.sections().await?.into())
    }
}

/// The plans on sale, in catalogue order.
#[derive(Debug, Clone)]
pub(crate) struct Plans(pub Arc<[Plan]>);

impl Table for Plans {
    const COUNTER: Counter = Counter::Access;

    async fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(Self(store.active_plans().await?.into()))
    }
}

impl Plans {
    /// A plan on sale, by id.
    pub(crate) fn find(&self, id: i64) -> Option<Plan> {
        self.0.iter().find(|plan| plan.id == id).cloned()
    }
}

/// The house ads, one per slot at most.
#[derive(Debug, Clone)]
pub(crate) struct HouseAds(pub Arc<[HouseAd]>);

impl Table for HouseAds {
    const COUNTER: Counter = Counter::Content;

    async fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(Self(store.house_ads().await?.into()))
    }
}

/// The paywall experiment running, if any, and the default it falls back
/// on: the latest stopped experiment's winner (unset: the configuration).
#[derive(Debug, Clone, Default)]
pub(crate) struct Experiments(Arc<Running>);

#[derive(Debug, Default)]
struct Running {
    /// The experiment, and each variant's settings over the default, in variant order.
    experiment: Option<(Experiment, Vec<Dealt>)>,
    /// What a reader outside any experiment gets.
    default: Dealt,
}

/// What one reader gets: the variant's key in the funnel (none outside an
/// experiment) and its settings over the default.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dealt {
    pub variant: Option<Arc<str>>,
    pub settings: Arc<Settings>,
}

impl Table for Experiments {
    const COUNTER: Counter = Counter::Access;

    async fn read(store: &Store) -> Result<Self, StoreError> {
        let stored = store.experiments().await?;
        let read = |name: &str, variants: &str| {
            Experiment::from_stored(name, variants)
                .map_err(|why| StoreError::Corrupt(format!("experiment {name}: {why}")))
        };
        let mut default = Settings::default();
        let latest_winner = stored
            .iter()
            .filter(|e| e.state == ExperimentState::Stopped && e.winner.is_some())
            .max_by_key(|e| (e.stopped_at, e.id));
        if let Some(stopped) = latest_winner {
            let experiment = read(&stopped.name, &stopped.variants)?;
            if let Some(winner) = stopped.winner.as_deref().and_then(|name| experiment.variant(name)) {
                default = winner.settings.clone();
            }
        }
        let mut running = None;
        if let Some(on) = stored.iter().find(|e| e.state == ExperimentState::Running) {
            let experiment = read(&on.name, &on.variants)?;
            let dealt = experiment
                .variants
                .iter()
                .map(|v| Dealt { variant: Some(experiment.key(v).into()), settings: Arc::new(v.settings.or(&default)) })
                .collect();
            running = Some((experiment, dealt));
        }
        Ok(Self(Arc::new(Running {
            experiment: running,
            default: Dealt { variant: None, settings: Arc::new(default) },
        })))
    }
}

impl Experiments {
    /// What the reader whose meter is `meter_key` gets.
    pub(crate) fn deal(&self, meter_key: &str) -> Dealt {
        match &self.0.experiment {
            Some((experiment, dealt)) => {
                let variant = experiment.variant_of(meter_key);
                let at = experiment.variants.iter().position(|v| v.name == variant.name).unwrap_or_default();
                dealt[at].clone()
            }
            None => self.0.default.clone(),
        }
    }

    /// What readers get outside any experiment.
    pub(crate) fn default_settings(&self) -> &Settings {
        &self.0.default.settings
    }
}

/// A table as read at a value of its counter.
#[derive(Debug)]
pub(crate) struct Current<T> {
    kept: RwLock<(i64, T)>,
}

impl<T: Table> Current<T> {
    /// Reads the table now, filed under its counter as read just before it
    /// (so a change landing in between is read again later).
    pub(crate) async fn load(store: &Store) -> Result<Self, StoreError> {
        let version = store.counters().await?.get(T::COUNTER);
        Ok(Self { kept: RwLock::new((version, T::read(store).await?)) })
    }

    /// The table as committed when this page view first read the counters.
    pub(crate) async fn get(&self, store: &Store) -> Result<T, StoreError> {
        self.at(store, super::counters::current(store, T::COUNTER).await?).await
    }

    /// The table as of its counter at `version` or later.
    pub(crate) async fn at(&self, store: &Store, version: i64) -> Result<T, StoreError> {
        {
            let kept = self.lock_read();
            if kept.0 >= version {
                return Ok(kept.1.clone());
            }
        }
        let table = T::read(store).await?;
        let mut kept = self.kept.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if version > kept.0 {
            *kept = (version, table.clone());
        }
        Ok(table)
    }

    /// The table as last read.
    pub(crate) fn kept(&self) -> T {
        self.lock_read().1.clone()
    }

    fn lock_read(&self) -> RwLockReadGuard<'_, (i64, T)> {
        // A panic while holding the lock leaves nothing half-written worth refusing.
        self.kept.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
