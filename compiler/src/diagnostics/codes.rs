//! The registry of diagnostic codes. Each code has exactly one explanation file,
//! `codes/<CODE>.md`, headed `# <CODE>: <name>`, shown by `archc explain <CODE>`.
//!
//! Codes are grouped by phase: `E0xxx` syntax, `E1xxx` names and types, `E2xxx` lowering to
//! the per-environment IR, `R001`–`R022` the design rules, `A001`–`A024` AWS's own constraints
//! (what AWS would refuse, or accept and then not run), `E9xxx` the host (command line and
//! files).

/// A diagnostic code with its short name and its explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    pub id: &'static str,
    pub name: &'static str,
    pub explanation: &'static str,
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

macro_rules! codes {
    ($($konst:ident = $id:literal, $name:literal;)*) => {
        $(
            pub const $konst: Code = Code {
                id: $id,
                name: $name,
                explanation: include_str!(concat!("codes/", $id, ".md")),
            };
        )*
        /// Every code, in order.
        pub const ALL: &[Code] = &[$($konst),*];
    };
}

codes! {
    SYNTAX_ERROR = "E0001", "syntax-error";
    UNCLOSED_BRACE = "E0002", "unclosed-brace";
    UNMATCHED_CLOSER = "E0003", "unmatched-closing-bracket";
    UNTERMINATED_STRING = "E0004", "unterminated-string";
    NESTING_TOO_DEEP = "E0005", "nesting-too-deep";

    UNKNOWN_KIND = "E1001", "unknown-kind";
    UNKNOWN_FIELD = "E1002", "unknown-field";
    MISSING_FIELD = "E1003", "missing-required-field";
    TYPE_MISMATCH = "E1004", "type-mismatch";
    DUPLICATE_NAME = "E1005", "duplicate-name";
    DUPLICATE_FIELD = "E1006", "duplicate-field";
    UNKNOWN_FLOW_ENDPOINT = "E1007", "unknown-flow-endpoint";
    UNKNOWN_TIER = "E1008", "unknown-tier";
    UNKNOWN_OVERRIDE_PATH = "E1009", "unknown-override-path";
    OVERRIDE_TYPE_MISMATCH = "E1010", "override-type-mismatch";
    INVALID_CIDR = "E1011", "invalid-cidr";
    CIDR_HOST_BITS = "E1012", "cidr-host-bits-set";
    INVALID_DURATION = "E1013", "invalid-duration";
    INVALID_PERCENTAGE = "E1014", "invalid-percentage";
    INVALID_CRON = "E1015", "invalid-cron";
    UNKNOWN_ENUM_VALUE = "E1016", "unknown-enum-value";
    MISSING_SYSTEM = "E1017", "missing-system";
    CONFLICTING_SYSTEMS = "E1018", "conflicting-systems";
    UNKNOWN_FUNCTION = "E1019", "unknown-function";
    ARGUMENT_COUNT = "E1020", "wrong-argument-count";
    UNKNOWN_ITEM_KEYWORD = "E1021", "unknown-item-keyword";
    UNKNOWN_REFERENCE = "E1022", "unknown-reference";
    INVALID_ACCOUNT_ID = "E1023", "invalid-account-id";
    KIND_CATEGORY_MISMATCH = "E1024", "kind-category-mismatch";
    MISSING_PLACEMENT = "E1025", "missing-placement";
    UNEXPECTED_PLACEMENT = "E1026", "unexpected-placement";
    OUT_OF_RANGE = "E1027", "value-out-of-range";
    UNKNOWN_MODULE = "E1028", "unknown-module";
    MISPLACED_ITEM = "E1029", "misplaced-item";
    UNKNOWN_METRIC = "E1030", "unknown-metric";
    WAIVER_WITHOUT_REASON = "E1031", "waiver-without-reason";
    EXPIRED_WAIVER = "E1032", "expired-waiver";
    UNUSED_WAIVER = "E1033", "unused-waiver";
    INVALID_WAIVER_CODE = "E1034", "invalid-waiver-code";
    INVALID_DATE = "E1035", "invalid-date";
    MALFORMED_STRING = "E1036", "malformed-string";
    AWS_NAME_CONFLICT = "E1037", "aws-name-conflict";
    FLOW_ACCESS_MISMATCH = "E1038", "flow-access-mismatch";
    GRANT_WITHOUT_ROLE = "E1039", "grant-without-role";

    SUBNETS_DO_NOT_FIT = "E2001", "subnets-do-not-fit";
    NO_ROUTE_TO_INTERNET = "E2002", "no-route-to-internet";
    PORT_UNUSED = "E2003", "port-unused";
    MIGRATION_WITHOUT_DATABASE = "E2004", "migration-without-database";
    AWS_NAME_REFUSED = "E2005", "aws-name-refused";
    INTERNAL_ERROR = "E2999", "internal-error";

    NO_PUBLIC_SUBNET = "R001", "no-public-subnet";
    ONE_EXPOSURE_POINT = "R002", "one-exposure-point";
    SG_REFERENCES_ONLY = "R003", "sg-references-only";
    ONE_WAY_FLOWS = "R004", "one-way-flows";
    CLOSED_DB_TIER = "R005", "closed-db-tier";
    REGIONAL_NAT_SCOPE = "R006", "regional-nat-scope";
    CIDR_PLAN = "R007", "cidr-plan";
    MULTI_AZ = "R008", "multi-az";
    CERTIFICATE_REGIONS = "R009", "certificate-regions";
    CACHING = "R010", "caching";
    SECRETS_MANAGER = "R011", "secrets-manager";
    SCALING = "R012", "scaling";
    ACCESS_LOGS = "R013", "access-logs";
    DATA_PROTECTION = "R014", "data-protection";
    NO_TASK_PUBLIC_IP = "R015", "no-task-public-ip";
    ONE_ACCOUNT_PER_ENV = "R016", "one-account-per-env";
    STATIC_BUCKET_WRITES = "R017", "static-bucket-writes";
    SEALED_STATE_BUCKET = "R018", "sealed-state-bucket";
    MAIL_DKIM = "R019", "mail-dkim";
    MAIL_DMARC = "R020", "mail-dmarc";
    OPERATORS_SIGN_IN = "R021", "operators-sign-in";
    EDGE_WAF = "R022", "edge-waf";

    FARGATE_TASK_SIZE = "A001", "fargate-task-size";
    DURATION_REFUSED = "A002", "duration-refused";
    UNKNOWN_ZONE = "A003", "unknown-zone";
    DUPLICATE_ZONE = "A004", "duplicate-zone";
    SUBNET_SIZE = "A005", "subnet-size";
    LOAD_BALANCER_SUBNETS = "A006", "load-balancer-subnets";
    DUPLICATE_ROUTE = "A007", "duplicate-route";
    NO_DOMAIN = "A008", "no-domain";
    ALIAS_COLLISION = "A009", "alias-collision";
    CERTIFICATE_MISMATCH = "A010", "certificate-mismatch";
    SENSITIVE_ORIGIN = "A011", "sensitive-origin";
    SECOND_EDGE = "A012", "second-edge";
    TASK_CANNOT_START = "A013", "task-cannot-start";
    FLOW_WITHOUT_EFFECT = "A014", "flow-without-effect";
    UNROUTED_SERVICE = "A015", "unrouted-service";
    QUEUE_CONSUMERS = "A016", "queue-consumers";
    CACHE_ENGINE_VERSION = "A017", "cache-engine-version";
    JOB_CALLS_SERVICE = "A018", "job-calls-service";
    MAIL_IDENTITY = "A019", "mail-identity";
    WEB_ACL_LIMITS = "A020", "web-acl-limits";
    SPA_FALLBACK = "A021", "spa-fallback";
    BLOCK_PUBLIC_ACCESS = "A022", "block-public-access";
    BLUE_GREEN = "A023", "blue-green";
    CONNECTION_RANGES = "A024", "connection-ranges";

    INVALID_ARGUMENTS = "E9001", "invalid-arguments";
    PATH_NOT_FOUND = "E9002", "path-not-found";
    UNREADABLE_FILE = "E9003", "unreadable-file";
    NOT_UTF8 = "E9004", "not-utf8";
    NO_SOURCE_FILES = "E9005", "no-source-files";
    UNKNOWN_CODE = "E9006", "unknown-code";
    UNKNOWN_ENVIRONMENT = "E9007", "unknown-environment";
    FOREIGN_OUTPUT = "E9008", "foreign-output";
    STALE_OUTPUT = "E9009", "stale-output";
    NO_PRICES = "E9010", "no-prices";
    UNSAFE_OUTPUT = "E9011", "unsafe-output";
    EDITED_OUTPUT = "E9012", "edited-output";
    WOULD_DESTROY_DATA = "E9013", "would-destroy-data";
    NO_WORKSPACE = "E9014", "no-workspace";
    UNKNOWN_REVISION = "E9015", "unknown-revision";
    DENIED_CHANGE = "E9016", "denied-change";
}

/// The design rules that no waiver can silence: what they refuse is never a trade-off.
pub const UNWAIVABLE: &[Code] = &[SEALED_STATE_BUCKET, MAIL_DKIM, OPERATORS_SIGN_IN];

/// Whether `allow <code>` may waive this code: a design rule that is not [`UNWAIVABLE`].
pub fn waivable(code: &Code) -> bool {
    code.id.starts_with('R') && !UNWAIVABLE.contains(code)
}

/// Looks a code up by its id (`E1002`), case-insensitively, or by its name (`unknown-field`).
pub fn lookup(query: &str) -> Option<Code> {
    ALL.iter()
        .copied()
        .find(|code| code.id.eq_ignore_ascii_case(query) || code.name == query)
}
