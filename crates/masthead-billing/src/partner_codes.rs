//! Reading an admin's CSV of partner access codes. Either one code per line,
//! or a header row with a `code` column among others (`code,partner,expires`).
//! Fields may be quoted (`"A,B"`, `""` for a quote). Every problem is
//! reported with its line number, and a file with any problem imports
//! nothing, so a half-broken upload never half-lands.

use thiserror::Error;

/// One problem in an upload.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct CsvProblem {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong there.
    pub message: String,
}

/// The cells of one CSV line, or why it cannot be read.
fn cells(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.trim().is_empty() && !was_quoted => {
                cell.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, '"') => return Err("a quote in the middle of a field".to_owned()),
            (false, ',') => {
                out.push(std::mem::take(&mut cell).trim().to_owned());
                was_quoted = false;
            }
            (false, c) if was_quoted && !c.is_whitespace() => {
                return Err("text after a closing quote".to_owned());
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".to_owned());
    }
    out.push(cell.trim().to_owned());
    Ok(out)
}

/// Whether a code is one we can hand out: 4 to 64 letters, digits, `-` or `_`.
fn valid_code(code: &str) -> bool {
    (4..=64).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The codes in an upload, in file order (repeats kept: the pool counts
/// them as duplicates), or every problem found.
pub fn parse_codes(csv: &str) -> Result<Vec<String>, Vec<CsvProblem>> {
    let mut problems = Vec::new();
    let mut codes = Vec::new();
    // (column of the code, cells per row) once the first row is read.
    let mut shape: Option<(usize, usize)> = None;
    for (index, raw) in csv.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim_start_matches('\u{feff}');
        if raw.trim().is_empty() {
            continue;
        }
        let row = match cells(raw) {
            Ok(row) => row,
            Err(message) => {
                problems.push(CsvProblem { line, message });
                continue;
            }
        };
        let Some((column, width)) = shape else {
            match row.iter().position(|cell| cell.eq_ignore_ascii_case("code")) {
                Some(column) => shape = Some((column, row.len())),
                None => {
                    shape = Some((0, row.len()));
                    check(&row, 0, line, &mut codes, &mut problems);
                }
            }
            continue;
        };
        if row.len() != width {
            problems.push(CsvProblem { line, message: format!("expected {width} field(s), found {}", row.len()) });
            continue;
        }
        check(&row, column, line, &mut codes, &mut problems);
    }
    if problems.is_empty() && codes.is_empty() {
        problems.push(CsvProblem { line: 1, message: "the file holds no codes".to_owned() });
    }
    if problems.is_empty() { Ok(codes) } else { Err(problems) }
}

fn check(row: &[String], column: usize, line: usize, codes: &mut Vec<String>, problems: &mut Vec<CsvProblem>) {
    let code = &row[column];
    if valid_code(code) {
        codes.push(code.clone());
    } else if code.is_empty() {
        problems.push(CsvProblem { line, message: "the code is empty".to_owned() });
    } else {
        problems
            .push(CsvProblem { line, message: format!("{code:?} is not a code (4 to 64 letters, digits, - or _)") });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_code_per_line_or_a_code_column() {
        assert_eq!(parse_codes("NYT-AAAA-0001\r\nNYT-AAAA-0002\n\n").unwrap(), ["NYT-AAAA-0001", "NYT-AAAA-0002"]);
        let with_header = "partner,Code,expires\n\"NYT, Inc.\",NYT-1111,2027-12-31\nNYT,\"NYT-2222\",\n";
        assert_eq!(parse_codes(with_header).unwrap(), ["NYT-1111", "NYT-2222"]);
        assert_eq!(parse_codes("\u{feff}code\nABCD_1234\nABCD_1234\n").unwrap(), ["ABCD_1234", "ABCD_1234"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let csv = "code,partner\nGOOD-0001,NYT\nBAD CODE,NYT\n\"OPEN,NYT\nGOOD-0002\n,NYT\nX\"Y,NYT\n";
        let problems = parse_codes(csv).unwrap_err();
        let lines: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(
            lines,
            [
                (3, "\"BAD CODE\" is not a code (4 to 64 letters, digits, - or _)"),
                (4, "a quoted field is not closed"),
                (5, "expected 2 field(s), found 1"),
                (6, "the code is empty"),
                (7, "a quote in the middle of a field"),
            ]
        );
        assert_eq!(problems[0].to_string(), "line 3: \"BAD CODE\" is not a code (4 to 64 letters, digits, - or _)");
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(parse_codes("code\n\n").unwrap_err()[0].message, "the file holds no codes");
        assert_eq!(parse_codes("").unwrap_err()[0].line, 1);
    }
}
