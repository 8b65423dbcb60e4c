package series

// Index is an in-memory set of pairwise disjoint ranges that answers "does
// this range overlap any range in the set?" in O(log N). It is what an
// embedder needs to allot series with no database; a store enforces the same
// rule with a database constraint. An Index is not safe for concurrent use.
//
// Because the ranges held never overlap each other, the only candidate for an
// overlap with r is the held range with the greatest start not after r's
// end, so a balanced search tree ordered by start suffices.
type Index struct {
	trees map[kind]*node
	n     int
}

type kind struct {
	prefix string
	width  uint8
}

// node is an AVL tree node; it keeps only the numeric bounds because every
// range in one tree shares prefix and width.
type node struct {
	first, last u128
	left, right *node
	height      int8
}

// NewIndex returns an empty Index.
func NewIndex() *Index { return &Index{trees: map[kind]*node{}} }

// Len returns the number of ranges held.
func (x *Index) Len() int { return x.n }

func kindOf(r Range) kind { return kind{r.first.prefix, r.first.width} }

func (k kind) rng(n *node) Range {
	return Range{
		first: Number{prefix: k.prefix, width: k.width, v: n.first},
		last:  Number{prefix: k.prefix, width: k.width, v: n.last},
	}
}

// Overlapping returns a held range that shares a number with r, and false
// when there is none.
func (x *Index) Overlapping(r Range) (Range, bool) {
	k := kindOf(r)
	var cand *node
	for n := x.trees[k]; n != nil; {
		if n.first.cmp(r.last.v) <= 0 {
			cand = n
			n = n.right
		} else {
			n = n.left
		}
	}
	if cand != nil && cand.last.cmp(r.first.v) >= 0 {
		return k.rng(cand), true
	}
	return Range{}, false
}

// Insert adds r, or returns the overlap fault.Error (code Conflict, reason
// SERIES_OVERLAP) naming a held range that r overlaps, leaving the Index as
// it was.
func (x *Index) Insert(r Range) error {
	if got, ok := x.Overlapping(r); ok {
		return OverlapError(r, got)
	}
	k := kindOf(r)
	x.trees[k] = insert(x.trees[k], r.first.v, r.last.v)
	x.n++
	return nil
}

// Remove deletes the range exactly equal to r and reports whether it was held.
func (x *Index) Remove(r Range) bool {
	k := kindOf(r)
	root := x.trees[k]
	var removed bool
	root = remove(root, r.first.v, r.last.v, &removed)
	if !removed {
		return false
	}
	if root == nil {
		delete(x.trees, k)
	} else {
		x.trees[k] = root
	}
	x.n--
	return true
}

func height(n *node) int8 {
	if n == nil {
		return 0
	}
	return n.height
}

func fix(n *node) {
	n.height = max(height(n.left), height(n.right)) + 1
}

func rotateRight(n *node) *node {
	l := n.left
	n.left = l.right
	l.right = n
	fix(n)
	fix(l)
	return l
}

func rotateLeft(n *node) *node {
	r := n.right
	n.right = r.left
	r.left = n
	fix(n)
	fix(r)
	return r
}

func balance(n *node) *node {
	fix(n)
	switch bf := height(n.left) - height(n.right); {
	case bf > 1:
		if height(n.left.left) < height(n.left.right) {
			n.left = rotateLeft(n.left)
		}
		return rotateRight(n)
	case bf < -1:
		if height(n.right.right) < height(n.right.left) {
			n.right = rotateRight(n.right)
		}
		return rotateLeft(n)
	}
	return n
}

func insert(n *node, first, last u128) *node {
	if n == nil {
		return &node{first: first, last: last, height: 1}
	}
	if first.cmp(n.first) < 0 {
		n.left = insert(n.left, first, last)
	} else {
		n.right = insert(n.right, first, last)
	}
	return balance(n)
}

func remove(n *node, first, last u128, removed *bool) *node {
	if n == nil {
		return nil
	}
	switch c := first.cmp(n.first); {
	case c < 0:
		n.left = remove(n.left, first, last, removed)
	case c > 0:
		n.right = remove(n.right, first, last, removed)
	default:
		if n.last != last {
			return n
		}
		*removed = true
		if n.left == nil {
			return n.right
		}
		if n.right == nil {
			return n.left
		}
		m := n.right
		for m.left != nil {
			m = m.left
		}
		n.first, n.last = m.first, m.last
		var dummy bool
		n.right = remove(n.right, m.first, m.last, &dummy)
	}
	return balance(n)
}
