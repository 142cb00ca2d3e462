//! Routing rules: an agency classifies its copy (IPTC subject codes and
//! media topics, Reuters `memberOf` desks and subjects, AP categories,
//! ninjs subjects); an agency rule maps those classifications to a section
//! and tags, so wire copy lands in Markets or Politics by itself.
//!
//! Rules are lines of text, as an admin types them at `/newsroom/agencies`:
//!
//! ```text
//! # what it matches                     -> section, tags
//! medtop:04000000 subj:04*              -> economy
//! apcategory:f N2:MCE                   -> markets, tags: markets
//! "elections" N2:ELN                    -> politics, tags: elections, vote
//! medtop:20000170                       -> tags: climate
//! ```
//!
//! A pattern is a code as the agency sends it (IPTC's are spelled
//! `subj:NNNNNNNN` and `medtop:NNNNNNNN` whatever the file wrote, see
//! [`crate::subject_code`]), a code prefix ending in `*`, or a subject's
//! name in double quotes (any case). Codes compare without regard to case.
//! The first matching line that names a section decides the section; every
//! matching line adds its tags.
//!
//! ```
//! use masthead_wire::{Routes, Subject};
//! let routes = Routes::parse("subj:04* -> economy, tags: business\n\"Elections\" -> politics").unwrap();
//! let subjects = [Subject::new(Some("http://cv.iptc.org/newscodes/subjectcode/04006000"), None).unwrap()];
//! let routing = routes.route(&subjects);
//! assert_eq!(routing.section.as_deref(), Some("economy"));
//! assert_eq!(routing.tags, ["business"]);
//! ```

use crate::Subject;

/// One rule line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    patterns: Vec<Pattern>,
    /// The section its matches go to, if it names one.
    pub section: Option<String>,
    /// The tags its matches get.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// A whole code.
    Code(String),
    /// A code prefix (`subj:04*`).
    Prefix(String),
    /// A subject's name, quoted.
    Name(String),
}

impl Pattern {
    fn matches(&self, subject: &Subject) -> bool {
        let code = subject.code.as_deref().map(str::to_ascii_lowercase);
        match self {
            Self::Code(c) => code.is_some_and(|code| code == c.to_ascii_lowercase()),
            Self::Prefix(p) => code.is_some_and(|code| code.starts_with(&p.to_ascii_lowercase())),
            Self::Name(n) => subject.name.as_deref().is_some_and(|name| name.to_lowercase() == *n),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Code(c) => out.push_str(c),
            Self::Prefix(p) => {
                out.push_str(p);
                out.push('*');
            }
            Self::Name(n) => {
                out.push('"');
                out.push_str(n);
                out.push('"');
            }
        }
    }
}

/// An agency's rule lines, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes(Vec<Route>);

/// What the rules decided for one item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routing {
    /// The section of the first matching line that names one.
    pub section: Option<String>,
    /// The tags of every matching line, without repeats.
    pub tags: Vec<String>,
}

/// A rule line that cannot be read: which line, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("routing rule line {line}: {reason}")]
pub struct RouteError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, with the fix.
    pub reason: String,
}

impl Routes {
    /// Reads rule lines; blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<Self, RouteError> {
        let mut routes = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            routes.push(parse_line(line).map_err(|reason| RouteError { line: i + 1, reason })?);
        }
        Ok(Self(routes))
    }

    /// The rules written out again, one line each, in the form [`Routes::parse`] reads.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for route in &self.0 {
            for (i, pattern) in route.patterns.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                pattern.write(&mut out);
            }
            out.push_str(" -> ");
            let tags = (!route.tags.is_empty()).then(|| format!("tags: {}", route.tags.join(", ")));
            let target: Vec<String> = route.section.iter().cloned().chain(tags).collect();
            out.push_str(&target.join(", "));
            out.push('\n');
        }
        out
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The sections the rules name, for checking that they exist.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|r| r.section.as_deref())
    }

    /// Where an item with these subjects goes, and its tags.
    pub fn route(&self, subjects: &[Subject]) -> Routing {
        let mut routing = Routing::default();
        for route in &self.0 {
            if !route.patterns.iter().any(|p| subjects.iter().any(|s| p.matches(s))) {
                continue;
            }
            if routing.section.is_none() {
                routing.section.clone_from(&route.section);
            }
            for tag in &route.tags {
                if !routing.tags.contains(tag) {
                    routing.tags.push(tag.clone());
                }
            }
        }
        routing
    }
}

