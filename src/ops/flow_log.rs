//! Flow logs (F1): CreateFlowLogs, DeleteFlowLogs and CloudWatch Logs groups
//! (CreateLogGroup, DeleteLogGroup), and the data-plane side: [`World::log_flow`] turns
//! the trace of a flow a tool sent into the records AWS writes at each interface it
//! crossed, and each flow log covering that interface writes them to its destination:
//! an event in its CloudWatch Logs group, readable at once, or a line of the S3 log file
//! of the current 5-minute window, delivered when the window ends.
//!
//! What a record holds, by choice (AWS leaves it to the traffic): a delivered TCP
//! connection is 5 packets each way (handshake, request or response, close) of
//! [`TCP_BYTES`]; a UDP datagram and its answer one packet each; `ping -c N` N echo
//! requests and N replies of 84 bytes; a blocked flow only its first packet (retries are
//! not counted). Each run of a tool is its own record (AWS would merge records of one
//! 5-tuple within an aggregation interval). Traffic to the instance metadata service,
//! the VPC resolver, Amazon Time Sync and DHCP is never logged: it never goes through
//! the walk, and link-local destinations are skipped here.

use super::ApiResult;
use crate::addr::Protocol;
use crate::apps::{Client, EPOCH_UNIX};
use crate::error::ApiError;
use crate::forward::{Block, Component, Outcome};
use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::model::flow_log::{
    Field, FlowAction, FlowLog, FlowLogResource, FlowRecord, LogDestination, LogEvent, LogFile, LogFormat,
    LogGroup, PendingRecord, S3Destination, TrafficType, S3_DELIVERY_S,
};
use crate::model::Tags;
use crate::trace::{ComponentKind, Direction, Header, Hop, Matched, Trace};
use crate::world::{Handle, World};

/// Flow log records all log groups and S3 log files together keep; later records are not written (bounded output).
pub const MAX_FLOW_LOG_RECORDS: usize = 100_000;

/// Bytes of a delivered TCP connection in each direction (5 packets: 60 + 52 x 4 of headers, 80 of payload).
pub const TCP_BYTES: u64 = 348;

/// Options of CreateFlowLogs (one flow log per resource).
#[derive(Clone, Debug)]
pub struct CreateFlowLog {
    /// What it watches.
    pub resource: FlowLogResource,
    /// `TrafficType`.
    pub traffic: TrafficType,
    /// Where its records go.
    pub destination: LogDestination,
    /// `DeliverLogsPermissionArn`: required for CloudWatch Logs, refused for S3.
    pub deliver_logs_permission_arn: Option<String>,
    /// `LogFormat` (the default when not given).
    pub format: LogFormat,
    /// `MaxAggregationInterval` (600 when not given).
    pub max_aggregation_interval: Option<u32>,
    /// Tags.
    pub tags: Tags,
}

/// The packets and bytes a tool's flow carries each way, and how long it lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// Packets and bytes of the request direction when delivered.
    pub request: (u64, u64),
    /// Packets and bytes of the answer, when the far end answers.
    pub response: Option<(u64, u64)>,
    /// Seconds from first to last packet.
    pub duration_s: u64,
}

impl Exchange {
    /// A connection of `protocol` as `curl`, `nc` and `dig` make it: TCP 5 packets each way;
    /// UDP one datagram, answered when it is DNS (port 53); ICMP one echo and its reply.
    pub fn of(protocol: Protocol, dst_port: u16) -> Exchange {
        match protocol {
            Protocol::Tcp => {
                Exchange { request: (5, TCP_BYTES), response: Some((5, TCP_BYTES)), duration_s: 0 }
            }
            Protocol::Udp if dst_port == 53 => {
                Exchange { request: (1, 72), response: Some((1, 88)), duration_s: 0 }
            }
            Protocol::Udp => Exchange { request: (1, 29), response: None, duration_s: 0 },
            Protocol::Icmp => Exchange::pings(1),
        }
    }

    /// `ping -c count`: that many echo requests and replies of 84 bytes, one a second.
    pub fn pings(count: u32) -> Exchange {
        let n = u64::from(count);
        Exchange { request: (n, 84 * n), response: Some((n, 84 * n)), duration_s: n.saturating_sub(1) }
    }

    /// The first packet only: what a blocked flow carries.
    fn first_packet(protocol: Protocol) -> (u64, u64) {
        match protocol {
            Protocol::Tcp => (1, 60),
            Protocol::Udp => (1, 29),
            Protocol::Icmp => (1, 84),
        }
    }
}

