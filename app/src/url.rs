//! Small URL helpers shared by browser and server.

/// Percent-encodes everything but RFC 3986's unreserved characters and `/`, for a path passed
/// as a query value.
pub fn encode_component(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(char::from(byte))
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

/// `path` for the person a citizen acts for: as it is for themselves, with `?fuer=` for a child.
pub fn for_person(path: &str, person: &str, is_self: bool) -> String {
    match is_self {
        true => path.to_owned(),
        false => format!("{path}?fuer={}", encode_component(person)),
    }
}

/// A path on this site: starts with one `/` and is not `//host` or `/\host`, which browsers
/// read as another site. Used for every return-to address.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

/// `2026-11-24T21:30:05.123Z` as `24.11.2026, 21:30 UTC` (German) or `2026-11-24, 21:30 UTC`.
pub fn format_timestamp(rfc3339: &str, german: bool) -> String {
    let (date, rest) = rfc3339.split_once('T').unwrap_or((rfc3339, ""));
    let time: String = rest.chars().take(5).collect();
    let parts: Vec<&str> = date.split('-').collect();
    match (german, parts.as_slice()) {
        (true, [year, month, day]) => format!("{day}.{month}.{year}, {time} UTC"),
        _ => format!("{date}, {time} UTC"),
    }
}

/// `2016-05-14` as `14.05.2016` (German) or as it is; anything else unchanged.
pub fn format_date(date: &str, german: bool) -> String {
    match (german, date.split('-').collect::<Vec<_>>().as_slice()) {
        (true, [year, month, day]) if year.len() == 4 => format!("{day}.{month}.{year}"),
        _ => date.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_a_query_value_cannot_hold() {
        assert_eq!(encode_component("/buerger/sitzungen"), "/buerger/sitzungen");
        assert_eq!(encode_component("/a b&c=d?#"), "/a%20b%26c%3Dd%3F%23");
        assert_eq!(encode_component("/ä"), "/%C3%A4");
    }

    #[test]
    fn only_paths_on_this_site_are_local() {
        assert!(is_local_path("/"));
        assert!(is_local_path("/buerger"));
        assert!(!is_local_path("//evil.example"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("evil"));
        assert!(!is_local_path("/a\nb"));
    }

    #[test]
    fn formats_timestamps_for_people() {
        assert_eq!(format_timestamp("2026-11-24T21:30:05.123Z", true), "24.11.2026, 21:30 UTC");
        assert_eq!(format_timestamp("2026-11-24T21:30:05Z", false), "2026-11-24, 21:30 UTC");
    }
}
