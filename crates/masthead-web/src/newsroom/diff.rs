//! A line diff between two revisions: the longest common subsequence of
//! their lines, shown as kept, removed and added lines.

/// What happened to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// In both.
    Same,
    /// Only in the older text.
    Removed,
    /// Only in the newer text.
    Added,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiffLine {
    pub change: Change,
    pub text: String,
}

impl DiffLine {
    /// The line's mark in the margin: ` `, `-` or `+`.
    pub fn mark(&self) -> &'static str {
        match self.change {
            Change::Same => " ",
            Change::Removed => "-",
            Change::Added => "+",
        }
    }

    /// Its CSS class.
    pub fn class(&self) -> &'static str {
        match self.change {
            Change::Same => "same",
            Change::Removed => "removed",
            Change::Added => "added",
        }
    }
}

/// Lines beyond this many on either side are compared as one block, so a
/// pathological revision cannot make the table quadratic in memory.
const MAX_LINES: usize = 4000;

/// The diff from `old` to `new`, line by line.
pub(crate) fn lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Common head and tail are kept as they are; only the middle is compared.
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..].iter().rev().zip(b[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (mid_a, mid_b) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut out: Vec<DiffLine> = a[..head].iter().map(|l| line(Change::Same, l)).collect();
    if mid_a.len() > MAX_LINES || mid_b.len() > MAX_LINES {
        out.extend(mid_a.iter().map(|l| line(Change::Removed, l)));
        out.extend(mid_b.iter().map(|l| line(Change::Added, l)));
    } else {
        out.extend(middle(mid_a, mid_b));
    }
    out.extend(a[a.len() - tail..].iter().map(|l| line(Change::Same, l)));
    out
}

fn line(change: Change, text: &str) -> DiffLine {
    DiffLine { change, text: text.to_owned() }
}

/// The classic LCS table, walked from the start.
fn middle(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let width = b.len() + 1;
    // lcs[i * width + j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(line(Change::Same, a[i]));
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
            out.push(line(Change::Removed, a[i]));
            i += 1;
        } else {
            out.push(line(Change::Added, b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| line(Change::Removed, l)));
    out.extend(b[j..].iter().map(|l| line(Change::Added, l)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(diff: &[DiffLine]) -> String {
        diff.iter().map(|l| format!("{}{}\n", l.mark(), l.text)).collect()
    }

    #[test]
    fn a_changed_line_is_removed_then_added() {
        let diff = lines("one\ntwo\nthree\n", "one\n2\nthree\nfour\n");
        assert_eq!(render(&diff), " one\n-two\n+2\n three\n+four\n");
    }

    #[test]
    fn identical_texts_have_no_changes() {
        let diff = lines("a\nb", "a\nb");
        assert!(diff.iter().all(|l| l.change == Change::Same));
        assert_eq!(diff.len(), 2);
    }

    #[test]
    fn moved_lines_keep_the_longest_common_run() {
        let diff = lines("a\nb\nc\nd", "b\nc\nd\na");
        assert_eq!(render(&diff), "-a\n b\n c\n d\n+a\n");
    }

    #[test]
    fn empty_sides() {
        assert_eq!(render(&lines("", "x\ny")), "+x\n+y\n");
        assert_eq!(render(&lines("x", "")), "-x\n");
    }
}
