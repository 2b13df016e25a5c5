//! cfn-init (M3) and pages built from instance metadata (M1): what an instance serves
//! once its UserData has run `cfn-init` on its `AWS::CloudFormation::Init` metadata, or
//! written a page from `curl http://169.254.169.254/...`. Each test is a scenario run end to end.

use vpcsim::error::FileError;
use vpcsim::session::Session;

#[path = "support/scenario_run.rs"]
mod scenario_run;
#[path = "support/two_instances.rs"]
mod two_instances;

/// Runs `steps` against the template in a stack named `web`; every expectation must hold.
/// Returns the session, for its warnings.
fn run(server: &str, steps: &str) -> Session {
    scenario_run::passing("cfn-init.yaml", &scenario_text(server, steps))
}

/// The error creating the stack gives.
fn refused(server: &str) -> FileError {
    scenario_run::refused("cfn-init.yaml", &scenario_text(server, ""))
}

/// The shared two-instance world as a scenario named `cfn-init`, its stack `web`.
fn scenario_text(server: &str, steps: &str) -> String {
    two_instances::scenario_text("cfn-init", "web", server, steps)
}

/// Metadata with this `AWS::CloudFormation::Init` (YAML at its indentation) and a UserData
/// that runs `cfn_init` (a line of the script).
fn server(init: &str, cfn_init: &str) -> String {
    let init: String = init.lines().map(|l| format!("          {l}\n")).collect();
    format!(
        "        Metadata:\n          AWS::CloudFormation::Init:\n{init}        Properties:\n          SubnetId: !Ref Subnet\n          SecurityGroupIds: [!Ref Open]\n          UserData:\n            Fn::Base64: !Sub |\n              #!/bin/bash -xe\n              yum update -y aws-cfn-bootstrap\n              {cfn_init}\n"
    )
}

const CFN_INIT: &str =
    "/opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource Server --region ${AWS::Region}";

const HTTPD: &str = r#"  config:
    packages: {yum: {httpd: []}}
    files:
      /var/www/html/index.html:
        content: !Join ["", ["<h1>cfn-init page of ", !Ref "AWS::StackName", "</h1>\n"]]
        mode: "000644"
        owner: root
        group: root
    services:
      sysvinit:
        httpd: {enabled: true, ensureRunning: true}
"#;

#[test]
fn m3_httpd_installed_by_cfn_init_serves_the_file_it_wrote_with_intrinsics_evaluated() {
    run(
        &server(HTTPD, CFN_INIT),
        r#"  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-contains: "<h1>cfn-init page of web</h1>"}}
"#,
    );
}

#[test]
fn m3_init_metadata_that_the_user_data_never_runs_serves_nothing() {
    run(
        &server(HTTPD, "echo no cfn-init here"),
        r#"  - {on: Client, run: "curl http://${Server.PrivateIp}/", expect: {exit: 7, output-contains: Connection refused}}
"#,
    );
}

#[test]
fn m3_config_sets_run_their_configs_in_order_and_commands_use_the_user_data_shell() {
    let init = r#"  configSets:
    default: [install, {ConfigSet: site}]
    site: [page]
  install:
    packages: {yum: {nginx: []}}
    files:
      /usr/share/nginx/html/index.html: {content: first}
  page:
    commands:
      02_second: {command: "echo \"second from $(curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone)\" > index.html", cwd: /usr/share/nginx/html}
      01_first: {command: "echo overwritten > /usr/share/nginx/html/index.html"}
    services:
      systemd:
        nginx: {enabled: true, ensureRunning: true}
"#;
    run(
        &server(init, CFN_INIT),
        r#"  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-contains: "second from us-east-1a"}}
"#,
    );
    let named = "/opt/aws/bin/cfn-init -s ${AWS::StackName} -r Server -c site --region ${AWS::Region}";
    run(
        &server(init, named),
        r#"  - {on: Client, run: "curl http://${Server.PrivateIp}/", expect: {exit: 7}}
"#,
    );
}

#[test]
fn m3_cfn_init_naming_another_resource_or_stack_applies_nothing_and_says_why() {
    let other = "/opt/aws/bin/cfn-init -s ${AWS::StackName} -r WebServer --region ${AWS::Region}";
    let session = run(
        &server(HTTPD, other),
        r#"  - {on: Client, run: "curl http://${Server.PrivateIp}/", expect: {exit: 7}}
"#,
    );
    let said = session.warnings.iter().any(|w| w.message.contains("cfn-init -r WebServer"));
    assert!(said, "{:?}", session.warnings);
    let session = run(
        &server(HTTPD, "/opt/aws/bin/cfn-init -s other-stack -r Server"),
        r#"  - {on: Client, run: "curl http://${Server.PrivateIp}/", expect: {exit: 7}}
"#,
    );
    assert!(session.warnings.iter().any(|w| w.message.contains("cfn-init -s other-stack")));
}

#[test]
fn m3_users_groups_sources_and_file_urls_are_warned_by_name_as_changing_nothing() {
    let init = r#"  config:
    users: {app: {uid: "600"}}
    sources: {/opt/app: "https://example.com/app.tar.gz"}
    files:
      /etc/app.conf: {source: "https://example.com/app.conf"}
"#;
    let session = run(&server(init, CFN_INIT), "");
    let warned = |key: &str| session.warnings.iter().any(|w| w.message.contains(key));
    assert!(warned("config.users is accepted but does not change the simulation"), "{:?}", session.warnings);
    assert!(warned("config.sources"));
    assert!(warned("config.files./etc/app.conf.source"));
}

