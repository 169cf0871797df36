//! The org-unit tree: re-parenting without cycles, descendants, paths.

use std::collections::{HashMap, HashSet};

use super::{OrgUnit, UnitId};

/// Why a tree change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("unit {0} not found")]
    UnknownUnit(UnitId),
    #[error("a unit cannot be its own parent")]
    SelfParent,
    #[error("moving the unit under {0} would create a cycle")]
    Cycle(UnitId),
    #[error("units belong to different tenants")]
    CrossTenant,
}

impl TreeError {
    /// A stable code for the web layer.
    pub fn code(&self) -> &'static str {
        match self {
            TreeError::UnknownUnit(_) => "unit.unknown",
            TreeError::SelfParent => "unit.self_parent",
            TreeError::Cycle(_) => "unit.cycle",
            TreeError::CrossTenant => "unit.cross_tenant",
        }
    }
}

/// Checks that giving `unit` the parent `new_parent` keeps the units a forest (no cycle).
/// `units` are all units of the tenant.
pub fn check_reparent(
    units: &[OrgUnit],
    unit: UnitId,
    new_parent: Option<UnitId>,
) -> Result<(), TreeError> {
    let by_id: HashMap<UnitId, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    let me = by_id.get(&unit).ok_or(TreeError::UnknownUnit(unit))?;
    let Some(parent) = new_parent else {
        return Ok(());
    };
    if parent == unit {
        return Err(TreeError::SelfParent);
    }
    let p = by_id.get(&parent).ok_or(TreeError::UnknownUnit(parent))?;
    if p.tenant != me.tenant {
        return Err(TreeError::CrossTenant);
    }
    // Walk up from the new parent; meeting `unit` means a cycle. The visited set guards against
    // an already-corrupt tree looping forever.
    let mut seen = HashSet::new();
    let mut cur = Some(parent);
    while let Some(c) = cur {
        if c == unit {
            return Err(TreeError::Cycle(parent));
        }
        if !seen.insert(c) {
            break;
        }
        cur = by_id.get(&c).and_then(|u| u.parent);
    }
    Ok(())
}

/// Direct children of `unit`.
pub fn children(units: &[OrgUnit], unit: UnitId) -> Vec<UnitId> {
    units
        .iter()
        .filter(|u| u.parent == Some(unit))
        .map(|u| u.id)
        .collect()
}

/// All units below `root` (not including it), breadth first.
pub fn descendants(units: &[OrgUnit], root: UnitId) -> Vec<UnitId> {
    let mut kids: HashMap<UnitId, Vec<UnitId>> = HashMap::new();
    for u in units {
        if let Some(p) = u.parent {
            kids.entry(p).or_default().push(u.id);
        }
    }
    let mut out = Vec::new();
    let mut seen = HashSet::from([root]);
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(cur) = queue.pop_front() {
        for &k in kids.get(&cur).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(k) {
                out.push(k);
                queue.push_back(k);
            }
        }
    }
    out
}

/// The unit and its ancestors, from `unit` up to its root.
pub fn path_to_root(units: &[OrgUnit], unit: UnitId) -> Vec<UnitId> {
    let by_id: HashMap<UnitId, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut cur = by_id.get(&unit).map(|u| u.id);
    while let Some(c) = cur {
        if !seen.insert(c) {
            break;
        }
        out.push(c);
        cur = by_id.get(&c).and_then(|u| u.parent);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::TenantId;

    fn unit(tenant: TenantId, parent: Option<UnitId>, code: &str) -> OrgUnit {
        OrgUnit {
            id: UnitId::new(),
            tenant,
            parent,
            name: code.into(),
            code: code.into(),
            leader: None,
        }
    }

    fn sample() -> (Vec<OrgUnit>, [UnitId; 4]) {
        let t = TenantId::new();
        let root = unit(t, None, "root");
        let a = unit(t, Some(root.id), "a");
        let b = unit(t, Some(a.id), "b");
        let c = unit(t, Some(root.id), "c");
        let ids = [root.id, a.id, b.id, c.id];
        (vec![root, a, b, c], ids)
    }

    #[test]
    fn moving_a_unit_under_its_own_descendant_is_a_cycle() {
        let (units, [root, a, b, _]) = sample();
        assert_eq!(check_reparent(&units, a, Some(b)), Err(TreeError::Cycle(b)));
        assert_eq!(
            check_reparent(&units, root, Some(b)),
            Err(TreeError::Cycle(b))
        );
        assert_eq!(
            check_reparent(&units, a, Some(a)),
            Err(TreeError::SelfParent)
        );
    }

    #[test]
    fn moving_a_unit_sideways_or_to_the_top_is_allowed() {
        let (units, [_, a, b, c]) = sample();
        assert_eq!(check_reparent(&units, b, Some(c)), Ok(()));
        assert_eq!(check_reparent(&units, a, None), Ok(()));
    }

    #[test]
    fn a_parent_from_another_tenant_is_refused() {
        let (mut units, [_, a, _, _]) = sample();
        let other = unit(TenantId::new(), None, "x");
        let oid = other.id;
        units.push(other);
        assert_eq!(
            check_reparent(&units, a, Some(oid)),
            Err(TreeError::CrossTenant)
        );
        assert_eq!(
            check_reparent(&units, a, Some(UnitId::new())).map_err(|e| e.code()),
            Err("unit.unknown")
        );
    }

    #[test]
    fn descendants_cover_the_whole_subtree_only() {
        let (units, [root, a, b, c]) = sample();
        let mut d = descendants(&units, root);
        d.sort();
        let mut want = vec![a, b, c];
        want.sort();
        assert_eq!(d, want);
        assert_eq!(descendants(&units, a), vec![b]);
        assert!(descendants(&units, b).is_empty());
        assert_eq!(path_to_root(&units, b), vec![b, a, root]);
        assert_eq!(children(&units, a), vec![b]);
    }
}
