//! What Ordo tells a customer, and when: the events that call for a message, each message's words, and how often to try.
//!
//! - [`notice`]: which appended events call for which message ([`Notice`]), decided once here.
//! - [`render`]: a notice's subject, plain text and HTML, from the order and its status view
//!   (the tracking page's words); and the "Find my orders" sign-in message.
//! - [`retry`]: when a failed delivery is tried again, and when it is given up (dead letter).
//! - [`delivery`]: what became of a message, as the order's timeline records it.

pub mod delivery;
pub mod notice;
pub mod render;
pub mod retry;

pub use delivery::{Delivery, delivery_entry};
pub use notice::{DEFAULT_FEEDBACK_REQUEST_DAYS, MessageKind, Notice, SIGN_IN_KIND, notices};
pub use render::{
    Letterhead, Message, RenderError, Unsubscribe, render, render_dropship_request, render_purchase_order,
    render_sign_in,
};
pub use retry::{MAX_ATTEMPTS, retry_after};
