//! `spawn_app()`: a fresh database (a temporary SQLite file, or a new
//! PostgreSQL database), the demo sections and a small demo archive, and the
//! real server on a random port.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use masthead_demo::DemoArchive;
use masthead_domain::{PublisherZone, section};
use masthead_store::{DatabaseUrl, Store};
use masthead_web::{Application, Mailer, SiteConfig};

/// The demo archive's "today" in tests, so every run sees the same stories.
pub const TODAY: (i32, u32, u32) = (2026, 11, 27);
/// Stories in the test archive (the seed story among them).
pub const ARCHIVE_SIZE: u64 = 400;
/// The publisher name the test site is configured with.
pub const PUBLISHER: &str = "Business Standard";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server under test and a client for it.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub store: Store,
    /// Where the site writes its mail (see [`TestApp::mails`]).
    pub outbox: Option<Outbox>,
    _index: IndexDir,
    _database: TestDatabase,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }

    /// GETs a page, asserts the status, returns the body.
    pub async fn page(&self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.text().await.unwrap()
    }

    pub async fn json(&self, path: &str, status: u16) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        let expected = if status >= 400 { "application/problem+json" } else { "application/json" };
        assert_eq!(response.headers()["content-type"], expected, "GET {path} content type");
        response.json().await.unwrap()
    }
}

/// Starts the site on `backend` with the test archive.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, site_config()).await
}

/// The archive age most tests run with. The test archive has one story every
/// four weeks or so, so with the production default (30 days) nearly every
/// story would need the archive benefit; tests about other rules (the meter,
/// accounts) keep the archive rule out of their way, and the archive's own
/// tests set [`PRODUCTION_ARCHIVE_AGE_DAYS`].
pub const TEST_ARCHIVE_AGE_DAYS: u32 = 36_500;
/// The production default archive age.
pub const PRODUCTION_ARCHIVE_AGE_DAYS: u32 = 30;

/// The test site's configuration, for tests that change part of it. The
/// sandbox provider is on, as in `masthead demo` (it is off by default).
pub fn site_config() -> SiteConfig {
    SiteConfig {
        payments: masthead_web::PaymentConfig { sandbox: true, ..masthead_web::PaymentConfig::default() },
        publisher_name: PUBLISHER.to_owned(),
        mailer: Mailer::outbox(Outbox::fresh_path(), "Business Standard <no-reply@news.example>").unwrap(),
        archive_age_days: TEST_ARCHIVE_AGE_DAYS,
        index_dir: IndexDir::fresh_path(),
        // Every test account signs up from 127.0.0.1; the limit's own test sets it.
        rate_limits: masthead_web::RateLimits { signup_per_ip: 1000, ..masthead_web::RateLimits::default() },
        ..SiteConfig::default()
    }
}

/// A test site's search index directory, removed when the test ends.
pub struct IndexDir(pub std::path::PathBuf);

