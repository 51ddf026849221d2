//! Distributions, not only alarms: session duration, requests per session, and live sessions over
//! time. Fixed-size histograms (memory does not grow with the log).

use crate::logs::outcome::{Distribution, Series};

/// Fine log-scale buckets for quantiles (about 5 % wide), coarse named buckets for the picture.
const FINE: usize = 512;
const RATIO: f64 = 1.05;

#[derive(Debug, Clone)]
pub struct Histogram {
    name: &'static str,
    unit: &'static str,
    fine: Vec<u64>,
    edges: &'static [(f64, &'static str)],
    coarse: Vec<u64>,
    count: u64,
    max: f64,
}

pub const DURATION_EDGES: &[(f64, &str)] = &[
    (10.0, "< 10s"),
    (60.0, "10s–1m"),
    (300.0, "1–5m"),
    (900.0, "5–15m"),
    (3600.0, "15m–1h"),
    (14_400.0, "1–4h"),
    (28_800.0, "4–8h"),
    (86_400.0, "8h–1d"),
    (f64::INFINITY, "> 1d"),
];

pub const REQUEST_EDGES: &[(f64, &str)] = &[
    (1.5, "1"),
    (5.5, "2–5"),
    (10.5, "6–10"),
    (20.5, "11–20"),
    (50.5, "21–50"),
    (100.5, "51–100"),
    (1000.5, "101–1000"),
    (f64::INFINITY, "> 1000"),
];

impl Histogram {
    pub fn new(
        name: &'static str,
        unit: &'static str,
        edges: &'static [(f64, &'static str)],
    ) -> Self {
        Histogram {
            name,
            unit,
            fine: vec![0; FINE],
            edges,
            coarse: vec![0; edges.len()],
            count: 0,
            max: 0.0,
        }
    }

    fn fine_index(v: f64) -> usize {
        if v < 1.0 {
            0
        } else {
            ((v.ln() / RATIO.ln()) as usize + 1).min(FINE - 1)
        }
    }

    pub fn add(&mut self, v: f64) {
        self.count += 1;
        self.max = self.max.max(v);
        self.fine[Self::fine_index(v)] += 1;
        let c = self
            .edges
            .iter()
            .position(|(e, _)| v < *e)
            .unwrap_or(self.edges.len() - 1);
        self.coarse[c] += 1;
    }

    fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let want = (q * self.count as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.fine.iter().enumerate() {
            seen += n;
            if seen >= want {
                let v = if i == 0 { 0.0 } else { RATIO.powi(i as i32) };
                return v.min(self.max);
            }
        }
        self.max
    }

    pub fn finish(&self) -> Distribution {
        let round = |v: f64| (v * 10.0).round() / 10.0;
        Distribution {
            name: self.name,
            unit: self.unit,
            count: self.count,
            buckets: self
                .edges
                .iter()
                .zip(&self.coarse)
                .map(|((_, label), n)| (label.to_string(), *n))
                .collect(),
            p50: round(self.quantile(0.5)),
            p90: round(self.quantile(0.9)),
            p99: round(self.quantile(0.99)),
            max: round(self.max),
        }
    }
}

/// Samples of a count over time, halved (keeping each pair's larger) whenever they exceed a bound.
#[derive(Debug, Clone)]
pub struct Sampler {
    name: &'static str,
    points: Vec<(i64, u64)>,
}

const MAX_POINTS: usize = 600;

impl Sampler {
    pub fn new(name: &'static str) -> Self {
        Sampler {
            name,
            points: Vec::new(),
        }
    }

    pub fn add(&mut self, t: i64, v: u64) {
        self.points.push((t, v));
        if self.points.len() >= 2 * MAX_POINTS {
            self.points = self
                .points
                .chunks(2)
                .map(|c| (c[0].0, c.iter().map(|p| p.1).max().unwrap_or(0)))
                .collect();
        }
    }

    pub fn finish(&self) -> Series {
        Series {
            name: self.name,
            points: self.points.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_close() {
        let mut h = Histogram::new("d", "s", DURATION_EDGES);
        for v in 1..=1000 {
            h.add(v as f64);
        }
        let d = h.finish();
        assert!((d.p50 - 500.0).abs() < 30.0, "{}", d.p50);
        assert!((d.p99 - 990.0).abs() < 60.0, "{}", d.p99);
        assert_eq!(d.max, 1000.0);
        assert_eq!(d.buckets.iter().map(|b| b.1).sum::<u64>(), 1000);
    }
}
