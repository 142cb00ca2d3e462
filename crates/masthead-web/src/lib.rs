//! Masthead's HTTP face: the reader site (server-rendered HTML that works
//! without JavaScript) and the JSON API for apps, on axum.
//!
//! [`Application::build`] binds the listener first (port 0 picks a free port,
//! which is how tests start the real server) and [`Application::serve`] runs it
//! until the shutdown future resolves.
//!
//! The crate is a few rooms whose dependencies run one way (README's "The
//! code" has the table; `tests/module_graph.rs` checks there is no circle):
//!
//! - `read_model`: what is kept in memory, and when it is dropped;
//! - `http`: plumbing every room uses (sessions, the role guard, CSRF,
//!   errors, responses, the page frame);
//! - `auth`: signing up, logging in, passwords, tokens, rate limits;
//! - `billing`: plans, checkout, providers, webhooks, invoices, ads;
//! - `account`: the account pages and API;
//! - `newsroom`: the staff pages;
//! - `reader`: home, sections, stories, archive, search, feeds, the API;
//! - `newsletter`: newsletters, sign-up, unsubscribe, the archive, the desk;
//! - `epaper`: the printed edition page by page, its images, downloads, the API;
//! - `insights`: the reader funnel for editors, as a page and through the API.
//!
//! Beside them, `telemetry` serves `/metrics` on a listener of its own.
//!
//! This file is the composition root: it builds the state every room reads
//! ([`AppState`]) and mounts every room's routes.

mod account;
mod auth;
mod billing;
mod epaper;
mod error;
mod http;
mod insights;
mod media;
mod newsletter;
mod newsroom;
mod openapi;
mod read_model;
mod reader;
mod secret;
mod telemetry;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use masthead_domain::{Clock, PublisherZone, Section, SystemClock};
use masthead_insights::{Event, EventKind};
use masthead_search::{ArchiveIndex, QueryError, SearchError, SearchPage, SearchRequest};
use masthead_store::Store;
use read_model::current::{Current, Experiments, HouseAds, Plans};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use auth::limits::RateLimits;
pub use billing::PaymentConfig;
pub use epaper::access::signed_image_path;
pub use error::StartError;
pub use http::proxies::Cidr;
pub use masthead_mail::{Dkim, Mailer};
pub use newsletter::{BadBasicAuth, BasicAuth, BounceWebhooks, NewsletterConfig};
pub use newsroom::{SET_PASSWORD_FOR, StaffAdded, StaffError, add_staff};
pub use reader::indexer::{IndexingError, Rebuilt, rebuild_index};
pub use reader::views::render_story_page;

/// What the site needs to know about the publication it serves.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The publisher's name, shown in the masthead and the syndication disclaimer.
    pub publisher_name: String,
    /// The site's public address (`https://news.example.com`), used for absolute
    /// URLs in the API; defaults to the address the server listens on.
    pub public_url: Option<String>,
    /// The zone times are shown in and the meter's months turn in.
    pub zone: PublisherZone,
    /// Free stories per calendar month.
    pub meter_limit: u32,
    /// Where "now" comes from (tests move it).
    pub clock: Arc<dyn Clock>,
    /// How account mail leaves: a file outbox or SMTP.
    pub mailer: Mailer,
    /// Devices an account may have signed in at once; one more log-in signs
    /// out the least recently used.
    pub session_limit: u32,
    /// Log-in, password-reset and sign-up rate limits.
    pub rate_limits: RateLimits,
    /// The reverse proxies whose `X-Forwarded-For` names the client (for
    /// the per-address rate limits); none by default.
    pub trusted_proxies: Vec<Cidr>,
    /// Stories older than this many days need the archive benefit.
    pub archive_age_days: u32,
    /// This instance's search index directory.
    pub index_dir: PathBuf,
    /// Whether this instance runs the indexer that follows the database's
    /// change log (off only in tests that simulate a crash).
    pub run_indexer: bool,
    /// Payment providers' credentials, invoice details, the renewal job.
    pub payments: PaymentConfig,
    /// The newsletter send job inside the server.
    pub newsletters: NewsletterConfig,
    /// Hosts besides the site whose pictures story bodies may show.
    pub image_hosts: Vec<String>,
    /// E-paper clips a reader may make each calendar month.
    pub epaper_clips_per_month: u32,
    /// The most bytes one e-paper upload (`/newsroom/epaper`: every PDF and
    /// the sidecar together) may have.
    pub epaper_upload_limit: usize,
    /// Where `/metrics` is served (Prometheus text format), apart from the
    /// site; none by default, and then nothing is recorded.
    pub metrics_listen: Option<SocketAddr>,
    /// Days the funnel's raw events are kept before they are rolled up into
    /// daily counts.
    pub insights_raw_days: u32,
    /// Whether funnel events are recorded (`--insights off` turns it off,
    /// to measure what recording costs): the meter, paywall and
    /// experiments work alike either way.
    pub record_events: bool,
}

