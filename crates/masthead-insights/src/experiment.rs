//! A meter experiment: variants with weights, each with its own monthly
//! limit, and which variant a reader gets — derived from their meter's key
//! by hashing, so every instance agrees without a lookup and a reader keeps
//! their variant for as long as the experiment runs.
//!
//! Written as `NAME:VARIANT=WEIGHT@LIMIT,…` (`--meter-experiment`), e.g.
//! `dec-meter:ten=1@10,five=1@5`: half the readers get 10 free stories a
//! month, half get 5.

use sha2::{Digest, Sha256};

/// The most variants an experiment may have.
const MOST_VARIANTS: usize = 10;

/// One variant: its name, share and monthly limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// As events and the insights page name it.
    pub name: String,
    /// Its share of readers, against the others' weights.
    pub weight: u32,
    /// Free stories a month.
    pub meter_limit: u32,
}

/// A running experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Experiment {
    /// Salts the hash: a new experiment deals readers out afresh.
    pub name: String,
    /// Two or more.
    pub variants: Vec<Variant>,
}

impl Experiment {
    /// An experiment from its written form, or what is wrong with it.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let form = "write it as NAME:VARIANT=WEIGHT@LIMIT,VARIANT=WEIGHT@LIMIT (e.g. dec-meter:ten=1@10,five=1@5)";
        let (name, list) = spec.split_once(':').ok_or_else(|| format!("{spec:?} has no name: {form}"))?;
        let name = name.trim();
        let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !word(name) {
            return Err(format!("experiment name {name:?}: use letters, digits, - and _"));
        }
        let mut variants = Vec::new();
        for part in list.split(',') {
            let bad = || format!("variant {:?}: {form}", part.trim());
            let (variant, rest) = part.split_once('=').ok_or_else(bad)?;
            let (weight, limit) = rest.split_once('@').ok_or_else(bad)?;
            let variant = variant.trim();
            if !word(variant) || variants.iter().any(|v: &Variant| v.name == variant) {
                return Err(format!("variant name {variant:?}: use letters, digits, - and _, each name once"));
            }
            let weight: u32 = weight.trim().parse().ok().filter(|w| *w > 0).ok_or_else(bad)?;
            let meter_limit: u32 = limit.trim().parse().map_err(|_| bad())?;
            variants.push(Variant { name: variant.to_owned(), weight, meter_limit });
        }
        if !(2..=MOST_VARIANTS).contains(&variants.len()) {
            return Err(format!("an experiment has 2 to {MOST_VARIANTS} variants, not {}", variants.len()));
        }
        Ok(Self { name: name.to_owned(), variants })
    }

    /// The variant of the reader whose meter is `key`: the same on every
    /// instance, every time.
    pub fn variant_of(&self, key: &str) -> &Variant {
        let digest = Sha256::new().chain_update(self.name.as_bytes()).chain_update(b"\0").chain_update(key).finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let total: u64 = self.variants.iter().map(|v| u64::from(v.weight)).sum();
        let mut point = u64::from_be_bytes(first) % total;
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

    #[test]
    fn experiments_parse_and_refuse_what_is_wrong() {
        let e = Experiment::parse("dec-meter: ten=1@10, five=3@5").unwrap();
        assert_eq!(e.name, "dec-meter");
        assert_eq!(e.variants[1], Variant { name: "five".to_owned(), weight: 3, meter_limit: 5 });
        for (bad, says) in [
            ("ten=1@10,five=1@5", "has no name"),
            ("x:ten=1@10", "2 to 10 variants"),
            ("x:ten=0@10,five=1@5", "variant \"ten=0@10\""),
            ("x:ten=1@10,ten=1@5", "each name once"),
            ("x:ten=1,five=1@5", "variant \"ten=1\""),
            ("bad name:a=1@1,b=1@2", "experiment name"),
        ] {
            let error = Experiment::parse(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn readers_keep_their_variant_and_the_weights_hold() {
        let e = Experiment::parse("x:a=1@10,b=3@5").unwrap();
        let mut b = 0;
        for n in 0..4_000 {
            let key = format!("v:{n:032x}");
            assert_eq!(e.variant_of(&key), e.variant_of(&key), "sticky");
            b += usize::from(e.variant_of(&key).name == "b");
        }
        assert!((2_800..3_200).contains(&b), "about three in four get b: {b}");
        // Another experiment deals the readers out afresh.
        let other = Experiment::parse("y:a=1@10,b=3@5").unwrap();
        let moved = (0..200).filter(|n| {
            let key = format!("v:{n:032x}");
            e.variant_of(&key).name != other.variant_of(&key).name
        });
        assert!(moved.count() > 20);
    }
}
