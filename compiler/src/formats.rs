//! The rules AWS sets for the strings the language accepts: regions, domains, ECR repositories,
//! secret names, instance types, paths, e-mail addresses, … One validator per format, each
//! written from AWS's own documentation of that name, so that a string that reaches an output
//! file is either one AWS would accept there or a diagnostic at its source. The stdlib names a
//! format as a field's type (`region: region`); the checker calls [`TextFormat::check`].

/// A string format: what a `string`-like field of the stdlib must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextFormat {
    /// `ap-northeast-1`, `us-gov-west-1`.
    Region,
    /// An availability zone's letter within the region: `a`.
    Zone,
    /// A DNS name: `example.com`, `api.example.com`.
    Domain,
    /// A DNS name a certificate covers; may start with `*.`.
    CertificateDomain,
    /// An ECR repository name: `webapp-api`, `team/webapp-api`.
    EcrRepository,
    /// A Secrets Manager secret name: `webapp/stripe`.
    SecretName,
    /// An EC2 instance type: `t3.micro`.
    InstanceType,
    /// An RDS instance class: `db.r6g.large`, `db.serverless`.
    DbInstanceClass,
    /// An ElastiCache node type: `cache.t4g.small`.
    CacheNodeType,
    /// A database engine version: `16.4`, `8.0.mysql_aurora.3.05.2`.
    EngineVersion,
    /// An HTTP path: `/health`.
    UrlPath,
    /// A CloudFront cache behavior's path pattern: `/images/*`.
    PathPattern,
    /// An S3 object key suffix without `/`: `index.html`.
    ObjectKey,
    /// An e-mail address: `ops@example.com`.
    Email,
    /// An ACM certificate ARN.
    AcmArn,
    /// A name of the language: `api`, `daily_report`.
    Name,
    /// A GitHub repository: `owner/name`.
    GithubRepository,
    /// One label of a DNS name: `bounce`.
    DnsLabel,
    /// Who may operate an environment: an IAM Identity Center permission set's name
    /// (`AdministratorAccess`) or an IAM principal's ARN.
    Operator,
    /// A Transit Gateway's id: `tgw-0123456789abcdef0`.
    TransitGatewayId,
    /// A VPC's id: `vpc-0123456789abcdef0`.
    VpcId,
    /// A customer gateway's id: `cgw-0123456789abcdef0`.
    CustomerGatewayId,
}

/// Why a string does not fit its format: the message and the hint of the diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub help: String,
}

