//! The SMTP client: a few connections of our own, kept open and reused.
//!
//! lettre speaks SMTP over each connection ([`AsyncSmtpConnection`]), but the
//! sockets are ours, opened with `TCP_NODELAY`: lettre writes a message's
//! body and its closing `.` in two writes, and with Nagle's algorithm on the
//! second waits for the server's delayed ACK of the first — about 40 ms a
//! message on every connection (`bench/newsletters/nagle.py` shows it).
//!
//! [`Relay`] holds up to [`Relay::CONNECTIONS`] connections: a send takes an
//! idle one (checked with `NOOP` when it has waited a while) or opens one,
//! and puts it back when the server accepted the message. A connection that
//! failed is dropped (lettre ends it with `QUIT`); the next send opens a
//! fresh one. [`Relay::shutdown`] says `QUIT` on the idle ones.
//!
//! The URL means what it meant with lettre's own transport: `smtp://HOST`
//! (port 25, no TLS), `smtp://HOST?tls=required` or `?tls=opportunistic`
//! (port 587, STARTTLS), `smtps://HOST` (port 465, TLS from the first byte,
//! over our socket too); `USER:PASSWORD@` (percent-decoded) authenticates
//! with PLAIN or LOGIN; a path names the client in `EHLO`.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::MailError;

/// How long connecting, or one message's exchange, may take before it is given up.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// An idle connection older than this is asked `NOOP` before it carries a
/// message: the server may have closed it meanwhile.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(5);

/// An SMTP server and the connections open to it.
pub struct Relay {
    /// `scheme://host:port`, for logs and errors (never the credentials).
    server: String,
    endpoint: Endpoint,
    /// One permit per connection that may be open.
    slots: Semaphore,
    /// Connections waiting for their next message, with when they were parked.
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl fmt::Debug for Relay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.server)
    }
}

/// Where and how to connect.
struct Endpoint {
    host: String,
    port: u16,
    security: Security,
    hello: ClientId,
    credentials: Option<Credentials>,
}

/// The TLS a connection takes.
enum Security {
    /// None: a relay on the same host.
    Plain,
    /// STARTTLS after the greeting, always or when the server offers it.
    StartTls { tls: TlsParameters, required: bool },
    /// TLS from the first byte (`smtps`).
    Implicit { connector: TlsConnector, name: ServerName<'static> },
}

impl Relay {
    /// Connections open to one server at most: the newsletter job's
    /// messages in flight (its default) each have one.
    pub const CONNECTIONS: usize = 8;

    /// The server `url` names (see the module's documentation), its
    /// certificates checked against the Mozilla roots and `extra_roots`.
    pub fn from_url(url: &str, extra_roots: &[CertificateDer<'static>]) -> Result<Self, MailError> {
        let refused = |reason: String| MailError::SmtpUrl(reason);
        let parsed = url::Url::parse(url).map_err(|e| refused(e.to_string()))?;
        let host = match parsed.host() {
            Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(refused("no host".to_owned())),
        };
        let tls = parsed.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
        let starttls = |required| -> Result<_, MailError> {
            let mut tls = TlsParameters::builder(host.clone());
            for root in extra_roots {
                tls =
                    tls.add_root_certificate(Certificate::from_der(root.to_vec()).map_err(|e| refused(e.to_string()))?);
            }
            Ok(Security::StartTls { tls: tls.build_rustls().map_err(|e| refused(e.to_string()))?, required })
        };
        let (default_port, security) = match (parsed.scheme(), tls.as_deref()) {
            ("smtp", None) => (25, Security::Plain),
            ("smtp", Some("required")) => (587, starttls(true)?),
            ("smtp", Some("opportunistic")) => (587, starttls(false)?),
            ("smtps", _) => {
                let name = ServerName::try_from(host.clone()).map_err(|e| refused(format!("{host}: {e}")))?;
                (465, Security::Implicit { connector: implicit_tls(extra_roots)?, name })
            }
            (scheme, tls) => {
                return Err(refused(format!(
                    "unknown scheme {scheme:?} or tls={tls:?} (tls=required or opportunistic)"
                )));
            }
        };
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let decode = |s: &str| match percent_encoding::percent_decode_str(s).decode_utf8() {
            Ok(decoded) => Ok(decoded.into_owned()),
            Err(_) => Err(refused("the user or password is not UTF-8 once percent-decoded".to_owned())),
        };
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(decode(parsed.username())?, decode(password)?)),
            None => None,
        };
        let port = parsed.port().unwrap_or(default_port);
        Ok(Self {
            server: format!("{}://{}:{port}", parsed.scheme(), parsed.host_str().unwrap_or_default()),
            endpoint: Endpoint { host, port, security, hello, credentials },
            slots: Semaphore::new(Self::CONNECTIONS),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends one message: the server accepted it when this returns `Ok`.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), MailError> {
        let _slot = self.slots.acquire().await.expect("the semaphore is never closed");
        let mut connection = self.connection().await?;
        let sent = tokio::time::timeout(SMTP_TIMEOUT, connection.send(envelope, message)).await;
        match sent {
            Ok(Ok(_)) => {
                self.park(connection);
                Ok(())
            }
            Ok(Err(error)) => {
                // lettre says QUIT and closes on a refusal mid-message; a
                // message it would not start (no 8BITMIME…) leaves it whole.
                if !connection.has_broken() {
                    self.park(connection);
                }
                Err(MailError::Smtp(error))
            }
            Err(_) => Err(self.failed(io::Error::new(io::ErrorKind::TimedOut, "the server stopped answering"))),
        }
    }

    /// Says `QUIT` on every idle connection and closes it.
    pub async fn shutdown(&self) {
        let idle = std::mem::take(&mut *self.idle.lock().expect("the idle list is never poisoned"));
        for (mut connection, _) in idle {
            let _ = tokio::time::timeout(SMTP_TIMEOUT, connection.quit()).await;
        }
    }

    /// An idle connection that still answers, or a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, MailError> {
        loop {
            let parked = self.idle.lock().expect("the idle list is never poisoned").pop();
            let Some((mut connection, since)) = parked else { break };
            if since.elapsed() < CHECK_IDLE_AFTER
                || tokio::time::timeout(SMTP_TIMEOUT, connection.test_connected()).await.unwrap_or(false)
            {
                return Ok(connection);
            }
        }
        tokio::time::timeout(SMTP_TIMEOUT, self.connect())
            .await
            .unwrap_or_else(|_| Err(self.failed(io::Error::new(io::ErrorKind::TimedOut, "no answer"))))
    }

