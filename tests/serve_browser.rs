//! `vpcsim serve` in a real browser: headless Chromium (`--dump-dom`) opens the page
//! on the lab's server (an ephemeral port) with a view in its URL hash, lets it run, and
//! the test reads the DOM the page built. Few launches: each costs seconds.
//!
//! Under `CI=true` a missing Chromium fails; elsewhere these tests print why and pass.

mod serve_common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serve_common::{get, lab, lab_server, step_titled};

/// The Chromium to drive, if installed (Debian's `chromium`, or `chromium-browser`).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and no chromium on PATH: .ci/run installs Debian's chromium package");
    }
    eprintln!("skipped: no chromium on PATH (apt-get install chromium); CI fails instead");
    None
}

/// The page at `hash` as the browser left it: the DOM, and the console lines it logged.
struct Page {
    dom: String,
    console: Vec<String>,
}

fn open(browser: &PathBuf, addr: SocketAddr, hash: &str) -> Page {
    let profile =
        std::env::temp_dir().join(format!("vpcsim-chromium-{}-{}", std::process::id(), addr.port()));
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--window-size=1280,800",
            "--virtual-time-budget=10000",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("http://{addr}/#{hash}"))
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&profile);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console = stderr.lines().filter(|l| l.contains("CONSOLE")).map(str::to_string).collect();
    Page { dom: String::from_utf8_lossy(&out.stdout).into_owned(), console }
}

