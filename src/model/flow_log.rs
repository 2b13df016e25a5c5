//! VPC flow logs (F1): what a flow log watches (an interface, a subnet or a VPC), which
//! traffic it keeps (ACCEPT, REJECT or ALL), where its records go (a CloudWatch Logs
//! group, one stream per interface, or an S3 bucket, [`S3Destination`]) and their format
//! ([`LogFormat`]: AWS's default, or a custom list of `${field}` names). A [`FlowRecord`]
//! is one record as a typed value; it becomes text only when a flow log writes it to a
//! [`LogGroup`] or into one of its S3 [`LogFile`]s.

use crate::ids::{EniId, SubnetId, VpcId};
use crate::model::Tags;
use crate::trace::Header;

/// A flow log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowLog {
    /// `fl-...` id.
    pub aws_id: String,
    /// What it watches.
    pub resource: FlowLogResource,
    /// Which records it keeps.
    pub traffic: TrafficType,
    /// Where its records go.
    pub destination: LogDestination,
    /// `DeliverLogsPermissionArn`: the IAM role CloudWatch Logs delivery assumes (kept, not checked).
    pub deliver_logs_permission_arn: Option<String>,
    /// The record format.
    pub format: LogFormat,
    /// `MaxAggregationInterval`: 60 or 600 seconds.
    pub max_aggregation_interval: u32,
    /// Virtual time of creation, in milliseconds.
    pub created_ms: u64,
    /// Tags.
    pub tags: Tags,
    /// The log files it wrote to its S3 bucket, oldest first (each delivered at its
    /// `delivered_ms`); they stay after the flow log is deleted, as objects in S3 do.
    pub files: Vec<LogFile>,
    /// Records in all its files (what counts against the world's bound on records).
    pub file_records: usize,
    /// Health-check records of aggregation windows not yet over (F1), written when the
    /// checks pass the window's end.
    pub pending: Vec<PendingRecord>,
    /// Deleted.
    pub deleted: bool,
}

impl FlowLog {
    /// Whether this flow log keeps records with `action` (its TrafficType).
    pub fn keeps(&self, action: FlowAction) -> bool {
        match self.traffic {
            TrafficType::All => true,
            TrafficType::Accept => action == FlowAction::Accept,
            TrafficType::Reject => action == FlowAction::Reject,
        }
    }
}

/// The resource a flow log watches: every interface it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowLogResource {
    /// One network interface.
    Eni(EniId),
    /// Every interface in a subnet.
    Subnet(SubnetId),
    /// Every interface in a VPC.
    Vpc(VpcId),
}

/// `TrafficType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrafficType {
    /// Accepted traffic only.
    Accept,
    /// Rejected traffic only.
    Reject,
    /// Both.
    All,
}

impl TrafficType {
    /// As AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficType::Accept => "ACCEPT",
            TrafficType::Reject => "REJECT",
            TrafficType::All => "ALL",
        }
    }

    /// `ACCEPT`, `REJECT` or `ALL`.
    pub fn parse(text: &str) -> Option<TrafficType> {
        [TrafficType::Accept, TrafficType::Reject, TrafficType::All].into_iter().find(|t| t.as_str() == text)
    }
}

/// Where a flow log's records go.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LogDestination {
    /// A CloudWatch Logs group, by name: one log stream per interface, named after it.
    CloudWatchLogs {
        /// The group's name.
        group: String,
    },
    /// An S3 bucket (or a folder of one): a gzip log file every 5 minutes.
    S3(S3Destination),
}

impl LogDestination {
    /// `cloud-watch-logs` or `s3`.
    pub fn type_name(&self) -> &'static str {
        match self {
            LogDestination::CloudWatchLogs { .. } => "cloud-watch-logs",
            LogDestination::S3(_) => "s3",
        }
    }
}

/// An S3 destination: `arn:aws:s3:::bucket[/folder]` and the `DestinationOptions` that
/// shape the keys of its log files.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct S3Destination {
    /// The bucket's name.
    pub bucket: String,
    /// The folder in the bucket, without slashes at either end, when given.
    pub folder: Option<String>,
    /// `HiveCompatiblePartitions`: `aws-account-id=...`, `year=...` folder names.
    pub hive_compatible: bool,
    /// `PerHourPartition`: an hour folder under the day's.
    pub per_hour: bool,
}