impl IndexDir {
    /// A directory name no other test uses.
    pub fn fresh_path() -> std::path::PathBuf {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        std::env::temp_dir().join(format!(
            "masthead-index-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        ))
    }
}

impl Drop for IndexDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts the site on `backend` with the test archive and `config`.
pub async fn spawn_app_with(backend: Backend, config: SiteConfig) -> TestApp {
    let database = TestDatabase::create(backend).await;
    let store = Store::connect(&database.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.upsert_sections(&section::demo_sections()).await.unwrap();
    let (y, m, d) = TODAY;
    let archive = DemoArchive::new(ARCHIVE_SIZE, NaiveDate::from_ymd_opt(y, m, d).unwrap(), PublisherZone::default());
    let stories: Vec<_> = archive.stories().collect();
    store.insert_articles(&stories).await.unwrap();
    spawn_on(store, database, config).await
}

/// Starts the site on a store the test has prepared itself.
pub async fn spawn_on(store: Store, database: TestDatabase, config: SiteConfig) -> TestApp {
    let outbox = config.mailer.outbox_dir().map(|dir| Outbox(dir.to_owned()));
    let index = IndexDir(config.index_dir.clone());
    let address = serve(store.clone(), config).await;
    let client = masthead_billing::outbound::client_builder("tests")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp { address, client, store, outbox, _index: index, _database: database }
}

/// Starts one more server on the same database as `app`, in this process:
/// a second instance with its own connection pool. Returns its address.
pub async fn spawn_instance(app: &TestApp, config: SiteConfig) -> SocketAddr {
    let store = Store::connect(&app._database.url).await.expect("connect");
    serve(store, config).await
}

/// Starts `masthead serve` as a separate process on the same database as `app`.
pub fn spawn_process(app: &TestApp) -> ((Running, Outbox), SocketAddr) {
    spawn_process_with(app, &[])
}

/// [`spawn_process`] with more arguments for `masthead serve`.
pub fn spawn_process_with(app: &TestApp, extra: &[&str]) -> ((Running, Outbox), SocketAddr) {
    spawn_process_with_env(app, extra, &[])
}

/// [`spawn_process_with`], with environment variables set for the process.
pub fn spawn_process_with_env(app: &TestApp, extra: &[&str], env: &[(&str, &str)]) -> ((Running, Outbox), SocketAddr) {
    let outbox = Outbox::fresh_path();
    let index = app.process_index_dir();
    let age = TEST_ARCHIVE_AGE_DAYS.to_string();
    let mut args = vec![
        "serve",
        "--database-url",
        app._database.url.as_str(),
        "--listen",
        "127.0.0.1:0",
        "--outbox",
        outbox.to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
        "--archive-age-days",
        &age,
    ];
    args.extend_from_slice(extra);
    let running = Running::start_with_env(&args, env);
    let (base, _) = running.address();
    let address = base.strip_prefix("http://").unwrap().parse().unwrap();
    ((running, Outbox(outbox)), address)
}

async fn serve(store: Store, config: SiteConfig) -> SocketAddr {
    let app = Application::build(store, config, "127.0.0.1:0".parse().unwrap()).await.expect("server starts");
    let address = app.address();
    tokio::spawn(app.serve(std::future::pending()));
    address
}

/// A database that exists for one test: a temporary SQLite file, or a
/// PostgreSQL database created for the test and dropped after it.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = DatabaseUrl::sqlite_file(&dir.path().join("masthead.db"));
                Self { url, cleanup: Cleanup::Sqlite(dir) }
            }
            Backend::Postgres => {
                let admin_url = postgres_url()
                    .expect("MASTHEAD_TEST_POSTGRES_URL was set when the tests were built: set it again (cargo test rebuilds them)");
                static COUNTER: AtomicU32 = AtomicU32::new(0);
                let name = format!(
                    "masthead_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    chrono::Utc::now().timestamp_micros()
                );
                let admin = sqlx::PgPool::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("cannot connect to MASTHEAD_TEST_POSTGRES_URL={admin_url}: {e}"));
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
                admin.close().await;
                let (base, _) = admin_url.rsplit_once('/').expect("URL ends in /DATABASE");
                let url = DatabaseUrl::parse(&format!("{base}/{name}")).unwrap();
                Self { url, cleanup: Cleanup::Postgres { admin_url, name } }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside any runtime we may block: use a thread of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async {
                    if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                        let _ =
                            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(&admin)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The PostgreSQL server tests may use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("MASTHEAD_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())
}

/// Runs each named test on SQLite, and on PostgreSQL when configured. Each
/// name is an `async fn(Backend)` in the invoking module. Without
/// `MASTHEAD_TEST_POSTGRES_URL` at build time (see `build.rs`) the
/// PostgreSQL runs are ignored — `cargo test` says so — never passed.
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test($crate::support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(postgres_tests), ignore = "needs MASTHEAD_TEST_POSTGRES_URL")]
                async fn $test() {
                    super::$test($crate::support::Backend::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use on_every_backend;

/// The visible text of an HTML page: tags dropped, entities decoded, runs of
/// whitespace made single spaces. What a reader sees, for text assertions.
pub fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A browser: keeps the cookies the site sets and sends them back, as one
/// device would. Clones share nothing; each `Browser` is its own device.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: std::collections::BTreeMap<String, String>,
    /// The `User-Agent` it sends, if any.
    pub user_agent: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app, cookies: Default::default(), user_agent: None }
    }

    /// A browser that names itself with `user_agent`.
    pub fn with_user_agent(app: &'a TestApp, user_agent: &str) -> Self {
        Self { user_agent: Some(user_agent.to_owned()), ..Self::new(app) }
    }

    /// The `Cookie` header this browser sends.
    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Remembers the cookies a response sets.
    pub fn keep_cookies(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("user-agent", self.user_agent.clone().unwrap_or_default())
            .send()
            .await
            .expect("request failed");
        self.keep_cookies(&response);
        response
    }

    /// GETs a page, asserts the status, returns the body.
    pub async fn page(&mut self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.text().await.unwrap()
    }
}

/// Decodes the entities templates produce: named ones and `&#NN;` / `&#xNN;`.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let Some(end) = rest.find(';').filter(|end| *end <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "copy" => Some('©'),
            _ => entity
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A test site's mail outbox directory, removed when the test ends.
pub struct Outbox(pub std::path::PathBuf);

impl Outbox {
    /// A directory name no other test uses (created by the first mail).
    pub fn fresh_path() -> std::path::PathBuf {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        std::env::temp_dir().join(format!(
            "masthead-outbox-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        ))
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One message from the outbox.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    /// The whole `.eml`, both bodies included.
    pub raw: String,
}

impl Mail {
    /// The first link in the message that starts with `prefix` (a path such as
    /// `/account/verify`), as a path with its query.
    pub fn link(&self, prefix: &str) -> String {
        let start = self.raw.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {}", self.raw));
        let rest = &self.raw[start..];
        let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len());
        rest[..end].to_owned()
    }
}

/// Every message in the outbox directory `dir`, oldest first.
pub fn outbox_mails(dir: &std::path::Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<_> =
        entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let raw = std::fs::read_to_string(path).unwrap();
            let header = |name: &str| {
                raw.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).unwrap_or_default()
            };
            Mail { to: header("To:"), subject: header("Subject:"), raw: raw.replace("\r\n", "\n") }
        })
        .collect()
}

