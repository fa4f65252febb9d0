//! R009 certificate-regions: CloudFront's certificate is in us-east-1; a load balancer's is in
//! the environment's region. `acm("…")` is issued in the right place; an ARN must already be.

use super::{Finding, Findings};
use crate::diagnostics::codes::CERTIFICATE_REGIONS;
use crate::ir::{Certificate, EnvIr, Ir};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if let Some(edge) = &env.edge {
        wrong_region(
            &edge.certificate,
            "us-east-1",
            &format!("the edge `{}`", edge.name),
            out,
        );
    }
    for lb in &env.load_balancers {
        wrong_region(
            &lb.certificate,
            &env.region,
            &format!("load balancer `{}`", lb.name),
            out,
        );
    }
}

fn wrong_region(certificate: &Certificate, required: &str, user: &str, out: &mut Findings) {
    if certificate.region == required {
        return;
    }
    let found = if certificate.region.is_empty() {
        "no region"
    } else {
        certificate.region.as_str()
    };
    out.push(
        Finding::error(
            CERTIFICATE_REGIONS,
            &certificate.origin,
            format!("the certificate of {user} is in {found}, but it must be in {required}"),
        )
        .help(format!(
            "use a certificate issued in {required}, or `acm(\"<domain>\")` to have one issued there"
        )),
    );
}
