//! Pagination of story lists: page numbers as readers see them (1-based).

/// One page of a list: a 1-based page number and the page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    number: u32,
    size: u32,
}

impl Page {
    /// The largest page size any list serves; bigger requests are clamped to it.
    pub const MAX_SIZE: u32 = 100;

    /// A page; a missing or zero number means the first page, and the size is
    /// clamped to `1..=MAX_SIZE`.
    pub fn new(number: Option<u32>, size: u32) -> Self {
        Self { number: number.unwrap_or(1).max(1), size: size.clamp(1, Self::MAX_SIZE) }
    }

    /// The 1-based page number.
    pub fn number(self) -> u32 {
        self.number
    }

    /// How many items a page holds.
    pub fn size(self) -> u32 {
        self.size
    }

    /// How many items come before this page.
    pub fn offset(self) -> u64 {
        u64::from(self.number - 1) * u64::from(self.size)
    }

    /// How many pages `total` items fill (at least one, so an empty list has a page 1).
    pub fn count(self, total: u64) -> u32 {
        u32::try_from(total.div_ceil(u64::from(self.size)).max(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_missing_numbers_mean_the_first_page() {
        assert_eq!(Page::new(None, 20).number(), 1);
        assert_eq!(Page::new(Some(0), 20).offset(), 0);
        assert_eq!(Page::new(Some(3), 20).offset(), 40);
    }

    #[test]
    fn sizes_are_clamped() {
        assert_eq!(Page::new(None, 0).size(), 1);
        assert_eq!(Page::new(None, 10_000).size(), Page::MAX_SIZE);
    }

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        let page = Page::new(None, 20);
        assert_eq!(page.count(0), 1);
        assert_eq!(page.count(20), 1);
        assert_eq!(page.count(21), 2);
    }
}
