"""MFC's CArchive wire format, written independently of mfcsock in Python 3
(standard library only), so tests can check mfcsock against a second
implementation instead of against itself.

Follows the rules in MFC's arccore.cpp / arcobj.cpp as restated in
shared/MFC-REFERENCE.md sections 1.1-1.5: little-endian primitives, WriteCount
escapes, CString length prefixes with the FF FE FF wide marker, object and
class tags with one shared map counter, big tags past 0x7FFE.
"""
import struct

NULL_TAG = 0x0000
NEW_CLASS_TAG = 0xFFFF
CLASS_TAG = 0x8000
BIG_CLASS_TAG = 0x80000000
BIG_OBJECT_TAG = 0x7FFF
MAX_MAP_COUNT = 0x3FFFFFFE


class ArchiveError(Exception):
    pass


class Writer:
    """Builds the bytes a storing CArchive emits."""

    def __init__(self):
        self.out = bytearray()
        self._objects = {}   # id(obj) -> index
        self._classes = {}   # class name -> index
        self._next = 1       # index 0 is the NULL reference

    def bytes(self):
        return bytes(self.out)

    def _p(self, fmt, v):
        self.out += struct.pack("<" + fmt, v)

    def u8(self, v): self._p("B", v)
    def i8(self, v): self._p("b", v)
    def u16(self, v): self._p("H", v)
    def i16(self, v): self._p("h", v)
    def u32(self, v): self._p("I", v)
    def i32(self, v): self._p("i", v)
    def u64(self, v): self._p("Q", v)
    def i64(self, v): self._p("q", v)
    def f32(self, v): self._p("f", v)
    def f64(self, v): self._p("d", v)
    def boolean(self, v): self.u8(1 if v else 0)
    def raw(self, b): self.out += b

    def count(self, n):
        if n < 0xFFFF:
            self.u16(n)
        elif n < 0xFFFFFFFF:
            self.u16(0xFFFF)
            self.u32(n)
        else:
            self.u16(0xFFFF)
            self.u32(0xFFFFFFFF)
            self.u64(n)

    def _length(self, n):
        if n < 0xFF:
            self.u8(n)
        elif n < 0xFFFE:
            self.u8(0xFF)
            self.u16(n)
        elif n < 0xFFFFFFFF:
            self.u8(0xFF)
            self.u16(0xFFFF)
            self.u32(n)
        else:
            self.u8(0xFF)
            self.u16(0xFFFF)
            self.u32(0xFFFFFFFF)
            self.u64(n)

    def string_a(self, b):
        """CStringA: bytes in the writer's code page."""
        self._length(len(b))
        self.out += b

    def string_w(self, s):
        """CStringW: FF FE FF, then the length in UTF-16 units."""
        data = s.encode("utf-16-le")
        self.u8(0xFF)
        self.u16(0xFFFE)
        self._length(len(data) // 2)
        self.out += data

    def _tag(self, index, is_class):
        if index < BIG_OBJECT_TAG:
            self.u16((CLASS_TAG | index) if is_class else index)
        else:
            self.u16(BIG_OBJECT_TAG)
            self.u32((BIG_CLASS_TAG | index) if is_class else index)

    def map_object(self, obj):
        self._objects[id(obj)] = self._next
        self._next += 1

    def write_object(self, obj, class_name=None, schema=1):
        """obj None: NULL. obj must have .serialize(writer)."""
        if obj is None:
            self.u16(NULL_TAG)
            return
        if id(obj) in self._objects:
            self._tag(self._objects[id(obj)], False)
            return
        name = class_name or type(obj).__name__
        if name in self._classes:
            self._tag(self._classes[name], True)
        else:
            enc = name.encode("ascii")
            self.u16(NEW_CLASS_TAG)
            self.u16(schema & 0xFFFF)
            self.u16(len(enc))
            self.out += enc
            self._classes[name] = self._next
            self._next += 1
        self._objects[id(obj)] = self._next
        self._next += 1
        obj.serialize(self)


class Reader:
    """Reads what a storing CArchive wrote. classes maps a class name to
    (schema, factory) where factory(reader, stored_schema) reads the fields
    and returns the object."""

    def __init__(self, data, classes=None):
        self.data = memoryview(data)
        self.pos = 0
        self.classes = classes or {}
        self._load = [None]   # index -> ("class", name, schema) or ("obj", value)

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ArchiveError("end of archive inside a value")
        b = bytes(self.data[self.pos:self.pos + n])
        self.pos += n
        return b

    def _u(self, fmt, n):
        return struct.unpack("<" + fmt, self.take(n))[0]

    def u8(self): return self._u("B", 1)
    def i8(self): return self._u("b", 1)
    def u16(self): return self._u("H", 2)
    def i16(self): return self._u("h", 2)
    def u32(self): return self._u("I", 4)
    def i32(self): return self._u("i", 4)
    def u64(self): return self._u("Q", 8)
    def i64(self): return self._u("q", 8)
    def f32(self): return self._u("f", 4)
    def f64(self): return self._u("d", 8)
    def boolean(self): return self.u8() != 0

    def count(self):
        n = self.u16()
        if n != 0xFFFF:
            return n
        n = self.u32()
        if n != 0xFFFFFFFF:
            return n
        return self.u64()

    def string(self):
        """Returns (is_wide, value): str for wide, bytes for ANSI."""
        wide = False
        n = self.u8()
        while True:
            if n < 0xFF:
                break
            w = self.u16()
            if w == 0xFFFE:
                if wide:
                    raise ArchiveError("two wide markers")
                wide = True
                n = self.u8()
                continue
            if w < 0xFFFF:
                n = w
                break
            d = self.u32()
            n = d if d < 0xFFFFFFFF else self.u64()
            break
        if wide:
            return True, self.take(2 * n).decode("utf-16-le")
        return False, self.take(n)

    def read_object(self):
        w = self.u16()
        tag = self.u32() if w == BIG_OBJECT_TAG else (((w & 0x8000) << 16) | (w & 0x7FFF))
        if w == NEW_CLASS_TAG:
            schema = self.u16()
            n = self.u16()
            if n >= 64:
                raise ArchiveError("class name too long")
            name = self.take(n).decode("ascii")
            if name not in self.classes:
                raise ArchiveError("unknown class %r" % name)
            self._load.append(("class", name, schema))
        elif not (tag & BIG_CLASS_TAG):
            if tag == 0:
                return None
            if tag >= len(self._load) or self._load[tag][0] != "obj":
                raise ArchiveError("bad object index %d" % tag)
            return self._load[tag][1]
        else:
            idx = tag & 0x7FFFFFFF
            if idx == 0 or idx >= len(self._load) or self._load[idx][0] != "class":
                raise ArchiveError("bad class index %d" % idx)
            name, schema = self._load[idx][1], self._load[idx][2]
        _, name, schema = self._load[-1] if w == NEW_CLASS_TAG else ("class", name, schema)
        registered, factory = self.classes[name]
        if schema != registered:
            raise ArchiveError("schema %d != %d for %s" % (schema, registered, name))
        slot = len(self._load)
        self._load.append(("obj", None))
        value = factory(self, schema)
        self._load[slot] = ("obj", value)
        return value
