//! Latency percentiles and rates from `Duration`s, in integer arithmetic.

use std::time::Duration;

/// Nearest-rank percentile (`p` in 1..=100) of unsorted samples; zero when empty.
pub fn percentile(samples: &[Duration], p: u32) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    // rank = ceil(p/100 * n), 1-based.
    let rank = (p.min(100) as usize * n).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Events per second for `count` events over `elapsed`.
pub fn per_second(count: u64, elapsed: Duration) -> u64 {
    let us = elapsed.as_micros().max(1);
    u64::try_from(u128::from(count) * 1_000_000 / us).unwrap_or(u64::MAX)
}

/// Milliseconds with one decimal, e.g. `12.3 ms`.
pub fn ms(d: Duration) -> String {
    let us = d.as_micros();
    format!("{}.{} ms", us / 1000, (us % 1000) / 100)
}

/// Seconds with one decimal, e.g. `8.4 s`.
pub fn secs(d: Duration) -> String {
    let ms = d.as_millis();
    format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}

/// Thousands separated by commas: 100000 → `100,000`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msd(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=100).rev().map(msd).collect();
        assert_eq!(percentile(&samples, 50), msd(50));
        assert_eq!(percentile(&samples, 95), msd(95));
        assert_eq!(percentile(&samples, 99), msd(99));
        assert_eq!(percentile(&samples, 100), msd(100));
        assert_eq!(percentile(&[msd(7)], 95), msd(7));
        assert_eq!(percentile(&[], 50), Duration::ZERO);
        assert_eq!(percentile(&[msd(1), msd(2), msd(3)], 50), msd(2));
    }

    #[test]
    fn rates_and_formatting() {
        assert_eq!(per_second(100_000, Duration::from_secs(8)), 12_500);
        assert_eq!(per_second(5, Duration::ZERO), 5_000_000);
        assert_eq!(ms(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(ms(Duration::from_micros(800)), "0.8 ms");
        assert_eq!(secs(Duration::from_millis(8_460)), "8.4 s");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