impl TextFormat {
    /// Every format with the type name the stdlib spells it by.
    pub const ALL: &'static [(&'static str, TextFormat)] = &[
        ("region", TextFormat::Region),
        ("zone", TextFormat::Zone),
        ("domain", TextFormat::Domain),
        ("certificate_domain", TextFormat::CertificateDomain),
        ("ecr_repository", TextFormat::EcrRepository),
        ("secret_name", TextFormat::SecretName),
        ("instance_type", TextFormat::InstanceType),
        ("db_instance_class", TextFormat::DbInstanceClass),
        ("cache_node_type", TextFormat::CacheNodeType),
        ("engine_version", TextFormat::EngineVersion),
        ("url_path", TextFormat::UrlPath),
        ("path_pattern", TextFormat::PathPattern),
        ("object_key", TextFormat::ObjectKey),
        ("email", TextFormat::Email),
        ("acm_arn", TextFormat::AcmArn),
        ("name", TextFormat::Name),
        ("github_repository", TextFormat::GithubRepository),
        ("dns_label", TextFormat::DnsLabel),
        ("operator", TextFormat::Operator),
        ("transit_gateway_id", TextFormat::TransitGatewayId),
        ("vpc_id", TextFormat::VpcId),
        ("customer_gateway_id", TextFormat::CustomerGatewayId),
    ];

    /// The format a stdlib type name stands for.
    pub fn named(name: &str) -> Option<TextFormat> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// Words for the format in messages: "an AWS region such as \"ap-northeast-1\"".
    pub fn describe(self) -> &'static str {
        match self {
            TextFormat::Region => "an AWS region such as \"ap-northeast-1\"",
            TextFormat::Zone => "an availability zone letter such as \"a\"",
            TextFormat::Domain => "a domain name such as \"example.com\"",
            TextFormat::CertificateDomain => "a domain name such as \"example.com\" or \"*.example.com\"",
            TextFormat::EcrRepository => "an ECR repository name such as \"webapp-api\"",
            TextFormat::SecretName => "a Secrets Manager secret name such as \"webapp/stripe\"",
            TextFormat::InstanceType => "an EC2 instance type such as \"t3.micro\"",
            TextFormat::DbInstanceClass => "a database instance class such as \"db.r6g.large\"",
            TextFormat::CacheNodeType => "an ElastiCache node type such as \"cache.t4g.small\"",
            TextFormat::EngineVersion => "an engine version such as \"16.4\"",
            TextFormat::UrlPath => "a URL path such as \"/health\"",
            TextFormat::PathPattern => "a path pattern such as \"/images/*\"",
            TextFormat::ObjectKey => "an object name such as \"index.html\"",
            TextFormat::Email => "an e-mail address such as \"ops@example.com\"",
            TextFormat::AcmArn => "an ACM certificate ARN",
            TextFormat::Name => "a name such as \"api\"",
            TextFormat::GithubRepository => "a GitHub repository such as \"example-org/webapp\"",
            TextFormat::DnsLabel => "one label of a domain name such as \"bounce\"",
            TextFormat::Operator => {
                "an IAM Identity Center permission set such as \"AdministratorAccess\", or an IAM role ARN"
            }
            TextFormat::TransitGatewayId => "a Transit Gateway id such as \"tgw-0123456789abcdef0\"",
            TextFormat::VpcId => "a VPC id such as \"vpc-0123456789abcdef0\"",
            TextFormat::CustomerGatewayId => "a customer gateway id such as \"cgw-0123456789abcdef0\"",
        }
    }

    /// A valid example, for hints and for the language server's "add the missing fields" fix.
    pub fn example(self) -> &'static str {
        match self {
            TextFormat::Region => "ap-northeast-1",
            TextFormat::Zone => "a",
            TextFormat::Domain | TextFormat::CertificateDomain => "example.com",
            TextFormat::EcrRepository => "webapp-api",
            TextFormat::SecretName => "webapp/stripe",
            TextFormat::InstanceType => "t3.micro",
            TextFormat::DbInstanceClass => "db.r6g.large",
            TextFormat::CacheNodeType => "cache.t4g.small",
            TextFormat::EngineVersion => "16.4",
            TextFormat::UrlPath => "/health",
            TextFormat::PathPattern => "/images/*",
            TextFormat::ObjectKey => "index.html",
            TextFormat::Email => "ops@example.com",
            TextFormat::AcmArn => {
                "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
            }
            TextFormat::Name => "api",
            TextFormat::GithubRepository => "example-org/webapp",
            TextFormat::DnsLabel => "bounce",
            TextFormat::Operator => "AdministratorAccess",
            TextFormat::TransitGatewayId => "tgw-0123456789abcdef0",
            TextFormat::VpcId => "vpc-0123456789abcdef0",
            TextFormat::CustomerGatewayId => "cgw-0123456789abcdef0",
        }
    }

    /// Whether `text` follows the format; if not, what is wrong and how to write it.
    pub fn check(self, text: &str) -> Result<(), Invalid> {
        let fault = match self {
            TextFormat::Region => region(text),
            TextFormat::Zone => zone(text),
            TextFormat::Domain => domain(text, false),
            TextFormat::CertificateDomain => domain(text, true),
            TextFormat::EcrRepository => ecr_repository(text),
            TextFormat::SecretName => secret_name(text),
            TextFormat::InstanceType => instance_type(text),
            TextFormat::DbInstanceClass => db_instance_class(text),
            TextFormat::CacheNodeType => cache_node_type(text),
            TextFormat::EngineVersion => engine_version(text),
            TextFormat::UrlPath => url_path(text),
            TextFormat::PathPattern => path_pattern(text),
            TextFormat::ObjectKey => object_key(text),
            TextFormat::Email => email(text),
            TextFormat::AcmArn => acm_arn(text),
            TextFormat::Name => name(text),
            TextFormat::GithubRepository => github_repository(text),
            TextFormat::DnsLabel => dns_label(text),
            TextFormat::Operator => operator(text),
            TextFormat::TransitGatewayId => resource_id(text, "tgw"),
            TextFormat::VpcId => resource_id(text, "vpc"),
            TextFormat::CustomerGatewayId => resource_id(text, "cgw"),
        };
        match fault {
            None => Ok(()),
            Some(rule) => Err(Invalid {
                message: format!("\"{}\" is not {}", shown(text), self.describe()),
                help: rule,
            }),
        }
    }
}

