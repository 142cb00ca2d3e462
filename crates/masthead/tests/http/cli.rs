//! The `masthead` binary as a user runs it: help, the demo command, and the
//! one-line errors for common mistakes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn masthead() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_masthead"));
    for var in ["MASTHEAD_DATABASE_URL", "MASTHEAD_LISTEN", "MASTHEAD_DATA_DIR", "MASTHEAD_PUBLISHER_NAME"] {
        command.env_remove(var);
    }
    command
}

/// Runs a command that must fail; returns its stderr, asserting it is one line.
fn fails_with_one_line(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(!output.status.success(), "should fail: {command:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    lines[0].to_owned()
}

#[test]
fn every_command_explains_itself() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
    ] {
        let output = masthead().args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("Usage: masthead"), "{args:?}: {help}");
    }
    let help = String::from_utf8(masthead().args(["serve", "--help"]).output().unwrap().stdout).unwrap();
    assert!(help.contains("--database-url") && help.contains("MASTHEAD_DATABASE_URL"));
    assert!(help.contains("--listen") && help.contains("MASTHEAD_LISTEN"));
}

#[test]
fn unknown_database_schemes_are_refused_with_the_fix() {
    for url in ["mysql://root@localhost/news", "news.db", "sqlite:"] {
        let line = fails_with_one_line(masthead().args(["serve", "--database-url", url]));
        assert!(line.contains("sqlite://PATH") && line.contains("postgres://"), "{line}");
    }
    // The environment variable works the same way.
    let line = fails_with_one_line(masthead().arg("migrate").env("MASTHEAD_DATABASE_URL", "redis://x"));
    assert!(line.contains("unsupported database URL"), "{line}");
}

#[test]
fn an_unwritable_data_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let line = fails_with_one_line(masthead().args(["demo", "--data-dir"]).arg(file.join("data")));
    assert!(line.contains("cannot create data directory") && line.contains("--data-dir"), "{line}");
}

#[test]
fn a_port_in_use_says_how_to_pick_another() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let line = fails_with_one_line(masthead().args(["serve", "--database-url", &url, "--listen", &address]));
    assert!(line.contains(&format!("cannot listen on {address}")) && line.contains("--listen"), "{line}");
}

/// A running `masthead demo` and the lines it printed.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(data_dir: &std::path::Path) -> Self {
        let mut child = masthead()
            .args(["demo", "--listen", "127.0.0.1:0", "--articles", "120", "--data-dir"])
            .arg(data_dir)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (sender, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Self { child, lines }
    }

    /// Waits for the "serving on" line; returns the address and the lines before it.
    fn address(&self) -> (String, Vec<String>) {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("demo never served; printed: {seen:#?}"));
            if let Some(rest) = line.split("serving on ").nth(1) {
                return (rest.split_whitespace().next().unwrap().to_owned(), seen);
            }
            seen.push(line);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn demo_seeds_once_serves_and_reuses_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("masthead-data");

    let first = Running::start(&data_dir);
    let (address, printed) = first.address();
    assert!(printed.iter().any(|l| l.starts_with("Seeding the demo archive: 120 stories")), "{printed:?}");
    assert!(printed.iter().any(|l| l.starts_with("Seeded 120 stories")), "{printed:?}");
    assert!(data_dir.join("masthead.db").exists());
    let health = reqwest::get(format!("{address}/healthz")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let day = reqwest::get(format!("{address}/archive/2017/04/13")).await.unwrap().text().await.unwrap();
    assert!(day.contains("Kremlin: No positive shift yet on Russia-US ties"));
    drop(first);

    let second = Running::start(&data_dir);
    let (address, printed) = second.address();
    assert!(printed.iter().any(|l| l.starts_with("Using the existing demo archive")), "{printed:?}");
    assert!(!printed.iter().any(|l| l.starts_with("Seeding")), "{printed:?}");
    let api: serde_json::Value =
        reqwest::get(format!("{address}/api/v1/articles?limit=100")).await.unwrap().json().await.unwrap();
    assert_eq!(api["articles"].as_array().unwrap().len(), 100, "the data survived the restart");
}