/// Where account mail goes when nothing else is configured.
pub const DEFAULT_OUTBOX: &str = "masthead-outbox";
/// Where the search index lives when nothing else is configured.
pub const DEFAULT_INDEX_DIR: &str = "masthead-index";
/// The e-paper upload limit when nothing else is configured, in MiB: a
/// 24-page broadsheet from a press PDF workflow is tens of MB.
pub const DEFAULT_EPAPER_UPLOAD_MB: usize = 200;
/// The sender of account mail when nothing else is configured.
pub const DEFAULT_MAIL_FROM: &str = "Masthead <no-reply@masthead.invalid>";

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            publisher_name: "Masthead Daily".to_owned(),
            public_url: None,
            zone: PublisherZone::default(),
            meter_limit: 10,
            clock: Arc::new(SystemClock),
            mailer: Mailer::outbox(DEFAULT_OUTBOX, DEFAULT_MAIL_FROM).expect("the default sender address parses"),
            session_limit: 5,
            rate_limits: RateLimits::default(),
            trusted_proxies: Vec::new(),
            archive_age_days: 30,
            index_dir: PathBuf::from(DEFAULT_INDEX_DIR),
            run_indexer: true,
            payments: PaymentConfig::default(),
            newsletters: NewsletterConfig::default(),
            image_hosts: Vec::new(),
            epaper_clips_per_month: masthead_epaper::clip::DEFAULT_MONTHLY_CLIPS,
            epaper_upload_limit: DEFAULT_EPAPER_UPLOAD_MB * 1024 * 1024,
            metrics_listen: None,
            insights_raw_days: masthead_insights::rollup::DEFAULT_RAW_DAYS,
            record_events: true,
        }
    }
}

/// Everything a request handler can reach.
#[derive(Debug)]
struct AppState {
    store: Store,
    publisher_name: String,
    public_url: String,
    zone: PublisherZone,
    /// Free stories a month, unless an experiment or its winner says otherwise.
    meter_limit: u32,
    /// The paywall experiment running and the latest winner: read again
    /// when the access counter moves.
    experiments: Current<Experiments>,
    /// Whether funnel events are recorded.
    record_events: bool,
    clock: Arc<dyn Clock>,
    /// Signs the visitor cookie; shared by every instance through the database.
    cookie_key: http::visitor::CookieKey,
    /// Cookies get `Secure` when the public address is HTTPS.
    secure_cookies: bool,
    /// The sections, read again when the content counter moves.
    sections: Current<Arc<[Section]>>,
    /// The plans on sale, for the paywall and `/subscribe`: read again when
    /// the access counter moves.
    plans: Current<Plans>,
    mailer: Mailer,
    session_limit: u32,
    /// Log-in, reset and sign-up limits, counted in the database.
    limiters: auth::limits::Limiters,
    /// Proxies whose `X-Forwarded-For` is believed.
    trusted_proxies: Vec<Cidr>,
    /// Stories first published longer ago than this are in the archive.
    archive_age: chrono::Duration,
    /// This instance's search index.
    search: Arc<ArchiveIndex>,
    /// Searches that may run at once: one per core.
    search_slots: tokio::sync::Semaphore,
    /// Payments, invoices, renewals and partner codes.
    billing: Arc<masthead_billing::Billing>,
    /// The house ads pages show to readers without the ad-free benefit:
    /// read again when the content counter moves.
    house_ads: Current<HouseAds>,
    /// Published stories and lists, checked against the database per request.
    content: read_model::content::ContentCache,
    /// Signed-in readers' sessions and benefits, checked likewise.
    access: read_model::readers::AccessCache,
    /// Writes metered reads in batches.
    /// Logged-out meters already full this month.
    full_meters: reader::reading::FullMeters,
    /// Who may report mail bounces and complaints.
    bounce_webhooks: newsletter::BounceWebhooks,
    /// E-paper clips a reader may make each calendar month.
    epaper_clips_per_month: u32,
    /// The most bytes an e-paper upload may have.
    epaper_upload_limit: usize,
}

