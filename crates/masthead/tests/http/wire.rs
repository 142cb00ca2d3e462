//! `masthead wire import` as an operator runs it: agency files become stories,
//! re-imports change nothing, newer versions update, kills unpublish, and a
//! malformed file is rejected without stopping the batch.

use std::path::PathBuf;

use crate::support::{Backend, Running, TestDatabase, masthead, on_every_backend};

on_every_backend!(imports_are_idempotent_on_every_backend);

async fn imports_are_idempotent_on_every_backend(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let run = |files: &[&str]| {
        let mut command = masthead();
        command.args(["wire", "import", "--publish", "--database-url", database.url.as_str()]);
        command.args(files.iter().map(|f| fixture(f)));
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let first = run(&["ap_kremlin.newsml.xml", "newsmlg2_fire_v1.xml"]);
    assert_eq!(first.lines().filter(|l| l.starts_with("created ")).count(), 2, "{first}");
    let second = run(&["ap_kremlin.newsml.xml", "newsmlg2_fire_v1.xml"]);
    assert_eq!(second.lines().filter(|l| l.starts_with("unchanged ")).count(), 2, "{second}");
    let third = run(&["newsmlg2_fire_v2.xml"]);
    assert!(third.starts_with("updated "), "{third}");
}

fn fixture(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../masthead-wire/tests/fixtures");
    dir.join(name).to_str().unwrap().to_owned()
}

/// Runs an import into `data_dir`; returns (succeeded, stdout lines).
fn import(data_dir: &std::path::Path, extra: &[&str], files: &[&str]) -> (bool, Vec<String>) {
    let mut command = masthead();
    command.args(["wire", "import", "--public-url", "http://news.example", "--data-dir"]).arg(data_dir).args(extra);
    for file in files {
        command.arg(fixture(file));
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    (output.status.success(), stdout.lines().map(str::to_owned).collect())
}

fn lines_starting<'a>(lines: &'a [String], word: &str) -> Vec<&'a String> {
    lines.iter().filter(|l| l.starts_with(word)).collect()
}

#[test]
fn imports_create_then_change_nothing_then_update_and_kill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) = import(&data, &["--publish"], &["ap_kremlin.ninjs.json", "newsmlg2_fire_v1.xml"]);
    assert!(ok, "{lines:#?}");
    let created = lines_starting(&lines, "created ");
    assert_eq!(created.len(), 2, "{lines:#?}");
    assert!(
        created[0].starts_with("created http://news.example/world/kremlin-no-positive-shift-yet-on-russia-us-ties-")
    );

    // The same versions again: nothing changes.
    let (ok, again) = import(&data, &["--publish"], &["ap_kremlin.ninjs.json", "newsmlg2_fire_v1.xml"]);
    assert!(ok);
    assert_eq!(lines_starting(&again, "unchanged ").len(), 2, "{again:#?}");
    assert!(lines_starting(&again, "created ").is_empty() && lines_starting(&again, "updated ").is_empty());

    // A newer version updates the same story; an older one changes nothing.
    let fire = created[1].strip_prefix("created ").unwrap().to_owned();
    let (_, v2) = import(&data, &[], &["newsmlg2_fire_v2.xml"]);
    assert_eq!(v2, vec![format!("updated {fire}")], "same URL, updated");
    let (_, v1) = import(&data, &[], &["newsmlg2_fire_v1.xml"]);
    assert_eq!(v1, vec![format!("unchanged {fire}")]);

    // The kill takes it down.
    let (_, killed) = import(&data, &[], &["newsmlg2_fire_v3_canceled.xml"]);
    assert_eq!(lines_starting(&killed, "updated "), [&format!("updated {fire}: canceled by the agency, unpublished")]);
    assert!(killed.iter().any(|l| l.starts_with("skipped ") && l.ends_with(": no body")), "notes are reported");
    // Killed again: nothing left to take down.
    let (_, again) = import(&data, &[], &["newsmlg2_fire_v3_canceled.xml"]);
    assert_eq!(lines_starting(&again, "unchanged "), [&format!("unchanged {fire}")]);
}

#[test]
fn a_malformed_file_is_rejected_and_the_rest_go_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) =
        import(&data, &["--publish"], &["malformed.json", "rss_three_items.xml", "page.html", "empty.txt"]);
    assert!(!ok, "rejections make the command fail");
    let rejected = lines_starting(&lines, "rejected ");
    assert_eq!(rejected.len(), 3, "{lines:#?}");
    assert!(rejected.iter().any(|l| l.contains("malformed.json: not valid JSON")), "{rejected:#?}");
    assert!(rejected.iter().any(|l| l.contains("page.html: unknown format")), "{rejected:#?}");
    assert_eq!(lines_starting(&lines, "created ").len(), 2, "two usable RSS items: {lines:#?}");
    assert!(lines_starting(&lines, "skipped ").iter().any(|l| l.contains("rss_three_items.xml")), "{lines:#?}");
}

#[tokio::test]
async fn published_wire_copy_carries_its_credit_and_the_disclaimer_and_drafts_stay_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) = import(&data, &["--publish"], &["ap_kremlin.ninjs.json"]);
    assert!(ok, "{lines:#?}");
    let (_, draft) = import(&data, &["--section", "economy"], &["newsmlg2_fire_v1.xml"]);
    let story = lines[0].strip_prefix("created http://news.example").unwrap().to_owned();
    let draft = draft[0].strip_prefix("created http://news.example").unwrap().to_owned();
    assert!(draft.starts_with("/economy/"), "{draft}");

    let server = Running::start(&["demo", "--listen", "127.0.0.1:0", "--data-dir", data.to_str().unwrap()]);
    let (base, _) = server.address();
    let page = reqwest::get(format!("{base}{story}")).await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<p class="byline">AP Moscow</p>"#), "{page}");
    assert!(page.contains("Disclaimer: No Masthead Daily Journalist was involved in creation of this content"));
    let hidden = reqwest::get(format!("{base}{draft}")).await.unwrap();
    assert_eq!(hidden.status().as_u16(), 404, "drafts wait for an editor");
}

#[test]
fn import_needs_a_known_section_and_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, _) = import(&data, &["--section", "sport"], &["ap_kremlin.ninjs.json"]);
    assert!(!ok);
    let output = masthead().args(["wire", "import", &fixture("ap_kremlin.ninjs.json")]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--data-dir"));
}