/// Why an S3 destination was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum S3DestinationError {
    /// Not `arn:aws:s3:::bucket[/folder]`, or a bucket name S3 does not allow.
    #[error("LogDestination {arn} is not an S3 bucket ARN (arn:aws:s3:::bucket or arn:aws:s3:::bucket/folder; a bucket name is 3 to 63 of a-z, 0-9, '.', '-')")]
    NotABucket {
        /// The ARN given.
        arn: String,
    },
    /// The folder `AWSLogs`, which AWS reserves.
    #[error("LogDestination {arn}: AWSLogs is reserved and cannot be the folder name")]
    ReservedFolder {
        /// The ARN given.
        arn: String,
    },
    /// `FileFormat: parquet`, which vpcsim does not write.
    #[error("FileFormat {format} is not modelled by vpcsim: it writes plain-text log files; use plain-text")]
    Parquet {
        /// The format given.
        format: String,
    },
    /// A `FileFormat` AWS does not have.
    #[error("FileFormat {format} is not plain-text or parquet")]
    UnknownFormat {
        /// The format given.
        format: String,
    },
}

impl S3Destination {
    /// The destination of `arn:aws:s3:::bucket[/folder]`, with the default options.
    pub fn parse(arn: &str) -> Result<S3Destination, S3DestinationError> {
        let not_a_bucket = || S3DestinationError::NotABucket { arn: arn.to_string() };
        let path = arn.strip_prefix("arn:aws:s3:::").ok_or_else(not_a_bucket)?;
        let (bucket, folder) = match path.split_once('/') {
            Some((b, f)) => (b, Some(f.trim_matches('/')).filter(|f| !f.is_empty())),
            None => (path, None),
        };
        let valid = (3..=63).contains(&bucket.len())
            && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            return Err(not_a_bucket());
        }
        if folder == Some("AWSLogs") {
            return Err(S3DestinationError::ReservedFolder { arn: arn.to_string() });
        }
        Ok(S3Destination {
            bucket: bucket.to_string(),
            folder: folder.map(str::to_string),
            hive_compatible: false,
            per_hour: false,
        })
    }

    /// `FileFormat`: `plain-text` is what vpcsim writes; `parquet` is refused.
    pub fn check_file_format(format: &str) -> Result<(), S3DestinationError> {
        match format {
            "plain-text" => Ok(()),
            "parquet" => Err(S3DestinationError::Parquet { format: format.to_string() }),
            _ => Err(S3DestinationError::UnknownFormat { format: format.to_string() }),
        }
    }

    /// The ARN, as describe-flow-logs prints it.
    pub fn arn(&self) -> String {
        match &self.folder {
            Some(f) => format!("arn:aws:s3:::{}/{f}", self.bucket),
            None => format!("arn:aws:s3:::{}", self.bucket),
        }
    }

    /// F1: the key of a log file, from its time (Unix seconds):
    /// `[folder/]AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/[HH/]ACCOUNT_vpcflowlogs_REGION_FLOWLOGID_YYYYMMDDTHHmmZ_HASH.log.gz`,
    /// with `aws-account-id=`, `aws-service=`, `aws-region=`, `year=`, `month=`, `day=` and
    /// `hour=` folder names when Hive-compatible.
    pub fn key(&self, account: &str, region: &str, flow_log: &str, unix_s: i64, hash: u32) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp(unix_s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let (y, m, d, h) = (t.year(), u8::from(t.month()), t.day(), t.hour());
        let mut key = self.folder.as_ref().map_or(String::new(), |f| format!("{f}/"));
        key.push_str("AWSLogs/");
        match self.hive_compatible {
            false => key.push_str(&format!("{account}/vpcflowlogs/{region}/{y:04}/{m:02}/{d:02}/")),
            true => key.push_str(&format!(
                "aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/year={y:04}/month={m:02}/day={d:02}/"
            )),
        }
        match (self.per_hour, self.hive_compatible) {
            (false, _) => {}
            (true, false) => key.push_str(&format!("{h:02}/")),
            (true, true) => key.push_str(&format!("hour={h:02}/")),
        }
        key.push_str(&format!(
            "{account}_vpcflowlogs_{region}_{flow_log}_{y:04}{m:02}{d:02}T{h:02}{:02}Z_{hash:08x}.log.gz",
            t.minute()
        ));
        key
    }
}

/// Seconds between two deliveries of a flow log's S3 log files.
pub const S3_DELIVERY_S: u64 = 300;

/// One log file a flow log delivers to S3: the records of one 5-minute window, after a
/// header line of the format's field names. S3 stores it gzip-compressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFile {
    /// The object's key in the bucket.
    pub key: String,
    /// Virtual time (milliseconds) at which it is delivered: the end of its window. Before
    /// then it is being written and S3 does not list it.
    pub delivered_ms: u64,
    /// The text: the header line, then one record a line.
    pub text: String,
    /// Records in it.
    pub records: usize,
}