impl TestApp {
    /// Every message in the outbox, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        outbox_mails(&self.outbox.as_ref().expect("the test site mails to an outbox").0)
    }

    /// Waits (up to five seconds) until `to` has been sent `count` messages
    /// (mail leaves in the background), and returns them.
    pub async fn wait_for_mails(&self, to: &str, count: usize) -> Vec<Mail> {
        for _ in 0..100 {
            let mails: Vec<Mail> = self.mails().into_iter().filter(|m| m.to == to).collect();
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{to} did not get {count} messages; the outbox holds {:?}", self.mails());
    }

    /// The latest message to `to` once there are `count`.
    pub async fn nth_mail(&self, to: &str, count: usize) -> Mail {
        self.wait_for_mails(to, count).await.swap_remove(count - 1)
    }
}

/// `application/x-www-form-urlencoded` for a list of fields.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

impl Browser<'_> {
    /// The form token on the page at `path` (GETting it, as a browser would
    /// before submitting the form).
    pub async fn csrf_token(&mut self, path: &str) -> String {
        let html = self.page(path, 200).await;
        let marker = r#"name="csrf_token" value=""#;
        let start = html.find(marker).unwrap_or_else(|| panic!("no form token on {path}")) + marker.len();
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    }

    /// A POST as a browser sends one from a page of this site: same-origin
    /// fetch metadata, this site's `Origin`, the browser's cookies.
    fn post_from_this_site(&self, path: &str) -> reqwest::RequestBuilder {
        self.app
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("origin", format!("http://{}", self.app.address))
            .header("sec-fetch-site", "same-origin")
            .header("user-agent", self.user_agent.clone().unwrap_or_default())
    }

    /// POSTs a form from this site, as a browser does: same-origin fetch
    /// metadata, this site's `Origin`, the browser's cookies.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let response = self
            .post_from_this_site(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(fields))
            .send()
            .await
            .expect("request failed");
        self.keep_cookies(&response);
        response
    }

    /// POSTs an upload form (`multipart/form-data`) from this site, as
    /// [`Browser::post_form`] does: `parts` are (field, file name for a
    /// file, content), in the form's order.
    pub async fn post_multipart(&mut self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> reqwest::Response {
        let boundary = "masthead-test-boundary-7d1c0e";
        let mut body = Vec::new();
        for (name, file, content) in parts {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(file) = file {
                body.extend_from_slice(
                    format!("; filename=\"{file}\"\r\nContent-Type: application/octet-stream").as_bytes(),
                );
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let response = self
            .post_from_this_site(path)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            // An upload is rendered before the answer: slow on a busy machine.
            .timeout(std::time::Duration::from_secs(120))
            .body(body)
            .send()
            .await
            .expect("request failed");
        self.keep_cookies(&response);
        response
    }

    /// Opens the page with the form at `page`, then submits `fields` (and its
    /// token) to `action`.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token(page).await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }
}

/// A password every test account uses.
pub const PASSWORD: &str = "correct horse battery";

/// Registers an account through the API and confirms its address, as its
/// owner would from the mail (an unconfirmed account is no one's yet: it
/// signs in as a reader whatever role it is given).
pub async fn register(app: &TestApp, email: &str) {
    register_unconfirmed(app, email).await;
    let account = app.store.reader_by_email(&masthead_domain::email::Email::parse(email).unwrap()).await.unwrap();
    app.store.mark_verified(account.unwrap().id, chrono::Utc::now()).await.unwrap();
}

/// Registers an account through the API, leaving its address unconfirmed.
pub async fn register_unconfirmed(app: &TestApp, email: &str) {
    let response =
        app.client.post(app.url("/api/v1/readers")).json(&serde_json::json!({ "email": email, "password": PASSWORD }));
    assert_eq!(response.send().await.unwrap().status().as_u16(), 201);
}

/// Logs a browser in through the form; asserts it worked.
pub async fn log_in(browser: &mut Browser<'_>, email: &str, password: &str) -> reqwest::Response {
    let response = browser.submit("/login", "/login", &[("email", email), ("password", password)]).await;
    assert_eq!(response.status().as_u16(), 303, "log-in of {email}");
    assert!(browser.cookies.contains_key("mh_session"));
    response
}

/// GETs a URL with a client of its own (as `reqwest::get` would, with the TLS
/// provider the outbound builder installs).
pub async fn fetch(url: impl reqwest::IntoUrl) -> reqwest::Response {
    masthead_billing::outbound::client_builder("tests").build().unwrap().get(url).send().await.unwrap()
}

/// Paths of free (non-premium) stories, newest first.
pub async fn free_story_paths(app: &TestApp, count: usize) -> Vec<String> {
    let list = app.json("/api/v1/articles?limit=100", 200).await;
    let prefix = format!("http://{}", app.address);
    let paths: Vec<String> = list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["premium"] == false)
        .map(|a| a["url"].as_str().unwrap().strip_prefix(&prefix).unwrap().to_owned())
        .take(count)
        .collect();
    assert_eq!(paths.len(), count, "enough free stories in the test archive");
    paths
}

/// The id at the end of a story path.
pub fn story_id(path: &str) -> &str {
    path.rsplit('-').next().unwrap()
}

/// The `masthead` binary, with none of its settings taken from this environment.
pub fn masthead() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_masthead"));
    for var in [
        "MASTHEAD_DATABASE_URL",
        "MASTHEAD_LISTEN",
        "MASTHEAD_DATA_DIR",
        "MASTHEAD_PUBLISHER_NAME",
        "MASTHEAD_INDEX_DIR",
        "MASTHEAD_ARCHIVE_AGE_DAYS",
        "MASTHEAD_SANDBOX_PAYMENTS",
        "MASTHEAD_STRIPE_SECRET_KEY",
        "MASTHEAD_RAZORPAY_KEY_ID",
        "MASTHEAD_RAZORPAY_KEY_SECRET",
        "MASTHEAD_LOG_FORMAT",
    ] {
        command.env_remove(var);
    }
    command
}

