//! The instance metadata service under an instance's metadata options (M1): with
//! `HttpTokens: required` a request without an IMDSv2 token gets 401 Unauthorized and one
//! with a token from `PUT /latest/api/token` is answered; with `HttpEndpoint: disabled`
//! every request gets 403 Forbidden; pages a UserData script builds from the metadata
//! show what the real ones show; `aws ec2 modify-instance-metadata-options` changes the
//! options of a running instance. Each test is a scenario run end to end.

use vpcsim::scenario::{self, render};
use vpcsim::session::Session;

#[path = "support/two_instances.rs"]
mod two_instances;

/// Runs `steps` against the two-instance template with `server` as the server's YAML;
/// every expectation must hold. The session, for further checks.
fn run(server: &str, steps: &str) -> Session {
    let text = two_instances::scenario_text("metadata", "s", server, steps);
    let s = scenario::load_str("metadata.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut session = Session::for_scenario(&s).unwrap();
    let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.passed, "{}", render::text(&report));
    session
}

/// Server properties with these `MetadataOptions` and this UserData script.
fn server(options: &str, script: &str) -> String {
    let body: String = script.lines().map(|l| format!("            {l}\n")).collect();
    format!(
        "        Properties:\n          SubnetId: !Ref Subnet\n          SecurityGroupIds: [!Ref Open]\n          MetadataOptions: {{{options}}}\n          UserData: !Base64 |\n{body}"
    )
}

const IMDS: &str = "http://169.254.169.254/latest";

#[test]
fn m1_with_http_tokens_required_a_request_without_a_token_gets_401() {
    let steps = format!(
        r#"  - on: Server
    run: curl -s {IMDS}/meta-data/local-ipv4
    expect: {{output-contains: "<title>401 - Unauthorized</title>"}}
  - on: Server
    run: curl -sf {IMDS}/meta-data/local-ipv4
    expect: {{exit: 22, output-not-contains: "10.0.1"}}
"#
    );
    run(&server("HttpTokens: required", "yum install -y httpd\n"), &steps);
}

#[test]
fn m1_with_a_token_from_put_api_token_the_service_answers_when_tokens_are_required() {
    let steps = format!(
        r#"  - on: Server
    run: 'curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" {IMDS}/api/token'
    expect: {{output-contains: "AQAEAHZwY3NpbS10b2tlbg=="}}
  - on: Server
    run: 'curl -s -H "X-aws-ec2-metadata-token: AQAEAHZwY3NpbS10b2tlbg==" {IMDS}/meta-data/placement/availability-zone'
    expect: {{output-contains: us-east-1a}}
  - on: Server
    run: curl -s -X PUT {IMDS}/api/token
    expect: {{output-contains: "400 - Bad Request"}}
"#
    );
    run(&server("HttpTokens: required", "yum install -y httpd\n"), &steps);
}

