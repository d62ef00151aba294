//! The one clock every layer stamps with: milliseconds since the Unix epoch, UTC.

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
