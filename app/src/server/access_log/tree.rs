//! The access log's Merkle tree, kept as the hash tiles of C2SP tlog-tiles.
//!
//! The hashes are RFC 6962's (`tlog_tiles::record_hash`, `node_hash`). A tile holds up to 256
//! consecutive hashes of one level of tiles: level 0 the leaves' hashes, level 1 the roots of
//! 256-leaf subtrees, and so on. A tile only ever grows at its end until it is full, so a tile
//! of width W is the first W hashes of every later state of the same tile: what a tile path
//! `.p/W` names can be served long after the tile grew.
//!
//! Every hash the tree needs (a subtree's root, a proof's sibling) is the root of a run of
//! hashes inside one tile, so [`TileHashes`] answers `tlog_tiles`' questions from the tiles it
//! holds. Which tiles a question needs [`tiles_needed`] finds out by asking it once without
//! any; the caller loads those and asks again. Proofs read [`ProofTiles`], which hold each
//! tile with the roots of its runs computed once ([`TileNodes`]).

use std::{cell::RefCell, collections::BTreeMap, sync::Arc};

use tlog_tiles::{Error, HASH_SIZE, Hash, HashReader, Tile, node_hash, split_stored_hash_index};

/// Hashes per full tile (C2SP tlog-tiles: height 8).
pub const TILE_WIDTH: u64 = 256;
const HEIGHT: u8 = 8;

/// A tile's place: its level and its index within the level.
pub type TileId = (u8, u64);

/// Tiles by their place, each the bytes of its hashes (32 each, at most 256).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TileHashes(pub BTreeMap<TileId, Vec<u8>>);

impl TileHashes {
    /// The tile holding node `index` of tile level `level`, and the node's place in it.
    fn place(level: u8, index: u64) -> (TileId, usize) {
        // INVARIANT: the remainder is below 256.
        ((level, index / TILE_WIDTH), (index % TILE_WIDTH) as usize)
    }

    /// Where the hash at `stored_index` (Go sumdb's numbering of a tree's nodes) lies: it is
    /// the root of the run of hashes of one tile that begins at the place answered and is as
    /// long as answered (2^r).
    fn locate(stored_index: u64) -> (TileId, usize, usize) {
        let (merkle_level, index) = split_stored_hash_index(stored_index);
        let (level, height) = (merkle_level / HEIGHT, merkle_level % HEIGHT);
        let (tile, at) = Self::place(level, index << height);
        (tile, at, 1 << height)
    }

    /// The hash at `stored_index`.
    fn hash(&self, stored_index: u64) -> Result<Hash, Error> {
        let (tile, at, run) = Self::locate(stored_index);
        let bytes = self.0.get(&tile).ok_or(Error::IndexesNotInTree)?;
        let run = bytes.get(at * HASH_SIZE..(at + run) * HASH_SIZE).ok_or(Error::IndexesNotInTree)?;
        Ok(Tile::subtree_hash(run))
    }

    /// Appends the leaf hash `leaf` as leaf `size` (the tree's size before it), completing the
    /// tiles above it that it fills. Answers the tiles it changed.
    pub fn append(&mut self, size: u64, leaf: Hash, changed: &mut std::collections::BTreeSet<TileId>) {
        let (mut level, mut index, mut hash) = (0_u8, size, leaf);
        loop {
            let (tile, at) = Self::place(level, index);
            let bytes = self.0.entry(tile).or_default();
            // The edge was loaded for `size`: a tile holds exactly the hashes before `index`.
            bytes.truncate(at * HASH_SIZE);
            bytes.extend_from_slice(&hash.0);
            changed.insert(tile);
            if at + 1 < TILE_WIDTH as usize {
                return;
            }
            hash = Tile::subtree_hash(bytes);
            level += 1;
            index /= TILE_WIDTH;
        }
    }
}

impl HashReader for TileHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        indexes.iter().map(|index| self.hash(*index)).collect()
    }
}