/// One field of a flow log record, with the format version that introduced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `version`: the highest version of the format's fields (2 for the default format).
    Version,
    /// `account-id`: the account that owns the interface.
    AccountId,
    /// `interface-id`.
    InterfaceId,
    /// `srcaddr`: the source address of the packet at the interface.
    SrcAddr,
    /// `dstaddr`.
    DstAddr,
    /// `srcport` (0 for ICMP).
    SrcPort,
    /// `dstport` (0 for ICMP).
    DstPort,
    /// `protocol`: the IANA number (6 TCP, 17 UDP, 1 ICMP).
    Protocol,
    /// `packets`.
    Packets,
    /// `bytes`.
    Bytes,
    /// `start`: Unix seconds of the first packet.
    Start,
    /// `end`: Unix seconds of the last packet.
    End,
    /// `action`: ACCEPT or REJECT.
    Action,
    /// `log-status`: OK.
    LogStatus,
    /// `vpc-id` (version 3).
    VpcId,
    /// `subnet-id` (version 3).
    SubnetId,
    /// `instance-id` (version 3): `-` when no instance owns the interface.
    InstanceId,
    /// `type` (version 3): IPv4.
    Type,
    /// `pkt-srcaddr` (version 3): the packet's own source; vpcsim has no overlay, so `srcaddr`.
    PktSrcAddr,
    /// `pkt-dstaddr` (version 3): as `pkt-srcaddr`.
    PktDstAddr,
    /// `region` (version 4).
    Region,
    /// `az-id` (version 4).
    AzId,
}

/// Every field vpcsim writes, by name, with its version.
const FIELDS: [(&str, Field, u8); 22] = [
    ("version", Field::Version, 2),
    ("account-id", Field::AccountId, 2),
    ("interface-id", Field::InterfaceId, 2),
    ("srcaddr", Field::SrcAddr, 2),
    ("dstaddr", Field::DstAddr, 2),
    ("srcport", Field::SrcPort, 2),
    ("dstport", Field::DstPort, 2),
    ("protocol", Field::Protocol, 2),
    ("packets", Field::Packets, 2),
    ("bytes", Field::Bytes, 2),
    ("start", Field::Start, 2),
    ("end", Field::End, 2),
    ("action", Field::Action, 2),
    ("log-status", Field::LogStatus, 2),
    ("vpc-id", Field::VpcId, 3),
    ("subnet-id", Field::SubnetId, 3),
    ("instance-id", Field::InstanceId, 3),
    ("type", Field::Type, 3),
    ("pkt-srcaddr", Field::PktSrcAddr, 3),
    ("pkt-dstaddr", Field::PktDstAddr, 3),
    ("region", Field::Region, 4),
    ("az-id", Field::AzId, 4),
];

/// Fields AWS has that vpcsim does not write, each refused with the reason.
const UNMODELLED: [(&str, &str); 12] = [
    ("tcp-flags", "vpcsim does not simulate TCP segments"),
    ("sublocation-type", "vpcsim has no Wavelength or Outposts"),
    ("sublocation-id", "vpcsim has no Wavelength or Outposts"),
    ("pkt-src-aws-service", "vpcsim does not name AWS services in records"),
    ("pkt-dst-aws-service", "vpcsim does not name AWS services in records"),
    ("flow-direction", "vpcsim does not record a record's direction"),
    ("traffic-path", "vpcsim does not record the egress path"),
    ("ecs-cluster-arn", "vpcsim has no ECS"),
    ("ecs-cluster-name", "vpcsim has no ECS"),
    ("ecs-container-instance-arn", "vpcsim has no ECS"),
    ("ecs-task-arn", "vpcsim has no ECS"),
    ("reject-reason", "vpcsim does not model block public access"),
];

impl Field {
    /// The field's name, as `${name}` spells it.
    pub fn name(self) -> &'static str {
        FIELDS.iter().find(|(_, f, _)| *f == self).map_or("", |(n, _, _)| n)
    }

    /// The format version that introduced the field.
    pub fn version(self) -> u8 {
        FIELDS.iter().find(|(_, f, _)| *f == self).map_or(2, |(_, _, v)| *v)
    }
}