impl World {
    /// A flow log by id.
    pub fn flow_log_id(&self, op: &str, id: &str) -> ApiResult<FlowLogId> {
        self.lookup(op, id, "InvalidFlowLogId.NotFound", |h| match h {
            Handle::FlowLog(x) if !self.flow_logs[x].deleted => Some(x),
            _ => None,
        })
        .map_err(|_| ApiError::new(op, "InvalidFlowLogId.NotFound", format!("Flow Log {id} does not exist")))
    }

    /// The live log group named `name`.
    pub fn log_group_named(&self, name: &str) -> Option<LogGroupId> {
        self.log_groups.live().find(|(_, g)| g.name == name).map(|(id, _)| id)
    }

    /// CreateFlowLogs for one resource: checks the destination and format as AWS does.
    pub fn create_flow_log(&mut self, req: CreateFlowLog) -> ApiResult<FlowLogId> {
        const OP: &str = "CreateFlowLogs";
        let bad = |m: String| Err(ApiError::new(OP, "InvalidParameter", m));
        let interval = req.max_aggregation_interval.unwrap_or(600);
        if interval != 60 && interval != 600 {
            return bad(format!("Invalid MaxAggregationInterval {interval}: it must be 60 or 600 seconds."));
        }
        match (&req.destination, &req.deliver_logs_permission_arn) {
            (LogDestination::CloudWatchLogs { group }, _) if group.is_empty() => {
                return bad("LogGroupName or LogDestination is required for cloud-watch-logs.".into())
            }
            (LogDestination::CloudWatchLogs { .. }, None) => {
                return bad(
                    "DeliverLogsPermissionArn is required when the destination is cloud-watch-logs.".into()
                )
            }
            (LogDestination::S3(_), Some(_)) => {
                return bad("DeliverLogsPermissionArn must not be given when the destination is s3.".into())
            }
            _ => {}
        }
        let fl = FlowLog {
            aws_id: self.id_stream().aws_id("fl"),
            resource: req.resource,
            traffic: req.traffic,
            destination: req.destination,
            deliver_logs_permission_arn: req.deliver_logs_permission_arn,
            format: req.format,
            max_aggregation_interval: interval,
            created_ms: self.now_ms(),
            tags: req.tags,
            files: Vec::new(),
            file_records: 0,
            pending: Vec::new(),
            deleted: false,
        };
        Ok(self.flow_logs.insert(&mut self.by_aws_id, Handle::FlowLog, fl))
    }

    /// DeleteFlowLogs for one flow log: it writes nothing more; what it wrote stays.
    pub fn delete_flow_log(&mut self, fl: FlowLogId) -> ApiResult<()> {
        self.flow_logs[fl].deleted = true;
        Ok(())
    }

