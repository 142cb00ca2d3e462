//! No route under `/api/v1` is mounted outside the rooms' `api()` tables
//! (`OpenApiRouter` + `routes!`), which put each route in the OpenAPI
//! document as they mount it; and every handler annotated for the document
//! is mounted. The live check that the document and the router agree is the
//! HTTP test `api::the_document_lists_exactly_the_routes_served`.

use std::fs;
use std::path::Path;

fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push((path.display().to_string(), fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn api_routes_are_mounted_only_through_the_documented_tables() {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut annotated = 0;
    let mut mounted = 0;
    for (name, text) in &files {
        let compact: String = text.split_whitespace().collect();
        for needle in [".route(\"/api/v1", ".nest(\"/api/v1", ".route_service(\"/api/v1", ".nest_service(\"/api/v1"] {
            assert!(!compact.contains(needle), "{name} mounts an API route outside an api() table: {needle}");
        }
        annotated += text.matches("#[utoipa::path(").count();
        mounted += compact
            .split("routes!(")
            .skip(1)
            .map(|rest| rest.split(')').next().unwrap_or_default().split(',').filter(|h| !h.is_empty()).count())
            .sum::<usize>();
    }
    assert_eq!(annotated, mounted, "every #[utoipa::path] handler is mounted through routes!() once");
}
