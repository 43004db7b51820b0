"""Writes the fuzz target's seed corpus: valid streams for
tests/fuzz/fuzz_archive.c (a mode byte, then op bytes each followed by the
value that op reads), made with the independent Python writer so the seeds
are real MFC archives. Deterministic: python3 make_corpus.py <dir>."""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from mfc_archive import Writer  # noqa: E402


class Point:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def serialize(self, w):
        w.i32(self.a)
        w.i32(self.b)


class Node:
    def __init__(self, text, child):
        self.text, self.child = text, child

    def serialize(self, w):
        w.string_w(self.text)
        w.write_object(self.child, "CPoint" if isinstance(self.child, Point) else "CNode", 2)


class Tree:
    """A node with "has a child" and the child, nested: the fuzz walk's CTree."""
    def __init__(self, child):
        self.child = child

    def serialize(self, w):
        w.u8(1 if self.child else 0)
        if self.child:
            w.write_object(self.child, "CTree", 0)


def tree_seed(depth, mode):
    """op 9 (an object of any class) reading a chain of depth CTrees: the
    default depth limit is 64, the small limits' 8 (mode bit 2)."""
    w = Writer()
    w.u8(mode)
    w.u8(9)
    node = None
    for _ in range(depth):
        node = Tree(node)
    w.write_object(node, "CTree", 0)
    return w.bytes()


def seed(rng):
    w = Writer()
    w.u8(rng.randrange(8))                     # mode byte
    points = []
    for _ in range(rng.randrange(1, 12)):
        op = rng.randrange(12)
        w.u8(op)
        if op == 0: w.u16(rng.randrange(1 << 16))
        elif op == 1: w.u64(rng.randrange(1 << 64))
        elif op == 2: w.f64(rng.random())
        elif op == 3: w.count(rng.choice([0, 5, 0xFFFE, 0xFFFF, 70000]))
        elif op == 4: w.string_a(b"x" * rng.choice([0, 3, 254, 255, 300]))
        elif op in (5, 6): w.string_w("w\u2713" * rng.randrange(5))
        elif op == 7: w.raw(b"line\r\n")
        elif op == 8: w.raw(bytes(range(op)))
        elif op in (9, 10):
            if points and rng.random() < 0.4:
                w.write_object(rng.choice(points), "CPoint", 1)
            elif op == 9 and rng.random() < 0.5:
                w.write_object(Node("n", Point(1, 2)), "CNode", 2)
            else:
                p = Point(rng.randrange(100), rng.randrange(100))
                points.append(p)
                w.write_object(p, "CPoint", 1)
        else:
            w.map_object(object())
    return w.bytes()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(1)
    for i in range(40):
        with open(os.path.join(out, "seed-%02d" % i), "wb") as f:
            f.write(seed(rng))
    for depth, mode in ((8, 4), (9, 4), (64, 0), (65, 0), (300, 8)):
        with open(os.path.join(out, "tree-%d-%d" % (depth, mode)), "wb") as f:
            f.write(tree_seed(depth, mode))


if __name__ == "__main__":
    main()