    /// CreateLogGroup: a name unique among live groups.
    pub fn create_log_group(&mut self, name: &str, retention_days: Option<u32>) -> ApiResult<LogGroupId> {
        const OP: &str = "CreateLogGroup";
        let valid = !name.is_empty()
            && name.len() <= 512
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c));
        if !valid {
            return Err(ApiError::new(
                OP,
                "InvalidParameterException",
                format!(
                    "Log group name {name:?} is invalid: 1 to 512 of a-z, A-Z, 0-9, '_', '-', '/', '.', '#'."
                ),
            ));
        }
        if self.log_group_named(name).is_some() {
            return Err(ApiError::new(
                OP,
                "ResourceAlreadyExistsException",
                "The specified log group already exists",
            ));
        }
        let group = LogGroup {
            name: name.to_string(),
            arn: format!("arn:aws:logs:{}:{}:log-group:{name}:*", self.region().name, self.account_id()),
            created_ms: self.now_ms(),
            retention_days,
            events: Vec::new(),
            deleted: false,
        };
        Ok(self.log_groups.insert(&mut self.by_aws_id, Handle::LogGroup, group))
    }

    /// DeleteLogGroup: the group and its events are gone.
    pub fn delete_log_group(&mut self, g: LogGroupId) -> ApiResult<()> {
        let group = &mut self.log_groups[g];
        group.deleted = true;
        group.events = Vec::new();
        Ok(())
    }

    /// F1: the records the flow a tool sent leaves at each interface it crossed, written by
    /// every live flow log covering that interface whose TrafficType keeps them. Nothing is
    /// computed when no flow log exists.
    pub(crate) fn log_flow(&mut self, trace: &Trace, outcome: &Outcome, exchange: Exchange) {
        if self.flow_logs.live().next().is_none() || trace.flow.dst.is_link_local() {
            return;
        }
        let now = self.now_ms();
        for record in self.flow_records(trace, outcome, exchange) {
            self.write_record(&record, now);
        }
    }

    /// F1: the records that `checks` health checks of target `i` of group `g` leave, the
    /// first at `first_ms` (virtual time) and one every `interval_ms` after it. Each flow
    /// log aggregates them as AWS aggregates one 5-tuple: in each of its aggregation
    /// windows, one record per interface (the load balancer node's and the target's),
    /// direction and action, counting the window's checks, written once the checks have
    /// passed the window's end. Nothing is computed when no flow log exists.
    pub(crate) fn log_health_checks(
        &mut self,
        (g, i): (TargetGroupId, usize),
        first_ms: u64,
        checks: u64,
        interval_ms: u64,
    ) {
        if self.flow_logs.live().next().is_none() || checks == 0 {
            return;
        }
        let Some((node, header)) = self.health_check_flow(g, i) else { return };
        let (trace, outcome) = self.send(Client::Interface(node), header, 0);
        let per_check = self.flow_records(&trace, &outcome, Exchange::of(Protocol::Tcp, header.dst_port));
        for r in &per_check {
            for fl in self.writers(r) {
                let window_ms = u64::from(self.flow_logs[fl].max_aggregation_interval) * 1000;
                let mut k = 0;
                while k < checks && self.flow_log_records() < MAX_FLOW_LOG_RECORDS {
                    let at = first_ms + k * interval_ms;
                    let unix_ms = EPOCH_UNIX as u64 * 1000 + at;
                    let window_end_ms = at + (window_ms - unix_ms % window_ms);
                    let n = ((window_end_ms - at - 1) / interval_ms + 1).min(checks - k);
                    let last_ms = at + (n - 1) * interval_ms;
                    let pending = &mut self.flow_logs[fl].pending;
                    match pending.iter_mut().find(|p| p.record == *r && p.window_end_ms == window_end_ms) {
                        Some(p) => {
                            p.checks += n;
                            p.last_ms = last_ms;
                        }
                        None => pending.push(PendingRecord {
                            record: *r,
                            window_end_ms,
                            first_ms: at,
                            last_ms,
                            checks: n,
                        }),
                    }
                    k += n;
                }
            }
        }
        self.flush_health_checks(&header, first_ms + (checks - 1) * interval_ms);
    }

    /// Writes, in time order, the pending records of the health check `header` (either
    /// direction) whose aggregation window ended by `until_ms`.
    fn flush_health_checks(&mut self, header: &Header, until_ms: u64) {
        let reply = Header {
            src: header.dst,
            dst: header.src,
            src_port: header.dst_port,
            dst_port: header.src_port,
            ..*header
        };
        let ids: Vec<FlowLogId> = self.flow_logs.live().map(|(id, _)| id).collect();
        for fl in ids {
            let pending = std::mem::take(&mut self.flow_logs[fl].pending);
            let (mut done, keep): (Vec<PendingRecord>, Vec<PendingRecord>) =
                pending.into_iter().partition(|p| {
                    p.window_end_ms <= until_ms && (p.record.header == *header || p.record.header == reply)
                });
            self.flow_logs[fl].pending = keep;
            done.sort_by_key(|p| p.first_ms);
            for p in done {
                let record = FlowRecord {
                    packets: p.record.packets * p.checks,
                    bytes: p.record.bytes * p.checks,
                    duration_s: (p.last_ms - p.first_ms) / 1000,
                    ..p.record
                };
                self.write_to(fl, &record, p.first_ms);
            }
        }
    }

    /// The records of one flow, forward then return, at each interface in path order.
    pub fn flow_records(&self, trace: &Trace, outcome: &Outcome, exchange: Exchange) -> Vec<FlowRecord> {
        let block = match outcome {
            Outcome::Blocked(b) => Some(*b),
            Outcome::Delivered { .. } => None,
        };
        let first = Exchange::first_packet(trace.flow.protocol);
        let (request, response) = match block {
            None => (exchange.request, exchange.response),
            Some(_) => (first, exchange.response.map(|_| first)),
        };
        let duration_s = if block.is_some() { 0 } else { exchange.duration_s };
        let mut out = Vec::new();
        let forward_block = block.filter(|b| !b.on_return);
        self.path_records(&trace.forward, request, duration_s, forward_block, &mut out);
        if let (None, Some(volume)) = (forward_block, response) {
            self.path_records(&trace.ret, volume, duration_s, block, &mut out);
        }
        out
    }

    /// One direction: ACCEPT at each interface hop, and REJECT where a group or ACL stopped it.
    fn path_records(
        &self,
        hops: &[Hop],
        (packets, bytes): (u64, u64),
        duration_s: u64,
        block: Option<Block>,
        out: &mut Vec<FlowRecord>,
    ) {
        let start = out.len();
        for hop in hops.iter().filter(|h| h.kind == ComponentKind::NetworkInterface) {
            let (Some(Handle::Eni(eni)), Some(header)) = (self.find(&hop.id), hop.inbound) else { continue };
            let record = FlowRecord { eni, header, packets, bytes, duration_s, action: FlowAction::Accept };
            if out[start..].last() != Some(&record) {
                out.push(record);
            }
        }
        let Some(b) = block else { return };
        let Some(eni) = self.rejecting_eni(hops, &b) else { return };
        match out[start..].last_mut() {
            Some(last) if last.eni == eni && last.header == b.header => last.action = FlowAction::Reject,
            _ => out.push(FlowRecord {
                eni,
                header: b.header,
                packets,
                bytes,
                duration_s,
                action: FlowAction::Reject,
            }),
        }
    }

    /// F1: the interface where a security group or network ACL rejected a packet: on the way
    /// out, the interface it was leaving (the path's last interface); on the way in, the one
    /// that owns its destination. Other blocks (routes, gateways) reject at no interface.
    fn rejecting_eni(&self, hops: &[Hop], b: &Block) -> Option<EniId> {
        let last_eni = || {
            hops.iter().rev().find(|h| h.kind == ComponentKind::NetworkInterface).and_then(|h| {
                match self.find(&h.id) {
                    Some(Handle::Eni(e)) => Some(e),
                    _ => None,
                }
            })
        };
        let (vpc, leaving) = match b.at {
            Component::Nacl(acl) => {
                let egress = matches!(
                    hops.last().and_then(|h| h.matched.as_ref()),
                    Some(Matched::AclRule { direction: Direction::Egress, .. })
                );
                (self[acl].vpc, egress)
            }
            Component::Sg(g) => {
                let last = hops.last().filter(|h| h.kind == ComponentKind::NetworkInterface);
                let leaving = last.is_some_and(|h| h.inbound == Some(b.header))
                    && last_eni().is_some_and(|e| self[e].groups.contains(&g));
                (self[g].vpc, leaving)
            }
            _ => return None,
        };
        match leaving {
            true => last_eni(),
            false => self.eni_by_private_ip(vpc, b.header.dst),
        }
    }

    /// Every live flow log covering `record`'s interface and keeping its action writes it
    /// as of virtual time `at_ms`.
    fn write_record(&mut self, record: &FlowRecord, at_ms: u64) {
        for fl in self.writers(record) {
            self.write_to(fl, record, at_ms);
        }
    }

    /// The live flow logs covering `record`'s interface whose TrafficType keeps it.
    fn writers(&self, record: &FlowRecord) -> Vec<FlowLogId> {
        let e = &self[record.eni];
        let (subnet, vpc) = (e.subnet, e.vpc);
        self.flow_logs
            .live()
            .filter(|(_, fl)| match fl.resource {
                FlowLogResource::Eni(x) => x == record.eni,
                FlowLogResource::Subnet(x) => x == subnet,
                FlowLogResource::Vpc(x) => x == vpc,
            })
            .filter(|(_, fl)| fl.keeps(record.action))
            .map(|(id, _)| id)
            .collect()
    }

    /// Flow log `fl` writes `record` as of `at_ms` to its log group or into the S3 log
    /// file of that time's window; nothing once the world keeps [`MAX_FLOW_LOG_RECORDS`].
    fn write_to(&mut self, fl: FlowLogId, record: &FlowRecord, at_ms: u64) {
        if self.flow_log_records() >= MAX_FLOW_LOG_RECORDS {
            return;
        }
        match self.flow_logs[fl].destination.clone() {
            LogDestination::CloudWatchLogs { group } => self.write_event(fl, &group, record, at_ms),
            LogDestination::S3(dest) => self.write_file_line(fl, &dest, record, at_ms),
        }
    }

    /// The records every log group and S3 log file keep together.
    fn flow_log_records(&self) -> usize {
        let events: usize = self.log_groups.live().map(|(_, g)| g.events.len()).sum();
        let lines: usize = self.flow_logs.iter().map(|(_, f)| f.file_records).sum();
        events + lines
    }

    /// `record` as an event of flow log `fl`'s group (created on the first record).
    fn write_event(&mut self, fl: FlowLogId, group: &str, record: &FlowRecord, at_ms: u64) {
        let g = match self.log_group_named(group) {
            Some(g) => g,
            None => match self.create_log_group(group, None) {
                Ok(g) => g,
                Err(_) => return,
            },
        };
        let (timestamp_ms, message) = self.record_text(fl, record, at_ms);
        let n = self.log_groups[g].events.len();
        let event = LogEvent {
            stream: self[record.eni].aws_id.clone(),
            timestamp_ms,
            ingestion_ms: timestamp_ms,
            message,
            event_id: format!("{timestamp_ms:020}{:016}{n:020}", g.index()),
        };
        self.log_groups[g].events.push(event);
    }

    /// F1: `record` as a line of flow log `fl`'s S3 log file for the 5-minute window of
    /// `at_ms`; the window's first record starts the file with the header line. The file
    /// is delivered (S3 lists it) when the window ends.
    fn write_file_line(&mut self, fl: FlowLogId, dest: &S3Destination, record: &FlowRecord, at_ms: u64) {
        let (_, line) = self.record_text(fl, record, at_ms);
        // Windows follow the wall clock (06:05:00 to 06:10:00), as AWS's deliveries do.
        let at_s = EPOCH_UNIX as u64 + at_ms / 1000;
        let start_s = at_s - at_s % S3_DELIVERY_S;
        let delivered_ms = (start_s + S3_DELIVERY_S - EPOCH_UNIX as u64) * 1000;
        let found = self.flow_logs[fl].files.iter().rposition(|f| f.delivered_ms == delivered_ms);
        if found.is_none() {
            let f = &self.flow_logs[fl];
            let hash = crate::cfn::params::fnv1a(format!("{}{start_s}", f.aws_id).as_bytes()) as u32;
            let key = dest.key(self.account_id(), self.region().name, &f.aws_id, start_s as i64, hash);
            let header = f.format.fields().iter().map(|field| field.name()).collect::<Vec<_>>().join(" ");
            let file = LogFile { key, delivered_ms, text: header + "\n", records: 0 };
            self.flow_logs[fl].files.push(file);
        }
        let f = &mut self.flow_logs[fl];
        let at = found.unwrap_or(f.files.len().saturating_sub(1));
        if let Some(file) = f.files.get_mut(at) {
            file.text.push_str(&line);
            file.text.push('\n');
            file.records += 1;
            f.file_records += 1;
        }
    }

    /// `record` as flow log `fl` writes it as of virtual time `at_ms`: its time
    /// (milliseconds since the epoch) and text.
    fn record_text(&self, fl: FlowLogId, record: &FlowRecord, at_ms: u64) -> (i64, String) {
        let f = &self.flow_logs[fl];
        let interval = u64::from(f.max_aggregation_interval);
        let now_s = EPOCH_UNIX as u64 + at_ms / 1000;
        let window_end = now_s - now_s % interval + interval - 1;
        let end = (now_s + record.duration_s).min(window_end);
        let message = f
            .format
            .fields()
            .iter()
            .map(|field| self.field(f, *field, record, now_s, end))
            .collect::<Vec<_>>();
        ((now_s * 1000) as i64, message.join(" "))
    }

    /// One field of a record as text.
    fn field(&self, f: &FlowLog, field: Field, r: &FlowRecord, start: u64, end: u64) -> String {
        let e = &self[r.eni];
        let h = &r.header;
        let port = |p: u16| if h.protocol == Protocol::Icmp { 0 } else { p };
        match field {
            Field::Version => f.format.version().to_string(),
            Field::AccountId => self.account_id().to_string(),
            Field::InterfaceId => e.aws_id.clone(),
            Field::SrcAddr | Field::PktSrcAddr => h.src.to_string(),
            Field::DstAddr | Field::PktDstAddr => h.dst.to_string(),
            Field::SrcPort => port(h.src_port).to_string(),
            Field::DstPort => port(h.dst_port).to_string(),
            Field::Protocol => h.protocol.number().to_string(),
            Field::Packets => r.packets.to_string(),
            Field::Bytes => r.bytes.to_string(),
            Field::Start => start.to_string(),
            Field::End => end.to_string(),
            Field::Action => r.action.as_str().to_string(),
            Field::LogStatus => "OK".to_string(),
            Field::VpcId => self[e.vpc].aws_id.clone(),
            Field::SubnetId => self[e.subnet].aws_id.clone(),
            Field::InstanceId => match e.owner {
                EniOwner::Instance(i) => self[i].aws_id.clone(),
                _ => "-".to_string(),
            },
            Field::Type => "IPv4".to_string(),
            Field::Region => self.region().name.to_string(),
            Field::AzId => {
                let region = self.region();
                let az = self[e.subnet].az;
                let i = region.azs.iter().position(|a| *a == az);
                i.and_then(|i| region.az_ids.get(i)).map_or("-", |id| *id).to_string()
            }
        }
    }
}
