//! The time zone an export or a report shows its dates in: UTC, the machine's local zone
//! (with its daylight-saving rules, through chrono's `Local`), or a fixed offset such as
//! `+05:30`. No time-zone database is bundled: a named zone is the OS's local one.

use chrono::{FixedOffset, Local, Offset, TimeZone};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Utc,
    Local,
    /// Seconds east of UTC.
    Fixed(i32),
}

impl Zone {
    /// `UTC` (or `Z`), `local`, or an offset: `+05:30`, `-0800`, `+05`.
    pub fn parse(text: &str) -> Result<Zone> {
        let t = text.trim();
        let bad = || {
            Error::invalid(
                "tz",
                format!("{text:?} is not a time zone: use UTC, local or an offset such as +05:30"),
            )
        };
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(Zone::Utc);
        }
        if t.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        let sign = match t.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(bad()),
        };
        let rest = &t[1..];
        let (hours, minutes) = match rest.split_once(':') {
            Some((h, m)) => (h, m),
            None if rest.len() == 4 => rest.split_at(2),
            None => (rest, "0"),
        };
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(hours) || !digits(minutes) {
            return Err(bad());
        }
        let (h, m): (i32, i32) = (
            hours.parse().map_err(|_| bad())?,
            minutes.parse().map_err(|_| bad())?,
        );
        if h > 14 || m > 59 {
            return Err(bad());
        }
        Ok(Zone::Fixed(sign * (h * 3600 + m * 60)))
    }

    /// The zone's offset from UTC, in seconds, at the instant `ms`.
    pub fn offset_secs(&self, ms: i64) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Fixed(secs) => *secs,
            Zone::Local => match Local.timestamp_millis_opt(ms).single() {
                Some(t) => t.offset().fix().local_minus_utc(),
                None => 0,
            },
        }
    }

    /// The instant of local midnight starting `date` in this zone.
    pub fn midnight_ms(&self, date: chrono::NaiveDate) -> Option<i64> {
        let midnight = date.and_hms_opt(0, 0, 0)?;
        match self {
            Zone::Utc => Some(midnight.and_utc().timestamp_millis()),
            Zone::Fixed(secs) => FixedOffset::east_opt(*secs)?
                .from_local_datetime(&midnight)
                .single()
                .map(|t| t.timestamp_millis()),
            Zone::Local => Local
                .from_local_datetime(&midnight)
                .earliest()
                .map(|t| t.timestamp_millis()),
        }
    }

    /// The calendar day the instant `ms` falls on in this zone.
    pub fn date_of(&self, ms: i64) -> chrono::NaiveDate {
        chrono::DateTime::from_timestamp_millis(ms + self.offset_secs(ms) as i64 * 1000)
            .map(|t| t.date_naive())
            .unwrap_or_default()
    }

    /// The instant today began in this zone (a day ago if its midnight does not exist).
    pub fn start_of_today_ms(&self) -> i64 {
        let now = crate::clock::now_ms();
        self.midnight_ms(self.date_of(now))
            .unwrap_or(now - 86_400_000)
    }

    pub fn label(&self) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Local => "local".into(),
            Zone::Fixed(secs) => {
                let sign = if *secs < 0 { '-' } else { '+' };
                let abs = secs.unsigned_abs();
                format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
            }
        }
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A spreadsheet-friendly local time, "2026-11-22 14:05:09", written into `out` (cleared
/// first). Spreadsheets read it as a date-time in every locale; the zone is the caller's.
pub fn write_datetime(out: &mut Vec<u8>, ms: i64, zone: &Zone) {
    out.clear();
    let secs = ms.div_euclid(1000) + zone.offset_secs(ms) as i64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        out.extend_from_slice(format!("{y}-{m:02}-{d:02}").as_bytes());
    } else {
        push_digits(out, y as u32, 4);
        out.push(b'-');
        push_digits(out, m, 2);
        out.push(b'-');
        push_digits(out, d, 2);
    }
    out.push(b' ');
    push_digits(out, (sod / 3600) as u32, 2);
    out.push(b':');
    push_digits(out, (sod % 3600 / 60) as u32, 2);
    out.push(b':');
    push_digits(out, (sod % 60) as u32, 2);
}

fn push_digits(out: &mut Vec<u8>, mut value: u32, width: usize) {
    let start = out.len();
    for _ in 0..width {
        out.push(b'0' + (value % 10) as u8);
        value /= 10;
    }
    out[start..].reverse();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_zones_and_refuses_nonsense() {
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::Utc);
        assert_eq!(Zone::parse("utc").unwrap(), Zone::Utc);
        assert_eq!(Zone::parse("local").unwrap(), Zone::Local);
        assert_eq!(Zone::parse("+05:30").unwrap(), Zone::Fixed(19_800));
        assert_eq!(Zone::parse("-0800").unwrap(), Zone::Fixed(-28_800));
        assert_eq!(Zone::parse("+05").unwrap(), Zone::Fixed(18_000));
        for bad in [
            "",
            "Europe/Paris",
            "+5:3x",
            "05:30",
            "+15:00",
            "+05:60",
            "+123:00",
        ] {
            assert!(Zone::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Zone::Fixed(-19_800).label(), "-05:30");
    }

    #[test]
    fn formats_like_chrono_in_every_zone() {
        let mut buf = Vec::new();
        for ms in [
            0i64,
            1_700_000_000_123,
            951_782_400_000,
            4_102_444_799_999,
            1_772_323_200_000,
            -86_400_001,
        ] {
            for zone in [
                Zone::Utc,
                Zone::Fixed(19_800),
                Zone::Fixed(-28_800),
                Zone::Local,
            ] {
                write_datetime(&mut buf, ms, &zone);
                let offset = FixedOffset::east_opt(zone.offset_secs(ms)).unwrap();
                let expected = offset
                    .timestamp_millis_opt(ms)
                    .unwrap()
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string();
                assert_eq!(
                    String::from_utf8(buf.clone()).unwrap(),
                    expected,
                    "{ms} {zone:?}"
                );
            }
        }
    }

    #[test]
    fn midnight_in_a_fixed_zone() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(Zone::Utc.midnight_ms(day), Some(1_767_225_600_000));
        assert_eq!(
            Zone::Fixed(3600).midnight_ms(day),
            Some(1_767_225_600_000 - 3_600_000)
        );
    }
}
