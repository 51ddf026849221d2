//! An optional GeoIP database (`--geoip FILE`): where a client address is, so two uses of one session
//! can be judged by real distance and by the speed travelling it would take ("impossible travel").
//! Read once at start into sorted ranges and looked up in memory: no network at run time.
//!
//! The format is a CSV of address ranges, the one DB-IP publishes as its free "IP to City Lite"
//! database (`ip_start,ip_end,continent,country,stateprov,city,latitude,longitude`, plain or gzip):
//! the first two columns are the range, the last two the latitude and longitude. Any CSV laid out so
//! (a GeoLite2 export, a company's own office list) works the same.

use std::io::{BufRead, BufReader, Read};
use std::net::IpAddr;
use std::path::Path;

/// A place: latitude and longitude in degrees.
pub type Place = (f32, f32);

#[derive(Debug, Default)]
pub struct GeoDb {
    /// (first, last, place), sorted by first, not overlapping.
    v4: Vec<(u32, u32, Place)>,
    v6: Vec<(u128, u128, Place)>,
}

fn ip(text: &str) -> Option<IpAddr> {
    text.trim().trim_matches('"').parse().ok()
}

fn coordinate(text: &str, limit: f32) -> Option<f32> {
    let v: f32 = text.trim().trim_matches('"').parse().ok()?;
    (v.is_finite() && v.abs() <= limit).then_some(v)
}

impl GeoDb {
    /// Reads the CSV; lines that are not a range with a place (a header, a comment) are skipped, and a
    /// file without one usable line is refused.
    pub fn open(path: &Path) -> Result<GeoDb, String> {
        let shown = path.display();
        let file = std::fs::File::open(path).map_err(|e| format!("--geoip {shown}: {e}"))?;
        let mut buffered = BufReader::new(file);
        let head = buffered
            .fill_buf()
            .map_err(|e| format!("--geoip {shown}: {e}"))?;
        let reader: Box<dyn Read> = if head.starts_with(&[0x1f, 0x8b]) {
            Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
        } else {
            Box::new(buffered)
        };
        let mut db = GeoDb::default();
        for line in BufReader::new(reader).lines() {
            let line = line.map_err(|e| format!("--geoip {shown}: {e}"))?;
            db.add_line(&line);
        }
        if db.v4.is_empty() && db.v6.is_empty() {
            return Err(format!(
                "--geoip {shown}: no line of the form ip_start,ip_end,…,latitude,longitude"
            ));
        }
        db.v4.sort_by_key(|r| r.0);
        db.v6.sort_by_key(|r| r.0);
        Ok(db)
    }

    fn add_line(&mut self, line: &str) {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 4 {
            return;
        }
        let (Some(lat), Some(lon)) = (
            coordinate(cols[cols.len() - 2], 90.0),
            coordinate(cols[cols.len() - 1], 180.0),
        ) else {
            return;
        };
        match (ip(cols[0]), ip(cols[1])) {
            (Some(IpAddr::V4(a)), Some(IpAddr::V4(b))) if a <= b => {
                self.v4.push((a.into(), b.into(), (lat, lon)));
            }
            (Some(IpAddr::V6(a)), Some(IpAddr::V6(b))) if a <= b => {
                self.v6.push((a.into(), b.into(), (lat, lon)));
            }
            _ => {}
        }
    }

    pub fn ranges(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// The place of a client address as the log writes it (the first of a forwarded list).
    pub fn locate(&self, addr: &[u8]) -> Option<Place> {
        let first = addr.split(|c| *c == b',').next()?.trim_ascii();
        match std::str::from_utf8(first).ok()?.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => find(&self.v4, u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => find(&self.v4, u32::from(v4)),
                None => find(&self.v6, u128::from(a)),
            },
        }
    }
}

fn find<T: Ord + Copy>(ranges: &[(T, T, Place)], at: T) -> Option<Place> {
    let i = ranges.partition_point(|r| r.0 <= at).checked_sub(1)?;
    let (_, last, place) = ranges[i];
    (at <= last).then_some(place)
}

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn distance_km(a: Place, b: Place) -> f64 {
    let (la1, lo1) = (f64::from(a.0).to_radians(), f64::from(a.1).to_radians());
    let (la2, lo2) = (f64::from(b.0).to_radians(), f64::from(b.1).to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_distances() {
        let mut db = GeoDb::default();
        db.add_line("ip_start,ip_end,continent,country,stateprov,city,latitude,longitude");
        db.add_line("203.0.113.0,203.0.113.255,EU,FR,Ile-de-France,Paris,48.8566,2.3522");
        db.add_line("198.51.100.0,198.51.100.255,OC,AU,New South Wales,Sydney,-33.8688,151.2093");
        db.add_line(
            "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,EU,DE,Berlin,Berlin,52.52,13.405",
        );
        db.v4.sort_by_key(|r| r.0);
        assert_eq!(db.ranges(), 3);
        let paris = db.locate(b"203.0.113.9").unwrap();
        let sydney = db.locate(b"198.51.100.7, 10.0.0.1").unwrap();
        assert!(db.locate(b"192.0.2.1").is_none());
        assert!(db.locate(b"2001:db8::5").is_some());
        let d = distance_km(paris, sydney);
        assert!((16_900.0..17_000.0).contains(&d), "{d}");
    }
}
