//! Per-client rate limits on mutations: a token bucket per bearer token, or per IP address for
//! callers without one, so no single client can flood intake or payments.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A sustained rate with a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Mutations per second, sustained.
    pub per_second: f64,
    /// Mutations allowed at once before the sustained rate applies.
    pub burst: u32,
}

/// The limits for the two kinds of caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimits {
    /// Per bearer token.
    pub per_token: Rate,
    /// Per IP address, for anonymous callers (guest checkout).
    pub per_ip: Rate,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            per_token: Rate { per_second: 50.0, burst: 100 },
            per_ip: Rate { per_second: 10.0, burst: 30 },
        }
    }
}

/// Who a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Client<'a> {
    Token(&'a str),
    Ip(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets are forgotten once this many exist and they are full again.
const PRUNE_ABOVE: usize = 50_000;

#[derive(Debug)]
pub(crate) struct Limiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<u64, Bucket>>,
}

impl Limiter {
    pub(crate) fn new(limits: RateLimits) -> Limiter {
        Limiter { limits, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one mutation from `client`'s bucket, or says how long to wait for one.
    pub(crate) fn check(&self, client: Client<'_>, now: Instant) -> Result<(), Duration> {
        let (rate, key) = match client {
            Client::Token(token) => (self.limits.per_token, hash(&("token", token))),
            Client::Ip(ip) => (self.limits.per_ip, hash(&("ip", ip))),
        };
        let burst = f64::from(rate.burst.max(1));
        let per_second = rate.per_second.max(f64::MIN_POSITIVE);
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| {
                now.saturating_duration_since(b.at).as_secs_f64() * per_second + b.tokens < burst
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: burst, at: now });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

fn hash(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> Limiter {
        Limiter::new(RateLimits {
            per_token: Rate { per_second: 2.0, burst: 3 },
            per_ip: Rate { per_second: 1.0, burst: 1 },
        })
    }

    #[test]
    fn a_burst_is_allowed_then_the_client_waits_for_the_sustained_rate() {
        let l = limiter();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(Client::Token("a"), t0).is_ok());
        }
        let wait = l.check(Client::Token("a"), t0).unwrap_err();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500), "{wait:?}");
        assert!(l.check(Client::Token("a"), t0 + Duration::from_millis(500)).is_ok());
        assert!(l.check(Client::Token("a"), t0 + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn clients_have_separate_buckets() {
        let l = limiter();
        let t0 = Instant::now();
        let ip = IpAddr::from([127, 0, 0, 1]);
        assert!(l.check(Client::Ip(ip), t0).is_ok());
        assert!(l.check(Client::Ip(ip), t0).is_err());
        assert!(l.check(Client::Ip(IpAddr::from([127, 0, 0, 2])), t0).is_ok());
        assert!(l.check(Client::Token("b"), t0).is_ok());
    }

    #[test]
    fn a_full_bucket_never_holds_more_than_its_burst() {
        let l = limiter();
        let t0 = Instant::now();
        assert!(l.check(Client::Token("c"), t0).is_ok());
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(l.check(Client::Token("c"), later).is_ok());
        }
        assert!(l.check(Client::Token("c"), later).is_err());
    }
}