    fn park(&self, connection: AsyncSmtpConnection) {
        self.idle.lock().expect("the idle list is never poisoned").push((connection, Instant::now()));
    }

    /// Opens a connection: our socket with `TCP_NODELAY`, TLS as the URL
    /// says, the greeting and `EHLO`, then authentication.
    async fn connect(&self) -> Result<AsyncSmtpConnection, MailError> {
        let Endpoint { security, hello, credentials, .. } = &self.endpoint;
        let socket = self.socket().await?;
        let stream: Box<dyn AsyncTokioStream> = match security {
            Security::Implicit { connector, name } => {
                Box::new(ImplicitTls(connector.connect(name.clone(), socket).await.map_err(|e| self.failed(e))?))
            }
            Security::Plain | Security::StartTls { .. } => Box::new(socket),
        };
        let mut connection = AsyncSmtpConnection::connect_with_transport(stream, hello).await?;
        if let Security::StartTls { tls, required } = security
            && (*required || connection.can_starttls())
        {
            connection.starttls(tls.clone(), hello).await?;
        }
        if let Some(credentials) = credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(connection)
    }

    /// A TCP connection to the server with Nagle's algorithm off, so that a
    /// message's last line leaves at once (see the module's documentation).
    async fn socket(&self) -> Result<TcpStream, MailError> {
        let socket = TcpStream::connect((self.endpoint.host.as_str(), self.endpoint.port)).await;
        let socket = socket.map_err(|e| self.failed(e))?;
        socket.set_nodelay(true).map_err(|e| self.failed(e))?;
        Ok(socket)
    }

