//! R004 one-way-flows: flows read edge → ingress (load balancers) → container (services,
//! jobs) → db (databases). A flow to an earlier layer, a flow from the edge to anything but a
//! load balancer, and a cycle between components are errors; a cycle labels each of its flows.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Finding, Findings};
use crate::diagnostics::codes::ONE_WAY_FLOWS;
use crate::ir::{EnvIr, FlowIr, Ir};

/// The layer of every component that has a place in the chain (what is absent has none).
fn layers(env: &EnvIr) -> HashMap<&str, (u8, &'static str)> {
    let mut layers = HashMap::default();
    if let Some(edge) = &env.edge {
        layers.insert(edge.name.as_str(), (0, "the edge"));
    }
    for lb in &env.load_balancers {
        layers.insert(lb.name.as_str(), (1, "the ingress tier"));
    }
    let containers = env
        .services
        .iter()
        .map(|s| &s.name)
        .chain(env.jobs.iter().map(|j| &j.name));
    for name in containers {
        layers.insert(name.as_str(), (2, "the container tier"));
    }
    for database in &env.databases {
        layers.insert(database.name.as_str(), (3, "the db tier"));
    }
    layers
}

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let layers = layers(env);
    let mut backwards: Vec<&FlowIr> = Vec::new();
    for flow in &env.flows {
        let (Some(&(from, from_layer)), Some(&(to, to_layer))) =
            (layers.get(flow.from.name()), layers.get(flow.to.name()))
        else {
            continue;
        };
        if to < from {
            backwards.push(flow);
            out.push(
                Finding::error(
                    ONE_WAY_FLOWS,
                    &flow.origin,
                    format!(
                        "the flow `{}` -> `{}` runs backwards, from {from_layer} to {to_layer}",
                        flow.from, flow.to
                    ),
                )
                .help("flows read edge → ingress → container → db; reverse it, or let the inner side answer on the outer side's connection"),
            );
        } else if from == 0 && to != 1 {
            out.push(
                Finding::error(
                    ONE_WAY_FLOWS,
                    &flow.origin,
                    format!(
                        "the edge reaches `{}` directly, bypassing the load balancer",
                        flow.to
                    ),
                )
                .help("route the edge to a load balancer, and the load balancer to the service"),
            );
        }
    }
    for cycle in cycles(env) {
        // A cycle closed by a backwards flow is that flow's error, already reported.
        if cycle.iter().any(|flow| backwards.contains(flow)) {
            continue;
        }
        let Some(first) = cycle.first() else { continue };
        let names: Vec<String> = cycle.iter().map(|f| format!("`{}`", f.from)).collect();
        let mut finding = Finding::error(
            ONE_WAY_FLOWS,
            &first.origin,
            format!("the flows between {} form a cycle", names.join(", ")),
        )
        .help("flows read one way; remove the flow that points back");
        for flow in cycle.iter().skip(1) {
            finding = finding.label(&flow.origin, format!("`{}` -> `{}`", flow.from, flow.to));
        }
        out.push(finding);
    }
}

/// The flows a cycle can run through: not the egress archc adds for a task to start (to the
/// internet through the NAT: answers come back on its connections).
fn considered(env: &EnvIr) -> impl Iterator<Item = &FlowIr> {
    env.flows.iter().filter(|f| !(f.implied && f.to.is_internet()))
}

/// Each cycle of flows between components, as the flows along it.
fn cycles(env: &EnvIr) -> Vec<Vec<&FlowIr>> {
    // One pass over the flows, numbering components as they appear (workspaces have
    // thousands of both, and this runs on every edit).
    let mut index: HashMap<&str, usize> = HashMap::default();
    let mut edges: Vec<Vec<usize>> = Vec::new();
    let mut number = |name| {
        let next = index.len();
        let number = *index.entry(name).or_insert(next);
        if number == edges.len() {
            edges.push(Vec::new());
        }
        number
    };
    let pairs: Vec<(usize, usize)> = considered(env)
        .map(|flow| (number(flow.from.name()), number(flow.to.name())))
        .collect();
    for (from, to) in pairs {
        if let Some(out) = edges.get_mut(from) {
            out.push(to);
        }
    }
    let mut out = Vec::new();
    for component in strongly_connected(&edges) {
        let cyclic = component.len() > 1
            || component
                .first()
                .is_some_and(|&n| edges.get(n).is_some_and(|e| e.contains(&n)));
        if !cyclic {
            continue;
        }
        let members: HashSet<usize> = component.into_iter().collect();
        let inside = |name: &str| index.get(name).is_some_and(|n| members.contains(n));
        let flows: Vec<&FlowIr> = considered(env)
            .filter(|f| inside(f.from.name()) && inside(f.to.name()))
            .collect();
        out.push(flows);
    }
    out
}

/// Tarjan's strongly connected components, iteratively (no recursion limit on big workspaces).
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index.get(root) != Some(&usize::MAX) {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some((v, child)) = work.pop() {
            if child == 0 {
                set(&mut index, v, next);
                set(&mut low, v, next);
                next += 1;
                stack.push(v);
                set(&mut on_stack, v, true);
            }
            let successors = edges.get(v).map(Vec::as_slice).unwrap_or_default();
            if let Some(&w) = successors.get(child) {
                work.push((v, child + 1));
                if index.get(w) == Some(&usize::MAX) {
                    work.push((w, 0));
                } else if on_stack.get(w) == Some(&true) {
                    let lowest = get(&low, v).min(get(&index, w));
                    set(&mut low, v, lowest);
                }
                continue;
            }
            if let Some(&(parent, _)) = work.last() {
                let lowest = get(&low, parent).min(get(&low, v));
                set(&mut low, parent, lowest);
            }
            if get(&low, v) == get(&index, v) {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    set(&mut on_stack, w, false);
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out
}

fn get<T: Copy + Default>(values: &[T], i: usize) -> T {
    values.get(i).copied().unwrap_or_default()
}

fn set<T>(values: &mut [T], i: usize, value: T) {
    if let Some(slot) = values.get_mut(i) {
        *slot = value;
    }
}