/// The string as it can be shown in a one-line message: control characters escaped, long
/// strings cut.
fn shown(text: &str) -> String {
    const LIMIT: usize = 80;
    let mut out: String = text.chars().take(LIMIT).flat_map(char::escape_debug).collect();
    if text.chars().count() > LIMIT {
        out.push('…');
    }
    out
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]+([._-][a-z0-9]+)*`: words of lowercase letters and digits joined by one separator.
fn separated_words(text: &str, separators: &[char]) -> bool {
    !text.is_empty()
        && text
            .split(|c| separators.contains(&c))
            .all(|word| !word.is_empty() && word.chars().all(lower_alnum))
}

/// AWS region codes: two-letter area, one or more words, a number (`ap-northeast-1`,
/// `us-gov-west-1`).
fn region(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('-').collect();
    let ok = match parts.as_slice() {
        [area, middle @ .., number] => {
            area.len() == 2
                && area.chars().all(|c| c.is_ascii_lowercase())
                && !middle.is_empty()
                && middle
                    .iter()
                    .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
                && (1..=2).contains(&number.len())
                && number.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    (!ok).then(|| "a region code is lowercase words and a number joined by `-`, e.g. \"ap-northeast-1\" or \"us-east-1\"".into())
}

fn zone(text: &str) -> Option<String> {
    let ok = text.len() == 1 && text.chars().all(|c| c.is_ascii_lowercase());
    (!ok)
        .then(|| "a zone is the letter after the region in the zone's name: \"a\" for ap-northeast-1a".into())
}

/// RFC 1035 host names as Route 53, CloudFront and ACM take them: labels of letters, digits
/// and `-` (not at either end), 1 to 63 characters, at least two labels, 253 characters in all.
fn domain(text: &str, wildcard: bool) -> Option<String> {
    let name = match text.strip_prefix("*.") {
        Some(rest) if wildcard => rest,
        _ => text,
    };
    let labels: Vec<&str> = name.split('.').collect();
    let ok = text.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l));
    (!ok).then(|| {
        let star = if wildcard { " (a certificate may start with `*.`)" } else { "" };
        format!(
            "a domain is dot-separated labels of letters, digits and `-`, each 1 to 63 characters, 253 in all, e.g. \"example.com\"{star}"
        )
    })
}

/// A DNS label: 1 to 63 letters, digits and `-`, neither first nor last.
fn label_ok(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

fn dns_label(text: &str) -> Option<String> {
    (!label_ok(text)).then(|| {
        "a DNS label is 1 to 63 letters, digits and `-` (not first or last), without dots, e.g. \"bounce\"".into()
    })
}

/// EC2 resource ids: the type's prefix, `-`, and 8 (older resources) or 17 lowercase hex digits.
fn resource_id(text: &str, prefix: &str) -> Option<String> {
    let ok = text
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            matches!(hex.len(), 8 | 17)
                && hex
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        });
    (!ok).then(|| format!("an id is `{prefix}-` and 8 or 17 lowercase hexadecimal digits, e.g. \"{prefix}-0123456789abcdef0\""))
}

/// IAM Identity Center: a permission set's name is 1 to 32 of `[\w+=,.@-]`. IAM: a principal
/// ARN is `arn:<partition>:iam::<account>:role/<path/name>`, `…:user/<path/name>` or
/// `…:root` (the rules, not the format, decide which principals may operate).
fn operator(text: &str) -> Option<String> {
    let ok = if text.starts_with("arn:") {
        iam_principal_arn(text)
    } else {
        (1..=32).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    };
    (!ok).then(|| {
        "an operator is an IAM Identity Center permission set's name (1 to 32 letters, digits and `_+=,.@-`, e.g. \"AdministratorAccess\") or an IAM role ARN (`arn:aws:iam::<account>:role/<name>`)".into()
    })
}

fn iam_principal_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            partition_ok(partition)
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && (*resource == "root"
                    || resource
                        .strip_prefix("role/")
                        .or_else(|| resource.strip_prefix("user/"))
                        .is_some_and(|path| {
                            (1..=512).contains(&path.len())
                                && !path.starts_with('/')
                                && !path.ends_with('/')
                                && path
                                    .chars()
                                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-/".contains(c))
                        }))
        }
        _ => false,
    }
}

fn partition_ok(partition: &str) -> bool {
    partition == "aws"
        || partition
            .strip_prefix("aws-")
            .is_some_and(|p| separated_words(p, &['-']))
}

/// ECR: 2 to 256 characters, `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`.
fn ecr_repository(text: &str) -> Option<String> {
    let ok = (2..=256).contains(&text.len())
        && text
            .split('/')
            .all(|namespace| separated_words(namespace, &['.', '_', '-']));
    (!ok).then(|| {
        "an ECR repository name is 2 to 256 lowercase letters and digits, with `.`, `_` or `-` between them and `/` between namespaces, e.g. \"webapp-api\"".into()
    })
}

/// Secrets Manager: 1 to 512 of letters, digits and `/_+=.@-`.
fn secret_name(text: &str) -> Option<String> {
    let ok = (1..=512).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
    (!ok).then(|| "a secret name is 1 to 512 letters, digits and `/_+=.@-`, e.g. \"webapp/stripe\"".into())
}

/// EC2: family and size, lowercase, joined by a dot (`t3.micro`, `m7g.2xlarge`).
fn instance_type(text: &str) -> Option<String> {
    let ok = text.len() <= 64 && text.split('.').count() == 2 && separated_words(text, &['.', '-']);
    (!ok).then(|| "an instance type is a family and a size joined by `.`, e.g. \"t3.micro\"".into())
}

/// RDS: `db.` and an instance type, or `db.serverless`.
fn db_instance_class(text: &str) -> Option<String> {
    let ok = text == "db.serverless"
        || text
            .strip_prefix("db.")
            .is_some_and(|rest| instance_type(rest).is_none());
    (!ok).then(|| "a database instance class is `db.` and an instance type, e.g. \"db.r6g.large\", or \"db.serverless\"".into())
}

/// ElastiCache: `cache.` and an instance type.
fn cache_node_type(text: &str) -> Option<String> {
    let ok = text
        .strip_prefix("cache.")
        .is_some_and(|rest| instance_type(rest).is_none());
    (!ok)
        .then(|| "an ElastiCache node type is `cache.` and an instance type, e.g. \"cache.t4g.small\"".into())
}

/// A number, then dot-separated parts of letters, digits and `_` / `-`.
fn engine_version(text: &str) -> Option<String> {
    let mut parts = text.split('.');
    let major = parts.next().unwrap_or_default();
    let ok = text.len() <= 64
        && !major.is_empty()
        && major.chars().all(|c| c.is_ascii_digit())
        && parts.all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    (!ok).then(|| "an engine version is a number and dot-separated parts, e.g. \"16.4\"".into())
}

/// RFC 3986 path characters, starting with `/`, at most 1024 (the ALB health check's limit).
fn url_path(text: &str) -> Option<String> {
    let ok = text.starts_with('/')
        && text.len() <= 1024
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@%?".contains(c));
    (!ok).then(|| "a path starts with `/` and has only URL characters (letters, digits, `/-._~!$&'()*+,;=:@%?`), e.g. \"/health\"".into())
}