#[test]
fn m3_an_unknown_key_in_the_init_metadata_is_an_error_at_its_line() {
    let init = "  config:\n    pakages: {yum: {httpd: []}}\n";
    let e = refused(&server(init, CFN_INIT));
    let p = &e.problems[0];
    assert!(p.message.contains("unknown key `pakages`"), "{e}");
    let line =
        scenario_text(&server(init, CFN_INIT), "").lines().position(|l| l.contains("pakages")).unwrap() + 1;
    assert_eq!(p.location.line, line, "{e}");
}

#[test]
fn m1_a_page_built_from_instance_metadata_shows_the_instances_values_not_the_code() {
    let script = r#"        Properties:
          SubnetId: !Ref Subnet
          SecurityGroupIds: [!Ref Open]
          UserData: !Base64 |
            #!/bin/bash
            yum install -y httpd
            TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")
            ID=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)
            cat > /var/www/html/index.html <<EOF
            <h1>$ID at $(curl -s http://169.254.169.254/latest/meta-data/local-ipv4)</h1>
            <p>zone `curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone`</p>
            EOF
            systemctl start httpd
"#;
    run(
        script,
        r#"  - on: Client
    run: curl -s http://${Server.PrivateIp}/
    expect:
      output-contains: "<h1>${Server} at ${Server.PrivateIp}</h1>"
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-contains: "zone us-east-1a", output-not-contains: "curl"}}
"#,
    );
}

#[test]
fn m1_an_index_php_served_by_httpd_with_php_installed_shows_the_instances_values() {
    let script = r#"        Properties:
          SubnetId: !Ref Subnet
          SecurityGroupIds: [!Ref Open]
          UserData: !Base64 |
            #!/bin/bash
            yum install -y httpd php
            cat > /var/www/html/index.php <<'EOF'
            <h1><?php echo gethostname(); ?></h1>
            <p><?php echo file_get_contents('http://169.254.169.254/latest/meta-data/local-ipv4'); ?></p>
            EOF
            systemctl start httpd
"#;
    run(
        script,
        r#"  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-contains: "<p>${Server.PrivateIp}</p>", output-not-contains: "<?php"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-matches: "<h1>ip-10-0-1-[0-9]+\\.ec2\\.internal</h1>"}}
"#,
    );
    let without_php = script.replace("httpd php", "httpd");
    run(
        &without_php,
        r#"  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-contains: "It works!"}}
"#,
    );
}

#[test]
fn m3_every_file_cfn_init_writes_under_the_document_root_is_served_at_its_path() {
    let init = HTTPD.replace(
        "    services:",
        "      /var/www/html/health.html:\n        content: \"ok\\n\"\n    services:",
    );
    run(
        &server(&init, CFN_INIT),
        r#"  - {on: Client, run: "curl -s http://${Server.PrivateIp}/health.html", expect: {output-matches: "^ok$"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/index.html", expect: {output-contains: "<h1>cfn-init page of web</h1>"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/missing.html", expect: {output-contains: "<title>404 Not Found</title>", output-not-contains: "ok"}}
"#,
    );
}

#[test]
fn m1_files_user_data_writes_under_the_document_root_are_served_and_other_paths_are_404() {
    let script = r#"        Properties:
          SubnetId: !Ref Subnet
          SecurityGroupIds: [!Ref Open]
          UserData: !Base64 |
            #!/bin/bash
            yum install -y httpd
            echo "<h1>home</h1>" > /var/www/html/index.html
            echo healthy > /var/www/html/health.html
            mkdir -p /var/www/html/app
            cat <<EOF > /var/www/html/app/index.html
            app at $(curl -s http://169.254.169.254/latest/meta-data/local-ipv4)
            EOF
            echo secret > /etc/secret.html
            systemctl start httpd
"#;
    run(
        script,
        r#"  - {on: Client, run: "curl -s http://${Server.PrivateIp}/health.html", expect: {output-matches: "^healthy$"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/app/", expect: {output-matches: "^app at ${Server.PrivateIp}$"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-matches: "^<h1>home</h1>$"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/secret.html", expect: {output-contains: "The requested URL /secret.html was not found on this server."}}
"#,
    );
}

#[test]
fn m1_nginx_serves_the_files_of_its_own_root_and_answers_its_own_404_page() {
    let script = r#"        Properties:
          SubnetId: !Ref Subnet
          SecurityGroupIds: [!Ref Open]
          UserData: !Base64 |
            #!/bin/bash
            yum install -y nginx
            echo up > /usr/share/nginx/html/status.txt
            systemctl start nginx
"#;
    run(
        script,
        r#"  - {on: Client, run: "curl -s http://${Server.PrivateIp}/status.txt", expect: {output-matches: "^up$"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/", expect: {output-contains: "Welcome to nginx!"}}
  - {on: Client, run: "curl -s http://${Server.PrivateIp}/nope", expect: {output-contains: "<center><h1>404 Not Found</h1></center>"}}
"#,
    );
}