#[test]
fn m1_a_page_built_without_a_token_shows_the_401_page_and_one_built_with_a_token_the_value() {
    let script = r#"yum install -y httpd
systemctl start httpd
IP=$(curl -s http://169.254.169.254/latest/meta-data/local-ipv4)
echo "<p>v1 $IP</p>" > /var/www/html/index.html
TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")
IP2=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/local-ipv4)
echo "<p>v2 $IP2</p>" >> /var/www/html/index.html
EMPTY=$(curl -sf http://169.254.169.254/latest/meta-data/local-ipv4)
echo "<p>f [$EMPTY]</p>" >> /var/www/html/index.html
"#;
    let steps = r#"  - on: Client
    run: curl -s http://${Server.PrivateIp}/
    expect: {output-contains: "401 - Unauthorized"}
  - on: Client
    run: curl -s http://${Server.PrivateIp}/
    expect: {output-matches: "<p>v2 10\\.0\\.1\\.[0-9]+</p>"}
  - on: Client
    run: curl -s http://${Server.PrivateIp}/
    expect: {output-contains: "<p>f []</p>"}
"#;
    run(&server("HttpTokens: required", script), steps);
}

#[test]
fn m1_a_php_page_reads_nothing_from_the_metadata_without_a_token_when_tokens_are_required() {
    let script = r#"yum install -y httpd php
systemctl start httpd
cat > /var/www/html/index.php <<'PHP'
<p>[<?php echo file_get_contents('http://169.254.169.254/latest/meta-data/local-ipv4'); ?>]</p>
PHP
"#;
    let steps = r#"  - on: Client
    run: curl -s http://${Server.PrivateIp}/index.php
    expect: {output-contains: "<p>[]</p>"}
"#;
    run(&server("HttpTokens: required", script), steps);
}

#[test]
fn m1_with_http_endpoint_disabled_every_request_gets_403() {
    let steps = format!(
        r#"  - on: Server
    run: curl -s {IMDS}/meta-data/instance-id
    expect: {{output-contains: "403 - Forbidden"}}
  - on: Server
    run: 'curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" {IMDS}/api/token'
    expect: {{output-contains: "403 - Forbidden"}}
"#
    );
    run(&server("HttpEndpoint: disabled", "yum install -y httpd\n"), &steps);
}

#[test]
fn m1_modify_instance_metadata_options_requires_tokens_on_a_running_instance() {
    let steps = format!(
        r#"  - on: Server
    run: curl -s {IMDS}/meta-data/local-ipv4
    expect: {{output-contains: "10.0.1."}}
  - run: aws ec2 modify-instance-metadata-options --instance-id ${{Server}} --http-tokens required
    expect: {{output-contains: '"HttpTokens": "required"'}}
  - run: aws ec2 describe-instances --instance-ids ${{Server}} --query Reservations[0].Instances[0].MetadataOptions.HttpTokens --output text
    expect: {{output-contains: required}}
  - on: Server
    run: curl -s {IMDS}/meta-data/local-ipv4
    expect: {{output-contains: "401 - Unauthorized"}}
  - run: aws ec2 modify-instance-metadata-options --instance-id ${{Server}} --http-tokens sometimes
    expect: {{fails: true, output-contains: "Valid values are: optional, required"}}
"#
    );
    run("        Properties: {SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Open]}\n", &steps);
}

#[test]
fn m1_the_metadata_options_vpcsim_does_not_model_are_refused_by_the_call() {
    let line = "aws ec2 modify-instance-metadata-options --instance-id i-1 --http-put-response-hop-limit 2";
    let err = vpcsim::command::aws::parse_line(line).unwrap_err().to_string();
    assert!(err.contains("no containers a hop away"), "{err}");
    let none = vpcsim::command::aws::parse_line("aws ec2 modify-instance-metadata-options --instance-id i-1");
    assert!(none.unwrap_err().to_string().contains("--http-endpoint or --http-tokens"));
}

#[test]
fn m1_http_tokens_is_modelled_so_the_stack_no_longer_warns_about_it() {
    let s = run(
        &server("HttpTokens: required, HttpPutResponseHopLimit: 2", "yum install -y httpd\n"),
        "  - wait: 1s\n",
    );
    let said: Vec<String> = s.warnings.iter().map(|w| w.to_string()).collect();
    assert!(!said.iter().any(|w| w.contains("HttpTokens")), "{said:?}");
    assert!(said.iter().any(|w| w.contains("HttpPutResponseHopLimit")), "{said:?}");
}

#[test]
fn m1_run_instances_and_a_launch_template_made_by_the_cli_carry_http_tokens() {
    let steps = format!(
        r#"  - run: aws ec2 run-instances --subnet-id ${{Subnet}} --metadata-options HttpTokens=required
    save: r
  - on: ${{r.Instances[0].InstanceId}}
    run: curl -s {IMDS}/meta-data/local-ipv4
    expect: {{output-contains: "401 - Unauthorized"}}
  - run: >-
      aws ec2 create-launch-template --launch-template-name strict --launch-template-data '{{"MetadataOptions": {{"HttpEndpoint": "disabled"}}}}'
  - run: aws ec2 run-instances --subnet-id ${{Subnet}} --launch-template LaunchTemplateName=strict
    save: t
  - on: ${{t.Instances[0].InstanceId}}
    run: curl -s {IMDS}/meta-data/local-ipv4
    expect: {{output-contains: "403 - Forbidden"}}
"#
    );
    run("        Properties: {SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Open]}\n", &steps);
    let hop = "aws ec2 run-instances --subnet-id subnet-1 --metadata-options HttpPutResponseHopLimit=2";
    let err = vpcsim::command::aws::parse_line(hop).unwrap_err().to_string();
    assert!(err.contains("MetadataOptions.HttpPutResponseHopLimit is not modelled"), "{err}");
}
