//! The analyst's day from an alert to a freeze, as the people involved
//! meet it: a bank's feed shows a hub collecting from one-off senders; the
//! analyst puts the fan-in alert into a new case, which then holds the
//! accounts (the hub as subject, the senders as counterparties) and the
//! payments the alert showed; a freeze proposed on the hub is in force only
//! once a supervisor other than its author approves it, and only a
//! supervisor ends it.

mod common;

use common::db::TestDb;
use common::http::{
    create_token_with_codes, create_user, form_value, get, login, post, Resp, Server, Session,
};
use std::time::{Duration, Instant};

const HEADER: &str = "id,timestamp,from_account,to_account,amount,currency,channel\n";

fn form(addr: &str, s: &Session, path: &str, body: &str) -> Resp {
    post(
        addr,
        path,
        &[
            ("Cookie", &s.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={}&{body}", s.csrf).as_bytes(),
    )
}

fn page(addr: &str, s: &Session, path: &str) -> Resp {
    get(addr, path, &[("Cookie", &s.cookie)])
}

/// The bank's feed: seven one-off senders pay the hub on 5 January, and the
/// hub pays one of them back later (a counterparty, not a subject).
fn feed(addr: &str, token: &str) {
    let mut rows = String::from(HEADER);
    for i in 0..7 {
        rows.push_str(&format!(
            "p{i},2026-01-05T{:02}:15:00Z,NXTJB1XX|S{i},NXTJB1XX|HUB,{}.00,TJS,domestic_transfer\n",
            8 + i,
            9_000 + 70 * i
        ));
    }
    let auth = format!("Bearer {token}");
    let r = post(
        addr,
        "/api/v1/transactions",
        &[("Authorization", &auth), ("Content-Type", "text/csv")],
        rows.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

fn fan_in_alert(addr: &str, s: &Session) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let r = get(
            addr,
            "/api/v1/alerts?status=open&limit=100",
            &s.headers(&[
                ("X-Purpose", "triage of the queue"),
                ("X-Case-Ref", "TRIAGE"),
            ]),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let found = r.json()["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                // Raised at intake on the first senders, extended to all
                // seven by the periodic run.
                a["typology"] == "fan_in"
                    && a["accounts"].as_str().unwrap().starts_with("NXTJB1XX|HUB")
                    && a["transactions"].as_str().unwrap().split(';').count() == 7
            })
            .cloned();
        if let Some(a) = found {
            return a;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no fan-in alert"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_case_from_a_fan_in_alert_holds_its_accounts_and_payments_and_a_freeze_needs_four_eyes() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token_with_codes(&db, 501, &["NXTJB1XX"]);
    let analyst_pw = create_user(&db, "dilnoza", "analyst", None);
    let first_pw = create_user(&db, "rustam", "supervisor", None);
    let second_pw = create_user(&db, "gulnora", "supervisor", None);
    let oversight_pw = create_user(&db, "judge", "oversight", None);
    db.execute("INSERT INTO settings(key, value) VALUES ('demo.welcome', 'A demonstration FIU.\nanalyst — start here: the alert queue.')");
    let server = Server::start(&db);
    let addr = server.addr.as_str();
    feed(addr, &token);

    // A newcomer to a demonstration FIU is told whom to sign in as.
    let welcome = get(addr, "/login", &[]).text();
    assert!(
        welcome.contains("id=\"demo-welcome\"") && welcome.contains("<b>analyst</b> — start here"),
        "{welcome}"
    );

    // The analyst works the queue under TRIAGE, opens the alert, states a
    // purpose for it and makes a case of it.
    let analyst = login(addr, "dilnoza", &analyst_pw);
    // Without partners, the exchange page says how one is added.
    let exchange = page(addr, &analyst, "/exchange").text();
    assert!(
        exchange.contains("id=\"no-partners\"") && exchange.contains("nexus exchange partner add"),
        "{exchange}"
    );
    let alert = fan_in_alert(addr, &analyst);
    let alert_id = alert["alert_id"].as_i64().unwrap();
    // The queue names typologies as analysts do, tells where one is in it,
    // and filters model alerts apart.
    let r = form(
        addr,
        &analyst,
        "/purpose",
        &format!(
            "purpose={}&case_ref=TRIAGE&next=%2F",
            form_value("triage of the queue")
        ),
    );
    assert_eq!(r.status, 303);
    let queue = page(addr, &analyst, "/alerts").text();
    assert!(
        queue.contains(">Fan-in</td>") && !queue.contains(">fan_in<"),
        "{queue}"
    );
    assert!(queue.contains("Alerts 1–"), "{queue}");
    // The analyst reads the UI in Russian, and back in English.
    let r = form(addr, &analyst, "/language", "language=ru");
    assert_eq!(r.status, 303);
    let russian = page(addr, &analyst, "/alerts").text();
    assert!(
        russian.contains("<html lang=\"ru\">")
            && russian.contains("Очередь оповещений")
            && russian.contains(">Сбор средств (fan-in)</td>")
            && russian.contains(">Оповещения</a>"),
        "{russian}"
    );
    // The alert's explanation too: the same phrases, in Russian words,
    // numbers and units; in English as the API gives it.
    assert!(
        russian.contains("на счёт NXTJB1XX|HUB")
            && russian.contains("разных счетов за")
            && !russian.contains("distinct accounts"),
        "{russian}"
    );
    assert!(
        alert["explanation"]
            .as_str()
            .unwrap()
            .contains("distinct accounts within"),
        "{alert}"
    );
    assert_eq!(form(addr, &analyst, "/language", "language=xx").status, 400);
    assert_eq!(form(addr, &analyst, "/language", "language=en").status, 303);
    let triage_search = page(addr, &analyst, "/find?q=HUB").text();
    assert!(
        triage_search.contains("State your purpose"),
        "searching is part of an investigation, not of triage: {triage_search}"
    );
    let models = page(addr, &analyst, "/alerts?kind=model").text();
    assert!(
        models.contains(" of 0<") && !models.contains(">Fan-in</td>"),
        "{models}"
    );
    let r = form(
        addr,
        &analyst,
        "/purpose",
        &format!(
            "purpose={}&case_ref=ALERT-{alert_id}&next=%2F",
            form_value("check of a fan-in to one account")
        ),
    );
    assert_eq!(r.status, 303);
    let r = form(
        addr,
        &analyst,
        &format!("/alerts/{alert_id}/case"),
        &format!("case={}", form_value("Hub collecting from one-off senders")),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let case_path = r.header("location").unwrap().to_string();
    let case_id: i64 = case_path.strip_prefix("/cases/").unwrap().parse().unwrap();

    // The case page opens at once: the purpose stated for the alert carried over.
    let r = page(addr, &analyst, &case_path);
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(!html.contains("State your purpose"), "asked again: {html}");
    assert!(
        html.contains("Transactions (7)"),
        "the alert's payments: {html}"
    );
    let accounts = html
        .split("id=\"case-accounts\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(accounts.matches("<tr class=\"subject\">").count(), 1);
    assert_eq!(accounts.matches("<tr class=\"counterparty\">").count(), 7);
    assert!(accounts.contains("NXTJB1XX|HUB"));

    // Searching the FIU's data is part of the case: accounts by number,
    // transactions by their bank's number; a result goes into the case.
    let found = page(
        addr,
        &analyst,
        &format!("/find?q={}", form_value("NXTJB1XX|S3")),
    )
    .text();
    assert!(
        found.contains("Accounts (1)") && found.contains(">Add to CASE-"),
        "{found}"
    );
    let found = page(addr, &analyst, "/find?q=p3").text();
    assert!(found.contains("Transactions (1)"), "{found}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'search'"),
        2,
        "every search audited"
    );

    // The case graph: accounts with their roles and US-dollar amounts; one
    // account's other payments on demand, only for an account of the graph.
    let graph = page(addr, &analyst, &format!("/cases/{case_id}/graph.json")).json();
    assert_eq!(graph["accounts"].as_array().unwrap().len(), 8, "{graph}");
    assert!(graph["links"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["usd"].as_f64().unwrap() > 0.0));
    let hub_role = graph["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "NXTJB1XX|HUB")
        .map(|a| a["role"].clone());
    assert_eq!(hub_role, Some(serde_json::json!("subject")));
    let r = page(
        addr,
        &analyst,
        &format!(
            "/cases/{case_id}/graph.json?expand={}",
            form_value("NXTJB1XX|S3")
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = page(
        addr,
        &analyst,
        &format!(
            "/cases/{case_id}/graph.json?expand={}",
            form_value("NXTJB9XX|ELSEWHERE")
        ),
    );
    assert_eq!(
        r.status, 404,
        "only accounts of the case's graph are expanded"
    );

    // The package says which account the case is about and which only dealt with it.
    let r = page(addr, &analyst, &format!("/cases/{case_id}/package.json"));
    assert_eq!(r.status, 200, "{}", r.text());
    let package = r.json();
    let roles: Vec<(String, String)> = package["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account"].as_str().unwrap().to_string(),
                a["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(roles.contains(&("NXTJB1XX|HUB".into(), "subject".into())));
    assert_eq!(roles.iter().filter(|(_, r)| r == "counterparty").count(), 7);
    assert_eq!(package["transactions"].as_array().unwrap().len(), 7);
    assert!(package["subjects"].as_array().unwrap().is_empty());

    // A freeze: on a counterparty's account it is refused; on the hub it is proposed.
    let account_id = |key: &str| {
        db.one(&format!(
            "SELECT id FROM accounts WHERE key = '{}'",
            key.replace('\'', "''")
        ))
    };
    let order = |s: &Session, target: &str| {
        form(
            addr,
            s,
            &format!("/cases/{case_id}/freezes"),
            &format!(
                "target={}&assets={}&legal_basis={}&issued_on=2026-02-01&expires_on=2026-08-01",
                form_value(target),
                form_value("account NXTJB1XX|HUB, balance"),
                form_value("AML/CFT Law art. 22")
            ),
        )
    };
    let sender = account_id("NXTJB1XX|S3");
    assert_eq!(order(&analyst, &format!("account:{sender}")).status, 400);
    let hub = account_id("NXTJB1XX|HUB");
    assert_eq!(order(&analyst, &format!("account:{hub}")).status, 303);
    let freeze = db.one("SELECT MAX(id) FROM freezes");
    assert_eq!(
        db.one(&format!("SELECT status FROM freezes WHERE id = {freeze}")),
        "proposed"
    );

    // The analyst can neither approve it nor end it.
    let decide = |s: &Session, id: &str, decision: &str, reasons: &str| {
        form(
            addr,
            s,
            &format!("/freezes/{id}/decision"),
            &format!("decision={decision}&reasons={}", form_value(reasons)),
        )
        .status
    };
    assert_eq!(decide(&analyst, &freeze, "approve", ""), 403);
    let end = |s: &Session, id: &str| {
        form(
            addr,
            s,
            &format!("/freezes/{id}"),
            "status=lifted&outcome=released",
        )
        .status
    };
    assert_eq!(end(&analyst, &freeze), 403);

    // A supervisor approves the analyst's proposal: in force, with who and why.
    let first = login(addr, "rustam", &first_pw);
    let r = form(
        addr,
        &first,
        "/purpose",
        &format!(
            "purpose={}&case_ref={}&next=%2F",
            form_value("decision on a proposed freeze"),
            db.one(&format!("SELECT reference FROM cases WHERE id = {case_id}"))
        ),
    );
    assert_eq!(r.status, 303);
    let html = page(addr, &first, &case_path).text();
    assert!(html.contains(">Approve</button>"), "{html}");
    assert_eq!(
        decide(&first, &freeze, "reject", ""),
        400,
        "a rejection says why"
    );
    assert_eq!(
        decide(&first, &freeze, "approve", "grounds in the case notes"),
        303
    );
    assert_eq!(
        db.rows(&format!(
            "SELECT f.status, u.username, f.decision FROM freezes f JOIN users u ON u.id = f.decided_by WHERE f.id = {freeze}"
        )),
        vec![vec![
            "in-force".to_string(),
            "rustam".to_string(),
            "grounds in the case notes".to_string()
        ]]
    );
    assert_eq!(decide(&first, &freeze, "approve", ""), 409, "decided once");

    // A supervisor's own proposal needs the other supervisor.
    assert_eq!(order(&first, &format!("account:{hub}")).status, 303);
    let own = db.one("SELECT MAX(id) FROM freezes");
    let html = page(addr, &first, &case_path).text();
    assert!(html.contains("awaits another supervisor"), "{html}");
    assert_eq!(decide(&first, &own, "approve", ""), 403);
    let second = login(addr, "gulnora", &second_pw);
    assert_eq!(
        decide(
            &second,
            &own,
            "reject",
            "the first order covers the account"
        ),
        303
    );
    assert_eq!(
        db.one(&format!("SELECT status FROM freezes WHERE id = {own}")),
        "rejected"
    );

    // Only a supervisor ends a freeze in force; a rejected one cannot be ended.
    assert_eq!(end(&second, &freeze), 303);
    assert_eq!(
        db.one(&format!("SELECT status FROM freezes WHERE id = {freeze}")),
        "lifted"
    );
    assert_eq!(end(&second, &own), 409);

    // Every step is in the audit trail under the case.
    let actions = db.column(&format!(
        "SELECT action FROM audit_log WHERE case_ref = (SELECT reference FROM cases WHERE id = {case_id}) ORDER BY seq"
    ));
    for action in [
        "alert.to-case",
        "freeze.order",
        "freeze.approve",
        "freeze.reject",
        "freeze.update",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }

    // Oversight asks who looked at the hub's account: the case page and its
    // package, by whom and why — not only entity pages.
    let judge = login(addr, "judge", &oversight_pw);
    let trail = page(
        addr,
        &judge,
        &format!("/oversight?filter={}", form_value("NXTJB1XX|HUB")),
    )
    .text();
    for action in ["case.view", "case.export"] {
        assert!(
            trail.contains(action),
            "{action} of the hub's case: {trail}"
        );
    }
    assert!(
        trail.contains("dilnoza") && trail.contains("check of a fan-in"),
        "{trail}"
    );
}

/// A bank officer finds a report by its reference among the bank's own,
/// filters by status, pages, and downloads the XML as it was sent; another
/// bank's officer cannot.
#[test]
fn a_bank_finds_and_downloads_its_own_reports() {
    use common::reports::{str_report, JAMSHED_CYR, OTHER};
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = common::http::create_token(&db, 101);
    let officer_pw = create_user(&db, "officer", "reporting-entity", Some(101));
    let other_pw = create_user(&db, "stranger", "reporting-entity", Some(102));
    let server = Server::start(&db);
    let addr = server.addr.as_str();
    let xml = str_report(
        101,
        "STR-2026-0042",
        "T42",
        "12500.00",
        &OTHER,
        &JAMSHED_CYR,
    );
    let auth = format!("Bearer {token}");
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/xml"),
        ],
        xml.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let officer = login(addr, "officer", &officer_pw);
    let listing = page(addr, &officer, "/reports?reference=0042").text();
    assert!(
        listing.contains("STR-2026-0042") && listing.contains("Reports 1–1 of 1"),
        "{listing}"
    );
    let none = page(addr, &officer, "/reports?status=rejected").text();
    assert!(none.contains("of 0"), "{none}");
    let id = db.one("SELECT id FROM reports WHERE entity_reference = 'STR-2026-0042'");
    let download = page(addr, &officer, &format!("/reports/{id}/xml"));
    assert_eq!(download.status, 200);
    assert_eq!(download.text(), xml, "the XML as it was sent");
    let stranger = login(addr, "stranger", &other_pw);
    assert_eq!(
        page(addr, &stranger, &format!("/reports/{id}/xml")).status,
        404
    );
    assert!(!page(addr, &stranger, "/reports")
        .text()
        .contains("STR-2026-0042"));
}

/// Raw body POST with a session (the browser's fetch of a file).
fn upload(addr: &str, s: &Session, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut all = vec![
        ("Cookie", s.cookie.as_str()),
        ("X-CSRF-Token", s.csrf.as_str()),
    ];
    all.extend_from_slice(headers);
    post(addr, path, &all, body)
}

#[test]
fn a_case_is_assigned_worked_closed_and_reopened_and_an_account_opens_under_its_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token_with_codes(&db, 501, &["NXTJB1XX"]);
    let analyst_pw = create_user(&db, "dilnoza", "analyst", None);
    let other_pw = create_user(&db, "aziz", "analyst", None);
    let supervisor_pw = create_user(&db, "rustam", "supervisor", None);
    let admin_pw = create_user(&db, "root", "administrator", None);
    let server = Server::start(&db);
    let addr = server.addr.as_str();
    feed(addr, &token);

    let analyst = login(addr, "dilnoza", &analyst_pw);
    let alert = fan_in_alert(addr, &analyst);
    let alert_id = alert["alert_id"].as_i64().unwrap();
    let hub = format!("/accounts?key={}", form_value("NXTJB1XX|HUB"));

    // An account's page is personal data: not under triage, yes under the
    // alert that names it — with its totals in its own currency.
    state_purpose_form(addr, &analyst, "triage of the queue", "TRIAGE");
    assert!(page(addr, &analyst, &hub)
        .text()
        .contains("State your purpose"));
    state_purpose_form(
        addr,
        &analyst,
        "check of a fan-in to one account",
        &format!("ALERT-{alert_id}"),
    );
    let r = page(addr, &analyst, &hub);
    assert_eq!(r.status, 200);
    let html = r.text();
    let totals = html
        .split("id=\"account-totals\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        totals.contains("TJS") && totals.contains("64,470.00"),
        "{totals}"
    );
    assert!(
        html.contains(&format!("/alerts/{alert_id}")),
        "its alerts: {html}"
    );
    assert_eq!(
        page(
            addr,
            &analyst,
            &format!("/accounts?key={}", form_value("NXTJB9XX|NONE"))
        )
        .status,
        404
    );
    assert!(db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.view'") >= 1);

    // The alert becomes a case; the analyst takes it, a colleague cannot
    // take it from them, the supervisor hands it to the colleague.
    let r = form(
        addr,
        &analyst,
        &format!("/alerts/{alert_id}/case"),
        &format!("case={}", form_value("Hub collecting from one-off senders")),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let case_path = r.header("location").unwrap().to_string();
    assert_eq!(
        form(addr, &analyst, &format!("{case_path}/assign"), "to=dilnoza").status,
        303
    );
    assert!(page(addr, &analyst, &case_path)
        .text()
        .contains("<dd id=\"assignee\">dilnoza</dd>"));
    let colleague = login(addr, "aziz", &other_pw);
    assert_eq!(
        form(addr, &colleague, &format!("{case_path}/assign"), "to=aziz").status,
        403
    );
    let supervisor = login(addr, "rustam", &supervisor_pw);
    assert_eq!(
        form(addr, &supervisor, &format!("{case_path}/assign"), "to=aziz").status,
        303
    );
    assert_eq!(
        form(addr, &supervisor, &format!("{case_path}/assign"), "to=root").status,
        400,
        "an administrator works no case"
    );
    let mine = page(addr, &colleague, "/cases?whose=mine").text();
    assert!(
        mine.contains("Hub collecting") && mine.contains("1 cases"),
        "{mine}"
    );
    assert!(!page(addr, &analyst, "/cases?whose=mine")
        .text()
        .contains("Hub collecting"));

    // Closing: not by an analyst, not while a measure is pending, not without a reason.
    assert_eq!(
        form(
            addr,
            &colleague,
            &format!("{case_path}/close"),
            &format!("reason={}", form_value("nothing more to find here"))
        )
        .status,
        403
    );
    let hub_id = db.one("SELECT id FROM accounts WHERE key = 'NXTJB1XX|HUB'");
    let r = form(addr, &colleague, &format!("{case_path}/freezes"), &format!(
        "target=account:{hub_id}&assets={}&legal_basis={}&issued_on=2026-02-01&expires_on=2026-08-01",
        form_value("balance of the hub"), form_value("AML/CFT Law art. 22")));
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(
        addr,
        &supervisor,
        &format!("{case_path}/close"),
        &format!("reason={}", form_value("no further leads after review")),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("provisional measure"), "{}", r.text());
    let freeze = db.one("SELECT id FROM freezes");
    let r = form(
        addr,
        &supervisor,
        &format!("/freezes/{freeze}/decision"),
        &format!(
            "decision=reject&reasons={}",
            form_value("no grounds for a freeze yet")
        ),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        form(
            addr,
            &supervisor,
            &format!("{case_path}/close"),
            "reason=short"
        )
        .status,
        400
    );
    assert_eq!(
        form(
            addr,
            &supervisor,
            &format!("{case_path}/close"),
            &format!("reason={}", form_value("no further leads after review"))
        )
        .status,
        303
    );
    let closed = page(addr, &supervisor, &case_path);
    let text = closed.text();
    // The supervisor's purpose: the case itself.
    let text = if text.contains("State your purpose") {
        state_purpose_form(
            addr,
            &supervisor,
            "review of the case for closing",
            &db_case_reference(&db),
        );
        page(addr, &supervisor, &case_path).text()
    } else {
        text
    };
    assert!(
        text.contains(">closed</b>") && text.contains("no further leads after review"),
        "{text}"
    );
    assert_eq!(
        form(
            addr,
            &colleague,
            &format!("{case_path}/notes"),
            "body=late+note"
        )
        .status,
        409,
        "a closed case takes nothing new"
    );
    assert!(
        !page(addr, &colleague, "/cases")
            .text()
            .contains("Hub collecting"),
        "closed cases leave the default list"
    );
    assert!(page(addr, &colleague, "/cases?status=closed")
        .text()
        .contains("Hub collecting"));
    assert_eq!(
        form(
            addr,
            &supervisor,
            &format!("{case_path}/reopen"),
            &format!("reason={}", form_value("a new report on the hub arrived"))
        )
        .status,
        303
    );
    assert_eq!(
        form(
            addr,
            &colleague,
            &format!("{case_path}/notes"),
            "body=new+report+read"
        )
        .status,
        303
    );
    for action in ["case.assign", "case.close", "case.reopen"] {
        assert!(
            db.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            )) >= 1,
            "{action} audited"
        );
    }

    // My account: the password changes only with the current one, and the
    // change ends the user's other sessions.
    let elsewhere = login(addr, "dilnoza", &analyst_pw);
    let new_pw = "a much longer new passphrase 2026";
    let change = |current: &str, new: &str, repeat: &str| {
        form(
            addr,
            &analyst,
            "/me/password",
            &format!(
                "current={}&new={}&repeat={}",
                form_value(current),
                form_value(new),
                form_value(repeat)
            ),
        )
    };
    assert_eq!(change("not my password at all", new_pw, new_pw).status, 403);
    assert_eq!(
        change(&analyst_pw, new_pw, "something else entirely").status,
        400
    );
    let r = change(&analyst_pw, new_pw, new_pw);
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(page(addr, &analyst, "/me?changed=1")
        .text()
        .contains("id=\"me-notice\""));
    assert_ne!(
        page(addr, &elsewhere, "/cases").status,
        200,
        "the other session ended"
    );
    let r = post(
        addr,
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("username=dilnoza&password={}", form_value(&analyst_pw)).as_bytes(),
    );
    assert_eq!(r.status, 401, "the old password no longer signs in");
    login(addr, "dilnoza", &form_value(new_pw));

    // Administration: tokens are listed and revoked; a list is loaded from the browser.
    let admin = login(addr, "root", &admin_pw);
    let tokens = page(addr, &admin, "/admin").text();
    assert!(tokens.contains("id=\"tokens\""), "{tokens}");
    let token_id = db.one("SELECT id FROM api_tokens");
    assert_eq!(
        form(
            addr,
            &admin,
            &format!("/admin/tokens/{token_id}/revoke"),
            ""
        )
        .status,
        303
    );
    let auth = format!("Bearer {token}");
    let r = post(
        addr,
        "/api/v1/transactions",
        &[("Authorization", &auth), ("Content-Type", "text/csv")],
        HEADER.as_bytes(),
    );
    assert_eq!(r.status, 401, "a revoked token is refused");
    assert_eq!(
        form(
            addr,
            &admin,
            &format!("/admin/tokens/{token_id}/revoke"),
            ""
        )
        .status,
        400
    );
    let list = "id,name,aliases,kind,birth_date,nationality\nL-1,Jamshed Rahimov,Dzhamshed Rakhimov,person,1984-03-02,TJ\nL-2,Northern Trade LLC,,organisation,,KG\n";
    let r = upload(
        addr,
        &admin,
        "/admin/lists",
        &[
            ("X-List-Name", "national-list"),
            ("X-Filename", "national.csv"),
            ("Content-Type", "text/csv"),
        ],
        list.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["entries"], 2);
    assert!(page(addr, &admin, "/admin")
        .text()
        .contains("national-list"));
    let r = upload(
        addr,
        &admin,
        "/admin/lists",
        &[("X-List-Name", "broken"), ("X-Filename", "broken.xml")],
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>",
    );
    assert!(
        r.status == 400 || r.status == 422,
        "{} {}",
        r.status,
        r.text()
    );
    // A user who leaves is disabled: their session ends at once, they
    // cannot sign in; an administrator cannot disable themselves.
    let aziz = db.one("SELECT id FROM users WHERE username = 'aziz'");
    assert_eq!(
        form(addr, &admin, &format!("/admin/users/{aziz}/disable"), "").status,
        303
    );
    assert_ne!(
        page(addr, &colleague, "/cases").status,
        200,
        "the disabled user's session ended"
    );
    let r = post(
        addr,
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("username=aziz&password={}", form_value(&other_pw)).as_bytes(),
    );
    assert_eq!(r.status, 401);
    let root = db.one("SELECT id FROM users WHERE username = 'root'");
    assert_eq!(
        form(addr, &admin, &format!("/admin/users/{root}/disable"), "").status,
        400
    );
    assert_eq!(
        form(addr, &admin, &format!("/admin/users/{aziz}/enable"), "").status,
        303
    );
    let colleague = login(addr, "aziz", &other_pw);
    let analyst_upload = upload(
        addr,
        &colleague,
        "/admin/lists",
        &[("X-List-Name", "mine")],
        list.as_bytes(),
    );
    assert_eq!(
        analyst_upload.status, 403,
        "only an administrator loads lists"
    );
}

fn state_purpose_form(addr: &str, s: &Session, purpose: &str, case_ref: &str) {
    let r = form(
        addr,
        s,
        "/purpose",
        &format!(
            "purpose={}&case_ref={}&next=%2F",
            form_value(purpose),
            form_value(case_ref)
        ),
    );
    assert_eq!(r.status, 303, "{}", r.text());
}

fn db_case_reference(db: &TestDb) -> String {
    db.one("SELECT reference FROM cases ORDER BY id LIMIT 1")
}

#[test]
fn the_message_board_shows_receipts_and_messages_unread_until_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    create_token_with_codes(&db, 501, &["NXTJB1XX"]);
    create_token_with_codes(&db, 502, &["NXKGB1XX"]);
    let bank_pw = create_user(&db, "officer", "reporting-entity", Some(501));
    let other_bank_pw = create_user(&db, "elsewhere", "reporting-entity", Some(502));
    let analyst_pw = create_user(&db, "dilnoza", "analyst", None);
    let server = Server::start(&db);
    let addr = server.addr.as_str();
    let bank = login(addr, "officer", &bank_pw);
    let report = common::reports::str_report(
        501,
        "BOARD-1",
        "B1",
        "1200.00",
        &common::reports::OTHER,
        &common::reports::JAMSHED_LAT,
    );
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Cookie", &bank.cookie),
            ("X-CSRF-Token", &bank.csrf),
            ("Content-Type", "application/xml"),
        ],
        report.as_bytes(),
    );
    assert!(
        r.status == 200 || r.status == 201,
        "{} {}",
        r.status,
        r.text()
    );
    let report_id = db.one("SELECT id FROM reports");

    // The bank's board: the FIU's receipt, unread, counted on the start page.
    assert!(page(addr, &bank, "/")
        .text()
        .contains("<b>1</b> unread messages"));
    let board = page(addr, &bank, "/messages").text();
    assert!(
        board.contains("BOARD-1")
            && board.contains("FIU (receipt)")
            && board.contains("class=\"unread\""),
        "{board}"
    );
    assert!(
        page(addr, &bank, "/")
            .text()
            .contains("<b>0</b> unread messages"),
        "read once seen"
    );

    // The bank writes; the analyst's board shows it unread; the analyst answers.
    assert_eq!(
        form(
            addr,
            &bank,
            &format!("/reports/{report_id}/messages"),
            "body=Please+confirm+receipt+of+the+annex"
        )
        .status,
        303
    );
    let analyst = login(addr, "dilnoza", &analyst_pw);
    assert!(page(addr, &analyst, "/")
        .text()
        .contains("<b>1</b> unread messages"));
    let board = page(addr, &analyst, "/messages?q=annex").text();
    assert!(
        board.contains("Please confirm receipt of the annex")
            && board.contains("officer (reporting entity 501)"),
        "{board}"
    );
    assert!(page(addr, &analyst, "/messages?q=nothing-like-this")
        .text()
        .contains("0 messages"));
    assert_eq!(
        form(
            addr,
            &analyst,
            &format!("/reports/{report_id}/messages"),
            "body=Received%2C+thank+you"
        )
        .status,
        303
    );
    let board = page(addr, &bank, "/messages").text();
    assert!(
        board.contains("Received, thank you") && board.contains("dilnoza (FIU)"),
        "{board}"
    );

    // A free message, not about a report: the bank to the FIU, the FIU back
    // to that bank. (The board counts by the second: a message written in
    // the second the analyst last looked is not counted as new.)
    std::thread::sleep(Duration::from_millis(1100));
    let r = form(
        addr,
        &bank,
        "/messages",
        "subject=New+compliance+officer&body=From+1+March+our+officer+is+Zarina+Karimova",
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(page(addr, &analyst, "/")
        .text()
        .contains("<b>1</b> unread messages"));
    let board = page(addr, &analyst, "/messages").text();
    assert!(
        board.contains("New compliance officer") && board.contains("Zarina Karimova"),
        "{board}"
    );
    assert_eq!(
        form(addr, &analyst, "/messages", "subject=Noted&body=Thank+you").status,
        400,
        "the FIU names the bank it writes to"
    );
    assert_eq!(
        form(
            addr,
            &analyst,
            "/messages",
            "institution=501&subject=Noted&body=Registered%2C+thank+you"
        )
        .status,
        303
    );
    let board = page(addr, &bank, "/messages").text();
    assert!(board.contains("Registered, thank you"), "{board}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'board.message'"),
        2
    );

    // A free message with attachments, as the browser's form sends it.
    let annex: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let boundary = "----nexusboundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf", bank.csrf.as_str()),
        ("subject", "Signed annex"),
        ("body", "The signed annex to BOARD-1 is attached."),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"C:\\scans\\annex.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(&annex);
    body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let r = post(
        addr,
        "/messages",
        &[("Cookie", &bank.cookie), ("Content-Type", &content_type)],
        &body,
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let board = page(addr, &analyst, "/messages?q=signed+annex").text();
    let link = board
        .split("href=\"/messages/attachments/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no attachment link: {board}"))
        .to_string();
    assert!(
        board.contains(">annex.pdf</a>"),
        "the name without its path: {board}"
    );
    let download = page(addr, &analyst, &format!("/messages/attachments/{link}"));
    assert_eq!(download.status, 200);
    assert_eq!(download.body, annex, "the file as sent");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'board.attachment-read'"),
        1
    );
    assert_eq!(
        page(addr, &bank, &format!("/messages/attachments/{link}")).status,
        200,
        "the bank reads what it sent"
    );
    // Hostile uploads: more files than a message carries, and a body over
    // the route's limit, are refused and store nothing.
    let messages_before = db.count("SELECT COUNT(*) FROM board_messages");
    let mut six = Vec::new();
    six.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
            bank.csrf
        )
        .as_bytes(),
    );
    for (name, value) in [("subject", "Six files"), ("body", "Too many.")] {
        six.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for i in 0..6 {
        six.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"f{i}.txt\"\r\nContent-Type: text/plain\r\n\r\nfile {i}\r\n").as_bytes(),
        );
    }
    six.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let r = post(
        addr,
        "/messages",
        &[("Cookie", &bank.cookie), ("Content-Type", &content_type)],
        &six,
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let huge = vec![b'x'; 21 << 20];
    let r = post(
        addr,
        "/messages",
        &[("Cookie", &bank.cookie), ("Content-Type", &content_type)],
        &huge,
    );
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(
        db.count("SELECT COUNT(*) FROM board_messages"),
        messages_before
    );

    // Dealt with: the analyst moves the message into the archive, and back;
    // the bank's board is unchanged by it.
    let r = form(
        addr,
        &analyst,
        "/messages/archive",
        &format!(
            "kind=free&item={}&archived=1",
            db.one("SELECT MAX(id) FROM board_messages")
        ),
    );
    assert_eq!(r.status, 303);
    assert!(!page(addr, &analyst, "/messages")
        .text()
        .contains("Signed annex"));
    let archive = page(addr, &analyst, "/messages?folder=archive").text();
    assert!(
        archive.contains("Signed annex") && archive.contains("1 messages"),
        "{archive}"
    );
    assert!(page(addr, &bank, "/messages")
        .text()
        .contains("Signed annex"));
    let r = form(
        addr,
        &analyst,
        "/messages/archive",
        &format!(
            "kind=free&item={}&archived=0",
            db.one("SELECT MAX(id) FROM board_messages")
        ),
    );
    assert_eq!(r.status, 303);
    assert!(page(addr, &analyst, "/messages")
        .text()
        .contains("Signed annex"));

    // In Russian, the FIU's receipt and a refusal read in Russian too.
    assert_eq!(form(addr, &bank, "/language", "language=ru").status, 303);
    let board = page(addr, &bank, "/messages").text();
    assert!(board.contains("обработано: фигурантов"), "{board}");
    let refused = form(addr, &bank, "/messages", "subject=&body=x");
    assert_eq!(refused.status, 400);
    assert!(
        refused.text().contains("тема — от 1 до 200 символов")
            && refused.text().contains("На главную страницу"),
        "{}",
        refused.text()
    );
    assert_eq!(form(addr, &bank, "/language", "language=en").status, 303);

    // The bank sees its organisation as the FIU has it, tokens without secrets.
    let organisation = page(addr, &bank, "/organisation").text();
    let tokens = organisation
        .split("id=\"organisation-tokens\"")
        .nth(1)
        .unwrap_or("");
    assert!(
        organisation.contains("NXTJB1XX")
            && organisation.contains("officer")
            && tokens.contains("live"),
        "{organisation}"
    );
    assert!(
        !organisation.contains("elsewhere"),
        "another bank's users are not shown"
    );
    assert_eq!(page(addr, &analyst, "/organisation").status, 403);

    // Another bank sees none of it.
    let other = login(addr, "elsewhere", &other_bank_pw);
    let board = page(addr, &other, "/messages").text();
    assert!(
        !board.contains("BOARD-1")
            && !board.contains("compliance officer")
            && board.contains("0 messages"),
        "{board}"
    );
    assert_eq!(
        page(addr, &other, &format!("/messages/attachments/{link}")).status,
        404,
        "another bank's attachment does not exist for it"
    );
}