/// Why a `LogFormat` was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogFormatError {
    /// Text that is not `${field}` separated by spaces.
    #[error("LogFormat {text:?} is not a list of ${{field}} names separated by spaces")]
    Malformed {
        /// The format given.
        text: String,
    },
    /// A field name AWS does not have.
    #[error("LogFormat field ${{{field}}} does not exist; fields are version, account-id, interface-id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action, log-status, vpc-id, subnet-id, instance-id, type, pkt-srcaddr, pkt-dstaddr, region, az-id, ...")]
    Unknown {
        /// The name.
        field: String,
    },
    /// A field AWS has and vpcsim does not write.
    #[error("LogFormat field ${{{field}}} is not modelled: {why}")]
    Unmodelled {
        /// The name.
        field: String,
        /// Why.
        why: &'static str,
    },
}

/// A flow log's record format: the default, or custom fields in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogFormat {
    fields: Vec<Field>,
    custom: bool,
}

impl Default for LogFormat {
    /// AWS's default format (version 2).
    fn default() -> LogFormat {
        LogFormat { fields: FIELDS[..14].iter().map(|(_, f, _)| *f).collect(), custom: false }
    }
}

impl LogFormat {
    /// A custom format: `${field}` names separated by spaces.
    pub fn parse(text: &str) -> Result<LogFormat, LogFormatError> {
        let malformed = || LogFormatError::Malformed { text: text.to_string() };
        let mut fields = Vec::new();
        for word in text.split_whitespace() {
            let name = word.strip_prefix("${").and_then(|w| w.strip_suffix('}')).ok_or_else(malformed)?;
            if let Some((_, why)) = UNMODELLED.iter().find(|(n, _)| *n == name) {
                return Err(LogFormatError::Unmodelled { field: name.to_string(), why });
            }
            let (_, field, _) = FIELDS
                .iter()
                .find(|(n, _, _)| *n == name)
                .ok_or_else(|| LogFormatError::Unknown { field: name.to_string() })?;
            fields.push(*field);
        }
        if fields.is_empty() {
            return Err(malformed());
        }
        Ok(LogFormat { fields, custom: true })
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The format as `describe-flow-logs` prints it: `${version} ${account-id} ...`.
    pub fn text(&self) -> String {
        self.fields.iter().map(|f| format!("${{{}}}", f.name())).collect::<Vec<_>>().join(" ")
    }

    /// The version records carry: 2 for the default format, else the highest of the fields'.
    pub fn version(&self) -> u8 {
        match self.custom {
            false => 2,
            true => self.fields.iter().map(|f| f.version()).max().unwrap_or(2),
        }
    }
}

/// What a security group or network ACL decided at the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowAction {
    /// Allowed.
    Accept,
    /// Denied by a security group or a network ACL.
    Reject,
}

impl FlowAction {
    /// ACCEPT or REJECT.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowAction::Accept => "ACCEPT",
            FlowAction::Reject => "REJECT",
        }
    }
}

/// One record at one interface, before any flow log formats it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowRecord {
    /// The interface.
    pub eni: EniId,
    /// The packet as it crossed the interface.
    pub header: Header,
    /// Packets in the record.
    pub packets: u64,
    /// Bytes in the record.
    pub bytes: u64,
    /// Seconds from the first packet to the last (the record's `end` minus `start`, within the interval).
    pub duration_s: u64,
    /// ACCEPT or REJECT.
    pub action: FlowAction,
}

/// A record a flow log is still aggregating: one health check's record, the window it
/// falls in and the checks counted so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingRecord {
    /// The record of one check.
    pub record: FlowRecord,
    /// Virtual time (milliseconds) at which its aggregation window ends.
    pub window_end_ms: u64,
    /// The window's first check.
    pub first_ms: u64,
    /// The window's last check so far.
    pub last_ms: u64,
    /// Checks counted.
    pub checks: u64,
}

/// A CloudWatch Logs log group: flow log records land here, one stream per interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogGroup {
    /// The group's name.
    pub name: String,
    /// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`.
    pub arn: String,
    /// Virtual time of creation, in milliseconds.
    pub created_ms: u64,
    /// `RetentionInDays`, when set (kept, never expires anything: the virtual clock runs for days at most).
    pub retention_days: Option<u32>,
    /// The events, in the order written.
    pub events: Vec<LogEvent>,
    /// Deleted.
    pub deleted: bool,
}

/// One log event: a flow log record as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEvent {
    /// The log stream: the interface's id.
    pub stream: String,
    /// Milliseconds since the Unix epoch: the record's start.
    pub timestamp_ms: i64,
    /// Milliseconds since the Unix epoch when it was written.
    pub ingestion_ms: i64,
    /// The record.
    pub message: String,
    /// CloudWatch's event id: 56 digits, unique in the world.
    pub event_id: String,
}
