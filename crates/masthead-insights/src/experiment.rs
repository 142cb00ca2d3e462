//! Paywall experiments: variants with weights, each setting the meter limit
//! and/or the paywall's copy and highlighted plan and/or a registration wall
//! ([`Settings`]), and which
//! variant a reader gets — derived from their meter's key by hashing, so
//! every instance agrees without a lookup and a reader keeps their variant
//! for as long as the experiment runs.
//!
//! An admin makes one from a form ([`Experiment::from_form`], which says
//! every reason a form is refused); the store keeps its variants as the
//! JSON [`Experiment::variants_json`] writes. A variant leaves unset what it
//! does not test: the default fills it in ([`Settings::or`]) — the last
//! stopped experiment's winner, else the site's configuration.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The most variants an experiment may have.
pub const MOST_VARIANTS: usize = 10;
/// The highest meter limit a variant may set.
pub const HIGHEST_LIMIT: u32 = 1_000;
/// The highest weight a variant may have.
pub const HIGHEST_WEIGHT: u32 = 1_000;
/// The longest paywall headline, in characters.
pub const LONGEST_HEADLINE: usize = 160;
/// The longest paywall text, in characters.
pub const LONGEST_TEXT: usize = 500;
/// The most stories a registration wall may offer.
pub const MOST_WALL_STORIES: u32 = 100;
/// The longest experiment or variant name.
const LONGEST_NAME: usize = 40;

/// What a variant (or the default) sets; `None` leaves it to the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Free stories a month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_limit: Option<u32>,
    /// The paywall's headline when the meter runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// The paywall's line under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The plan the offer highlights (its catalogue id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<i64>,
    /// A registration wall: once the free stories are used, a visitor is
    /// asked to sign up (free) to read this many more this month, before
    /// the paywall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall: Option<u32>,
}

impl Settings {
    /// These settings, with what they leave unset taken from `fallback`.
    pub fn or(&self, fallback: &Self) -> Self {
        Self {
            meter_limit: self.meter_limit.or(fallback.meter_limit),
            headline: self.headline.clone().or_else(|| fallback.headline.clone()),
            text: self.text.clone().or_else(|| fallback.text.clone()),
            plan: self.plan.or(fallback.plan),
            wall: self.wall.or(fallback.wall),
        }
    }

    /// What they set, for people ("limit 5; headline “…”").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(limit) = self.meter_limit {
            parts.push(format!("{limit} free stories a month"));
        }
        if let Some(headline) = &self.headline {
            parts.push(format!("headline “{headline}”"));
        }
        if let Some(text) = &self.text {
            parts.push(format!("text “{text}”"));
        }
        if let Some(plan) = self.plan {
            parts.push(format!("highlights plan {plan}"));
        }
        if let Some(more) = self.wall {
            parts.push(format!("a registration wall for {more} more"));
        }
        if parts.is_empty() { "the defaults".to_owned() } else { parts.join("; ") }
    }
}

/// One variant: its name, share, and what it sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// As the admin page names it.
    pub name: String,
    /// Its share of readers, against the others' weights.
    pub weight: u32,
    /// What it sets.
    #[serde(flatten)]
    pub settings: Settings,
}

/// An experiment's variants, as dealt out to readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Experiment {
    /// Salts the hash: a new experiment deals readers out afresh.
    pub name: String,
    /// Two to [`MOST_VARIANTS`]; the first is the control.
    pub variants: Vec<Variant>,
}

/// One variant's row of the admin's form, as typed (empty: unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VariantForm {
    /// The variant's name.
    pub name: String,
    /// A whole number, 1 to [`HIGHEST_WEIGHT`].
    pub weight: String,
    /// A whole number, 0 to [`HIGHEST_LIMIT`], or empty.
    pub meter_limit: String,
    /// Or empty.
    pub headline: String,
    /// Or empty.
    pub text: String,
    /// A plan's id, or empty.
    pub plan: String,
    /// Stories a registration wall offers, 1 to [`MOST_WALL_STORIES`], or empty (no wall).
    pub wall: String,
}

impl VariantForm {
    fn is_blank(&self) -> bool {
        [&self.name, &self.weight, &self.meter_limit, &self.headline, &self.text, &self.plan, &self.wall]
            .iter()
            .all(|field| field.trim().is_empty())
    }
}

