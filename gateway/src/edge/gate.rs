//! Admission of one GraphQL operation, the same over HTTP and WebSocket: the document is parsed
//! once (and cached), refused when it is too large, and charged to its caller's rate-limit bucket
//! by what it may cost; the errors async-graphql raises itself get codes and clipped messages.
//!
//! Over WebSocket every `subscribe` message passes here (a mutation sent that way is charged like
//! one sent over HTTP), and a connection may run at most so many operations at once.

use std::any::TypeId;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures::stream::{self, BoxStream, StreamExt};

use crate::app::access::{Actor, Subject};
use crate::edge::guard::Shape;
use crate::edge::parse_cache::ParseCache;
use crate::edge::ratelimit::{Client, Limiter, RateLimits, Refused};
use crate::graphql::OrdoSchema;
use crate::graphql::error::Code;

/// Why an operation does not run.
#[derive(Debug, Clone)]
pub(crate) enum Refusal {
    /// The document does not parse (the error names the position, never the text).
    Parse(ServerError),
    /// Refused with a code and an HTTP status: too large, a mutation over GET, over a limit.
    Limit { code: Code, message: String, retry_after: Option<u64> },
}

impl Refusal {
    /// The refusal as a GraphQL error (`extensions.code`, and `retryAfter` in seconds when
    /// waiting helps).
    pub(crate) fn to_error(&self) -> ServerError {
        match self {
            Refusal::Parse(e) => e.clone(),
            Refusal::Limit { code, message, retry_after, .. } => {
                let mut e = ServerError::new(message.clone(), None);
                let extensions = e.extensions.get_or_insert_with(Default::default);
                extensions.set("code", code.as_str());
                if let Some(seconds) = retry_after {
                    extensions.set("retryAfter", *seconds);
                }
                e
            }
        }
    }
}

/// The parse cache and the rate limiter every transport admits operations through.
#[derive(Debug)]
pub(crate) struct Gate {
    limiter: Option<Limiter>,
    parsed: ParseCache,
}

impl Gate {
    pub(crate) fn new(limits: Option<RateLimits>) -> Gate {
        Gate { limiter: limits.map(Limiter::new), parsed: ParseCache::default() }
    }

    /// Parses `request` (or takes its document from the cache), checks its size, refuses a
    /// mutation unless `mutations_allowed`, and charges `client` what it may cost.
    pub(crate) fn admit(
        &self,
        request: &mut Request,
        client: Client<'_>,
        mutations_allowed: bool,
    ) -> Result<Shape, Refusal> {
        let uncached = match self.parsed.get(&request.query) {
            Some(document) => {
                request.set_parsed_query(document);
                None
            }
            None => Some(request.query.clone()),
        };
        let shape = match request.parsed_query() {
            Ok(document) => {
                if let Some(text) = &uncached {
                    self.parsed.put(text, document);
                }
                Shape::of(document)
            }
            Err(e) => {
                let mut e = parse_error(&e);
                set_code(&mut e, Code::GraphqlParseFailed);
                // Parsing cost something: a stream of broken documents is charged like reads.
                self.charge(client, crate::edge::guard::cost::READ)?;
                return Err(Refusal::Parse(e));
            }
        };
        if shape.mutates && !mutations_allowed {
            self.charge(client, crate::edge::guard::cost::READ)?;
            return Err(Refusal::Limit {
                code: Code::MethodNotAllowed,
                message: "mutations need POST".into(),
                retry_after: None,
            });
        }
        if let Some((code, message)) = shape.refusal() {
            self.charge(client, crate::edge::guard::cost::READ)?;
            return Err(Refusal::Limit { code, message, retry_after: None });
        }
        self.charge(client, shape.cost)?;
        Ok(shape)
    }

