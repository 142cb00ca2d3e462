//! `masthead check`: what is wrong with a configuration, said before
//! serving it. Every check runs and prints one line, `ok` or `problem` with
//! the fix; the command fails if any found a problem. It changes nothing:
//! it neither creates nor migrates the database, nor creates the index.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use masthead_store::{DatabaseUrl, Store};
use masthead_web::PaymentConfig;

use crate::billing::PaymentFlags;
use crate::cli::{Site, Target};
use crate::commands::{DATA_DIR_DATABASE, dkim, mail_transport};

/// Runs every check on the configuration serve (or demo, for a data
/// directory) would be given.
pub async fn run(target: &Target, listen: SocketAddr, index_dir: Option<PathBuf>, mut site: Site) -> Result<()> {
    // A demo data directory pays through the sandbox, as `demo` does.
    site.payments.sandbox_payments |= target.data_dir.is_some();
    let (index_dir, outbox) = match &target.data_dir {
        Some(dir) => (index_dir.unwrap_or_else(|| dir.join("search")), dir.join("outbox")),
        None => {
            (index_dir.unwrap_or_else(|| masthead_web::DEFAULT_INDEX_DIR.into()), masthead_web::DEFAULT_OUTBOX.into())
        }
    };
    let checks = [
        ("database", database(target).await),
        ("search index", index(&index_dir)),
        ("public URL", public_url(site.public_url.as_deref(), listen)),
        ("metrics", metrics(site.metrics_listen, listen)),
        ("payments", site.payments.config(&site.publisher_name).map(|config| payments(&config))),
        ("webhooks", webhooks(&site.payments)),
        ("mail", mail_transport(&site, outbox).map(|(_, goes)| format!("account mail is {goes}"))),
        (
            "DKIM",
            dkim(&site.mail).map(|signed| signed.map_or_else(|| "not signing (no --dkim-key)".into(), |(_, how)| how)),
        ),
    ];
    let mut problems = 0;
    for (name, outcome) in checks {
        match outcome {
            Ok(detail) => println!("ok       {name}: {detail}"),
            Err(problem) => {
                problems += 1;
                println!("problem  {name}: {problem:#}");
            }
        }
    }
    anyhow::ensure!(problems == 0, "{problems} problem(s) in this configuration (see above)");
    println!("The configuration is good to serve.");
    Ok(())
}

/// Reachable, and its schema current; an SQLite file must exist already.
async fn database(target: &Target) -> Result<String> {
    let url = match (&target.data_dir, &target.database_url) {
        (Some(dir), _) => DatabaseUrl::sqlite_file(&dir.join(DATA_DIR_DATABASE)),
        (None, Some(url)) => DatabaseUrl::parse(url)?,
        (None, None) => anyhow::bail!("say which database: --data-dir DIR or --database-url URL"),
    };
    if let DatabaseUrl::Sqlite(raw) = &url {
        let path = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")).unwrap_or(raw);
        let file = Path::new(path.split('?').next().unwrap_or(path));
        anyhow::ensure!(
            file.is_file(),
            "no database at {}: `masthead migrate --database-url sqlite://{}` creates it (or `masthead demo --data-dir DIR`)",
            file.display(),
            file.display()
        );
    }
    let store = Store::connect(&url).await?;
    let checked = async {
        store.ping().await?;
        store.pending_migrations().await
    }
    .await;
    store.close().await;
    let (pending, all) = checked?;
    anyhow::ensure!(
        pending.is_empty(),
        "{} of {all} migrations not applied ({}): run `masthead migrate` (serve also applies them as it starts)",
        pending.len(),
        pending.join(", ")
    );
    Ok(format!("{url} answers; its schema is current ({all} migrations)"))
}

/// What [`index`] writes to see that there is room: a folder on a full disk
/// may still take an empty file.
const ROOM: usize = 1024 * 1024;

/// Writable with room for [`ROOM`], or creatable where its nearest existing
/// parent is.
fn index(dir: &Path) -> Result<String> {
    let fix = "free some space or choose another with --index-dir";
    if dir.exists() {
        anyhow::ensure!(dir.is_dir(), "{} is not a folder: choose another with --index-dir", dir.display());
        probe_room(dir)
            .with_context(|| format!("{} is not writable or has no room for 1 MiB ({fix})", dir.display()))?;
        return Ok(format!("{} is writable", dir.display()));
    }
    let parent = dir.ancestors().skip(1).find(|a| a.is_dir()).unwrap_or(Path::new("."));
    probe_room(parent).with_context(|| {
        format!(
            "{} does not exist and {} is not writable or has no room for 1 MiB ({fix})",
            dir.display(),
            parent.display()
        )
    })?;
    Ok(format!("{} will be created and built on the first start", dir.display()))
}