/// CloudFront path patterns: at most 255 of `A-Za-z0-9_-.*$/~"'@:+&`.
fn path_pattern(text: &str) -> Option<String> {
    let ok = !text.is_empty()
        && text.len() <= 255
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.*$/~\"'@:+&".contains(c));
    (!ok).then(|| {
        "a path pattern has at most 255 of letters, digits and `_-.*$/~\"'@:+&`, e.g. \"/images/*\"".into()
    })
}

/// S3 website index documents: a non-empty key suffix without `/` or control characters.
fn object_key(text: &str) -> Option<String> {
    let ok = !text.is_empty() && text.len() <= 1024 && !text.chars().any(|c| c == '/' || c.is_control());
    (!ok).then(|| {
        "a document name is not empty and has no `/` or control characters, e.g. \"index.html\"".into()
    })
}

/// `local@domain`: a local part of printable characters without spaces, quotes, brackets or
/// separators, at most 64 characters; the domain as above.
fn email(text: &str) -> Option<String> {
    let ok = match text.rsplit_once('@') {
        Some((local, host)) => {
            (1..=64).contains(&local.len())
                && local
                    .chars()
                    .all(|c| c.is_ascii_graphic() && !"\"(),:;<>@[\\]".contains(c))
                && domain(host, false).is_none()
        }
        None => false,
    };
    (!ok).then(|| "an e-mail address is `name@domain`, e.g. \"ops@example.com\"".into())
}

