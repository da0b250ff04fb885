//! A real browser (Chromium through chromedriver and WebDriver) against
//! the real server: an admin invites a candidate and a reviewer, the
//! candidate signs up through the link, takes an interview to the
//! scorecard, and the reviewer opens it and writes a note. Screenshots of
//! each page (desktop and phone width) go to `$KUBEPREP_SCREENSHOTS` when
//! set, for people to look at.
//!
//! Needs `chromedriver` and `chromium` (Debian's `chromium-driver` and
//! `chromium`; `.ci/run` installs them). Without them the test is skipped
//! with a note — except in CI, where it fails.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Db, Server, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use kubeprep_server::web::Config;
use kubeprep_store::Role;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn browser() -> Option<(Driver, Client)> {
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    let port = free_port();
    let child = match Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => Driver(child),
        Err(err) if std::env::var_os("CI").is_none() => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("note: {driver} not runnable ({err}); skipping the browser test");
            }
            return None;
        }
        Err(err) => panic!("CI needs {driver} (apt-get install chromium chromium-driver): {err}"),
    };
    let mut caps = serde_json::Map::new();
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,900", "--lang=en-GB"],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Some((child, client)),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("chromedriver did not start on {url}");
}

struct Shots {
    dir: Option<std::path::PathBuf>,
}

impl Shots {
    async fn take(&self, client: &Client, name: &str) {
        let Some(dir) = &self.dir else { return };
        std::fs::create_dir_all(dir).unwrap();
        let png = client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

async fn fill(client: &Client, css: &str, text: &str) {
    let field = client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks something that loads a new page, and waits until it has.
async fn click(client: &Client, css: &str) {
    let old = client.find(Locator::Css("html")).await.unwrap();
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        // The old document's element goes stale once the new page replaces it.
        if old.tag_name().await.is_err() {
            client
                .wait()
                .for_element(Locator::Css("footer"))
                .await
                .unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("clicking {css} did not load a page");
}

async fn body_text(client: &Client) -> String {
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn sign_in(client: &Client, base: &str, email: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    fill(client, "input[name=email]", email).await;
    fill(client, "input[name=password]", PASSWORD).await;
    click(client, "form button[type=submit]").await;
}

async fn sign_out(client: &Client) {
    click(client, "nav form button").await;
}

async fn sign_up(client: &Client, link: &str, email: &str) {
    client.goto(link).await.unwrap();
    fill(client, "input[name=email]", email).await;
    fill(client, "input[name=password]", PASSWORD).await;
    click(client, "form button[type=submit]").await;
}

async fn invite(client: &Client, role: &str) -> String {
    // Choosing an option does not load a page; only the button does.
    client
        .find(Locator::Css(&format!(
            "select[name=role] option[value={role}]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::XPath("//select[@name='cohort']/option[2]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(client, "form[action='/admin/invites'] button").await;
    client
        .wait()
        .for_element(Locator::Css("input.copy"))
        .await
        .unwrap();
    client
        .find(Locator::Css("input.copy"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .expect("the invite link")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_interview_scorecard_and_review_in_a_real_browser() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
    let shots = Shots {
        dir: std::env::var_os("KUBEPREP_SCREENSHOTS").map(Into::into),
    };
    let db = Db::sqlite().await;
    let server = Server::start(db.store.clone(), Config::default()).await;
    server.user("admin@example.com", Role::Admin).await;
    let base = server.base.clone();

    // The admin makes a cohort and two invite links.
    sign_in(&client, &base, "admin@example.com").await;
    client.goto(&format!("{base}/admin")).await.unwrap();
    fill(
        &client,
        "form[action='/admin/cohorts'] input[name=name]",
        "Autumn bootcamp",
    )
    .await;
    click(&client, "form[action='/admin/cohorts'] button").await;
    let candidate_link = invite(&client, "candidate").await;
    let reviewer_link = invite(&client, "reviewer").await;
    shots.take(&client, "01-admin").await;
    sign_out(&client).await;

    // The candidate signs up and takes the interview.
    client.goto(&candidate_link).await.unwrap();
    shots.take(&client, "02-signup").await;
    sign_up(&client, &candidate_link, "ada@example.com").await;
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/home"));
    shots.take(&client, "03-home-empty").await;
    click(&client, "form[action='/sessions'] button").await;
    let interview_url = client.current_url().await.unwrap();
    assert!(interview_url.path().starts_with("/s/"));
    assert!(body_text(&client).await.contains("what is a Pod"));
    let answers = [
        "A Pod is the smallest deployable unit in Kubernetes: one or more containers that share a network namespace, an IP address and volumes, and are scheduled together on one node. <b>bold?</b>",
        "Because containers in a Pod are co-scheduled and share localhost, sidecars like log shippers or proxies work; the Pod is the unit of scheduling, restart policy and resource accounting.",
    ];
    for text in answers {
        fill(&client, "#answer", text).await;
        click(&client, "button[value=answer]").await;
    }
    click(&client, "button[value=hint]").await;
    let page = body_text(&client).await;
    assert!(
        page.contains("<b>bold?</b>"),
        "the answer is shown as typed text"
    );
    assert!(page.contains("Hint"));
    shots.take(&client, "04-interview").await;
    client.set_window_size(390, 844).await.unwrap();
    shots.take(&client, "05-interview-phone").await;
    client.set_window_size(1280, 900).await.unwrap();
    // Closing the tab and coming back resumes where it was.
    client.goto(&format!("{base}/home")).await.unwrap();
    client.goto(interview_url.as_str()).await.unwrap();
    assert!(body_text(&client)
        .await
        .contains("smallest deployable unit"));
    click(&client, "button[value=finish]").await;
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/scorecard"));
    let card = body_text(&client).await;
    for section in [
        "Scorecard",
        "Areas",
        "Strengths",
        "To improve",
        "Resources",
        "Questions",
    ] {
        assert!(card.contains(section), "{section} on the scorecard");
    }
    let bars = client
        .find_all(Locator::Css("svg.chart rect"))
        .await
        .unwrap();
    assert!(bars.len() >= 6, "an SVG bar per area");
    shots.take(&client, "06-scorecard").await;
    client.set_window_size(390, 844).await.unwrap();
    shots.take(&client, "07-scorecard-phone").await;
    client.set_window_size(1280, 900).await.unwrap();
    let scorecard_url = client.current_url().await.unwrap();
    sign_out(&client).await;

    // The reviewer signs up, finds the session and writes a note.
    sign_up(&client, &reviewer_link, "rev@example.com").await;
    client.goto(&format!("{base}/review")).await.unwrap();
    assert!(body_text(&client).await.contains("ada@example.com"));
    shots.take(&client, "08-review").await;
    click(&client, "table a").await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        scorecard_url.path()
    );
    fill(
        &client,
        "textarea[name=body]",
        "Clear on Pods; probe networking next time.",
    )
    .await;
    click(&client, "form[action$='/notes'] button").await;
    assert!(body_text(&client)
        .await
        .contains("probe networking next time"));
    shots.take(&client, "09-reviewer-scorecard").await;

    client.close().await.unwrap();
    server.stop().await;
    db.finish().await;
}