    fn failed(&self, source: io::Error) -> MailError {
        MailError::SmtpConnect { server: self.server.clone(), source }
    }
}

/// The client side of implicit TLS: rustls with ring, the Mozilla roots
/// (what lettre trusts by default) and `extra_roots`.
fn implicit_tls(extra_roots: &[CertificateDer<'static>]) -> Result<TlsConnector, MailError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for root in extra_roots {
        roots.add(root.clone()).map_err(|e| MailError::SmtpUrl(format!("unusable root certificate: {e}")))?;
    }
    let config = ClientConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| MailError::SmtpUrl(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// A TLS stream over our socket, in the shape lettre takes an existing stream.
#[derive(Debug)]
struct ImplicitTls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;
    use tokio_rustls::TlsAcceptor;
    use tokio_rustls::rustls::ServerConfig;

    use super::*;

    /// What the fake server saw of one message.
    #[derive(Debug, Clone)]
    struct Received {
        to: Vec<String>,
        data: String,
        encrypted: bool,
        auth: Option<String>,
    }

    /// How the fake server speaks TLS.
    #[derive(Clone)]
    enum ServerTls {
        None,
        StartTls(TlsAcceptor),
        Implicit(TlsAcceptor),
    }

    /// A small SMTP server on loopback that counts its connections and
    /// `QUIT`s, keeps what it accepts and refuses `refused@example.com`.
    #[derive(Clone)]
    struct FakeServer {
        port: u16,
        connections: Arc<AtomicUsize>,
        quits: Arc<AtomicUsize>,
        received: Arc<Mutex<Vec<Received>>>,
    }

    impl FakeServer {
        async fn start(tls: ServerTls) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server = Self {
                port: listener.local_addr().unwrap().port(),
                connections: Arc::default(),
                quits: Arc::default(),
                received: Arc::default(),
            };
            let accepting = server.clone();
            tokio::spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    accepting.connections.fetch_add(1, Ordering::SeqCst);
                    let (server, tls) = (accepting.clone(), tls.clone());
                    tokio::spawn(async move {
                        match tls {
                            ServerTls::Implicit(acceptor) => {
                                let stream = acceptor.accept(socket).await.unwrap();
                                server.session(stream, true, false, true).await;
                            }
                            ServerTls::StartTls(acceptor) => {
                                if let Some(socket) = server.session(socket, false, true, true).await {
                                    let stream = acceptor.accept(socket).await.unwrap();
                                    server.session(stream, true, false, false).await;
                                }
                            }
                            ServerTls::None => {
                                server.session(socket, false, false, true).await;
                            }
                        }
                    });
                }
            });
            server
        }

        /// One connection's commands, after the greeting when `greet` (not
        /// again after STARTTLS); the stream back when the client asks for
        /// STARTTLS, which is offered when `starttls`.
        async fn session<S: AsyncRead + AsyncWrite + Unpin>(
            &self,
            stream: S,
            encrypted: bool,
            starttls: bool,
            greet: bool,
        ) -> Option<S> {
            let mut stream = BufReader::new(stream);
            if greet {
                stream.write_all(b"220 fake ESMTP\r\n").await.ok()?;
            }
            let (mut to, mut auth) = (Vec::new(), None);
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await.ok()? == 0 {
                    return None;
                }
                let command = line.trim_end().to_owned();
                let verb = command.split(' ').next().unwrap_or_default().to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" if starttls => b"250-fake\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n",
                    "EHLO" => b"250-fake\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n",
                    "STARTTLS" => {
                        stream.write_all(b"220 go ahead\r\n").await.ok()?;
                        return Some(stream.into_inner());
                    }
                    "AUTH" => {
                        auth = command.split(' ').nth(2).map(str::to_owned);
                        b"235 welcome\r\n"
                    }
                    "RCPT" if command.contains("<refused@example.com>") => b"550 no such user\r\n",
                    "RCPT" => {
                        to.push(command["RCPT TO:".len()..].trim_matches(['<', '>']).to_owned());
                        b"250 ok\r\n"
                    }
                    "DATA" => {
                        stream.write_all(b"354 go on\r\n").await.ok()?;
                        let mut data = String::new();
                        loop {
                            let mut line = String::new();
                            if stream.read_line(&mut line).await.ok()? == 0 || line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        let to = std::mem::take(&mut to);
                        self.received.lock().unwrap().push(Received { to, data, encrypted, auth: auth.clone() });
                        b"250 accepted\r\n"
                    }
                    "QUIT" => {
                        self.quits.fetch_add(1, Ordering::SeqCst);
                        stream.write_all(b"221 bye\r\n").await.ok()?;
                        return None;
                    }
                    _ => b"250 ok\r\n",
                };
                stream.write_all(reply).await.ok()?;
            }
        }

        fn connections(&self) -> usize {
            self.connections.load(Ordering::SeqCst)
        }

        fn received(&self) -> Vec<Received> {
            self.received.lock().unwrap().clone()
        }
    }

    fn envelope(to: &str) -> Envelope {
        Envelope::new(Some("no-reply@news.example".parse().unwrap()), vec![to.parse().unwrap()]).unwrap()
    }

    fn message(n: usize) -> Vec<u8> {
        format!("Subject: issue {n}\r\n\r\n{}", format!("{}\r\n", "x".repeat(70)).repeat(30)).into_bytes()
    }

    /// A TLS acceptor for 127.0.0.1 with a fresh self-signed certificate,
    /// and that certificate for the client to trust.
    fn self_signed() -> (TlsAcceptor, CertificateDer<'static>) {
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let key = rustls_pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
        let config =
            ServerConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![cert.der().clone()], key.into())
                .unwrap();
        (TlsAcceptor::from(Arc::new(config)), cert.der().clone())
    }

    #[tokio::test]
    async fn sockets_leave_nagle_off() {
        let server = FakeServer::start(ServerTls::None).await;
        let relay = Relay::from_url(&format!("smtp://127.0.0.1:{}", server.port), &[]).unwrap();
        let socket = relay.socket().await.unwrap();
        assert!(socket.nodelay().unwrap(), "TCP_NODELAY is set: with Nagle each message waits ~40 ms for an ACK");
    }

    #[tokio::test]
    async fn messages_share_a_few_connections_kept_open() {
        let server = FakeServer::start(ServerTls::None).await;
        let relay = Arc::new(Relay::from_url(&format!("smtp://127.0.0.1:{}", server.port), &[]).unwrap());
        let mut sending = tokio::task::JoinSet::new();
        for n in 0..60 {
            let relay = Arc::clone(&relay);
            sending.spawn(async move { relay.send(&envelope(&format!("reader{n}@example.com")), &message(n)).await });
        }
        while let Some(sent) = sending.join_next().await {
            sent.unwrap().unwrap();
        }
        let opened = server.connections();
        assert!((1..=Relay::CONNECTIONS).contains(&opened), "{opened} connections for 60 messages");
        for n in 60..80 {
            relay.send(&envelope("one@example.com"), &message(n)).await.unwrap();
        }
        assert_eq!(server.connections(), opened, "one message after another reuses an open connection");
        let received = server.received();
        assert_eq!(received.len(), 80);
        assert!(received.iter().all(|r| r.data.starts_with("Subject: issue ") && !r.encrypted && r.auth.is_none()));
        relay.shutdown().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(server.quits.load(Ordering::SeqCst), opened, "shutdown says QUIT on every idle connection");
    }

    #[tokio::test]
    async fn a_refusal_fails_its_message_only() {
        let server = FakeServer::start(ServerTls::None).await;
        let relay = Relay::from_url(&format!("smtp://127.0.0.1:{}", server.port), &[]).unwrap();
        relay.send(&envelope("first@example.com"), &message(1)).await.unwrap();
        let refused = relay.send(&envelope("refused@example.com"), &message(2)).await;
        assert!(matches!(refused, Err(MailError::Smtp(_))), "{refused:?}");
        relay.send(&envelope("third@example.com"), &message(3)).await.unwrap();
        let to: Vec<_> = server.received().into_iter().flat_map(|r| r.to).collect();
        assert_eq!(to, ["first@example.com", "third@example.com"]);
        assert_eq!(server.connections(), 2, "lettre ends a connection after a refusal: the next message opens one");
    }

    #[tokio::test]
    async fn starttls_and_authentication_on_our_socket() {
        let (acceptor, root) = self_signed();
        let server = FakeServer::start(ServerTls::StartTls(acceptor)).await;
        let url = format!("smtp://news%40example:p%40ss%20w@127.0.0.1:{}?tls=required", server.port);
        let relay = Relay::from_url(&url, &[root]).unwrap();
        relay.send(&envelope("reader@example.com"), &message(1)).await.unwrap();
        relay.send(&envelope("reader@example.com"), &message(2)).await.unwrap();
        let received = server.received();
        assert_eq!(received.len(), 2);
        assert!(received.iter().all(|r| r.encrypted), "the message went after STARTTLS");
        // AUTH PLAIN: base64 of "\0news@example\0p@ss w", the URL's user and password percent-decoded.
        assert_eq!(received[0].auth.as_deref(), Some("AG5ld3NAZXhhbXBsZQBwQHNzIHc="));
        assert_eq!(server.connections(), 1);
    }

    #[tokio::test]
    async fn starttls_required_is_refused_by_a_server_without_it() {
        let server = FakeServer::start(ServerTls::None).await;
        let (_, root) = self_signed();
        let url = format!("smtp://127.0.0.1:{}?tls=required", server.port);
        let relay = Relay::from_url(&url, &[root]).unwrap();
        assert!(relay.send(&envelope("reader@example.com"), &message(1)).await.is_err());
        assert!(server.received().is_empty(), "nothing goes in the clear when TLS is required");
    }

    #[tokio::test]
    async fn implicit_tls_on_our_socket_checks_the_certificate() {
        let (acceptor, root) = self_signed();
        let server = FakeServer::start(ServerTls::Implicit(acceptor)).await;
        let url = format!("smtps://127.0.0.1:{}", server.port);
        let untrusted = Relay::from_url(&url, &[]).unwrap();
        let refused = untrusted.send(&envelope("reader@example.com"), &message(1)).await;
        assert!(matches!(refused, Err(MailError::SmtpConnect { .. })), "{refused:?}");
        let relay = Relay::from_url(&url, &[root]).unwrap();
        relay.send(&envelope("reader@example.com"), &message(2)).await.unwrap();
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert!(received[0].encrypted && received[0].data.starts_with("Subject: issue 2"));
    }
}
