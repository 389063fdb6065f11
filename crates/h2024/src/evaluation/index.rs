//! Patients and providers found by id: each list indexed once per request, with each
//! entry's rank in id order (integer keys for grouping and the checks). Equal ids in one
//! list refuse the request (README, "Errors").

use std::collections::HashMap;

use crate::error::{RequestError, RequestErrorKind};

/// Patients or providers indexed once: id to position, and each position's rank in id
/// order (lines are sorted by id; ranks let them be compared as integers).
pub(crate) struct Index<'a> {
    by_id: ById<'a>,
    rank: Vec<u32>,
}

/// Id to position: a short list is searched in order (a request for one patient need not
/// build a hash table), a longer one is hashed (SipHash, keyed per table, so ids a request
/// chooses cannot make the lookups collide).
enum ById<'a> {
    Few(Vec<&'a str>),
    Many(HashMap<&'a str, u32>),
}

impl<'a> Index<'a> {
    /// Lists up to this long are searched in order: a few comparisons of short ids cost
    /// less than hashing one.
    const FEW: usize = 8;

    /// Indexes `ids`, refusing two equal ids (`what` names the list).
    pub(crate) fn new(ids: Vec<&'a str>, what: &str) -> Result<Self, RequestError> {
        // The first id equal to an earlier one, as a hash table would meet it.
        let repeated = |i: usize| {
            RequestError::new(
                RequestErrorKind::InvalidRequest,
                Some(format!("{what}[{i}].id")),
                format!("two {what} share this id"),
            )
        };
        let mut order: Vec<u32> = (0..ids.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(ids[b as usize]));
        let mut rank = vec![0u32; ids.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let by_id = if ids.len() <= Self::FEW {
            if let Some(i) = (1..ids.len()).find(|&i| ids[..i].contains(&ids[i])) {
                return Err(repeated(i));
            }
            ById::Few(ids)
        } else {
            let mut by_id = HashMap::with_capacity(ids.len());
            for (i, &id) in ids.iter().enumerate() {
                if by_id.insert(id, i as u32).is_some() {
                    return Err(repeated(i));
                }
            }
            ById::Many(by_id)
        };
        Ok(Index { by_id, rank })
    }

    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        match &self.by_id {
            ById::Few(ids) => ids.iter().position(|&have| have == id).map(|at| at as u32),
            ById::Many(by_id) => by_id.get(id).copied(),
        }
    }

    /// The rank in id order of the entry at position `at`.
    pub(crate) fn rank(&self, at: u32) -> u32 {
        self.rank[at as usize]
    }

    /// The rank of the patient or provider with this id, if there is one.
    pub(crate) fn rank_of(&self, id: &str) -> Option<u32> {
        self.get(id).map(|at| self.rank(at))
    }
}
