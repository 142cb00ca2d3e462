//! Database URLs: which engine a URL names, refusing the ones we do not run on.

use std::fmt;

use crate::StoreError;

/// A database URL Masthead can use. The password, if any, never prints.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH` or `sqlite:PATH` — the embedded default.
    Sqlite(String),
    /// `postgres://…` or `postgresql://…` — the multi-instance backend.
    Postgres(String),
}

impl DatabaseUrl {
    /// Reads a URL, refusing unknown schemes with a message that says what
    /// works. An in-memory SQLite database is refused too: the server reads
    /// and writes through several connections, and each would see its own.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let raw = raw.trim();
        let scheme = raw.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase());
        let in_memory = raw.contains(":memory:") || raw.contains("mode=memory");
        match scheme.as_deref() {
            Some("sqlite") if raw.len() > "sqlite:".len() && !in_memory => Ok(Self::Sqlite(raw.to_owned())),
            Some("postgres" | "postgresql") if raw.contains("://") => Ok(Self::Postgres(raw.to_owned())),
            _ => Err(StoreError::UnsupportedUrl(redact(raw))),
        }
    }

    /// The SQLite URL of a database file.
    pub fn sqlite_file(path: &std::path::Path) -> Self {
        Self::Sqlite(format!("sqlite://{}", path.display()))
    }

    /// The whole URL, password included: for handing to a child process,
    /// never for printing (use `Display`, which hides the password).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sqlite(raw) | Self::Postgres(raw) => raw,
        }
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(raw) | Self::Postgres(raw) => f.write_str(&redact(raw)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Hides the password in `scheme://user:password@host`.
fn redact(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_schemes_pick_their_backend() {
        assert_eq!(DatabaseUrl::parse("sqlite://data/m.db").unwrap().backend(), "sqlite");
        assert_eq!(DatabaseUrl::parse("sqlite:m.db").unwrap().backend(), "sqlite");
        assert_eq!(DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(), "postgres");
        assert_eq!(DatabaseUrl::parse("PostgreSQL://u@h/db").unwrap().backend(), "postgres");
    }

    #[test]
    fn other_schemes_and_garbage_are_refused_with_the_fix() {
        for bad in [
            "mysql://root@localhost/x",
            "masthead.db",
            "",
            "sqlite:",
            "postgres:nohost",
            "http://x",
            "sqlite::memory:",
            "sqlite://file:news?mode=memory&cache=shared",
        ] {
            let err = DatabaseUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains("sqlite://PATH") && err.contains("postgres://"), "{bad}: {err}");
        }
    }

    #[test]
    fn passwords_never_print() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db/news").unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db/news");
        assert!(!format!("{url:?}").contains("s3cret"));
        let err = DatabaseUrl::parse("mysql://app:s3cret@db/news").unwrap_err();
        assert!(!err.to_string().contains("s3cret"));
    }
}