/// A `masthead` process serving, and the lines it printed. Killed when dropped.
pub struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// Every line received so far.
    printed: std::cell::RefCell<Vec<String>>,
}

impl Running {
    /// Starts `masthead ARGS...`; the arguments should make it serve on port 0.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// [`Running::start`] with environment variables set.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        let mut child = masthead()
            .args(args)
            .envs(env.iter().copied())
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Self { child, lines, printed: Default::default() }
    }

    /// Waits for the "serving on" line; returns the base URL and the lines before it.
    pub fn address(&self) -> (String, Vec<String>) {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(std::time::Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("masthead never served; printed: {seen:#?}"));
            self.printed.borrow_mut().push(line.clone());
            if let Some(rest) = line.split("serving on ").nth(1) {
                return (rest.split_whitespace().next().unwrap().to_owned(), seen);
            }
            seen.push(line);
        }
    }

    /// Waits for a line containing `needle`; returns every line printed
    /// since the process started, that one the last.
    pub fn lines_until(&self, needle: &str) -> Vec<String> {
        loop {
            let line = self
                .lines
                .recv_timeout(std::time::Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("masthead never printed {needle:?}; printed: {:#?}", self.printed.borrow()));
            let found = line.contains(needle);
            self.printed.borrow_mut().push(line);
            if found {
                return self.printed.borrow().clone();
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    /// The search index folder of the process [`spawn_process`] starts.
    pub fn process_index_dir(&self) -> std::path::PathBuf {
        self._index.0.join("process")
    }

    /// The test database's URL, for the command line.
    pub fn database_url(&self) -> String {
        self._database.url.to_string()
    }
}