impl Page {
    /// The page finished loading and recorded no error (in its own box or on the console).
    fn assert_clean(&self) {
        assert!(self.dom.contains(r#"data-ready="yes""#), "the page did not finish loading:\n{}", self.dom);
        assert!(
            self.dom.contains(r#"<pre id="errors" hidden=""></pre>"#),
            "the page recorded errors:\n{}",
            self.dom
        );
        assert!(self.console.is_empty(), "console messages: {:#?}", self.console);
    }

    /// The hops of the drawn forward path, as (from, to) node ids.
    fn forward(&self) -> Vec<(String, String)> {
        let mut hops = Vec::new();
        for part in self.dom.split(r#"class="path fwd" data-from=""#).skip(1) {
            let (from, rest) = part.split_once('"').unwrap_or_default();
            let to = rest.split_once(r#"data-to=""#).and_then(|(_, r)| r.split_once('"')).map(|(t, _)| t);
            hops.push((from.to_string(), to.unwrap_or_default().to_string()));
        }
        hops
    }
}

/// `vpcsim serve FILE ARGS --port 0` as a user starts it; stopped when dropped.
struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Served {
    fn start(file: &Path, args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
            .arg("serve")
            .arg(file)
            .args(args)
            .args(["--port", "0"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("vpcsim serve starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).expect("vpcsim serve prints its address");
        let url = line.split(" on http://").nth(1).unwrap_or_else(|| panic!("no address in {line:?}"));
        let addr = url.trim_end().trim_end_matches('/').parse().expect("an address");
        Served { child, addr }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn endpoint_id(addr: SocketAddr, step: u64) -> String {
    let w = get(addr, &format!("/api/world?step={step}")).json();
    w["describe"]["VpcEndpoints"][0]["VpcEndpointId"].as_str().expect("an endpoint").to_string()
}

#[test]
fn the_lab_page_loads_clean_draws_both_vpcs_and_before_the_endpoint_a_path_through_both_internet_gateways() {
    let Some(browser) = chromium() else { return };
    let addr = lab_server();
    let step = step_titled(addr, lab::THROUGH_GATEWAYS);
    let page = open(&browser, addr, &format!("step={step}&from=My-EC2&to=Custom-NLB&port=80&tab=trace"));
    page.assert_clean();
    assert!(
        page.dom.contains("MyVPC 10.0.0.0/16") && page.dom.contains("CustomVPC 20.0.0.0/16"),
        "{}",
        page.dom
    );
    let hops: Vec<String> = page.forward().into_iter().map(|(f, t)| format!("{f}>{t}")).collect();
    assert_eq!(hops, ["i0>igw0", "igw0>internet", "internet>igw1", "igw1>lb0_0", "lb0_0>i2"]);
    assert!(page.dom.contains("REACHABLE: My-EC2"), "{}", page.dom);
}

#[test]
fn after_the_endpoint_is_available_the_path_goes_through_the_vpc_endpoint() {
    let Some(browser) = chromium() else { return };
    let addr = lab_server();
    let step = step_titled(addr, lab::THROUGH_ENDPOINT);
    let endpoint = endpoint_id(addr, step);
    let page = open(&browser, addr, &format!("step={step}&from=My-EC2&to={endpoint}&port=80"));
    page.assert_clean();
    let hops: Vec<String> = page.forward().into_iter().map(|(f, t)| format!("{f}>{t}")).collect();
    assert_eq!(hops, ["i0>vpce0_0", "vpce0_0>svc0", "svc0>lb0_0", "lb0_0>i1"]);
}

#[test]
fn a_flow_blocked_before_acceptance_shows_bad_state_in_red_at_the_endpoint_p2() {
    let Some(browser) = chromium() else { return };
    let addr = lab_server();
    let step = step_titled(addr, lab::ENDPOINT_PENDING);
    let endpoint = endpoint_id(addr, step);
    let page = open(&browser, addr, &format!("step={step}&from=My-EC2&to={endpoint}&port=80"));
    page.assert_clean();
    assert!(page.dom.contains("NOT REACHABLE"), "{}", page.dom);
    assert!(page.dom.contains(r#"<strong class="code">BAD_STATE</strong>"#), "{}", page.dom);
    assert!(page.dom.contains(r#"class="node vpc-endpoint blocked""#), "{}", page.dom);
    assert!(page.dom.contains("✘ BAD_STATE"), "{}", page.dom);
    assert!(page.dom.contains(r#"<tr class="decisive">"#), "{}", page.dom);
}

#[test]
fn a_peering_connection_is_drawn_between_its_vpcs_and_the_path_crosses_it_v1() {
    let Some(browser) = chromium() else { return };
    let served = Served::start(Path::new("scenarios/lesson-peering-not-transitive.yaml"), &["--until", "1"]);
    let page = open(&browser, served.addr, "step=1&from=client&to=10.0.1.10&port=80");
    page.assert_clean();
    assert!(page.dom.contains(r#"class="node vpc-peering-connection" data-node="pcx0""#), "{}", page.dom);
    assert_eq!(page.dom.matches(r#"class="edge peering""#).count(), 4, "two connections, two VPCs each");
    let hops: Vec<String> = page.forward().into_iter().map(|(f, t)| format!("{f}>{t}")).collect();
    assert_eq!(hops, ["i0>pcx0", "pcx0>i1"]);
}

/// A template of one VPC with four subnets in two zones and `n` instances spread over them.
fn many_instances(n: usize) -> String {
    let mut t = String::from(
        "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16, Tags: [{Key: Name, Value: big}]}\n",
    );
    for s in 0..4 {
        t.push_str(&format!(
            "  Subnet{s}:\n    Type: AWS::EC2::Subnet\n    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.{}.0/22, AvailabilityZone: !Select [{}, !GetAZs '']}}\n",
            s * 4,
            s % 2
        ));
    }
    for i in 0..n {
        t.push_str(&format!(
            "  Web{i}:\n    Type: AWS::EC2::Instance\n    Properties: {{SubnetId: !Ref Subnet{}, Tags: [{{Key: Name, Value: web-{i}}}]}}\n",
            i % 4
        ));
    }
    t
}

#[test]
fn a_thousand_instance_world_draws_five_a_subnet_and_opens_the_subnet_a_path_needs() {
    let Some(browser) = chromium() else { return };
    let dir = std::env::temp_dir().join(format!("vpcsim-1000-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let file = dir.join("thousand.cfn.yaml");
    std::fs::write(&file, many_instances(1000)).expect("the template is written");
    let served = Served::start(&file, &[]);
    let page = open(&browser, served.addr, "step=0");
    page.assert_clean();
    assert_eq!(page.dom.matches(r#"class="node instance""#).count(), 4 * 5, "five shown a subnet");
    assert_eq!(page.dom.matches("+ 245 more (click to show)").count(), 4, "the rest collapsed");
    let traced = open(&browser, served.addr, "step=0&from=web-0&to=web-999&port=80");
    traced.assert_clean();
    assert_eq!(
        traced.dom.matches(r#"class="node instance""#).count(),
        2 * 250 + 2 * 5,
        "web-0's and web-999's subnets open, the other two still show five"
    );
    assert!(traced.dom.contains(">web-999<"), "the path's subnet is open");
    assert_eq!(
        traced.dom.matches("+ 245 more (click to show)").count(),
        2,
        "the two subnets of the path are open"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_reach_tab_shows_the_matrix_of_the_step_s_world_with_a_button_a_cell() {
    let Some(browser) = chromium() else { return };
    let addr = lab_server();
    let step = step_titled(addr, lab::THROUGH_ENDPOINT);
    let page = open(&browser, addr, &format!("step={step}&tab=reach&rport=tcp:80"));
    page.assert_clean();
    assert!(page.dom.contains(r#"<table class="reach" id="reach-table">"#), "{}", page.dom);
    assert!(
        page.dom.contains("From each source (rows) to each destination (columns), tcp:80"),
        "{}",
        page.dom
    );
    assert!(page.dom.contains(r#"class="reach-cell ok""#), "a reachable cell: {}", page.dom);
    assert!(page.dom.contains(r#"class="reach-cell blocked""#), "a blocked cell: {}", page.dom);
    assert!(
        page.dom.contains(">My-EC2<") || page.dom.contains(">My-EC2, "),
        "a row names My-EC2: {}",
        page.dom
    );
}
