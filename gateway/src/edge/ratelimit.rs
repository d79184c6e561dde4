//! Per-client rate limits on operations: a token bucket of points per caller (the party or person
//! a token is bound to), or per IP address for callers without one and guests, charged what each
//! operation may cost (see [`crate::edge::guard::cost`]: every mutation field counts, placing an order
//! and authorizing a payment most), the same over HTTP and WebSocket.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::app::access::ClientIp;

/// A sustained rate with a burst allowance, in cost points (a plain mutation is 5, a read 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Points per second, sustained.
    pub per_second: f64,
    /// Points a client may spend at once before the sustained rate applies.
    pub burst: u32,
}

/// The limits for the two kinds of caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimits {
    /// Per caller with a token (its scope: a customer, channel, supplier or staff member).
    pub per_token: Rate,
    /// Per IP address, for anonymous callers and guests (checkout).
    pub per_ip: Rate,
}

impl RateLimits {
    /// Limits for `mutations` plain mutations a second per token and `ip_mutations` per address
    /// (the `--rate-limit` and `--rate-limit-ip` options): twice and three times that at once.
    pub fn per_second(mutations: u32, ip_mutations: u32) -> RateLimits {
        let plain = crate::edge::guard::cost::MUTATION;
        let rate = |n: u32, burst: u32| Rate {
            per_second: f64::from(n.saturating_mul(plain)),
            burst: n.saturating_mul(plain).saturating_mul(burst),
        };
        RateLimits { per_token: rate(mutations.max(1), 2), per_ip: rate(ip_mutations.max(1), 3) }
    }
}

impl Default for RateLimits {
    /// 50 plain mutations a second per token (10 orders), 10 per address (2 orders; 7 at once).
    fn default() -> Self {
        RateLimits::per_second(50, 10)
    }
}

/// Who a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Client<'a> {
    /// A caller with a token, by its scope (`Actor::scope`).
    Caller(&'a str),
    Ip(IpAddr),
}

/// Why an operation was not allowed now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Refused {
    /// The bucket is short: retry after this long.
    Wait(Duration),
    /// The operation costs more than the bucket ever holds: split it.
    TooCostly { cost: u32, burst: u32 },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
    /// When it is full again (and so the same as a bucket never used): it may be forgotten then.
    full_at: Instant,
}

/// Buckets are forgotten once this many exist and they are full again.
const PRUNE_ABOVE: usize = 50_000;
/// Forgetting full buckets walks them all: at most once this often.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
struct Buckets {
    map: HashMap<u64, Bucket>,
    pruned_at: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct Limiter {
    limits: RateLimits,
    buckets: Mutex<Buckets>,
}

impl Limiter {
    pub(crate) fn new(limits: RateLimits) -> Limiter {
        Limiter { limits, buckets: Mutex::new(Buckets::default()) }
    }

    /// The rate `client` is held to.
    pub(crate) fn rate(&self, client: Client<'_>) -> Rate {
        match client {
            Client::Caller(_) => self.limits.per_token,
            Client::Ip(_) => self.limits.per_ip,
        }
    }