impl AppState {
    /// The sections as this request found them, in navigation order.
    fn sections(&self) -> Arc<[Section]> {
        self.sections.kept()
    }

    fn section(&self, slug: &str) -> Option<Section> {
        self.sections().iter().find(|s| s.slug == slug).cloned()
    }

    /// A funnel event by this browser now, to fill in and [`Self::count`].
    fn event(&self, kind: EventKind, visitor: &http::visitor::Visitor) -> Event {
        Event::new(kind, &visitor.id, self.clock.now(), &self.zone)
    }

    /// Counts a funnel event: queued, written with others, never waited for.
    fn count(&self, event: Event) {
        if self.record_events {
            self.store.record_event(event.into_new());
        }
    }

    /// Runs `request` on this instance's archive index (readers' search, and
    /// the newsroom's when an editor picks stories): a remembered answer at
    /// once, else on a blocking thread. A burst of searches queues for a
    /// thread per core instead of starting a thread each: no faster on a
    /// busy machine, and each thread would keep memory of its own.
    async fn search_archive(&self, request: SearchRequest) -> Result<Arc<SearchPage>, SearchFailure> {
        let searched = match self.search.remembered(&request) {
            Some(page) => Ok(Ok(page)),
            None => {
                let Ok(_slot) = self.search_slots.acquire().await else {
                    tracing::error!("the search slots were closed");
                    return Err(SearchFailure::Internal);
                };
                let index = self.search.clone();
                tokio::task::spawn_blocking(move || index.search_remembered(&request)).await
            }
        };
        match searched {
            Ok(Ok(page)) => Ok(page),
            Ok(Err(SearchError::Query(error))) => Err(SearchFailure::BadQuery(error)),
            Ok(Err(error)) => {
                tracing::error!(%error, "search failed");
                Err(SearchFailure::Internal)
            }
            Err(error) => {
                tracing::error!(%error, "search thread failed");
                Err(SearchFailure::Internal)
            }
        }
    }
}

/// Why a search gave no results page.
enum SearchFailure {
    /// The query cannot be run: told to whoever typed it.
    BadQuery(QueryError),
    /// Something broke inside: already logged.
    Internal,
}

/// Middleware: brings the sections up to date before each request.
async fn current_sections(
    axum::extract::State(state): axum::extract::State<SharedState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Err(error) = state.sections.get(&state.store).await {
        // The sections as last read still serve; the next request tries again.
        tracing::warn!(%error, "cannot read the sections again");
    }
    next.run(request).await
}

type SharedState = Arc<AppState>;

/// A bound, ready-to-serve site.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    /// `/metrics`, on its own listener, when asked for.
    metrics: Option<(TcpListener, Router)>,
}