/// A tile's hashes and the root of every aligned run of 2, 4, … 256 of them that it holds whole:
/// every hash a proof can ask of the tile, each computed once (at most 255 hashes for a full
/// tile, where answering one proof from the bare tile costs up to 247).
#[derive(Debug)]
pub struct TileNodes {
    /// `runs[h]`: the roots of the runs of 2^h hashes in order; `runs[0]` the hashes themselves.
    runs: Vec<Vec<Hash>>,
}

impl TileNodes {
    /// The nodes of the tile whose hashes are `bytes` (32 each; a trailing part is ignored).
    pub fn of(bytes: &[u8]) -> Self {
        let hashes: Vec<Hash> = bytes.as_chunks::<HASH_SIZE>().0.iter().map(|hash| Hash(*hash)).collect();
        let mut runs = vec![hashes];
        while let Some(below) = runs.last().filter(|below| below.len() >= 2) {
            let above = below.as_chunks::<2>().0.iter().map(|[left, right]| node_hash(*left, *right)).collect();
            runs.push(above);
        }
        Self { runs }
    }

    /// How many hashes the tile holds.
    pub fn width(&self) -> u64 {
        self.runs.first().map_or(0, |hashes| hashes.len() as u64)
    }

    /// The root of the `run` hashes from `at` (a power of two, `at` a multiple of it).
    fn root(&self, at: usize, run: usize) -> Option<Hash> {
        let height = run.trailing_zeros() as usize;
        self.runs.get(height)?.get(at >> height).copied()
    }
}

/// The tiles a proof reads, each with its nodes.
#[derive(Clone, Debug, Default)]
pub struct ProofTiles(pub BTreeMap<TileId, Arc<TileNodes>>);

impl HashReader for ProofTiles {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        indexes
            .iter()
            .map(|index| {
                let (tile, at, run) = TileHashes::locate(*index);
                self.0.get(&tile).and_then(|nodes| nodes.root(at, run)).ok_or(Error::IndexesNotInTree)
            })
            .collect()
    }
}

/// How many hashes the tree of `size` leaves gives tile `tile` (0 when it has none there yet).
pub fn width_in(tile: TileId, size: u64) -> u64 {
    let (level, index) = tile;
    let nodes = size.checked_shr(8 * u32::from(level)).unwrap_or(0);
    nodes.saturating_sub(index.saturating_mul(TILE_WIDTH)).min(TILE_WIDTH)
}

/// The tiles that hold the right edge of a tree of `size` leaves: at each level the tile the
/// next hash goes into (partial, or not yet begun). They hold every hash needed to append
/// and to compute the tree's root.
pub fn edge(size: u64) -> Vec<TileId> {
    let mut tiles = Vec::new();
    let (mut level, mut nodes) = (0_u8, size);
    loop {
        tiles.push((level, nodes / TILE_WIDTH));
        if nodes < TILE_WIDTH {
            return tiles;
        }
        nodes /= TILE_WIDTH;
        level += 1;
    }
}

/// Notes which tiles the hashes it is asked for lie in, and answers none (see [`tiles_needed`]).
#[derive(Default)]
pub struct TileNotes(RefCell<Vec<TileId>>);

impl HashReader for TileNotes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        let mut noted = self.0.borrow_mut();
        noted.extend(indexes.iter().map(|index| TileHashes::locate(*index).0));
        // Stop here: any answer would be made up.
        Err(Error::IndexesNotInTree)
    }
}

/// Which tiles `ask` reads: it is run once against [`TileNotes`], which notes each hash it
/// asks for by its tile. (`tlog_tiles` asks for all it needs in one call.)
pub fn tiles_needed<T>(ask: impl Fn(&TileNotes) -> Result<T, Error>) -> Vec<TileId> {
    let notes = TileNotes::default();
    let _answered_nothing = ask(&notes);
    let mut tiles = notes.0.into_inner();
    tiles.sort_unstable();
    tiles.dedup();
    tiles
}