/// `owner/name`: an owner of 1–39 letters, digits and single inner hyphens, a repository name of
/// 1–100 letters, digits, `.`, `_` and `-` (not `.` or `..`), as GitHub allows them; it becomes
/// part of the deploy role's trust condition (`repo:owner/name:environment:<env>`).
fn github_repository(text: &str) -> Option<String> {
    let ok = text.split_once('/').is_some_and(|(owner, name)| {
        (1..=39).contains(&owner.len())
            && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !owner.starts_with('-')
            && !owner.ends_with('-')
            && !owner.contains("--")
            && (1..=100).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            && name != "."
            && name != ".."
    });
    (!ok).then(|| "a GitHub repository is `owner/name`, e.g. \"example-org/webapp\"".into())
}

/// `arn:<partition>:acm:<region>:<account>:certificate/<id>`.
fn acm_arn(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let ok = match parts.as_slice() {
        ["arn", partition, "acm", region_code, account, resource] => {
            partition_ok(partition)
                && region(region_code).is_none()
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && resource
                    .strip_prefix("certificate/")
                    .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        }
        _ => false,
    };
    (!ok).then(|| "an ACM certificate ARN is `arn:aws:acm:<region>:<account>:certificate/<id>`".into())
}

/// The language's identifiers (`grammar/arch.pest`): a letter or `_`, then letters, digits, `_`.
fn name(text: &str) -> Option<String> {
    let mut chars = text.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    (!ok).then(|| "a name is a letter or `_` followed by letters, digits and `_`, as in a declaration".into())
}

#[cfg(test)]
mod tests {
    use super::TextFormat::{self, *};

    fn accepts(format: TextFormat, good: &[&str], bad: &[&str]) {
        for text in good {
            assert!(format.check(text).is_ok(), "{format:?} must accept {text:?}");
        }
        for text in bad {
            assert!(format.check(text).is_err(), "{format:?} must refuse {text:?}");
        }
        assert!(
            format.check(format.example()).is_ok(),
            "{format:?}'s example must fit"
        );
    }

    const HOSTILE: &[&str] = &[
        "", "a\"b", "a\nb", "${x}", "%{x}", "{{ x }}", "a: b", "#x", "-->", "<script>", "ü",
    ];