impl Application {
    /// Binds `listen` and prepares the site on `store`.
    pub async fn build(store: Store, config: SiteConfig, listen: SocketAddr) -> Result<Self, StartError> {
        let listener =
            TcpListener::bind(listen).await.map_err(|source| StartError::Bind { address: listen, source })?;
        let address = listener.local_addr().map_err(|source| StartError::Bind { address: listen, source })?;
        let metrics = match config.metrics_listen {
            Some(listen) => Some(telemetry::start(listen).await?),
            None => None,
        };
        masthead_domain::html::allow_image_hosts(&config.image_hosts);
        let sections = Current::load(&store).await.map_err(StartError::Store)?;
        let plans = Current::load(&store).await.map_err(StartError::Store)?;
        let house_ads = Current::load(&store).await.map_err(StartError::Store)?;
        let experiments = Current::load(&store).await.map_err(StartError::Store)?;
        let cookie_key =
            store.setting_or_insert("cookie_key", || secret::random_hex(32)).await.map_err(StartError::Store)?;
        let cookie_key = http::visitor::CookieKey::from_hex(&cookie_key).ok_or(StartError::BadSecret)?;
        let search = Arc::new(ArchiveIndex::open(&config.index_dir).map_err(StartError::Search)?);
        if config.run_indexer {
            reader::indexer::spawn(store.clone(), search.clone()).map_err(StartError::Search)?;
        }
        newsroom::spawn_scheduler(store.clone(), config.clock.clone());
        let public_url = config
            .public_url
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{address}"));
        let billing = billing::start(masthead_billing::Setup {
            store: store.clone(),
            clock: config.clock.clone(),
            mailer: config.mailer.clone(),
            zone: config.zone,
            publisher: config.publisher_name.clone(),
            public_url: public_url.clone(),
            config: config.payments.clone(),
        })
        .await
        .map_err(StartError::Store)?;
        newsletter::start(
            store.clone(),
            config.mailer.clone(),
            config.publisher_name.clone(),
            public_url.clone(),
            config.zone,
            config.clock.clone(),
            &config.newsletters,
        );
        reader::meter_trim::spawn(
            store.clone(),
            config.zone,
            config.clock.clone(),
            config.meter_limit,
            config.insights_raw_days,
        );
        masthead_insights::rollup::spawn(store.clone(), config.zone, config.clock.clone(), config.insights_raw_days);
        let state = Arc::new(AppState {
            store,
            publisher_name: config.publisher_name,
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            zone: config.zone,
            meter_limit: config.meter_limit,
            experiments,
            record_events: config.record_events,
            clock: config.clock,
            cookie_key,
            sections,
            plans,
            mailer: config.mailer,
            session_limit: config.session_limit.max(1),
            limiters: auth::limits::Limiters::new(config.rate_limits),
            trusted_proxies: config.trusted_proxies,
            archive_age: chrono::Duration::days(i64::from(config.archive_age_days)),
            search,
            search_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            ),
            billing,
            house_ads,
            content: read_model::content::ContentCache::new(config.zone),
            access: read_model::readers::AccessCache::default(),
            full_meters: reader::reading::FullMeters::default(),
            bounce_webhooks: config.newsletters.webhooks,
            epaper_clips_per_month: config.epaper_clips_per_month,
            epaper_upload_limit: config.epaper_upload_limit,
        });
        let mut router = router(state);
        if metrics.is_some() {
            router = router.layer(axum::middleware::from_fn(telemetry::record_request));
        }
        Ok(Self { listener, router, address, metrics })
    }

    /// The address the server listens on (with the real port when 0 was asked).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The address `/metrics` is served on, when it is.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        if let Some((listener, router)) = self.metrics {
            // Stops with the process; a scrape needs no graceful end.
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        // The peer address feeds the per-address rate limits.
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await
    }
}

fn router(state: SharedState) -> Router {
    // Pages whose header's "Subscribe" billing's layer fills for the reader
    // who asks; the pages kept as skeletons (home, sections, stories) fill it
    // themselves, and the newsroom, feeds, pictures and assets have none, so
    // they stay outside the layer and pay nothing for it.
    let framed = Router::new()
        .merge(reader::framed_pages())
        .merge(account::routes())
        .merge(billing::routes())
        .merge(newsletter::routes())
        .merge(epaper::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), billing::header::subscribe_in_header));
    Router::new()
        .route("/healthz", get(http::site::healthz))
        .route("/assets/site.css", get(http::site::stylesheet))
        .route("/assets/fonts/{name}", get(http::site::font))
        .merge(reader::routes())
        .merge(framed)
        .merge(newsroom::routes(state.epaper_upload_limit))
        .merge(media::routes())
        .merge(openapi::routes())
        .merge(insights::routes())
        .fallback(http::site::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::error::frame_refusals))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::csrf::api_cookie_sessions))
        .layer(axum::middleware::from_fn_with_state(state.clone(), current_sections))
        .layer(axum::middleware::from_fn_with_state(state.store.clone(), read_model::counters::once_per_view))
        .layer(CatchPanicLayer::custom(http::error::panic_response))
        .layer(axum::middleware::from_fn(http::error::api_problems))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::headers::every_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
