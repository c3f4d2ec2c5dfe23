//! The web UI end to end in headless Chromium, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`, installed by scripts/test.sh):
//! sign-in, report upload, alert triage, the case graph, the audit view.

mod common;

use common::http::{create_user, request, Server};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver {
    child: Child,
    addr: String,
    session: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Driver {
    fn start(profile: &Path) -> Option<Driver> {
        let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists())?;
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| Path::new(p).exists())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while request(&addr, "GET", "/status", &[], b"")
            .map(|r| r.status != 200)
            .unwrap_or(true)
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                     format!("--user-data-dir={}", profile.display())]}}}});
        let mut d = Driver {
            child,
            addr,
            session: String::new(),
        };
        let v = d.call("POST", "/session", Some(caps));
        d.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Some(d)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let r = request(
            &self.addr,
            method,
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .expect("webdriver");
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        assert!(r.status < 400, "WebDriver {method} {path}: {}", r.text());
        v["value"].clone()
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    fn go(&self, url: &str) {
        self.call("POST", &self.s("/url"), Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let r = request(
                &self.addr,
                "POST",
                &self.s("/element"),
                &[("Content-Type", "application/json")],
                json!({"using": "css selector", "value": css})
                    .to_string()
                    .as_bytes(),
            )
            .unwrap();
            if r.status == 200 {
                let v: Value = serde_json::from_slice(&r.body).unwrap();
                return v["value"][ELEMENT].as_str().unwrap().to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no element {css:?} on {}",
                self.source()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call(
            "POST",
            &self.s(&format!("/element/{e}/clear")),
            Some(json!({})),
        );
        self.call(
            "POST",
            &self.s(&format!("/element/{e}/value")),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call(
            "POST",
            &self.s(&format!("/element/{e}/click")),
            Some(json!({})),
        );
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.call("GET", &self.s(&format!("/element/{e}/text")), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn js(&self, script: &str) -> Value {
        self.call(
            "POST",
            &self.s("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Waits until the script returns true.
    fn wait_for(&self, script: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.js(script) != Value::Bool(true) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {}",
                self.source()
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn source(&self) -> String {
        self.call("GET", &self.s("/source"), None)
            .as_str()
            .unwrap_or("")
            .chars()
            .take(3000)
            .collect()
    }

    fn screenshot(&self, path: &Path) {
        let b64 = self.call("GET", &self.s("/screenshot"), None);
        std::fs::write(path, decode_base64(b64.as_str().unwrap())).unwrap();
    }

    fn sign_in(&self, base: &str, user: &str, password: &str) {
        self.go(&format!("{base}/login"));
        self.type_into("input[name=username]", user);
        self.type_into("input[name=password]", password);
        self.click("form button");
        self.wait_for(
            "return !!document.querySelector('nav .who')",
            "the signed-in page",
        );
    }

    fn sign_out(&self) {
        self.click("nav form button");
        self.wait_for("return location.pathname === '/login'", "the sign-in page");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = request(
                &self.addr,
                "DELETE",
                &format!("/session/{}", self.session),
                &[],
                b"",
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the user guide's screenshots go: `NEXUS_SCREENSHOTS` when set
/// (`docs/img` to refresh the guide), else the test's scratch directory.
fn shot(driver: &Driver, name: &str) {
    let dir = std::env::var_os("NEXUS_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    driver.screenshot(&dir.join(format!("{name}.png")));
}

fn decode_base64(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn report(reference: &str, number: &str, amount: &str, counterparty: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<report><rentity_id>101</rentity_id><submission_code>E</submission_code><report_code>STR</report_code>
<entity_reference>{reference}</entity_reference><submission_date>2026-03-02T10:00:00</submission_date><currency_code_local>TJS</currency_code_local>
<reason>Funds passed on the same day</reason>
<transaction><transactionnumber>{number}</transactionnumber><transaction_location>HQ</transaction_location><transaction_description>transfer</transaction_description>
<date_transaction>2026-02-27T09:15:00</date_transaction><transmode_code>E</transmode_code><amount_local>{amount}</amount_local>
<t_from><from_funds_code>E</from_funds_code><from_account><swift>NXTJB2XX</swift><account>{counterparty}</account>
<signatory><is_primary>1</is_primary><t_person><first_name>Farrukh</first_name><last_name>Nazarov</last_name></t_person></signatory></from_account><from_country>TJ</from_country></t_from>
<t_to_my_client><to_funds_code>E</to_funds_code><to_account><swift>NXTJB1XX</swift><account>A100</account>
<signatory><is_primary>1</is_primary><t_person><first_name>Ҷамшед</first_name><last_name>Раҳимов</last_name><birthdate>1985-03-14T00:00:00</birthdate><nationality1>TJ</nationality1></t_person></signatory>
</to_account><to_country>TJ</to_country></t_to_my_client></transaction></report>"#
    )
}

#[test]
fn sign_in_upload_triage_case_graph_and_audit_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db::TestDb::in_dir(dir.path());
    let list = dir.path().join("national.csv");
    std::fs::write(&list, "id,name,birth_date,nationality,kind,reference\nTJ-12,Jamshed Rahimov,1985-03-14,TJ,person,TJ/2024/12\n").unwrap();
    let out = common::nexus(&[
        "lists",
        "load",
        "--db",
        &db,
        list.to_str().unwrap(),
        "--name",
        "National list",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    // The bank's institution code, registered with its first token: its batches name its own accounts.
    common::http::create_token_with_codes(&db, 101, &["NXTJB1XX"]);
    let bank = create_user(&db, "bank", "reporting-entity", Some(101));
    let analyst = create_user(&db, "analyst", "analyst", None);
    let oversight = create_user(&db, "oversight", "oversight", None);
    let admin = create_user(&db, "admin", "administrator", None);
    let supervisor = create_user(&db, "supervisor", "supervisor", None);
    let profile = dir.path().join("chromium-profile");
    let Some(driver) = Driver::start(&profile) else {
        assert!(
            std::env::var_os("NEXUS_REQUIRE_BROWSER").is_none(),
            "Chromium and chromedriver are required (NEXUS_REQUIRE_BROWSER is set)"
        );
        eprintln!("chromium/chromedriver not installed: browser test skipped");
        return;
    };
    let server = Server::start(&db);
    let base = format!("http://{}", server.addr);

    // A bank uploads a good report and a broken one.
    driver.sign_in(&base, "bank", &bank);
    driver.go(&format!("{base}/reports"));
    let good = dir.path().join("good.xml");
    std::fs::write(&good, report("WEB-1", "W1", "9800.00", "A777")).unwrap();
    driver.type_into("#file", good.to_str().unwrap());
    driver.click("#upload button");
    driver.wait_for("const s = document.getElementById('upload-status'); return !!s && s.textContent.startsWith('processed')", "the processed status");
    let broken = dir.path().join("broken.xml");
    std::fs::write(&broken, report("WEB-2", "W2", "-5", "A777")).unwrap();
    driver.go(&format!("{base}/reports"));
    driver.type_into("#file", broken.to_str().unwrap());
    driver.click("#upload button");
    driver.wait_for("const s = document.getElementById('upload-status'); return !!s && s.textContent.startsWith('failed validation')", "the validation failure");
    assert!(
        driver.text("#upload-result").contains("amount_local"),
        "the problem names the element"
    );
    // A CSV batch of payment data.
    let batch = dir.path().join("batch.csv");
    std::fs::write(&batch, "id,timestamp,from_account,to_account,amount,currency,channel\nC1,2026-02-28T10:00:00Z,NXTJB1XX|A100,NXTJB3XX|A300,9700.00,TJS,domestic_transfer\n").unwrap();
    driver.go(&format!("{base}/reports"));
    driver.type_into("#file", batch.to_str().unwrap());
    driver.click("#upload button");
    driver.wait_for("const s = document.getElementById('upload-status'); return !!s && s.textContent.startsWith('accepted: 1 of 1')", "the stored batch");
    shot(&driver, "bank-reports");
    // The web form files a goAML report through the same intake.
    driver.go(&format!("{base}/reports/new"));
    driver.js("const set = (n, v) => document.querySelector(`[name=${n}]`).value = v;
        set('reference', 'WEB-FORM-1'); set('reason', 'Cash placed and wired out the same day');
        set('first_name', 'Зарина'); set('last_name', 'Каримова'); set('birth_date', '1990-07-01'); set('nationality', 'TJ');
        set('id_number', 'A7654321'); set('account', 'A200'); set('bic', 'NXTJB1XX'); set('currency', 'TJS');
        set('number', 'WF1'); set('date', '2026-03-01T11:30'); set('amount', '45000.00'); set('direction', 'out');
        set('cp_first_name', 'Ahmad'); set('cp_last_name', 'Karimi'); set('cp_account', 'AE0001'); set('cp_bic', 'NXAEB1XX'); set('cp_country', 'AE');
        set('birth_date', '2031-07-01'); set('amount', 'forty thousand');
        return true;");
    shot(&driver, "bank-web-form");
    driver.click("form[action='/reports/new'] button");
    // A birth date in the future and an amount in words come back named by
    // their fields, with everything typed kept.
    driver.wait_for(
        "return !!document.getElementById('form-problems')",
        "the form's problems",
    );
    let kept = driver.js("return [document.querySelector('[name=first_name]').value, document.querySelector('[name=nationality]').value, document.querySelectorAll('label.invalid').length]");
    assert_eq!(kept, json!(["Зарина", "TJ", 2]), "{}", driver.source());
    assert!(driver.text("form.stack").contains("is in the future"));
    driver.js("document.querySelector('[name=birth_date]').value = '1990-07-01'; document.querySelector('[name=amount]').value = '45,000.00'; return true;");
    driver.click("form[action='/reports/new'] button");
    driver.wait_for("return location.pathname.startsWith('/reports/') && document.body.textContent.includes('WEB-FORM-1')", "the filed report");
    assert!(
        driver.text("dd.status").contains("processed"),
        "{}",
        driver.source()
    );
    // A free message to the FIU with a file, sent by the browser's own
    // multipart form; the file comes back unchanged from the board.
    driver.go(&format!("{base}/messages"));
    let scan = dir.path().join("signed-annex.txt");
    std::fs::write(&scan, "Annex to WEB-FORM-1, signed 2026-03-01").unwrap();
    driver.type_into("#free-message input[name=subject]", "Signed annex");
    driver.type_into(
        "#free-message textarea[name=body]",
        "The signed annex is attached.",
    );
    driver.type_into(
        "#free-message input[name=attachment]",
        scan.to_str().unwrap(),
    );
    driver.click("#free-message button");
    driver.wait_for(
        "return !!document.querySelector('#board ul.attachments a')",
        "the attachment on the board",
    );
    driver.js("fetch(document.querySelector('#board ul.attachments a').href).then(r => r.text()).then(t => window.fetched = t); return true;");
    driver.wait_for(
        "return window.fetched === 'Annex to WEB-FORM-1, signed 2026-03-01'",
        "the attachment's content",
    );
    // Dealt with: into the archive.
    driver.js("const row = [...document.querySelectorAll('#board tr')].find(r => r.textContent.includes('Signed annex')); row.querySelector('form.inline button').click(); return true;");
    driver.wait_for(
        "return !!document.getElementById('board-total') && !document.getElementById('board').textContent.includes('Signed annex')",
        "the inbox without the archived message",
    );
    driver.go(&format!("{base}/messages?folder=archive"));
    assert!(driver.text("#board").contains("Signed annex"));
    driver.sign_out();

    // The analyst states a purpose, triages the sanctions alert and opens a case from it.
    driver.sign_in(&base, "analyst", &analyst);
    assert!(
        driver.text("nav").contains("Partner FIUs"),
        "analysts reach the exchange page"
    );
    driver.go(&format!("{base}/alerts"));
    driver.type_into("input[name=purpose]", "triage of new sanctions alerts");
    driver.click("form.stack button");
    driver.wait_for(
        "return !!document.querySelector('#queue td a')",
        "the alert queue",
    );
    shot(&driver, "analyst-queue");
    assert!(
        driver.text("#queue").contains("Раҳимов"),
        "the queue shows the subject"
    );
    driver.click("#queue td a");
    driver.wait_for(
        "return document.querySelector('h1').textContent.startsWith('Alert #')",
        "the alert page",
    );
    assert!(
        driver.text(".explain").contains("TJ-12"),
        "the alert explains the list entry"
    );
    shot(&driver, "analyst-alert");
    driver.click("form[action$='/alerts/1'] button");
    driver.wait_for(
        "return document.body.textContent.includes('assigned')",
        "the assignment",
    );
    driver.type_into("form[action$='/case'] input[name=case]", "Rahimov network");
    driver.click("form[action$='/case'] button");
    // The case page opens at once: the purpose stated for the queue carries
    // over to the case made from the alert, shown in the bar.
    driver.wait_for(
        "return document.querySelector('h1').textContent.startsWith('CASE-')",
        "the case page, without asking for the purpose again",
    );
    assert!(
        driver.text("nav .purpose").contains("CASE-"),
        "the bar shows the purpose now stands under the case"
    );
    driver.wait_for(
        "const g = document.getElementById('graph'); return !!g && g.dataset.ready === '3'",
        "the case graph: the reported accounts and the CSV batch's third",
    );
    // Cytoscape draws one node per party with its accounts inside: the
    // subject's account inside the subject, edges as flows in the period.
    let drawn = driver.js("const cy = window.nexusGraph; return [cy.nodes('.account').length, cy.edges().length, cy.nodes('.account').filter(n => n.isChild()).length >= 1]");
    assert_eq!(drawn, json!([3, 2, true]));
    driver.js("document.getElementById('graph').scrollIntoView(); return true;");
    shot(&driver, "analyst-case");
    assert!(
        driver.text("#case-transactions").contains("9,800.00 TJS"),
        "the case lists its transactions"
    );
    // A document joins the case file and comes back unchanged.
    let document = dir.path().join("bank-statement.txt");
    std::fs::write(&document, "Statement of account A100, February 2026").unwrap();
    driver.type_into("#document", document.to_str().unwrap());
    driver.click("#document-upload button");
    driver.wait_for(
        "return !!document.querySelector('#documents li a')",
        "the attached document",
    );
    driver.js("fetch(document.querySelector('#documents li a').href).then(r => r.text()).then(t => window.fetched = t); return true;");
    driver.wait_for(
        "return window.fetched === 'Statement of account A100, February 2026'",
        "the document's content",
    );
    // The analyst switches to Russian: the case page, its graph's controls
    // and the navigation speak it; and back to English.
    driver.js("const s = document.querySelector('nav select[name=language]'); s.value = 'ru'; s.form.submit(); return true;");
    driver.wait_for(
        "return document.documentElement.lang === 'ru'",
        "the Russian page",
    );
    driver.wait_for(
        "const g = document.getElementById('graph'); return !!g && g.dataset.ready === '3'",
        "the graph on the Russian page",
    );
    let russian = driver.text("main");
    assert!(
        russian.contains("Участники")
            && russian.contains("Операции")
            && russian.contains("Исполнитель"),
        "{russian}"
    );
    assert!(
        driver.text("#graph").contains("счетов: 3"),
        "{}",
        driver.text("#graph")
    );
    shot(&driver, "analyst-case-ru");
    // The alert the case came from explains itself in Russian too.
    driver.go(&format!("{base}/alerts/1"));
    driver.wait_for(
        "return !!document.querySelector('p.explain')",
        "the alert page in Russian",
    );
    let why = driver.text("p.explain");
    assert!(
        why.contains("совпадает с") && why.contains("гражданство TJ +0,03"),
        "{why}"
    );
    shot(&driver, "analyst-alert-ru");
    driver.js("const s = document.querySelector('nav select[name=language]'); s.value = 'en'; s.form.submit(); return true;");
    driver.wait_for(
        "return document.documentElement.lang === 'en'",
        "the English page",
    );
    // The account page of the subject's account, under the case.
    driver.go(&format!("{base}/accounts?key=NXTJB1XX%7CA100"));
    driver.wait_for(
        "return !!document.getElementById('account-totals')",
        "the account page",
    );
    assert!(driver.text("#account-totals").contains("TJS"));
    driver.sign_out();

    // Oversight sees the chain intact and who read what, why.
    driver.sign_in(&base, "oversight", &oversight);
    driver.go(&format!("{base}/oversight?filter=user%3Aanalyst"));
    assert!(driver.text("#chain").contains("intact"));
    shot(&driver, "oversight-audit");
    let trail = driver.text("#audit");
    assert!(
        trail.contains("alert.view")
            && trail.contains("triage of new sanctions alerts")
            && trail.contains("case.view"),
        "{trail}"
    );
    driver.sign_out();

    // A supervisor keeps the risk assessment's high-risk areas beside the
    // detection models; an analyst reads them.
    driver.sign_in(&base, "supervisor", &supervisor);
    driver.go(&format!("{base}/models"));
    driver.type_into(
        "textarea[name=areas]",
        "# conflict zones and their edges\nKunduz\nGaziantep, TR\nIdlib\n",
    );
    driver.click("form[action='/models/areas'] button");
    driver.wait_for(
        "const c = document.getElementById('areas-count'); return !!c && c.textContent.includes(': 3')",
        "the saved list of areas",
    );
    let saved = driver.js("return document.querySelector('textarea[name=areas]').value");
    assert!(
        saved.as_str().is_some_and(|v| v.contains("Gaziantep, TR")),
        "{saved}"
    );
    shot(&driver, "supervisor-areas");
    driver.sign_out();

    // The administrator's page: users, tokens, lists, retention.
    driver.sign_in(&base, "admin", &admin);
    driver.go(&format!("{base}/admin"));
    assert!(driver.text("#lists").contains("National list"));
    shot(&driver, "admin");
}

/// A case of 500 accounts and 1,000 payments draws in Chromium with the
/// accounts apart from each other; prints the time from navigation to the
/// drawn graph (BENCHMARKS.md).
#[test]
fn a_case_graph_of_500_accounts_draws_apart_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db::TestDb::in_dir(dir.path());
    let token = common::http::create_token_with_codes(&db, 101, &["NXTJB1XX"]);
    let analyst = create_user(&db, "analyst", "analyst", None);
    let profile = dir.path().join("chromium-profile");
    let Some(driver) = Driver::start(&profile) else {
        assert!(
            std::env::var_os("NEXUS_REQUIRE_BROWSER").is_none(),
            "Chromium and chromedriver are required (NEXUS_REQUIRE_BROWSER is set)"
        );
        eprintln!("chromium/chromedriver not installed: browser test skipped");
        return;
    };
    let server = Server::start(&db);
    let base = format!("http://{}", server.addr);
    // 1,000 payments among 500 accounts: a ring through all of them and
    // 500 chords, so that every account is drawn.
    let mut rows = String::from("id,timestamp,from_account,to_account,amount,currency,channel\n");
    for i in 0..1000u64 {
        let from = i % 500;
        let to = if i < 500 {
            (i + 1) % 500
        } else {
            (i * 7919) % 500
        };
        let to = if to == from { (to + 1) % 500 } else { to };
        rows.push_str(&format!(
            "G{i},2026-02-{:02}T10:{:02}:00Z,NXTJB1XX|G{from:03},NXTJB1XX|G{to:03},{}.00,TJS,domestic_transfer\n",
            1 + i % 28,
            i % 60,
            500 + (i * 37) % 9000
        ));
    }
    let auth = format!("Bearer {token}");
    let r = common::http::post(
        &server.addr,
        "/api/v1/transactions",
        &[("Authorization", &auth), ("Content-Type", "text/csv")],
        rows.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    driver.sign_in(&base, "analyst", &analyst);
    driver.go(&format!("{base}/cases"));
    driver.type_into(
        "form[action='/cases'] input[name=title]",
        "Ring of 500 accounts",
    );
    driver.click("form[action='/cases'] button");
    driver.wait_for(
        "return !!document.querySelector('input[name=purpose]')",
        "the purpose form",
    );
    driver.type_into("input[name=purpose]", "analysis of a large network");
    driver.click("form.stack button");
    driver.wait_for(
        "return document.querySelector('h1').textContent.startsWith('CASE-')",
        "the case page",
    );
    let case_id = db.one("SELECT id FROM cases");
    db.execute(&format!(
        "INSERT INTO case_transactions(case_id, transaction_id) SELECT {case_id}, id FROM transactions"
    ));
    driver.go(&format!("{base}/cases/{case_id}"));
    driver.wait_for(
        "const g = document.getElementById('graph'); return !!g && g.dataset.ready === '500'",
        "the graph of 500 accounts",
    );
    let ms: u64 = driver
        .js("return document.getElementById('graph').dataset.ms")
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Accounts drawn on top of each other (centres closer than a node) are
    // what makes a graph unreadable: count them.
    let overlapping = driver.js(
        "const ps = window.nexusGraph.nodes('.account').map(n => n.position()); let close = 0;
         for (let i = 0; i < ps.length; i++) { for (let j = 0; j < ps.length; j++) {
           if (i !== j && Math.hypot(ps[i].x - ps[j].x, ps[i].y - ps[j].y) < 14) { close++; break; } } }
         return close;",
    );
    let edges = driver.js("return window.nexusGraph.edges().length");
    let phases = driver.js("const d = document.getElementById('graph').dataset; return 'data at ' + d.fetchedMs + ' ms, layout ' + d.layoutMs + ' ms'");
    eprintln!("case graph: 500 accounts, {edges} flows drawn {ms} ms after navigation ({}); {overlapping} accounts overlap another", phases.as_str().unwrap_or(""));
    assert!(edges.as_u64().unwrap() >= 500, "{edges}");
    assert!(
        overlapping.as_u64().unwrap() <= 25,
        "{overlapping} of 500 accounts overlap"
    );
    driver.js("document.getElementById('graph').scrollIntoView(); return true;");
    shot(&driver, "analyst-case-500");
}