    #[test]
    fn formats_accept_what_aws_accepts_and_refuse_the_rest() {
        accepts(
            Region,
            &["ap-northeast-1", "us-gov-west-1", "eu-central-2"],
            &["ap-northeast", "AP-NORTHEAST-1", "ap-northeast-1\"", "x-y-1"],
        );
        accepts(Zone, &["a", "d"], &["ab", "A", "1"]);
        accepts(
            Domain,
            &["example.com", "a-b.example.co.jp"],
            &["example", "-a.com", "a..com", "*.example.com"],
        );
        accepts(
            CertificateDomain,
            &["*.example.com", "example.com"],
            &["*example.com", "a.*.com"],
        );
        accepts(
            EcrRepository,
            &["webapp-api", "team/webapp_api", "a.b"],
            &["a", "Web", "a//b", "a-", "a$(x)"],
        );
        accepts(SecretName, &["webapp/stripe", "a+b=c@d.e-f"], &["a b", "a\"b"]);
        accepts(
            InstanceType,
            &["t3.micro", "m7g.2xlarge"],
            &["t3", "t3.micro.x", "T3.micro"],
        );
        accepts(
            DbInstanceClass,
            &["db.r6g.large", "db.serverless"],
            &["r6g.large", "db.r6g"],
        );
        accepts(
            CacheNodeType,
            &["cache.t4g.small", "cache.r7g.xlarge"],
            &["t4g.small", "cache.t4g", "db.t4g.small"],
        );
        accepts(
            EngineVersion,
            &["16.4", "8.0.mysql_aurora.3.05.2"],
            &["v16", "16.", "16 4"],
        );
        accepts(UrlPath, &["/health", "/a/b?c=d"], &["health", "/a b", "/a\"b"]);
        accepts(PathPattern, &["/*", "/images/*", "*.jpg"], &["/a b", "/{x}"]);
        accepts(ObjectKey, &["index.html", "ïndex.html"], &["a/b", "a\nb"]);
        accepts(
            Email,
            &["ops@example.com", "a.b+c@x.io"],
            &["ops", "a b@x.io", "a@b", "a\"@x.io"],
        );
        accepts(
            AcmArn,
            &[
                "arn:aws:acm:us-east-1:111111111111:certificate/0a1b-2c",
                "arn:aws-cn:acm:cn-north-1:111111111111:certificate/ab",
            ],
            &[
                "arn:aws:acm:us-east-1:1111:certificate/ab",
                "arn:aws:iam::111111111111:role/x",
            ],
        );
        accepts(Name, &["api", "_x1"], &["1a", "a-b", "a b"]);
        accepts(
            DnsLabel,
            &["bounce", "mail-1", "a"],
            &["-a", "a-", "a.b", "a b", &"a".repeat(64)],
        );
        accepts(
            Operator,
            &[
                "AdministratorAccess",
                "Ops.Read-Only@2",
                "arn:aws:iam::111111111111:role/ops",
                "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0a",
                "arn:aws:iam::111111111111:user/alice",
                "arn:aws:iam::111111111111:root",
            ],
            &[
                "Administrator Access",
                &"a".repeat(33),
                "arn:aws:iam::1111:role/ops",
                "arn:aws:iam::111111111111:group/ops",
                "arn:aws:iam::111111111111:role/",
                "arn:aws:sts::111111111111:assumed-role/ops/x",
            ],
        );
    }

    #[test]
    fn no_format_accepts_a_hostile_string() {
        for (name, format) in TextFormat::ALL {
            for text in HOSTILE {
                let allowed = matches!(
                    (format, *text),
                    (
                        ObjectKey,
                        "a: b" | "#x" | "-->" | "<script>" | "ü" | "${x}" | "%{x}" | "{{ x }}" | "a\"b"
                    )
                ) || matches!((format, *text), (PathPattern, "a\"b"));
                if !allowed {
                    assert!(format.check(text).is_err(), "{name} must refuse {text:?}");
                }
            }
        }
    }

    #[test]
    fn messages_show_control_characters_escaped() {
        let Err(invalid) = Region.check("a\nb") else {
            panic!("a newline is not a region");
        };
        assert_eq!(
            invalid.message,
            "\"a\\nb\" is not an AWS region such as \"ap-northeast-1\""
        );
    }
}