fn parse_line(line: &str) -> Result<Route, String> {
    let Some((left, right)) = line.split_once("->") else {
        return Err("no \"->\": write the codes, then \"->\", then a section and/or \"tags: a, b\"".into());
    };
    let patterns = patterns(left)?;
    if patterns.is_empty() {
        return Err("nothing to match before \"->\"".into());
    }
    let right = right.trim();
    let (section, tags) = match right.find("tags:") {
        Some(at) => (right[..at].trim().trim_end_matches(',').trim(), &right[at + "tags:".len()..]),
        None => (right, ""),
    };
    let section = match section {
        "" => None,
        s if s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') => Some(s.to_owned()),
        s => return Err(format!("\"{s}\" is not a section slug (lower-case letters, digits and dashes)")),
    };
    let mut tag_list: Vec<String> = Vec::new();
    for tag in tags.split(',').map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()) {
        if !tag.is_empty() && !tag_list.contains(&tag) {
            tag_list.push(tag);
        }
    }
    if section.is_none() && tag_list.is_empty() {
        return Err("nothing after \"->\": name a section, tags (\"tags: a, b\") or both".into());
    }
    Ok(Route { patterns, section, tags: tag_list })
}

/// The patterns before `->`: codes separated by spaces, names in quotes.
fn patterns(text: &str) -> Result<Vec<Pattern>, String> {
    let mut patterns = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let Some(end) = quoted.find('"') else { return Err("a name's closing quote is missing".into()) };
            let name = quoted[..end].split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            if name.is_empty() {
                return Err("an empty name in quotes".into());
            }
            patterns.push(Pattern::Name(name));
            rest = quoted[end + 1..].trim_start();
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        patterns.push(match word.strip_suffix('*') {
            Some(prefix) if !prefix.is_empty() => Pattern::Prefix(crate::subject_code(prefix)),
            Some(_) => return Err("\"*\" alone would match everything; write a code prefix such as subj:04*".into()),
            None => Pattern::Code(crate::subject_code(word)),
        });
        rest = rest[end..].trim_start();
    }
    Ok(patterns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(code: Option<&str>, name: Option<&str>) -> Subject {
        Subject::new(code, name).unwrap()
    }

    #[test]
    fn first_section_wins_and_tags_add_up() {
        let routes = Routes::parse(
            "# markets first\nmedtop:04000000 subj:04* -> economy\napcategory:F N2:MCE -> markets, tags: Markets, stocks\n\"Labour  Market\" -> tags: jobs, stocks\n",
        )
        .unwrap();
        let routing = routes.route(&[
            subject(Some("N2:MCE"), None),
            subject(Some("http://cv.iptc.org/newscodes/subjectcode/04006000"), Some("labour market")),
        ]);
        assert_eq!(routing.section.as_deref(), Some("economy"));
        assert_eq!(routing.tags, ["markets", "stocks", "jobs"]);
        assert_eq!(routes.route(&[subject(Some("apcategory:f"), None)]).section.as_deref(), Some("markets"));
        assert_eq!(routes.route(&[subject(Some("medtop:11000000"), None)]), Routing::default());
        assert_eq!(routes.sections().collect::<Vec<_>>(), ["economy", "markets"]);
    }

    #[test]
    fn rules_round_trip_through_text() {
        let text =
            "subj:04* medtop:20000170 -> economy, tags: climate\n\"elections\" -> politics\nN2:ELN -> tags: vote\n";
        let routes = Routes::parse(text).unwrap();
        assert_eq!(routes.to_text(), text);
        assert_eq!(Routes::parse(&routes.to_text()).unwrap(), routes);
    }

    #[test]
    fn bad_lines_say_which_and_why() {
        let error = Routes::parse("subj:04* -> economy\nmedtop:04000000 economy").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.reason.contains("->"), "{error}");
        assert!(Routes::parse("* -> world").unwrap_err().reason.contains("everything"));
        assert!(Routes::parse("x -> The Markets").unwrap_err().reason.contains("slug"));
        assert!(Routes::parse("x -> ").unwrap_err().reason.contains("nothing after"));
        assert!(Routes::parse("\"open -> world").unwrap_err().reason.contains("quote"));
    }
}