/// Letters, digits, `-` and `_`, 1 to [`LONGEST_NAME`] of them.
fn is_word(name: &str) -> bool {
    (1..=LONGEST_NAME).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A line of text: spaces collapsed, `None` when empty.
fn line(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

impl Experiment {
    /// An experiment from the admin's form (rows left blank are skipped),
    /// or every reason it is refused.
    pub fn from_form(name: &str, rows: &[VariantForm]) -> Result<Self, Vec<String>> {
        let mut reasons = Vec::new();
        let name = name.trim();
        if !is_word(name) {
            reasons.push(format!(
                "The experiment's name {name:?}: use 1 to {LONGEST_NAME} letters, digits, - and _ (it is kept in the reports)."
            ));
        }
        let mut variants: Vec<Variant> = Vec::new();
        for (n, row) in rows.iter().enumerate().filter(|(_, row)| !row.is_blank()) {
            let at = format!("Variant {}", n + 1);
            let variant = row.name.trim();
            if !is_word(variant) {
                reasons.push(format!("{at}: its name {variant:?}: use 1 to {LONGEST_NAME} letters, digits, - and _."));
            } else if variants.iter().any(|v| v.name == variant) {
                reasons.push(format!("{at}: the name {variant:?} is used twice; each variant needs its own."));
            }
            let weight = match row.weight.trim().parse::<u32>() {
                Ok(w) if (1..=HIGHEST_WEIGHT).contains(&w) => w,
                _ => {
                    reasons.push(format!(
                        "{at}: the weight {:?} must be a whole number from 1 to {HIGHEST_WEIGHT}.",
                        row.weight.trim()
                    ));
                    0
                }
            };
            let meter_limit = match row.meter_limit.trim() {
                "" => None,
                typed => match typed.parse::<u32>() {
                    Ok(limit) if limit <= HIGHEST_LIMIT => Some(limit),
                    _ => {
                        reasons.push(format!(
                            "{at}: the meter limit {typed:?} must be a whole number from 0 to {HIGHEST_LIMIT}, or empty for the default."
                        ));
                        None
                    }
                },
            };
            let headline = line(&row.headline);
            if headline.as_ref().is_some_and(|h| h.chars().count() > LONGEST_HEADLINE) {
                reasons.push(format!("{at}: the headline is longer than {LONGEST_HEADLINE} characters."));
            }
            let text = line(&row.text);
            if text.as_ref().is_some_and(|t| t.chars().count() > LONGEST_TEXT) {
                reasons.push(format!("{at}: the text is longer than {LONGEST_TEXT} characters."));
            }
            let plan = match row.plan.trim() {
                "" => None,
                typed => match typed.parse::<i64>() {
                    Ok(id) if id > 0 => Some(id),
                    _ => {
                        reasons.push(format!("{at}: the plan {typed:?} is not a plan's id."));
                        None
                    }
                },
            };
            let wall = match row.wall.trim() {
                "" => None,
                typed => match typed.parse::<u32>() {
                    Ok(more) if (1..=MOST_WALL_STORIES).contains(&more) => Some(more),
                    _ => {
                        reasons.push(format!(
                            "{at}: the registration wall's {typed:?} must be a whole number of stories from 1 to {MOST_WALL_STORIES}, or empty for none."
                        ));
                        None
                    }
                },
            };
            let settings = Settings { meter_limit, headline, text, plan, wall };
            variants.push(Variant { name: variant.to_owned(), weight, settings });
        }
        if !(2..=MOST_VARIANTS).contains(&variants.len()) {
            reasons.push(format!(
                "An experiment has 2 to {MOST_VARIANTS} variants (the first is the control), not {}.",
                variants.len()
            ));
        }
        if reasons.is_empty() { Ok(Self { name: name.to_owned(), variants }) } else { Err(reasons) }
    }

    /// The variants as the store keeps them.
    pub fn variants_json(&self) -> String {
        serde_json::to_string(&self.variants).unwrap_or_else(|_| "[]".to_owned())
    }

    /// An experiment as stored, or why it cannot be read.
    pub fn from_stored(name: &str, variants: &str) -> Result<Self, String> {
        let variants: Vec<Variant> = serde_json::from_str(variants).map_err(|e| e.to_string())?;
        if variants.len() < 2 || variants.iter().any(|v| v.weight == 0) {
            return Err(format!("experiment {name:?} has fewer than two variants or a weight of 0"));
        }
        Ok(Self { name: name.to_owned(), variants })
    }

    /// A variant by name.
    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// The key a variant's events are counted under: the experiment's name
    /// and the variant's, so two experiments' variants never mix.
    pub fn key(&self, variant: &Variant) -> String {
        format!("{}/{}", self.name, variant.name)
    }

    /// The variant of the reader whose meter is `key`: the same on every
    /// instance, every time.
    pub fn variant_of(&self, key: &str) -> &Variant {
        let digest = Sha256::new().chain_update(self.name.as_bytes()).chain_update(b"\0").chain_update(key).finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let total: u64 = self.variants.iter().map(|v| u64::from(v.weight)).sum();
        let mut point = u64::from_be_bytes(first) % total.max(1);
        for variant in &self.variants {
            match point.checked_sub(u64::from(variant.weight)) {
                Some(rest) => point = rest,
                None => return variant,
            }
        }
        // The weights add up to `total`, so the loop has returned.
        &self.variants[self.variants.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, weight: &str, limit: &str) -> VariantForm {
        VariantForm {
            name: name.to_owned(),
            weight: weight.to_owned(),
            meter_limit: limit.to_owned(),
            ..VariantForm::default()
        }
    }

    fn experiment(name: &str, rows: &[(&str, u32, u32)]) -> Experiment {
        let rows: Vec<_> = rows.iter().map(|(n, w, l)| row(n, &w.to_string(), &l.to_string())).collect();
        Experiment::from_form(name, &rows).unwrap()
    }

    #[test]
    fn forms_make_experiments_and_blank_rows_are_skipped() {
        let mut copy = row("copy", "3", "");
        copy.headline = "  Read on,   for less ".to_owned();
        copy.plan = "2".to_owned();
        copy.wall = "3".to_owned();
        let e = Experiment::from_form(" dec ", &[row("ten", "1", "10"), VariantForm::default(), copy]).unwrap();
        assert_eq!(e.name, "dec");
        assert_eq!(e.variants[0].settings, Settings { meter_limit: Some(10), ..Settings::default() });
        let copy = &e.variants[1];
        assert_eq!((copy.name.as_str(), copy.weight), ("copy", 3));
        assert_eq!(copy.settings.headline.as_deref(), Some("Read on, for less"));
        assert_eq!((copy.settings.meter_limit, copy.settings.plan, copy.settings.wall), (None, Some(2), Some(3)));
        // Stored and read back, the same.
        assert_eq!(Experiment::from_stored("dec", &e.variants_json()).unwrap(), e);
        assert_eq!(e.key(copy), "dec/copy");
    }

    #[test]
    fn forms_are_refused_with_every_reason() {
        let long = "x".repeat(LONGEST_HEADLINE + 1);
        let mut bad_copy = row("b", "1", "");
        bad_copy.headline = long;
        bad_copy.plan = "basic".to_owned();
        bad_copy.wall = "0".to_owned();
        let reasons =
            Experiment::from_form("bad name", &[row("a", "0", "-1"), row("a", "1", "1001"), bad_copy]).unwrap_err();
        let all = reasons.join("\n");
        for says in [
            "The experiment's name \"bad name\"",
            "Variant 1: the weight \"0\" must be a whole number from 1 to 1000",
            "Variant 1: the meter limit \"-1\"",
            "Variant 2: the name \"a\" is used twice",
            "Variant 2: the meter limit \"1001\"",
            "Variant 3: the headline is longer than 160",
            "Variant 3: the plan \"basic\"",
            "Variant 3: the registration wall's \"0\"",
        ] {
            assert!(all.contains(says), "{says} in:\n{all}");
        }
        let one = Experiment::from_form("x", &[row("a", "1", "3")]).unwrap_err();
        assert_eq!(one, ["An experiment has 2 to 10 variants (the first is the control), not 1."]);
    }

    #[test]
    fn unset_settings_fall_back_to_the_default() {
        let variant = Settings { headline: Some("Read on".to_owned()), ..Settings::default() };
        let default = Settings { meter_limit: Some(5), headline: Some("Old".to_owned()), ..Settings::default() };
        assert_eq!(
            variant.or(&default),
            Settings { meter_limit: Some(5), headline: Some("Read on".to_owned()), ..Settings::default() }
        );
        assert_eq!(Settings::default().describe(), "the defaults");
        assert_eq!(default.describe(), "5 free stories a month; headline “Old”");
    }

    #[test]
    fn readers_keep_their_variant_and_the_weights_hold() {
        let e = experiment("x", &[("a", 1, 10), ("b", 3, 5)]);
        let mut b = 0;
        for n in 0..4_000 {
            let key = format!("v:{n:032x}");
            assert_eq!(e.variant_of(&key), e.variant_of(&key), "sticky");
            b += usize::from(e.variant_of(&key).name == "b");
        }
        assert!((2_800..3_200).contains(&b), "about three in four get b: {b}");
        // Another experiment deals the readers out afresh.
        let other = experiment("y", &[("a", 1, 10), ("b", 3, 5)]);
        let moved = (0..200).filter(|n| {
            let key = format!("v:{n:032x}");
            e.variant_of(&key).name != other.variant_of(&key).name
        });
        assert!(moved.count() > 20);
    }
}
