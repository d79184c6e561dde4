//! Declined payment authorizations per client address per hour: card testing spread over many
//! orders from one address stops here (each order also stops after its own few declines).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::app::access::ClientIp;

/// Addresses are forgotten once this many are counted and their count has drained.
const FORGET_ABOVE: usize = 10_000;

/// A leaky count of declines per address: each decline adds one, the count drains at
/// `per_hour` an hour, and an address at `per_hour` must wait for it to drain below.
#[derive(Debug)]
pub struct DeclineLimit {
    per_hour: u32,
    counts: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl DeclineLimit {
    /// At most `per_hour` declines from one address within an hour.
    pub fn new(per_hour: u32) -> DeclineLimit {
        DeclineLimit { per_hour: per_hour.max(1), counts: Mutex::new(HashMap::new()) }
    }

    fn drain_per_second(&self) -> f64 {
        f64::from(self.per_hour) / 3600.0
    }

    /// The count at `now` of a count `count` made at `at`.
    fn drained(&self, (count, at): (f64, Instant), now: Instant) -> f64 {
        (count - now.saturating_duration_since(at).as_secs_f64() * self.drain_per_second()).max(0.0)
    }

    /// Whether `ip` may try another authorization; when not, how long until it may.
    pub(crate) fn allows(&self, ip: ClientIp, now: Instant) -> Result<(), Duration> {
        let counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(&entry) = counts.get(&ip.network()) else { return Ok(()) };
        let over = self.drained(entry, now) - (f64::from(self.per_hour) - 1.0);
        if over <= 0.0 { Ok(()) } else { Err(Duration::from_secs_f64(over / self.drain_per_second())) }
    }

    /// Counts a decline against `ip`.
    pub(crate) fn record(&self, ip: ClientIp, now: Instant) {
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts.len() > FORGET_ABOVE {
            counts.retain(|_, entry| self.drained(*entry, now) > 0.0);
        }
        let key = ip.network();
        let count = counts.get(&key).map_or(0.0, |entry| self.drained(*entry, now));
        counts.insert(key, ((count + 1.0).min(f64::from(self.per_hour)), now));
    }
}

impl Default for DeclineLimit {
    /// 20 declines per address per hour.
    fn default() -> Self {
        DeclineLimit::new(20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declines_are_counted_per_address_and_asking_takes_nothing() {
        let d = DeclineLimit::new(2);
        let t0 = Instant::now();
        let ip = ClientIp(IpAddr::from([192, 0, 2, 9]));
        assert!(d.allows(ip, t0).is_ok());
        assert!(d.allows(ip, t0).is_ok(), "asking is free");
        d.record(ip, t0);
        assert!(d.allows(ip, t0).is_ok(), "one of two");
        d.record(ip, t0);
        let wait = d.allows(ip, t0).unwrap_err();
        assert!(wait > Duration::from_secs(1700) && wait <= Duration::from_secs(1800), "{wait:?}");
        assert!(d.allows(ClientIp(IpAddr::from([192, 0, 2, 10])), t0).is_ok());
        assert!(d.allows(ip, t0 + Duration::from_secs(1800)).is_ok());
    }

    #[test]
    fn an_ipv6_network_of_64_bits_counts_as_one_address() {
        let d = DeclineLimit::new(1);
        let t0 = Instant::now();
        d.record(ClientIp("2001:db8:1:2:aaaa::1".parse().unwrap()), t0);
        assert!(d.allows(ClientIp("2001:db8:1:2:bbbb::9".parse().unwrap()), t0).is_err());
        assert!(d.allows(ClientIp("2001:db8:1:3::1".parse().unwrap()), t0).is_ok());
    }

    #[test]
    fn drained_addresses_are_forgotten_when_many_are_counted() {
        let d = DeclineLimit::new(3600);
        let t0 = Instant::now();
        for i in 0..=FORGET_ABOVE {
            d.record(ClientIp(IpAddr::from(u32::try_from(i).unwrap().to_be_bytes())), t0);
        }
        d.record(ClientIp(IpAddr::from([10, 0, 0, 1])), t0 + Duration::from_secs(2));
        assert_eq!(d.counts.lock().unwrap().len(), 1, "only the fresh address is kept");
    }
}
