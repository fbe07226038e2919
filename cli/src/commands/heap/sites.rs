//! Grouping heads (ownership-graph nodes) by allocation site for `heap leaks` and
//! `heap check`: per site the number of objects, their blocks and their kinds.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cairn::{AllocationSite, GraphNode};

/// The heads of one allocation site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteGroup {
    pub site: AllocationSite,
    /// Head blocks (objects).
    pub heads: u32,
    /// Blocks of their chains.
    pub blocks: u32,
    /// Kind name → heads of that kind.
    pub kinds: BTreeMap<String, u32>,
}

/// Groups `nodes` by site, in site order (function, then op: the same on both engines).
pub fn group_by_site<'a>(nodes: impl IntoIterator<Item = &'a GraphNode>) -> Vec<SiteGroup> {
    let mut groups: BTreeMap<AllocationSite, SiteGroup> = BTreeMap::new();
    for node in nodes {
        let group = groups.entry(node.site).or_insert_with(|| SiteGroup {
            site: node.site,
            ..SiteGroup::default()
        });
        group.heads += 1;
        group.blocks += node.chain_length;
        *group.kinds.entry(node.kind.clone()).or_insert(0) += 1;
    }
    groups.into_values().collect()
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `  fn main at 2:12: 2 objects, 3 blocks (List 1, ListNode 1)`, one line per group.
pub fn render_groups(
    groups: &[SiteGroup],
    label: &dyn Fn(AllocationSite) -> String,
    out: &mut String,
) {
    for group in groups {
        let kinds: Vec<String> = group
            .kinds
            .iter()
            .map(|(kind, heads)| format!("{kind} {heads}"))
            .collect();
        let _ = writeln!(
            out,
            "  {}: {}, {} ({})",
            label(group.site),
            plural(group.heads, "object"),
            plural(group.blocks, "block"),
            kinds.join(", ")
        );
    }
}

/// `N objects, M blocks` for a set of groups.
pub fn totals(groups: &[SiteGroup]) -> String {
    let heads = groups.iter().map(|g| g.heads).sum();
    let blocks = groups.iter().map(|g| g.blocks).sum();
    format!("{}, {}", plural(heads, "object"), plural(blocks, "block"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(block: u32, kind: &str, blocks: u32, site: AllocationSite) -> GraphNode {
        GraphNode {
            block,
            kind: kind.to_string(),
            chain_length: blocks,
            chain: (block..block + blocks).collect(),
            ref_count: 1,
            in_degree: 0,
            external_refs: 1,
            site,
        }
    }

    #[test]
    fn nodes_group_by_site_in_site_order_with_blocks_and_kinds() {
        let a = AllocationSite::op(0, 3);
        let b = AllocationSite::op(1, 0);
        let nodes = [
            node(7, "List", 1, b),
            node(2, "List", 1, a),
            node(3, "ListNode", 2, a),
        ];
        let groups = group_by_site(&nodes);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            (groups[0].site, groups[0].heads, groups[0].blocks),
            (a, 2, 3)
        );
        let mut out = String::new();
        render_groups(&groups, &|site| site.to_string(), &mut out);
        assert_eq!(
            out,
            "  function 0 op 3: 2 objects, 3 blocks (List 1, ListNode 1)\n  function 1 op 0: 1 object, 1 block (List 1)\n"
        );
        assert_eq!(totals(&groups), "3 objects, 4 blocks");
    }
}