/// Writes a file of [`ROOM`] bytes in `dir` and removes it.
fn probe_room(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(".masthead-room-test");
    let written = std::fs::write(&probe, vec![0; ROOM]);
    let removed = std::fs::remove_file(&probe);
    written.and(removed)
}

/// An http(s) address with a host and nothing after the path; https unless
/// it is this machine.
fn public_url(raw: Option<&str>, listen: SocketAddr) -> Result<String> {
    let Some(raw) = raw else {
        return Ok(format!("not set: links use http://{listen} (set --public-url to the address readers use)"));
    };
    let url = reqwest::Url::parse(raw)
        .with_context(|| format!("--public-url {raw:?} is not a URL; write it as https://news.example"))?;
    let host = url.host_str().unwrap_or_default();
    anyhow::ensure!(
        matches!(url.scheme(), "http" | "https") && !host.is_empty(),
        "--public-url {raw:?} is not an http(s) address with a host; write it as https://news.example"
    );
    anyhow::ensure!(
        url.query().is_none() && url.fragment().is_none() && url.username().is_empty(),
        "--public-url {raw:?} carries a query, fragment or user; give only scheme, host and path"
    );
    // An IPv6 host comes bracketed: [::1].
    let local = host == "localhost"
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(
        url.scheme() == "https" || local,
        "--public-url {raw:?} is plain http: readers' passwords and sessions would cross the network unencrypted; \
         serve behind TLS and give https://{host}"
    );
    Ok(format!("{url}"))
}

/// `--metrics-listen`: off, or an address apart from the site's that this
/// machine can listen on and no one else does (tried for a moment: bound and
/// let go at once).
fn metrics(address: Option<SocketAddr>, listen: SocketAddr) -> Result<String> {
    let Some(address) = address else {
        return Ok("off (set --metrics-listen ADDR:PORT to serve /metrics)".into());
    };
    anyhow::ensure!(
        address != listen || address.port() == 0,
        "--metrics-listen {address} is the site's own --listen address: give /metrics a port of its own"
    );
    match std::net::TcpListener::bind(address) {
        Ok(_) => Ok(format!("/metrics will be served on http://{address}/metrics")),
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => anyhow::bail!(
            "--metrics-listen {address} is in use (another process listens there): stop it or choose another port"
        ),
        Err(error) => anyhow::bail!(
            "cannot listen on --metrics-listen {address} ({error}): give an address of this machine, \
             such as 127.0.0.1:9100"
        ),
    }
}

/// Which providers take payments, by the checked settings.
fn payments(config: &PaymentConfig) -> String {
    let providers: Vec<_> = [
        config.sandbox.then_some("the sandbox (test mode: subscriptions for no money)"),
        config.stripe_ready().then_some("Stripe"),
        config.razorpay_ready().then_some("Razorpay"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if providers.is_empty() {
        "no provider takes payments".into()
    } else {
        format!("paid through {}", providers.join(", "))
    }
}

/// A provider configured in part: without its webhook secret it never
/// learns of payments, without its keys its webhook has nothing to check.
fn webhooks(flags: &PaymentFlags) -> Result<String> {
    let stripe = [
        ("--stripe-secret-key", flags.stripe_secret_key.is_some()),
        ("--stripe-webhook-secret", flags.stripe_webhook_secret.is_some()),
    ];
    let razorpay = [
        ("--razorpay-key-id", flags.razorpay_key_id.is_some()),
        ("--razorpay-key-secret", flags.razorpay_key_secret.is_some()),
        ("--razorpay-webhook-secret", flags.razorpay_webhook_secret.is_some()),
    ];
    let mut problems = Vec::new();
    let mut ready = Vec::new();
    for (provider, flags) in [("Stripe", &stripe[..]), ("Razorpay", &razorpay[..])] {
        let missing: Vec<_> = flags.iter().filter(|(_, set)| !set).map(|(flag, _)| *flag).collect();
        if missing.is_empty() {
            ready.push(provider);
        } else if missing.len() < flags.len() {
            problems.push(format!(
                "{provider} is configured in part: set {} too (or unset the rest); until then it takes no payments",
                missing.join(" and ")
            ));
        }
    }
    anyhow::ensure!(problems.is_empty(), "{}", problems.join("; "));
    Ok(if ready.is_empty() {
        "no provider configured".into()
    } else {
        format!("{} with its webhook secret", ready.join(" and "))
    })
}