    /// Takes `cost` points from `client`'s bucket, or says which limit refused.
    fn charge(&self, client: Client<'_>, cost: u32) -> Result<(), Refusal> {
        if let Some(limiter) = &self.limiter {
            let rate = limiter.rate(client);
            let whose = match client {
                Client::Caller(_) => "this caller",
                Client::Ip(_) => "this address",
            };
            match limiter.check(client, cost, Instant::now()) {
                Ok(()) => {}
                Err(Refused::Wait(wait)) => {
                    let seconds = wait.as_secs().saturating_add(1);
                    return Err(Refusal::Limit {
                        code: Code::RateLimited,
                        message: format!(
                            "rate limit of {whose} reached ({} points a second, {} at once; this operation costs {cost}); retry in {seconds} s",
                            rate.per_second, rate.burst
                        ),
                        retry_after: Some(seconds),
                    });
                }
                Err(Refused::TooCostly { burst, .. }) => {
                    return Err(Refusal::Limit {
                        code: Code::RateLimited,
                        message: format!(
                            "this request costs {cost} points, more than the {burst} {whose} may spend at once; send fewer mutations per request"
                        ),
                        retry_after: None,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Who an operation is charged to: a caller with a token by its scope; anonymous callers and
/// guests (whose tokens anyone can get by checking out) by their address.
pub(crate) fn client<'a>(actor: &Actor, scope: &'a str, ip: IpAddr) -> Client<'a> {
    match actor {
        Actor::Anonymous | Actor::Guest { .. } | Actor::Shopper { .. } => Client::Ip(ip),
        _ => Client::Caller(scope),
    }
}

/// Gives the errors async-graphql raised itself a code (ours always carry one) and cuts the
/// names they quote from the document.
pub(crate) fn finish(response: &mut Response) {
    for error in &mut response.errors {
        let missing = error.extensions.as_ref().is_none_or(|x| x.get("code").is_none());
        if missing {
            let code = uncoded_error_code(error);
            set_code(error, code);
            error.message = clip_quoted(&error.message);
        }
    }
}

/// Runs WebSocket operations through the [`Gate`] for one connection, counting the operations it
/// has running.
#[derive(Clone)]
pub(crate) struct GatedExecutor {
    pub schema: OrdoSchema,
    pub gate: Arc<Gate>,
    pub ip: IpAddr,
    /// Operations this connection has running (streams not yet finished or stopped).
    pub running: Arc<AtomicUsize>,
    pub max_running: usize,
}

/// Gives an operation's place back when its stream is dropped.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn session<T: Clone + 'static>(data: Option<&Arc<Data>>) -> Option<T> {
    data?.get(&TypeId::of::<T>())?.downcast_ref::<T>().cloned()
}

fn refused(error: ServerError) -> BoxStream<'static, Response> {
    stream::once(async move { Response::from_errors(vec![error]) }).boxed()
}

impl Executor for GatedExecutor {
    async fn execute(&self, request: Request) -> Response {
        // The WebSocket protocol only streams; answered as a stream's first response anyway.
        let mut stream = self.execute_stream(request, None);
        stream.next().await.unwrap_or_default()
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let actor: Actor = session(session_data.as_ref()).unwrap_or(Actor::Anonymous);
        let subject: Subject = session(session_data.as_ref()).unwrap_or(Subject("anonymous".into()));
        let scope = actor.scope(&subject.0);
        if let Err(refusal) = self.gate.admit(&mut request, client(&actor, &scope, self.ip), true) {
            return refused(refusal.to_error());
        }
        if self.running.fetch_add(1, Ordering::AcqRel) >= self.max_running {
            self.running.fetch_sub(1, Ordering::AcqRel);
            return refused(
                Refusal::Limit {
                    code: Code::TooManySubscriptions,
                    message: format!(
                        "this connection already runs {} operations; stop one or open another connection",
                        self.max_running
                    ),
                    retry_after: None,
                }
                .to_error(),
            );
        }
        let running = Running(Arc::clone(&self.running));
        Executor::execute_stream(&self.schema, request, session_data)
            .map(move |mut response| {
                let _held = &running;
                finish(&mut response);
                response
            })
            .boxed()
    }
}

fn set_code(error: &mut ServerError, code: Code) {
    error.extensions.get_or_insert_with(Default::default).set("code", code.as_str());
}

/// Codes for the errors async-graphql raises itself (our resolvers always set one): limits and
/// validation failures have no path; argument values that do not coerce have one.
fn uncoded_error_code(error: &ServerError) -> Code {
    match error.message.as_str() {
        "Query is nested too deep." => Code::QueryTooDeep,
        m if m.starts_with("The recursion depth of the query") => Code::QueryTooDeep,
        "Query is too complex." => Code::QueryTooComplex,
        _ if error.path.is_empty() => Code::GraphqlValidationFailed,
        _ => Code::BadUserInput,
    }
}

/// Most characters of a caller's input an error message repeats.
const MAX_ECHO: usize = 40;

/// How deep the GraphQL parser lets selections nest (async-graphql-parser's limit).
const PARSER_DEPTH: usize = 64;

/// A parse error without the document: where the parser stopped and what it expected (the
/// parser's own message quotes the offending line, up to the whole document).
fn parse_error(e: &ServerError) -> ServerError {
    let at =
        e.locations.first().map(|p| format!(" at line {}, column {}", p.line, p.column)).unwrap_or_default();
    let message = if e.message.starts_with("recursion limit exceeded") {
        format!("the document is nested too deeply: selections may nest at most {PARSER_DEPTH} levels{at}")
    } else {
        match e.message.lines().find_map(|l| l.trim_start().strip_prefix("= ")) {
            Some(expected) => format!("syntax error{at}: {}", clip(expected, 2 * MAX_ECHO)),
            None => format!("syntax error{at}"),
        }
    };
    ServerError::new(message, e.locations.first().copied())
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// A message whose quoted parts (`"name"`, `` `name` ``) are cut to [`MAX_ECHO`] characters each.
fn clip_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                out.push_str(&clip(&after[..close], MAX_ECHO));
                out.push(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&clip(after, MAX_ECHO));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    clip(&out, 8 * MAX_ECHO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_names_the_position_and_never_the_document() {
        let secret = "x".repeat(5_000);
        let mut request = Request::new(format!("{{ product(sku: \"{secret}\") {{ name }}"));
        let e = request.parsed_query().err().unwrap();
        let cleaned = parse_error(&e);
        assert!(cleaned.message.starts_with("syntax error at line 1"), "{}", cleaned.message);
        assert!(!cleaned.message.contains("xxxx"), "{}", cleaned.message);
        assert!(cleaned.message.len() < 200);
    }

    #[test]
    fn quoted_names_in_messages_are_cut() {
        let long = "a".repeat(500);
        let clipped = clip_quoted(&format!("Unknown field \"{long}\" on type \"Query\"."));
        assert!(clipped.len() < 100, "{clipped}");
        assert!(clipped.ends_with("on type \"Query\"."), "{clipped}");
    }
}
