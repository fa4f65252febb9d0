//! Calendar dates for waiver expiry (`until 2027-03-31`), and durations (`90s`, `7d`). The
//! checker never reads the clock: "today" is an input of the workspace, set by the CLI from the
//! system clock (UTC) and pinned by tests, so output depends only on the inputs.

/// The longest duration the language takes: ten years, so that every duration fits the 32-bit
/// second counts AWS's APIs use.
pub const MAX_DURATION_SECONDS: u64 = 3_650 * 86_400;

/// The seconds of `amount` `unit`s (`s`, `m`, `h`, `d`), if the unit is one and the duration
/// is at most `MAX_DURATION_SECONDS`.
pub fn duration_seconds(amount: u64, unit: &str) -> Option<u64> {
    let size = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    amount.checked_mul(size).filter(|s| *s <= MAX_DURATION_SECONDS)
}

/// A valid proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, rejecting dates that do not exist (`2027-02-30`).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        if parts.next().is_some()
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    /// Today in UTC, from the system clock (only drivers call this: queries see `today`).
    pub fn today_utc() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Date::from_unix_days(i64::try_from(seconds / 86_400).unwrap_or(0))
    }

    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn parses_real_dates_only() {
        assert_eq!(
            Date::parse("2027-03-31"),
            Some(Date {
                year: 2027,
                month: 3,
                day: 31
            })
        );
        assert_eq!(Date::parse("2028-02-29").map(|d| d.day), Some(29));
        assert_eq!(Date::parse("2027-02-29"), None);
        assert_eq!(Date::parse("2027-13-01"), None);
        assert_eq!(Date::parse("2027-04-31"), None);
    }

    #[test]
    fn converts_unix_days() {
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(20_784).to_string(), "2026-11-27");
        assert_eq!(Date::from_unix_days(-1).to_string(), "1969-12-31");
    }
}
