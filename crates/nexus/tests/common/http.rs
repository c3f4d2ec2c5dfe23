//! A minimal HTTP/1.1 client over `TcpStream` (one request per connection)
//! and a handle on a running `nexus serve`, for the service's end-to-end tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request; `headers` as (name, value).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    // The body is written beside reading the answer: a server may answer
    // (413) and close before taking a large body, as a careful one does.
    let writer = {
        let mut w = s.try_clone()?;
        let body = body.to_vec();
        std::thread::spawn(move || {
            let _ = w.write_all(&body);
        })
    };
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let n = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        // Some servers (chromedriver) keep the connection open despite `Connection: close`.
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else {
        r.read_to_end(&mut body)?;
    }
    let _ = writer.join();
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    request(addr, "GET", path, headers, b"").expect("GET")
}

pub fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    request(addr, "POST", path, headers, body).expect("POST")
}

/// A `nexus serve` process; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub db: String,
}

impl Server {
    pub fn start(db: &str) -> Server {
        Server::start_with(db, &[])
    }

    /// `nexus serve` with more flags (`--limits FILE`, `--audit-anchor FILE` …).
    pub fn start_with(db: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nexus"))
            .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nexus serve");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines.next().expect("server exited before serving").unwrap();
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        // Keep draining the server's log so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        let s = Server {
            child,
            addr,
            db: db.to_string(),
        };
        assert_eq!(get(&s.addr, "/healthz", &[]).status, 200);
        s
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a user through the CLI.
pub fn create_user(db: &str, name: &str, role: &str, institution: Option<i64>) -> String {
    let password = format!("{name}-password-long");
    let mut args = vec![
        "user",
        "create",
        "--db",
        db,
        "--username",
        name,
        "--role",
        role,
    ];
    let inst;
    if let Some(i) = institution {
        inst = i.to_string();
        args.extend(["--institution", inst.as_str()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_nexus"))
        .args(&args)
        .env("NEXUS_PASSWORD", &password)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    password
}

/// Creates an API token through the CLI.
pub fn create_token(db: &str, institution: i64) -> String {
    create_token_with_codes(db, institution, &[])
}

/// Creates an API token through the CLI, registering the institution's codes (BIC).
pub fn create_token_with_codes(db: &str, institution: i64, codes: &[&str]) -> String {
    let institution = institution.to_string();
    let mut args = vec!["token", "create", "--db", db, "--institution", &institution];
    for c in codes {
        args.extend(["--code", c]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_nexus"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A signed-in browser-like session: the cookie header and the CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    /// Headers for a JSON/API call with this session (and a purpose, when given).
    pub fn headers<'a>(&'a self, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut h = vec![
            ("Cookie", self.cookie.as_str()),
            ("X-CSRF-Token", self.csrf.as_str()),
        ];
        h.extend_from_slice(extra);
        h
    }
}

pub fn login(addr: &str, user: &str, password: &str) -> Session {
    let body = format!("username={user}&password={password}");
    let r = post(
        addr,
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 303, "login of {user}: {}", r.text());
    let cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let home = get(addr, "/", &[("Cookie", &cookie)]);
    let page = home.text();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .or_else(|| page.split("name=csrf value=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("csrf token on the start page")
        .to_string();
    Session { cookie, csrf }
}

/// Percent-encodes a form value.
pub fn form_value(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// States a purpose in a signed-in session (the UI's purpose form).
pub fn state_purpose(addr: &str, s: &Session, purpose: &str, case_ref: &str) {
    let body = format!(
        "csrf={}&purpose={}&case_ref={}&next=%2F",
        s.csrf,
        form_value(purpose),
        form_value(case_ref)
    );
    let r = post(
        addr,
        "/purpose",
        &[
            ("Cookie", &s.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 303, "stating a purpose: {}", r.text());
}

/// Opens a case with the UI's form; returns its id.
pub fn open_case(addr: &str, s: &Session, title: &str) -> i64 {
    let body = format!("csrf={}&title={}&summary=", s.csrf, form_value(title));
    let r = post(
        addr,
        "/cases",
        &[
            ("Cookie", &s.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 303, "opening a case: {}", r.text());
    r.header("location")
        .and_then(|l| l.strip_prefix("/cases/"))
        .and_then(|id| id.parse().ok())
        .expect("the new case's page")
}
