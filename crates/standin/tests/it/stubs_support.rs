//! What the stub and admin tests share: a stub root in a temporary directory and the
//! server started on it, a raw TCP connection to the server, and the times that stub
//! date matchers and helpers are checked against.

use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::Server;

/// A stub root in a temporary directory: each `(path, content)` written under
/// `mappings/` (folders made as needed), and an empty `__files/`.
pub fn stub_root(files: &[(impl AsRef<Path>, impl AsRef<[u8]>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mappings = dir.path().join("mappings");
    std::fs::create_dir_all(&mappings).expect("mappings dir");
    std::fs::create_dir_all(dir.path().join("__files")).expect("__files dir");
    for (path, content) in files {
        let file = mappings.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).expect("mappings subdir");
        }
        std::fs::write(&file, content).expect("write stub file");
    }
    dir
}

/// The binary serving a stub root, with further arguments.
pub fn serve_root(dir: &tempfile::TempDir, extra: &[&str]) -> Server {
    let path = dir.path().display().to_string();
    let mut args = vec![path.as_str()];
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// A TCP connection to the server whose reads give up after 10 s.
pub fn connect(s: &Server) -> TcpStream {
    let addr = s.url.trim_start_matches("http://");
    let c = TcpStream::connect(addr).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    c
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time in seconds (the core's RFC 3339 form, whole
/// seconds).
pub fn iso(unix: i64) -> String {
    let ms = u64::try_from(unix).expect("a time after 1970") * 1000;
    let full = standin_core::saved::template::iso(ms);
    format!("{}Z", &full[..19])
}

/// `yyyy-MM-dd` (UTC) of a Unix time in milliseconds.
pub fn civil_date(ms: i64) -> String {
    iso(ms.div_euclid(1000))[..10].to_string()
}

#[test]
fn iso_dates_are_right() {
    assert_eq!(iso(0), "1970-01-01T00:00:00Z");
    assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(iso(1_714_557_600), "2024-05-01T10:00:00Z");
    assert_eq!(civil_date(951_868_799_999), "2000-02-29");
}