    /// Takes `cost` points from `client`'s bucket, or says why not.
    pub(crate) fn check(&self, client: Client<'_>, cost: u32, now: Instant) -> Result<(), Refused> {
        let rate = self.rate(client);
        let key = match client {
            Client::Caller(scope) => hash(&("caller", scope)),
            Client::Ip(ip) => hash(&("ip", ClientIp(ip).network())),
        };
        if cost > rate.burst.max(1) {
            return Err(Refused::TooCostly { cost, burst: rate.burst.max(1) });
        }
        let cost = f64::from(cost);
        let burst = f64::from(rate.burst.max(1));
        let per_second = rate.per_second.max(f64::MIN_POSITIVE);
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = buckets.pruned_at.is_none_or(|at| now.saturating_duration_since(at) >= PRUNE_EVERY);
        if buckets.map.len() > PRUNE_ABOVE && due {
            buckets.map.retain(|_, b| b.full_at > now);
            buckets.pruned_at = Some(now);
        }
        let bucket = buckets.map.entry(key).or_insert(Bucket { tokens: burst, at: now, full_at: now });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        let taken = bucket.tokens >= cost;
        if taken {
            bucket.tokens -= cost;
        }
        bucket.full_at = now + Duration::from_secs_f64(((burst - bucket.tokens) / per_second).min(1e9));
        if taken {
            Ok(())
        } else {
            Err(Refused::Wait(Duration::from_secs_f64((cost - bucket.tokens) / per_second)))
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
            assert!(l.check(Client::Caller("a"), 1, t0).is_ok());
        }
        let Err(Refused::Wait(wait)) = l.check(Client::Caller("a"), 1, t0) else { panic!("refused") };
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500), "{wait:?}");
        assert!(l.check(Client::Caller("a"), 1, t0 + Duration::from_millis(500)).is_ok());
        assert!(l.check(Client::Caller("a"), 1, t0 + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn clients_have_separate_buckets() {
        let l = limiter();
        let t0 = Instant::now();
        let ip = IpAddr::from([127, 0, 0, 1]);
        assert!(l.check(Client::Ip(ip), 1, t0).is_ok());
        assert!(l.check(Client::Ip(ip), 1, t0).is_err());
        assert!(l.check(Client::Ip(IpAddr::from([127, 0, 0, 2])), 1, t0).is_ok());
        assert!(l.check(Client::Caller("b"), 1, t0).is_ok());
    }

    #[test]
    fn a_full_bucket_never_holds_more_than_its_burst() {
        let l = limiter();
        let t0 = Instant::now();
        assert!(l.check(Client::Caller("c"), 1, t0).is_ok());
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(l.check(Client::Caller("c"), 1, later).is_ok());
        }
        assert!(l.check(Client::Caller("c"), 1, later).is_err());
    }

    #[test]
    fn an_ipv6_network_of_64_bits_is_one_address() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientIp(a).network(), ClientIp(b).network());
        assert_ne!(ClientIp(a).network(), ClientIp(c).network());
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(ClientIp(mapped).network(), IpAddr::from([192, 0, 2, 1]));
        let l = Limiter::new(RateLimits {
            per_token: Rate { per_second: 1.0, burst: 1 },
            per_ip: Rate { per_second: 0.001, burst: 1 },
        });
        let t0 = Instant::now();
        assert!(l.check(Client::Ip(a), 1, t0).is_ok());
        assert!(l.check(Client::Ip(b), 1, t0).is_err(), "the same /64");
    }

    #[test]
    fn full_buckets_are_forgotten_and_busy_ones_kept() {
        let l = limiter();
        let t0 = Instant::now();
        for i in 0..=PRUNE_ABOVE {
            let ip = IpAddr::from(u32::try_from(i).unwrap().to_be_bytes());
            assert!(l.check(Client::Ip(ip), 1, t0).is_ok());
        }
        // One second later every address bucket (1 point a second, burst 1) is full again; the
        // busy token bucket (2 a second, burst 3, emptied) is not.
        for _ in 0..3 {
            assert!(l.check(Client::Caller("busy"), 1, t0).is_ok());
        }
        let later = t0 + Duration::from_millis(1_100);
        assert!(l.check(Client::Caller("busy"), 1, later).is_ok());
        let buckets = l.buckets.lock().unwrap();
        assert_eq!(buckets.map.len(), 1, "only the busy bucket is kept");
    }

    #[test]
    fn an_operation_costs_its_points_and_one_costing_more_than_the_burst_never_runs() {
        let l = limiter();
        let t0 = Instant::now();
        assert!(l.check(Client::Caller("d"), 2, t0).is_ok());
        assert!(matches!(l.check(Client::Caller("d"), 2, t0), Err(Refused::Wait(_))), "one point left");
        assert!(l.check(Client::Caller("d"), 1, t0).is_ok());
        assert_eq!(l.check(Client::Caller("e"), 4, t0), Err(Refused::TooCostly { cost: 4, burst: 3 }));
    }
}
