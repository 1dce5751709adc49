#!/usr/bin/env python3
"""Rewrites version-1 .rtpu files (ISA v1) as version 2, in place: the one-time migration
of the checked-in corpus and reproducers when ISA v2 moved the vadd/vsub/vmul fields
(docs/isa.md). Fields move bit for bit; every other byte stays, so a reproducer keeps the
defect it reproduces. The CRC is recomputed only when it was right before (a reproducer
with a wrong CRC keeps a wrong one). Usage: upgrade_v1.py FILE.rtpu..."""
import struct
import sys
import zlib

V1 = {10: [(12, 20, 12), (32, 20, 32), (52, 20, 52), (72, 12, 72), (84, 16, 88), (100, 16, 104), (116, 5, 120)],
      11: None, 12: [(12, 20, 12), (32, 20, 32), (52, 20, 52), (72, 12, 72), (84, 16, 88), (100, 5, 104)]}
V1[11] = V1[10]


def move_fields(word, fields):
    out = word & 0xfff  # opcode and token flags
    moved = 0xfff
    for lsb, width, new_lsb in fields:
        value = (word >> lsb) & ((1 << width) - 1)
        moved |= ((1 << width) - 1) << lsb
        out |= value << new_lsb
    return out | (word & ~moved & ((1 << 128) - 1))  # stray bits stay where they were


def upgrade(path):
    data = bytearray(open(path, 'rb').read())
    if len(data) < 192 or data[:8] != b'RTPUPROG' or struct.unpack_from('<I', data, 8)[0] != 1:
        return False
    crc_ok = zlib.crc32(bytes(data[:-4])) & 0xffffffff == struct.unpack_from('<I', data, len(data) - 4)[0]
    struct.pack_into('<I', data, 8, 2)
    count = struct.unpack_from('<Q', data, 152)[0]
    for i in range(count):
        off = 184 + 16 * i
        if off + 16 > len(data) - 4:
            break
        word = int.from_bytes(data[off:off + 16], 'little')
        if word & 0xff in V1:
            data[off:off + 16] = move_fields(word, V1[word & 0xff]).to_bytes(16, 'little')
    if crc_ok:
        struct.pack_into('<I', data, len(data) - 4, zlib.crc32(bytes(data[:-4])) & 0xffffffff)
    open(path, 'wb').write(data)
    return True


if __name__ == '__main__':
    for p in sys.argv[1:]:
        print(('upgraded ' if upgrade(p) else 'left     ') + p)
