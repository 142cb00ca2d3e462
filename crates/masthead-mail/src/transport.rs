//! The one way mail leaves: [`Mailer::send`], over the configured transport.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};

use crate::smtp::Relay;
use crate::{Dkim, Email, MailError, Rendered};

/// Where messages go.
pub enum Transport {
    /// Each message a `.eml` file in this directory (created when needed).
    Outbox(PathBuf),
    /// An SMTP server, over a few connections kept open.
    Smtp(Box<Relay>),
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Outbox(dir) => write!(f, "Outbox({})", dir.display()),
            Self::Smtp(relay) => write!(f, "Smtp({relay:?})"),
        }
    }
}

/// Renders emails and sends them from one sender address, DKIM-signed
/// when a key is given. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Arc<Transport>,
    dkim: Option<Arc<Dkim>>,
}

impl Mailer {
    /// A mailer writing each message into `dir` as a `.eml` file.
    pub fn outbox(dir: impl Into<PathBuf>, from: &str) -> Result<Self, MailError> {
        Ok(Self { from: mailbox(from)?, transport: Arc::new(Transport::Outbox(dir.into())), dkim: None })
    }

    /// A mailer sending through the SMTP server `url` names:
    /// `smtps://USER:PASSWORD@HOST[:465]` (TLS),
    /// `smtp://USER:PASSWORD@HOST[:587]?tls=required` (STARTTLS), or
    /// `smtp://HOST[:25]` (plain, for a relay on the same host). Passwords
    /// are percent-encoded in the URL. Up to [`Relay::CONNECTIONS`]
    /// connections stay open between messages.
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        let relay = Relay::from_url(url, &[])?;
        Ok(Self { from: mailbox(from)?, transport: Arc::new(Transport::Smtp(Box::new(relay))), dkim: None })
    }

    /// This mailer, signing every message with `dkim`.
    pub fn with_dkim(self, dkim: Dkim) -> Self {
        Self { dkim: Some(Arc::new(dkim)), ..self }
    }

    /// The outbox directory, when mail goes to files.
    pub fn outbox_dir(&self) -> Option<&Path> {
        match &*self.transport {
            Transport::Outbox(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    /// Closes the SMTP connections kept open (`QUIT`), before the process
    /// ends; sending again opens new ones. Nothing to do for the outbox.
    pub async fn shutdown(&self) {
        if let Transport::Smtp(relay) = &*self.transport {
            relay.shutdown().await;
        }
    }

    /// Renders `email` and sends it to `to`.
    pub async fn send<E: Email>(&self, to: &masthead_domain::email::Email, email: &E) -> Result<(), MailError> {
        self.send_with_headers(to, email, &[]).await
    }

    /// Renders `email` and sends it to `to` with extra header fields (a
    /// newsletter's `List-Unsubscribe` and `List-Unsubscribe-Post`, RFC 8058).
    #[tracing::instrument(skip_all, fields(email = E::NAME))]
    pub async fn send_with_headers<E: Email>(
        &self,
        to: &masthead_domain::email::Email,
        email: &E,
        headers: &[(&'static str, String)],
    ) -> Result<(), MailError> {
        self.send_rendered(to, E::NAME, &email.render()?, headers).await
    }

    /// Sends a message already rendered (a newsletter issue is rendered once
    /// and given each recipient's links); `name` is its email's name, for
    /// logs and the outbox.
    pub async fn send_rendered(
        &self,
        to: &masthead_domain::email::Email,
        name: &'static str,
        rendered: &Rendered,
        headers: &[(&'static str, String)],
    ) -> Result<(), MailError> {
        let rendered = rendered.clone();
        let mut builder =
            Message::builder().from(self.from.clone()).to(mailbox(to.as_str())?).subject(rendered.subject);
        for (name, value) in headers {
            let name = HeaderName::new_from_ascii_str(name);
            builder = builder.raw_header(HeaderValue::new(name, value.clone()));
        }
        let message = builder.multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, rendered.text))
                .singlepart(part(ContentType::TEXT_HTML, rendered.html)),
        )?;
        match (&*self.transport, &self.dkim) {
            (Transport::Outbox(dir), None) => write_to_outbox(dir, name, &message.formatted()).await,
            (Transport::Outbox(dir), Some(dkim)) => write_to_outbox(dir, name, &dkim.sign(&message.formatted())?).await,
            (Transport::Smtp(relay), None) => relay.send(message.envelope(), &message.formatted()).await,
            (Transport::Smtp(relay), Some(dkim)) => {
                relay.send(message.envelope(), &dkim.sign(&message.formatted())?).await
            }
        }
    }
}

fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    address.parse().map_err(|_| MailError::Address(address.to_owned()))
}

/// A body part as written, when it can be: lines of at most 998 octets are
/// valid `7bit` (ASCII) or `8bit` (UTF-8) bodies (RFC 2045), so the `.eml`
/// reads as the template says and links stay whole. lettre's own choice
/// would quote-print any line over 76 characters.
fn part(content_type: ContentType, text: String) -> SinglePart {
    const MAX_LINE: usize = 998;
    let plain = !text.contains(['\0', '\r']) && text.lines().all(|line| line.len() <= MAX_LINE);
    let body = if plain {
        let encoding =
            if text.is_ascii() { ContentTransferEncoding::SevenBit } else { ContentTransferEncoding::EightBit };
        Body::dangerous_pre_encoded(text.replace('\n', "\r\n").into_bytes(), encoding)
    } else {
        Body::new(text)
    };
    SinglePart::builder().header(content_type).body(body)
}

/// Writes one message as `<millis>-<sequence>-<email>.eml`: names sort in
/// the order messages were sent.
async fn write_to_outbox(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), MailError> {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let failed = |source| MailError::Outbox { dir: dir.to_owned(), source };
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{millis:013}-{sequence:06}-{name}.eml"));
    tokio::fs::write(&path, bytes).await.map_err(failed)?;
    tracing::info!(path = %path.display(), "mail written to the outbox");
    Ok(())
}

#[cfg(test)]
mod tests {
    use masthead_domain::email::Email as Address;

    use super::*;
    use crate::emails::VerifyEmail;

    #[tokio::test]
    async fn outbox_messages_are_readable_eml_files() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let mailer = Mailer::outbox(&outbox, "Business Standard <no-reply@news.example>").unwrap();
        let link = format!("https://news.example/account/verify?token={}", "ab".repeat(32));
        let email =
            VerifyEmail { publisher: "Business Standard".into(), link: link.clone(), valid_for: "2 days".into() };
        let to = Address::parse("Reader@Example.com").unwrap();
        mailer.send(&to, &email).await.unwrap();
        mailer.send(&to, &email).await.unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&outbox).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        assert_eq!(files.len(), 2);
        assert!(files[0].to_string_lossy().ends_with("-verify_email.eml"));
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(eml.contains("To: reader@example.com"), "{eml}");
        assert!(
            eml.contains("From: \"Business Standard\" <no-reply@news.example>")
                || eml.contains("From: Business Standard <no-reply@news.example>"),
            "{eml}"
        );
        assert!(eml.contains("Subject: Confirm your email address for Business Standard"), "{eml}");
        assert!(eml.contains("multipart/alternative"));
        assert!(eml.contains(&link), "the link is on one line, unencoded: {eml}");
    }

    #[tokio::test]
    async fn list_headers_are_written_as_given() {
        use crate::emails::{NewsletterIssue, NewsletterItem};

        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::outbox(dir.path(), "Business Standard <no-reply@news.example>").unwrap();
        let unsubscribe = format!("https://news.example/newsletters/unsubscribe/{}", "cd".repeat(32));
        let issue = NewsletterIssue {
            publisher: "Business Standard".into(),
            newsletter: "Markets Morning Brief".into(),
            subject: "Rates hold".into(),
            intro_html: "<p>Good morning.</p>".into(),
            intro_text: "Good morning.".into(),
            items: vec![NewsletterItem {
                headline: "RBI holds rates".into(),
                standfirst: "The bank waits".into(),
                excerpt_html: "<p>The first paragraph.</p>".into(),
                excerpt_text: "The first paragraph.".into(),
                url: "https://news.example/economy/rbi-holds-rates-7".into(),
                premium: true,
            }],
            unsubscribe_link: unsubscribe.clone(),
            manage_link: "https://news.example/account/newsletters".into(),
            web_link: "https://news.example/newsletters/markets-morning-brief/1".into(),
        };
        let headers = [
            ("List-Unsubscribe", format!("<{unsubscribe}>")),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
        ];
        let to = Address::parse("reader@example.com").unwrap();
        mailer.send_with_headers(&to, &issue, &headers).await.unwrap();
        let file = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
        assert!(file.to_string_lossy().ends_with("-newsletter_issue.eml"));
        let eml = std::fs::read_to_string(file).unwrap();
        assert!(eml.contains(&format!("List-Unsubscribe: <{unsubscribe}>")), "{eml}");
        assert!(eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{eml}");
        assert!(eml.contains("Subject: Rates hold"));
        assert!(eml.contains("RBI holds rates [Premium]"), "the text part marks premium stories: {eml}");
        assert!(eml.contains(">The first paragraph.</p>"), "the HTML part carries the sanitised excerpt: {eml}");
        assert!(eml.contains(&format!("Unsubscribe from Markets Morning Brief: {unsubscribe}")));
    }

    #[test]
    fn smtp_urls_are_checked() {
        let from = "no-reply@news.example";
        assert!(Mailer::smtp("smtp://user:p%40ss@mail.example:2525", from).is_ok());
        assert!(Mailer::smtp("smtp://localhost", from).is_ok());
        assert!(Mailer::smtp("smtps://user:secret@mail.example", from).is_ok());
        assert!(Mailer::smtp("smtp://user:secret@mail.example:587?tls=required", from).is_ok());
        let mailer = Mailer::smtp("smtps://user:secret@mail.example:465", from).unwrap();
        assert!(!format!("{mailer:?}").contains("secret"), "credentials never print");
        for bad in ["http://mail.example", "smtp://", "not a url", "smtp://mail.example?tls=sometimes"] {
            assert!(matches!(Mailer::smtp(bad, from), Err(MailError::SmtpUrl(_))), "{bad}");
        }
        assert!(matches!(Mailer::smtp("smtp://localhost", "not an address"), Err(MailError::Address(_))));
    }
}