#[test]
fn a_bank_officer_files_a_web_report_of_an_organisation_with_two_transactions_from_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    create_token_with_codes(&db, 501, &["NXTJB1XX"]);
    let officer_pw = create_user(&db, "officer", "reporting-entity", Some(501));
    let other_pw = create_user(&db, "elsewhere", "reporting-entity", Some(502));
    let server = Server::start(&db);
    let addr = server.addr.as_str();
    let officer = login(addr, "officer", &officer_pw);
    let fields = |extra: &str| {
        format!(
            "reference=WEB-ORG-1&report_code=STR&reason={}&customer_kind=organisation&org_name={}&org_number=0123456&org_country=KG\
             &account=A900&bic=NXTJB1XX&currency=TJS&indicator=CASH&indicator=TF\
             &number=W1&date=2026-02-27T09%3A15&amount=12%2C500.00&direction=in&cp_first_name=Aibek&cp_last_name=Toktogulov&cp_account=K1&cp_bic=KGBKKG22&cp_country=KG{extra}",
            form_value("Cash in, wired out the same day"),
            form_value("Northern Trade LLC")
        )
    };
    // The officer adds a second transaction: the form comes back with it.
    let r = form(
        addr,
        &officer,
        "/reports/new",
        &format!("{}&op=add", fields("")),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("name=\"tx1_number\""),
        "a second transaction's fields"
    );
    // Half done, the officer keeps a draft and comes back to it.
    let r = form(
        addr,
        &officer,
        "/reports/new",
        &format!("{}&op=draft&tx1_number=W2", fields("")),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let draft_path = r.header("location").unwrap().to_string();
    let page_of_draft = page(addr, &officer, &draft_path).text();
    assert!(
        page_of_draft.contains("value=\"W2\"") && page_of_draft.contains("WEB-ORG-1"),
        "{page_of_draft}"
    );
    let other = login(addr, "elsewhere", &other_pw);
    assert_eq!(
        page(addr, &other, &draft_path).status,
        404,
        "another bank's draft answers like a missing one"
    );
    // Preview shows the goAML report, nothing is filed.
    let second = "&tx1_number=W2&tx1_date=2026-02-28T10%3A00&tx1_amount=9900&tx1_direction=out&tx1_cp_first_name=Ahmad&tx1_cp_last_name=Karimi&tx1_cp_account=AE01&tx1_cp_bic=NXAEB1XX&tx1_cp_country=AE";
    let r = form(
        addr,
        &officer,
        "/reports/new",
        &format!("{}&op=preview", fields(second)),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("id=\"preview\"") && r.text().contains("&lt;report_indicators&gt;"),
        "{}",
        r.text()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM reports"), 0);
    // Filed: one report, two transactions, the organisation, the draft gone.
    let r = form(
        addr,
        &officer,
        "/reports/new",
        &format!("{}&op=submit", fields(second)),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(db.one("SELECT status FROM reports"), "processed");
    assert_eq!(db.count("SELECT COUNT(*) FROM transactions"), 2);
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM entities WHERE name = 'Northern Trade LLC' AND kind = 'entity'"
        ),
        1,
        "the customer is one organisation, named in both transactions"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM report_drafts"),
        0,
        "a processed report leaves no draft"
    );

    // A report that failed is corrected from its draft.
    let r = form(
        addr,
        &officer,
        "/reports/new",
        "reference=WEB-FIX-1&op=draft&reason=x",
    );
    assert_eq!(r.status, 303);
    let broken = "<report><rentity_id>501</rentity_id><entity_reference>WEB-FIX-1</entity_reference></report>";
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Cookie", &officer.cookie),
            ("X-CSRF-Token", &officer.csrf),
            ("Content-Type", "application/xml"),
        ],
        broken.as_bytes(),
    );
    assert!(
        r.status == 200 || r.status == 201 || r.status == 422,
        "{} {}",
        r.status,
        r.text()
    );
    let failed = db.one("SELECT id FROM reports WHERE entity_reference = 'WEB-FIX-1'");
    let report_page = page(addr, &officer, &format!("/reports/{failed}")).text();
    assert!(report_page.contains("id=\"correct\""), "{report_page}");
}
