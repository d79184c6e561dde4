//! Sending e-mail: over SMTP (lettre's messages and connections, see [`super::smtp`]; TLS,
//! STARTTLS and auth from the URL) or as `.eml` files in a folder (the embedded run's mailbox,
//! shown on the staff's Messages page).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as MailAttachment, Mailbox, MultiPart};

pub(crate) use super::smtp::SendError;
use super::smtp::Smtp;

/// Where messages go and who they are from.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    /// The sender, `Shop <shop@example.com>`.
    pub from: String,
    /// The shop's name as customers know it (letterhead and subject).
    pub shop_name: String,
    /// Where the web shop is, for links in messages (`https://shop.example`).
    pub public_url: String,
    /// The page with the return policy, if the shop has one.
    pub returns_url: Option<String>,
    /// The locale money is written in.
    pub locale: String,
}

/// How messages leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// `smtp://user:pass@host:port` (STARTTLS with `?tls=required`, or `smtps://` for TLS).
    Smtp(String),
    /// One `.eml` file per message in this folder.
    Folder(PathBuf),
}

/// A file sent with a message.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

/// A ready mail sender.
#[derive(Clone)]
pub struct Mailer {
    settings: MailSettings,
    from: Mailbox,
    /// The sender's domain: the right-hand side of every `Message-ID`.
    domain: String,
    smtp: Option<Arc<Smtp>>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks `settings` (the sender's address, the SMTP URL) and prepares the transport.
    pub fn new(settings: MailSettings) -> Result<Mailer, String> {
        let from: Mailbox =
            settings.from.parse().map_err(|e| format!("the sender address {:?}: {e}", settings.from))?;
        let domain = from.email.domain().to_owned();
        let smtp = match &settings.transport {
            MailTransport::Smtp(url) => Some(Arc::new(
                Smtp::from_url(url, Duration::from_secs(30)).map_err(|e| format!("the SMTP URL: {e}"))?,
            )),
            MailTransport::Folder(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("the mail folder {}: {e}", dir.display()))?;
                None
            }
        };
        Ok(Mailer { settings, from, domain, smtp })
    }

    /// Whether the SMTP server answers (a folder always does): checked at start, so a wrong host
    /// or port shows in the log at once rather than at the first message.
    pub async fn check(&self) -> Result<(), String> {
        let Some(smtp) = &self.smtp else { return Ok(()) };
        smtp.check().await
    }

    pub(crate) fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// The `Message-ID` of the message stored as `key` (`ord_1#0000000003#0`): the same on
    /// every attempt, so a receiver can tell a retry from a new message.
    pub(crate) fn message_id(&self, key: &str) -> String {
        format!("<{}@{}>", key.replace('#', "."), self.domain)
    }

    /// Sends `message` to `to` as message `key`.
    pub(crate) async fn send(
        &self,
        key: &str,
        to: &str,
        message: &ordo_core::messages::Message,
    ) -> Result<(), SendError> {
        self.send_with(key, to, message, None).await
    }

    /// Sends `message` to `to` as message `key`, with `attachment` after its two parts.
    pub(crate) async fn send_with(
        &self,
        key: &str,
        to: &str,
        message: &ordo_core::messages::Message,
        attachment: Option<Attachment>,
    ) -> Result<(), SendError> {
        let to: Mailbox = to.parse().map_err(|e| SendError::Permanent(format!("the address {to:?}: {e}")))?;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(self.message_id(key)));
        if let Some(one_click) = &message.list_unsubscribe {
            // RFC 2369 and RFC 8058: mail clients show an "Unsubscribe" button that posts
            // `List-Unsubscribe=One-Click` to the address, without opening a page.
            builder = builder
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{one_click}>")))
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE_POST, "List-Unsubscribe=One-Click".into()));
        }
        let parts = MultiPart::alternative_plain_html(message.text.clone(), message.html.clone());
        let parts = match attachment {
            None => parts,
            Some(a) => {
                let content_type = ContentType::parse(a.content_type)
                    .map_err(|e| SendError::Permanent(format!("the attachment's type: {e}")))?;
                MultiPart::mixed()
                    .multipart(parts)
                    .singlepart(MailAttachment::new(a.file_name).body(a.bytes, content_type))
            }
        };
        let email = builder
            .multipart(parts)
            .map_err(|e| SendError::Permanent(format!("building the message: {e}")))?;
        match (&self.smtp, &self.settings.transport) {
            (Some(smtp), _) => smtp.send(email.envelope(), &email.formatted()).await,
            (None, MailTransport::Folder(dir)) => {
                // Written whole, then renamed: a reader never sees half a message, and a retry
                // replaces the file of the same message.
                let name = key.replace('#', ".");
                let part = dir.join(format!(".{name}.eml.part"));
                tokio::fs::write(&part, email.formatted())
                    .await
                    .map_err(|e| SendError::Transient(format!("writing {}: {e}", part.display())))?;
                tokio::fs::rename(&part, dir.join(format!("{name}.eml")))
                    .await
                    .map_err(|e| SendError::Transient(format!("renaming {}: {e}", part.display())))
            }
            (None, MailTransport::Smtp(_)) => Err(SendError::Permanent("no SMTP transport".into())),
        }
    }
}
