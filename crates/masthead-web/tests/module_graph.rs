//! The web crate's modules import each other without a circle, so a reader
//! of the code can follow it one way: this test reads `src/` as text and
//! fails naming the circle if one appears.
//!
//! Each file is a module. A file depends on another when it names it, or
//! something in it: `crate::a::b::Item` (the longest prefix that is a
//! module), `super::…`, `self::…`, or — in a file that declares children —
//! `child::…`. The crate root (`lib.rs`) is left out: it is the composition
//! root, which names every room to build the state and mount the routes,
//! and which every room takes the state from. Comments, strings and
//! `#[cfg(test)] mod tests` are not code that other modules depend on.
//!
//! Two checks: no circle between files, and none between rooms (the
//! top-level modules), whose order this test prints with `--nocapture`.
//! Inside a room, files name their siblings (`super::views::Layout`),
//! never the room's `mod.rs`, which names them all in its routes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path below the crate: `["http", "session"]`; the root is `[]`.
type ModulePath = Vec<String>;

#[test]
fn the_web_crate_has_no_circle_of_imports() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&src);
    let known: BTreeSet<ModulePath> = files.keys().cloned().collect();
    let mut edges: BTreeMap<ModulePath, BTreeSet<ModulePath>> = BTreeMap::new();
    for (module, file) in &files {
        if module.is_empty() {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let children: BTreeSet<String> = declared_children(&code);
        for path in paths_in(&code) {
            let Some(target) = resolve(module, &children, &path, &known) else { continue };
            if !target.is_empty() && &target != module {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    if let Some(circle) = find_circle(&edges) {
        panic!("masthead-web's files import each other in a circle: {}", show(&circle));
    }
    let mut rooms: BTreeMap<ModulePath, BTreeSet<ModulePath>> = BTreeMap::new();
    for (from, targets) in &edges {
        for to in targets {
            if from[0] != to[0] {
                rooms.entry(vec![from[0].clone()]).or_default().insert(vec![to[0].clone()]);
            }
        }
    }
    if let Some(circle) = find_circle(&rooms) {
        panic!("masthead-web's rooms import each other in a circle: {}", show(&circle));
    }
    for (room, needs) in &rooms {
        println!("{} -> {}", room[0], needs.iter().map(|n| n[0].as_str()).collect::<Vec<_>>().join(", "));
    }
}

/// Every `.rs` file under `src`, by module path.
fn modules(src: &Path) -> BTreeMap<ModulePath, PathBuf> {
    let mut found = BTreeMap::new();
    let mut pending = vec![src.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: ModulePath =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            found.insert(module, path);
        }
    }
    found
}

/// The file's code: comments, string and character literals blanked, and
/// its `#[cfg(test)] mod tests` (always last) cut off.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !is_ident(chars.get(i.wrapping_sub(1))) {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal (a lifetime has no closing quote).
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The modules a file declares: `mod name;`.
fn declared_children(code: &str) -> BTreeSet<String> {
    let tokens = tokens(code);
    tokens.windows(3).filter(|w| w[0] == "mod" && w[2] == ";").map(|w| w[1].clone()).collect()
}

/// Identifiers, `::` and single punctuation characters, in order.
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".to_owned());
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// Every path the code names, as its segments: `use` trees expanded
/// (`use crate::{a::B, c}` gives `crate::a::B` and `crate::c`), and paths in
/// expressions and types (`crate::http::views::render(…)`).
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let tokens = tokens(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let starts_path =
            is_word(&tokens[i]) && tokens.get(i + 1).is_some_and(|t| t == "::") && (i == 0 || tokens[i - 1] != "::");
        if starts_path {
            let (paths, end) = tree(&tokens, i, Vec::new());
            out.extend(paths);
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn is_word(token: &str) -> bool {
    token.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Reads a path or `use` tree at `tokens[i]`, after `prefix`: the paths it
/// names, and where it ends.
fn tree(tokens: &[String], mut i: usize, mut prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    loop {
        match tokens.get(i).map(String::as_str) {
            Some("{") => {
                let mut paths = Vec::new();
                i += 1;
                loop {
                    match tokens.get(i).map(String::as_str) {
                        Some("}") => return (paths, i + 1),
                        Some(",") => i += 1,
                        None => return (paths, i),
                        _ => {
                            let (inner, end) = tree(tokens, i, prefix.clone());
                            paths.extend(inner);
                            i = end;
                        }
                    }
                }
            }
            Some("*") => return (vec![prefix], i + 1),
            Some(word) if is_word(word) => {
                if word != "self" || prefix.is_empty() {
                    prefix.push(word.to_owned());
                }
                i += 1;
                if tokens.get(i).is_some_and(|t| t == "::") {
                    i += 1;
                } else {
                    return (vec![prefix], i);
                }
            }
            _ => return (vec![prefix], i),
        }
    }
}

/// The module a path in `module` leads to, if it is one of the crate's.
fn resolve(
    module: &ModulePath,
    children: &BTreeSet<String>,
    path: &[String],
    known: &BTreeSet<ModulePath>,
) -> Option<ModulePath> {
    let (mut base, rest): (ModulePath, &[String]) = match path.first().map(String::as_str)? {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (module.clone(), &path[1..]),
        "super" => {
            let mut base = module.clone();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            (base, rest)
        }
        child if children.contains(child) => (module.clone(), path),
        _ => return None,
    };
    let mut deepest = base.clone();
    for segment in rest {
        base.push(segment.clone());
        if known.contains(&base) {
            deepest = base.clone();
        } else {
            break;
        }
    }
    Some(deepest)
}

/// A circle in `edges`, as the modules along it, if there is one.
fn find_circle(edges: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Option<Vec<ModulePath>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &ModulePath,
        edges: &BTreeMap<ModulePath, BTreeSet<ModulePath>>,
        marks: &mut BTreeMap<ModulePath, Mark>,
        trail: &mut Vec<ModulePath>,
    ) -> Option<Vec<ModulePath>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = trail.iter().position(|n| n == node).unwrap_or(0);
                let mut circle = trail[start..].to_vec();
                circle.push(node.clone());
                return Some(circle);
            }
            None => {}
        }
        marks.insert(node.clone(), Mark::Open);
        trail.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, marks, trail) {
                return Some(circle);
            }
        }
        trail.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    edges.keys().find_map(|node| visit(node, edges, &mut marks, &mut Vec::new()))
}

