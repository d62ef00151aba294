//! Where a thermal printer is (`receipt.printer`) and sending it bytes: raw TCP (a network
//! printer's port 9100, "JetDirect") or a device file (`/dev/usb/lp0`, a serial port). Short
//! timeouts: a printer that is off is "not printed" within seconds, never a hung counter.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use serde::Serialize;

/// How long connecting to a network printer may take (the "off" bound).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a printer may take to accept the bytes once connected.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterAddress {
    /// `host:port` (a name, an IPv4 address or a bracketed IPv6 one); `host` alone is port 9100.
    Network { host: String, port: u16 },
    /// An absolute path to a device file: `/dev/usb/lp0`, `/dev/ttyUSB0`.
    Device(PathBuf),
}

impl PrinterAddress {
    /// Reads `receipt.printer` (checked and normalised by `settings::printer_address`); the
    /// error says what is expected.
    pub fn parse(text: &str) -> Result<PrinterAddress, String> {
        let text = crate::settings::printer_address(text)?;
        if crate::settings::is_device_path(&text) {
            return Ok(PrinterAddress::Device(PathBuf::from(text)));
        }
        let (host, port) = text
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
            .ok_or_else(|| format!("receipt.printer {text:?} has no port"))?;
        Ok(PrinterAddress::Network { host, port })
    }
}

impl std::fmt::Display for PrinterAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrinterAddress::Network { host, port } => write!(f, "{host}:{port}"),
            PrinterAddress::Device(path) => write!(f, "{}", path.display()),
        }
    }
}

/// What became of one print: the window's "Printed" or "Not printed — Reprint".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PrintResult {
    pub printed: bool,
    /// Where it went (the printer's address or device).
    pub printer: String,
    /// Why it was not printed ("connection refused"), in plain words.
    pub error: Option<String>,
    /// When it was tried (RFC 3339).
    pub at: String,
}

impl PrintResult {
    fn now(printer: &PrinterAddress, error: Option<String>) -> PrintResult {
        PrintResult {
            printed: error.is_none(),
            printer: printer.to_string(),
            error,
            at: crate::views::rfc3339(paydesk_domain::clock::now_ms()),
        }
    }
}

/// Sends `bytes` to the printer, blocking this thread for at most the timeouts (call it from
/// a blocking thread, never an async worker). Never an error: a failure is the result's
/// words.
pub fn send(printer: &PrinterAddress, bytes: &[u8]) -> PrintResult {
    let outcome = match printer {
        PrinterAddress::Network { host, port } => send_tcp(host, *port, bytes),
        PrinterAddress::Device(path) => send_device(path.clone(), bytes.to_vec()),
    };
    if let Err(e) = &outcome {
        tracing::warn!(printer = %printer, "receipt not printed: {e}");
    }
    PrintResult::now(printer, outcome.err())
}

fn send_tcp(host: &str, port: u16, bytes: &[u8]) -> Result<(), String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot find {host}: {e}"))?
        .collect();
    let mut last = format!("cannot find {host}");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(mut stream) => {
                stream
                    .set_write_timeout(Some(WRITE_TIMEOUT))
                    .map_err(|e| e.to_string())?;
                stream
                    .write_all(bytes)
                    .and_then(|()| stream.flush())
                    .map_err(|e| format!("{addr} stopped taking the receipt: {}", plain(&e)))?;
                // Closing tells the printer the job is whole; nothing is read back.
                let _ = stream.shutdown(std::net::Shutdown::Write);
                return Ok(());
            }
            Err(e) => last = format!("{addr}: {}", plain(&e)),
        }
    }
    Err(last)
}

fn plain(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused (is the printer on?)".into(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            "no answer within the timeout (is the printer on and on this network?)".into()
        }
        _ => e.to_string(),
    }
}

/// A device file can block (a USB printer out of paper): the write runs on its own thread and
/// is given up on after the timeouts, the thread left to finish or fail alone.
fn send_device(path: PathBuf, bytes: Vec<u8>) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let shown = path.display().to_string();
    std::thread::Builder::new()
        .name("paydesk-receipt-device".into())
        .spawn(move || {
            let result = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|mut file| file.write_all(&bytes).and_then(|()| file.flush()));
            let _ = tx.send(result);
        })
        .map_err(|e| e.to_string())?;
    match rx.recv_timeout(CONNECT_TIMEOUT + WRITE_TIMEOUT) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("{shown}: {e}")),
        Err(_) => Err(format!(
            "{shown} did not take the receipt within {} s",
            (CONNECT_TIMEOUT + WRITE_TIMEOUT).as_secs()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let net = |h: &str, p| PrinterAddress::Network {
            host: h.into(),
            port: p,
        };
        assert_eq!(
            PrinterAddress::parse("192.168.1.50:9100"),
            Ok(net("192.168.1.50", 9100))
        );
        assert_eq!(
            PrinterAddress::parse(" printer.local "),
            Ok(net("printer.local", 9100))
        );
        assert_eq!(PrinterAddress::parse("[::1]:9101"), Ok(net("[::1]", 9101)));
        assert_eq!(
            PrinterAddress::parse("/dev/usb/lp0"),
            Ok(PrinterAddress::Device("/dev/usb/lp0".into()))
        );
        for bad in [
            "",
            "host:99999",
            "host:0",
            "a b:9100",
            "http://x:9100",
            "[nope]:1",
            "lp0:x",
        ] {
            assert!(PrinterAddress::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(net("[::1]", 9101).to_string(), "[::1]:9101");
    }

    #[test]
    fn a_closed_port_is_not_printed_at_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let started = std::time::Instant::now();
        let result = send(&net_local(port), b"x");
        assert!(!result.printed);
        assert!(result.error.unwrap().contains("connection refused"));
        assert!(started.elapsed() < CONNECT_TIMEOUT);
    }

    #[test]
    fn a_missing_device_is_not_printed() {
        let dir = tempfile::tempdir().unwrap();
        let result = send(&PrinterAddress::Device(dir.path().join("nope/lp0")), b"x");
        assert!(!result.printed);
        let file = dir.path().join("lp0");
        std::fs::write(&file, b"").unwrap();
        let result = send(&PrinterAddress::Device(file.clone()), b"\x1b@hello");
        assert!(result.printed, "{result:?}");
        assert_eq!(std::fs::read(file).unwrap(), b"\x1b@hello");
    }

    fn net_local(port: u16) -> PrinterAddress {
        PrinterAddress::Network {
            host: "127.0.0.1".into(),
            port,
        }
    }
}