/// A hash tile's path as C2SP tlog-tiles writes it, without the `tile/` prefix:
/// `<L>/<N>[.p/<W>]`, N in groups of three digits, all but the last prefixed with `x`.
pub fn tile_path(level: u8, index: u64, width: u64) -> String {
    // `tlog_tiles` writes Go sumdb's form, which names the height after `tile/`.
    let Ok(width) = u32::try_from(width.clamp(1, TILE_WIDTH)) else { return String::new() };
    let path = Tile::new(HEIGHT, level, index, width, false).path();
    path.strip_prefix("tile/8/").unwrap_or(&path).to_owned()
}

/// Parses a hash tile's path (`<L>/<N>[.p/<W>]`, as [`tile_path`] writes it): its level, its
/// index and its width (256 for a full tile). `None` for anything else, a data tile among them
/// (the leaves are never public). (`tlog_tiles`' own parser panics on some malformed paths.)
pub fn parse_tile_path(path: &str) -> Option<(u8, u64, u64)> {
    let digits = |text: &str| !text.is_empty() && text.len() <= 20 && text.bytes().all(|byte| byte.is_ascii_digit());
    let (tile, width) = match path.split_once(".p/") {
        Some((tile, width)) if digits(width) => (tile, width.parse::<u64>().ok().filter(|width| (1..TILE_WIDTH).contains(width))?),
        Some(_) => return None,
        None => (path, TILE_WIDTH),
    };
    let (level, index) = tile.split_once('/')?;
    let level: u8 = level.parse().ok().filter(|level| *level < 8)?;
    let mut number: u64 = 0;
    let groups: Vec<&str> = index.split('/').collect();
    for (at, group) in groups.iter().enumerate() {
        let last = at + 1 == groups.len();
        let group = if last { *group } else { group.strip_prefix('x')? };
        if group.len() != 3 || !digits(group) {
            return None;
        }
        number = number.checked_mul(1000)?.checked_add(group.parse().ok()?)?;
    }
    // Only the one way of writing it: no leading groups of zeros.
    (tile_path(level, number, width) == path).then_some((level, number, width))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use tlog_tiles::{check_record, check_tree, prove_record, prove_tree, record_hash, stored_hashes, tree_hash};

    use super::*;

    /// Go sumdb's own way of keeping a tree: every stored hash in order.
    struct Stored(Vec<Hash>);
    impl HashReader for Stored {
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
            indexes.iter().map(|index| self.0.get(*index as usize).copied().ok_or(Error::IndexesNotInTree)).collect()
        }
    }

    fn leaf(n: u64) -> Vec<u8> {
        format!("leaf {n}").into_bytes()
    }

    #[test]
    fn tiles_give_the_roots_and_proofs_of_the_reference_implementation() -> Result<(), Error> {
        let mut reference = Stored(Vec::new());
        let mut tiles = TileHashes::default();
        let mut changed = BTreeSet::new();
        let mut roots = Vec::new();
        // Past two full levels of tiles: 256² + some.
        let total = 65_536 + 300;
        for n in 0..total {
            let new = stored_hashes(n, &leaf(n), &reference)?;
            reference.0.extend(new);
            tiles.append(n, record_hash(&leaf(n)), &mut changed);
            if [1, 2, 3, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, total - 1].contains(&n) {
                let size = n + 1;
                let root = tree_hash(size, &reference)?;
                assert_eq!(tree_hash(size, &tiles)?, root, "root at size {size}");
                roots.push((size, root));
            }
        }
        let (size, root) = (total, tree_hash(total, &reference)?);
        for n in [0, 1, 255, 256, 300, 65_535, 65_536, total - 1] {
            let proof = prove_record(size, n, &tiles)?;
            assert_eq!(proof, prove_record(size, n, &reference)?);
            check_record(&proof, size, root, n, record_hash(&leaf(n)))?;
        }
        for (old_size, old_root) in roots {
            let proof = prove_tree(size, old_size, &tiles)?;
            check_tree(&proof, size, root, old_size, old_root)?;
        }
        Ok(())
    }

    /// The tiles of a tree of `size` test leaves, appended one by one.
    fn tiles_of(size: u64) -> TileHashes {
        let mut tiles = TileHashes::default();
        let mut changed = BTreeSet::new();
        for n in 0..size {
            tiles.append(n, record_hash(&leaf(n)), &mut changed);
        }
        tiles
    }

    #[test]
    fn the_edge_and_what_a_question_needs_are_enough_to_answer_it() -> Result<(), Error> {
        let size = 70_000;
        let all = tiles_of(size);
        let mut changed = BTreeSet::new();
        let only = |ids: &[TileId]| TileHashes(ids.iter().filter_map(|id| Some((*id, all.0.get(id)?.clone()))).collect());
        let root = tree_hash(size, &all)?;
        assert_eq!(tree_hash(size, &only(&edge(size)))?, root);
        // Appending needs no more than the edge either.
        let mut grown = only(&edge(size));
        grown.append(size, record_hash(&leaf(size)), &mut changed);
        let mut whole = all.clone();
        whole.append(size, record_hash(&leaf(size)), &mut changed);
        assert_eq!(tree_hash(size + 1, &grown)?, tree_hash(size + 1, &whole)?);
        for n in [0, 12_345, 69_999] {
            let needed = tiles_needed(|reader| prove_record(size, n, reader));
            assert!(needed.len() <= 8, "{needed:?}");
            check_record(&prove_record(size, n, &only(&needed))?, size, root, n, record_hash(&leaf(n)))?;
        }
        let needed = tiles_needed(|reader| prove_tree(size, 300, reader));
        check_tree(&prove_tree(size, 300, &only(&needed))?, size, root, 300, tree_hash(300, &all)?)?;
        Ok(())
    }

    #[test]
    fn a_tile_s_nodes_answer_as_the_bare_tiles_do() -> Result<(), Error> {
        let size = 66_000;
        let all = tiles_of(size);
        let nodes = ProofTiles(all.0.iter().map(|(id, bytes)| (*id, Arc::new(TileNodes::of(bytes)))).collect());
        assert_eq!(tree_hash(size, &nodes)?, tree_hash(size, &all)?);
        for n in [0, 1, 200, 255, 256, 40_000, 65_535, 65_536, size - 1] {
            assert_eq!(prove_record(size, n, &nodes)?, prove_record(size, n, &all)?, "leaf {n}");
        }
        for old in [1, 7, 256, 65_536, size - 3] {
            assert_eq!(prove_tree(size, old, &nodes)?, prove_tree(size, old, &all)?, "from {old}");
        }
        // A tile of a smaller tree gives no hash it does not hold whole.
        let partial = ProofTiles(BTreeMap::from([((0, 0), Arc::new(TileNodes::of(&all.0[&(0, 0)][..5 * 32])))]));
        assert_eq!(partial.0[&(0, 0)].width(), 5);
        assert!(prove_record(8, 0, &partial).is_err());
        assert_eq!(prove_record(5, 0, &partial)?, prove_record(5, 0, &all)?);
        assert_eq!((width_in((0, 0), 5), width_in((0, 1), 300), width_in((1, 0), 300), width_in((1, 1), 300)), (5, 44, 1, 0));
        Ok(())
    }

    #[test]
    fn tile_paths_are_those_of_c2sp() {
        assert_eq!(tile_path(0, 1_234_067, 256), "0/x001/x234/067");
        assert_eq!(tile_path(1, 5, 3), "1/005.p/3");
        assert_eq!(parse_tile_path("0/x001/x234/067"), Some((0, 1_234_067, 256)));
        assert_eq!(parse_tile_path("1/005.p/3"), Some((1, 5, 3)));
        for bad in ["data/000", "0/5", "0/005.p/0", "0/005.p/256", "0/005.p/x", "0/005.p/01", "../etc", "", "0/x000/005", "99/000", "0/x1/000"] {
            assert_eq!(parse_tile_path(bad), None, "{bad}");
        }
    }
}
