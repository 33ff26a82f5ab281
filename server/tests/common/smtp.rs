//! A real SMTP server for a test: `aiosmtpd` (`make setup-test` installs it) on a port of its
//! own, writing what it receives to a Maildir the test reads back. It can be stopped and
//! started again on the same port (the mail server down for a while).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Smtp {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

/// A message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// File name and bytes of each attachment.
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl Smtp {
    pub async fn start() -> Smtp {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("kassa-smtp-{port}-{}", rand::random::<u32>()));
        let mut smtp = Smtp {
            port,
            dir,
            child: None,
        };
        smtp.resume().await;
        smtp
    }

    /// `KASSA_SMTP_URL` for it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Takes the server down: connections are refused until [`Smtp::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on its port and waits until it answers.
    pub async fn resume(&mut self) {
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (make setup-test installs it)");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start on port {}", self.port);
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Received> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) {
                files.extend(entries.flatten().map(|e| e.path()));
            }
        }
        files.sort();
        files
            .iter()
            .map(|f| parse(&std::fs::read(f).unwrap()))
            .collect()
    }

    /// The messages once there are at least `n` (waiting up to 30 s).
    pub async fn until(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("fewer than {n} messages arrived: {:?}", self.messages());
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn parse(raw: &[u8]) -> Received {
    use mailparse::MailHeaderMap;
    let mail = mailparse::parse_mail(raw).unwrap();
    let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
    let mut received = Received {
        message_id: header("Message-ID"),
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        text: String::new(),
        html: String::new(),
        attachments: Vec::new(),
    };
    let mut parts = vec![&mail];
    while let Some(part) = parts.pop() {
        parts.extend(part.subparts.iter());
        if !part.subparts.is_empty() {
            continue;
        }
        let disposition = part.get_content_disposition();
        match (
            disposition.params.get("filename"),
            part.ctype.mimetype.as_str(),
        ) {
            (Some(name), _) => received
                .attachments
                .push((name.clone(), part.get_body_raw().unwrap())),
            (None, "text/plain") => received.text = part.get_body().unwrap(),
            (None, "text/html") => received.html = part.get_body().unwrap(),
            _ => {}
        }
    }
    received
}
