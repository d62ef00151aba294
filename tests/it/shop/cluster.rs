//! The test harness's PostgreSQL: a cluster per test (initdb in a temp dir, a free loopback
//! port), stopped and deleted when the test binary ends even if it panics (a watcher process
//! waits for it), and stoppable and restartable mid-test (the outage tests).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{paydesk, run_ok, run_with_stdin, stderr, stdout};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster.sh")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Cluster {
    dir: PathBuf,
    _parent: tempfile::TempDir,
    admin: String,
    pub port: u16,
}

impl Cluster {
    pub fn start() -> Cluster {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("cluster");
        let port = free_port();
        let out = Command::new(script())
            .arg("init")
            .arg(&dir)
            .arg(port.to_string())
            .output()
            .expect("scripts/pg-cluster.sh runs");
        assert!(
            out.status.success(),
            "the cluster did not start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // Stopped and deleted once this test binary has ended, however it ends.
        Command::new(script())
            .arg("watch")
            .arg(&dir)
            .arg(std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster's watcher starts");
        Cluster {
            admin: String::from_utf8_lossy(&out.stdout).trim().to_string(),
            dir,
            _parent: parent,
            port,
        }
    }

    /// A shop's database and its role: LOGIN with a password, no superuser, owning the
    /// database (what README tells a shop to create).
    pub fn shop(&self, name: &str) -> ShopDb {
        let password = format!("pw-{name}-{}", std::process::id());
        self.psql(
            "postgres",
            &format!(
                "CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}'"
            ),
        );
        // Its own statement: CREATE DATABASE cannot run inside a transaction.
        self.psql("postgres", &format!("CREATE DATABASE {name} OWNER {name}"));
        ShopDb {
            url: format!("postgres://{name}@127.0.0.1:{}/{name}", self.port),
            password,
            admin: self.url_of(name),
        }
    }

    /// The superuser's URL of database `db`.
    fn url_of(&self, db: &str) -> String {
        let (server, _) = self.admin.rsplit_once('/').unwrap();
        format!("{server}/{db}")
    }

    /// Runs SQL as the superuser in `db`; returns psql's unaligned output.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        psql(&self.url_of(db), sql)
    }

    /// A fast shutdown: every connection is cut (the outage).
    pub fn stop(&self) {
        let ok = Command::new(script())
            .arg("stop")
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(ok.success());
    }

    pub fn restart(&self) {
        let ok = Command::new(script())
            .arg("start")
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub struct ShopDb {
    /// Without the password.
    pub url: String,
    pub password: String,
    /// The superuser's URL of this database (for the tests' own checks).
    pub admin: String,
}

impl ShopDb {
    pub fn scalar(&self, sql: &str) -> i64 {
        psql(&self.admin, sql)
            .parse()
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// A machine of the shop: a data directory that joined it as `name`.
pub struct Member {
    pub dir: tempfile::TempDir,
    pub name: String,
}

impl Member {
    /// A new data directory, joined to `shop` as `name`, the password typed on stdin (it goes
    /// to the keychain).
    pub fn join(shop: &ShopDb, name: &str) -> Member {
        let dir = tempfile::tempdir().unwrap();
        let out = try_join(dir.path(), shop, name, &shop.password);
        assert!(
            out.status.success(),
            "{name} did not join: {}{}",
            stdout(&out),
            stderr(&out)
        );
        Member {
            dir,
            name: name.to_string(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        paydesk(self.path(), args)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run_ok(&mut self.cmd(args))
    }

    /// `shop sync --follow`: this machine replicating until killed.
    pub fn follow(&self) -> Child {
        self.cmd(&["shop", "sync", "--follow"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the replicator starts")
    }

    /// `sandbox ring`: `sales` sales rung and paid, one every `every_ms`.
    pub fn ring(&self, sales: u32, every_ms: u64) -> Child {
        self.cmd(&[
            "sandbox",
            "ring",
            "--sales",
            &sales.to_string(),
            "--every-ms",
            &every_ms.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the counter starts ringing")
    }

    pub fn sqlite(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(self.path().join("paydesk.db")).unwrap();
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        conn
    }

    pub fn scalar(&self, sql: &str) -> i64 {
        self.sqlite().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    pub fn orders(&self) -> i64 {
        self.scalar("SELECT count(*) FROM orders")
    }
}

/// `paydesk shop join` of `data_dir` as `name` with `password` on stdin, as it went.
pub fn try_join(data_dir: &Path, shop: &ShopDb, name: &str, password: &str) -> Output {
    run_with_stdin(
        &mut paydesk(
            data_dir,
            &[
                "shop",
                "join",
                &shop.url,
                "--counter",
                name,
                "--password-stdin",
            ],
        ),
        format!("{password}\n").as_bytes(),
    )
}

/// Fails if any file under `dir` (every folder down) holds `secret`: it belongs in the keychain.
pub fn assert_nowhere_under(dir: &Path, secret: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_nowhere_under(&path, secret);
        } else if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds the password",
                path.display()
            );
        }
    }
}

/// Kills (SIGKILL) and reaps every process of `children`.
pub fn kill_all(children: &mut [Child]) {
    for child in children {
        child.kill().ok();
        child.wait().ok();
    }
}

/// The order numbers a `sandbox ring` printed.
pub fn rung(child: Child) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ringing failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    printed["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// Waits (up to `limit`) until `done` holds; panics with `what` otherwise.
pub fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
