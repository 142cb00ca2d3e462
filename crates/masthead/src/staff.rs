//! `masthead staff add`: creates (or promotes) a newsroom account — how the
//! first admin comes to be.

use std::io::BufRead;

use anyhow::{Context, Result};
use masthead_store::Store;

/// Gives `email` the `role`, creating the account if needed, and says how
/// its password gets set: from stdin, or through the printed link.
pub async fn add(store: &Store, email: &str, role: &str, password_stdin: bool, public_url: &str) -> Result<()> {
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(
            !password.is_empty(),
            "no password on stdin (pipe one line: echo PASSWORD | masthead staff add ...)"
        );
        Some(password)
    } else {
        None
    };
    let added = masthead_web::add_staff(store, email, role, password, chrono::Utc::now()).await?;
    let what = if added.created { "created" } else { "updated" };
    println!("{what} {email} as {role}");
    if let Some(token) = added.set_password_token {
        println!(
            "set the password (link works once, for {} hours): {}/account/reset-password?token={token}",
            masthead_web::SET_PASSWORD_FOR.num_hours(),
            public_url.trim_end_matches('/')
        );
    }
    Ok(())
}
