//! A small deterministic pseudo-random number generator (SplitMix64).
//!
//! Every story draws from its own generator, seeded from its index in the
//! archive, so any story can be generated on its own, in any order, and the
//! archive is byte-identical on every machine. Only integer arithmetic is used:
//! floating point could round differently between platforms.

/// SplitMix64's increment, the golden ratio in 64 bits.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a strong 64-bit mix.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The stream for story number `index`; `salt` keeps independent uses of
    /// the same index (the text, the timing) from sharing a stream.
    pub fn for_story(index: u64, salt: u64) -> Self {
        Self { state: mix(index ^ salt) }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// A uniform number in `0..n` (`n > 0`), by Lemire's multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0, "below(0)");
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A uniform number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below((hi - lo + 1) as usize) as u64
    }

    /// A number in `0..n` where small numbers are likelier (a uniform draw
    /// below a uniform draw), as for percentages and amounts in the news.
    pub fn small(&mut self, n: usize) -> usize {
        let cap = self.below(n);
        self.below(cap + 1)
    }

    /// True with the given probability, in per cent.
    pub fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen item.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index in `0..n` drawn with Zipf-like weights (about `1 / rank`):
    /// the first items are common, the last ones rare. Each octave of ranks
    /// (1, 2–3, 4–7, …) is equally likely and ranks within it uniform; ranks
    /// past `n` in the last octave are drawn again.
    pub fn zipf(&mut self, n: usize) -> usize {
        debug_assert!(n > 0, "zipf(0)");
        let octaves = (usize::BITS - n.leading_zeros()) as usize;
        loop {
            let low = 1usize << self.below(octaves);
            let rank = low + self.below(low);
            if rank <= n {
                return rank - 1;
            }
        }
    }

    /// An item chosen with [`Rng::zipf`] weights.
    pub fn pick_zipf<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.zipf(items.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |index, salt| {
            let mut rng = Rng::for_story(index, salt);
            [rng.next_u64(), rng.next_u64(), rng.next_u64()]
        };
        assert_eq!(draw(7, 1), draw(7, 1));
        assert_ne!(draw(7, 1), draw(8, 1));
        assert_ne!(draw(7, 1), draw(7, 2));
    }

    #[test]
    fn below_and_between_stay_in_range() {
        let mut rng = Rng::for_story(1, 0);
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
            assert!((3..=9).contains(&rng.between(3, 9)));
            assert!(rng.small(5) < 5);
        }
    }

    #[test]
    fn zipf_favours_the_head_but_reaches_the_tail() {
        let mut rng = Rng::for_story(2, 0);
        let mut counts = [0u32; 20];
        for _ in 0..100_000 {
            counts[rng.zipf(counts.len())] += 1;
        }
        assert!(counts.iter().all(|&c| c > 0), "{counts:?}");
        assert!(counts[0] > 4 * counts[10], "{counts:?}");
        assert!(counts[0] > counts[1] && counts[1] > counts[5], "{counts:?}");
        assert_eq!(Rng::for_story(3, 0).zipf(1), 0);
    }
}