fn show(circle: &[ModulePath]) -> String {
    circle.iter().map(|m| format!("crate::{}", m.join("::"))).collect::<Vec<_>>().join(" -> ")
}

/// The checker itself finds what it should.
#[test]
fn the_check_reads_paths_and_finds_circles() {
    let code = code_of(
        "use crate::{a::B, c::{self, D}};\n// use crate::commented::Out;\nlet s = \"crate::in_a::string\";\nsuper::e::f();\nuse x::*;",
    );
    let paths = paths_in(&code);
    let has = |p: &[&str]| paths.iter().any(|found| found.iter().map(String::as_str).eq(p.iter().copied()));
    assert!(has(&["crate", "a", "B"]) && has(&["crate", "c"]) && has(&["crate", "c", "D"]), "{paths:?}");
    assert!(has(&["super", "e", "f"]) && has(&["x"]), "{paths:?}");
    assert!(!paths.iter().flatten().any(|s| s == "commented" || s == "in_a"), "{paths:?}");
    let m = |s: &str| s.split("::").map(str::to_owned).collect::<ModulePath>();
    let known: BTreeSet<ModulePath> = [m("a"), m("a::b"), m("c")].into_iter().collect();
    assert_eq!(resolve(&m("a::b"), &BTreeSet::new(), &["super".into(), "Thing".into()], &known), Some(m("a")));
    assert_eq!(
        resolve(&m("c"), &BTreeSet::new(), &["crate".into(), "a".into(), "b".into(), "f".into()], &known),
        Some(m("a::b"))
    );
    let edges: BTreeMap<ModulePath, BTreeSet<ModulePath>> =
        [(m("a"), [m("c")].into()), (m("c"), [m("a::b")].into()), (m("a::b"), [m("a")].into())].into();
    assert_eq!(find_circle(&edges).map(|c| c.len()), Some(4));
    let acyclic: BTreeMap<ModulePath, BTreeSet<ModulePath>> = [(m("a"), [m("c")].into())].into();
    assert_eq!(find_circle(&acyclic), None);
}
