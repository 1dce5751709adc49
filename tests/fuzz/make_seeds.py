#!/usr/bin/env python3
"""Writes the binary seed files of tests/fuzz/corpus (images, .npy, safetensors).

A developer tool, not part of any build or test: the seeds are checked in, and this says
how they were made (python3 standard library only; JPEGs need cjpeg from Debian's
libjpeg-turbo-progs and are skipped without it). The other seeds (specs, configs,
assembly, program files) are copies of files in the tree or made with the rtpu command:
tests/fuzz/README.md says how. test_fuzz_regressions.c checks the pixels of the deep
images below, so change both together.

    python3 tests/fuzz/make_seeds.py [OUTPUT_CORPUS_DIR]
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")


def write(harness, name, data):
    os.makedirs(os.path.join(OUT, harness), exist_ok=True)
    with open(os.path.join(OUT, harness, name), "wb") as f:
        f.write(data)


# ---- images ----

def pnm(magic, w, h, maxval, samples, comment=b""):
    head = magic + b"\n" + comment + b"%d %d\n%d\n" % (w, h, maxval)
    if maxval > 255:
        body = b"".join(struct.pack(">H", s) for s in samples)
    else:
        body = bytes(samples)
    return head + body


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(w, h, depth, colour, rows, extra=b"", filters=(0,), interlace=0):
    """rows[y][x] is a tuple of channel samples (or a palette index for colour 3)."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]

    def scanline(pixels, filt):
        if depth < 8:
            bits = []
            for p in pixels:
                bits.append(p[0])
            out = bytearray()
            per = 8 // depth
            for i in range(0, len(bits), per):
                byte = 0
                for j, v in enumerate(bits[i:i + per]):
                    byte |= v << (8 - depth * (j + 1))
                out.append(byte)
            raw = bytes(out)
        else:
            fmt = ">H" if depth == 16 else ">B"
            raw = b"".join(struct.pack(fmt, s) for p in pixels for s in p)
        bpp = max(1, channels * depth // 8)
        return bytes([filt]) + apply_filter(raw, filt, bpp)

    prev = {}

    def apply_filter(raw, filt, bpp):
        # Filters are computed against the previous scanline of the same pass.
        key = len(raw)
        up = prev.get(key, bytes(len(raw)))
        out = bytearray()
        for i, x in enumerate(raw):
            a = raw[i - bpp] if i >= bpp else 0
            b = up[i]
            c = up[i - bpp] if i >= bpp else 0
            if filt == 0:
                pred = 0
            elif filt == 1:
                pred = a
            elif filt == 2:
                pred = b
            elif filt == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out.append((x - pred) & 0xFF)
        prev[key] = raw
        return bytes(out)

    data = bytearray()
    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        for n, (x0, y0, dx, dy) in enumerate(passes):
            prev.clear()
            for y in range(y0, h, dy):
                pixels = [rows[y][x] for x in range(x0, w, dx)]
                if pixels:
                    data += scanline(pixels, filters[(y + n) % len(filters)])
    else:
        for y in range(h):
            data += scanline(rows[y], filters[y % len(filters)])
    ihdr = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(bytes(data), 9)) +
            chunk(b"IEND", b""))


def images():
    # The deep images test_fuzz_regressions.c checks (2 x 2).
    rgb16 = [1, 2, 3, 0x1000, 0x2000, 0x3000, 0xFFFE, 0xFFFF, 0, 0x8000, 0x4000, 0x100]
    write("image", "rgb16.ppm", pnm(b"P6", 2, 2, 65535, rgb16))
    write("image", "grey-max1023.pgm", pnm(b"P5", 2, 2, 1023, [0, 1023, 512, 7]))
    write("image", "grey-max15.pgm", pnm(b"P5", 2, 2, 15, [0, 15, 8, 1]))
    write("image", "grey8-comment.pgm", pnm(b"P5", 3, 2, 255, [0, 255, 9, 100, 200, 50], b"# a comment\n"))
    write("image", "rgb8.ppm", pnm(b"P6", 3, 2, 255, list(range(10, 190, 10))))
    grey16 = [[(1,), (0x203,)], [(0x8000,), (0xFFFF,)]]
    write("image", "grey16.png", png(2, 2, 16, 0, grey16))
    write("image", "grey16-trns.png", png(2, 2, 16, 0, grey16, chunk(b"tRNS", struct.pack(">H", 0x8000))))
    ga16 = [[(0x1234, 7), (0xFEDC, 0)], [(0, 0xFFFF), (0xFFFF, 1)]]
    write("image", "grey-alpha16.png", png(2, 2, 16, 4, ga16))
    px = [rgb16[i:i + 3] for i in range(0, 12, 3)]
    write("image", "rgb16.png", png(2, 2, 16, 2, [[tuple(px[0]), tuple(px[1])], [tuple(px[2]), tuple(px[3])]],
                                    filters=(1, 4)))
    write("image", "rgba16.png", png(2, 2, 16, 6, [[tuple(px[0]) + (5,), tuple(px[1]) + (0xFFFF,)],
                                                   [tuple(px[2]) + (0,), tuple(px[3]) + (9,)]], filters=(2, 3)))
    rows16 = [[((x * 9000 + y * 77) % 65536, (x * 1300) % 65536, (y * 5000) % 65536) for x in range(5)]
              for y in range(5)]
    write("image", "rgb16-interlaced.png", png(5, 5, 16, 2, rows16, filters=(0, 1, 2, 3, 4), interlace=1))
    # 8-bit and low-depth colour types, filters, palette with transparency, interlacing.
    rows = [[((x * 40 + y * 7) % 256, (x * 13) % 256, (y * 50) % 256) for x in range(5)] for y in range(5)]
    write("image", "rgb8-filters.png", png(5, 5, 8, 2, rows, filters=(0, 1, 2, 3, 4)))
    write("image", "rgb8-interlaced.png", png(5, 5, 8, 2, rows, filters=(0, 1, 2, 3, 4), interlace=1))
    rgba = [[p + (x * 50 % 256,) for x, p in enumerate(r)] for r in rows]
    write("image", "rgba8.png", png(5, 5, 8, 6, rgba, filters=(4,)))
    write("image", "grey-alpha8.png", png(3, 1, 8, 4, [[(10, 255), (20, 0), (30, 128)]]))
    plte = chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]))
    trns = chunk(b"tRNS", bytes([0, 128]))
    write("image", "palette8.png", png(4, 2, 8, 3, [[(0,), (1,), (2,), (3,)], [(3,), (2,), (1,), (0,)]], plte + trns))
    write("image", "palette2.png", png(4, 2, 2, 3, [[(0,), (1,), (2,), (3,)], [(3,), (2,), (1,), (0,)]], plte))
    write("image", "grey1.png", png(9, 2, 1, 0, [[(x % 2,) for x in range(9)], [((x + 1) % 2,) for x in range(9)]]))
    write("image", "grey4.png", png(3, 2, 4, 0, [[(0,), (7,), (15,)], [(1,), (2,), (3,)]]))
    # JPEGs: baseline colour and grey, progressive, restart markers, 4:2:0 subsampling.
    if shutil.which("cjpeg"):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.ppm")
            ppm = pnm(b"P6", 16, 16, 255, [((i * 37) % 256) for i in range(16 * 16 * 3)])
            open(src, "wb").write(ppm)
            gsrc = os.path.join(tmp, "in.pgm")
            open(gsrc, "wb").write(pnm(b"P5", 16, 8, 255, [(i * 5) % 256 for i in range(16 * 8)]))
            variants = {
                "baseline.jpg": ["-quality", "50", src],
                "progressive.jpg": ["-progressive", "-quality", "50", src],
                "restart.jpg": ["-restart", "1", "-quality", "50", src],
                "subsampled.jpg": ["-sample", "2x2", "-quality", "30", src],
                "optimised.jpg": ["-optimize", "-sample", "1x1", src],
                "grey.jpg": ["-quality", "60", gsrc],
                "grey-progressive.jpg": ["-progressive", gsrc],
            }
            for name, args in variants.items():
                write("image", name, subprocess.run(["cjpeg"] + args, check=True, capture_output=True).stdout)


# ---- .npy ----

def npy(descr, shape, payload, version=1, fortran=False):
    if len(shape) == 1:
        shape_text = "(%d,)" % shape[0]
    else:
        shape_text = "(" + ", ".join(str(d) for d in shape) + ")"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_text)
    prefix = 10 if version == 1 else 12
    while (prefix + len(header) + 1) % 64:
        header += " "
    header += "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin-1") + payload


def npys():
    write("npy", "f4-2x3.npy", npy("<f4", (2, 3), struct.pack("<6f", 0, 1.5, -2, 3e38, -1e-45, float("inf"))))
    write("npy", "f8-4.npy", npy("<f8", (4,), struct.pack("<4d", 1e300, -0.5, float("nan"), 2 ** 60)))
    write("npy", "u1-2x2x3.npy", npy("|u1", (2, 2, 3), bytes(range(0, 240, 20))))
    write("npy", "i1-3.npy", npy("|i1", (3,), struct.pack("<3b", -128, 0, 127)))
    write("npy", "i4-2x2.npy", npy("<i4", (2, 2), struct.pack("<4i", -2 ** 31, 0, 16777217, 2 ** 31 - 1)))
    write("npy", "i8-2.npy", npy("<i8", (2,), struct.pack("<2q", -2 ** 63, 2 ** 63 - 1)))
    write("npy", "scalar.npy", npy("<f4", (), struct.pack("<f", 7.25)))
    write("npy", "empty-0x3.npy", npy("<f4", (0, 3), b""))
    write("npy", "v2.npy", npy("<f4", (1, 2), struct.pack("<2f", 1, 2), version=2))
    write("npy", "v3.npy", npy("<f4", (2,), struct.pack("<2f", 3, 4), version=3))
    write("npy", "fortran.npy", npy("<f4", (2, 2), struct.pack("<4f", 1, 2, 3, 4), fortran=True))
    write("npy", "big-endian.npy", npy(">f4", (1,), struct.pack(">f", 1)))
    write("npy", "8d.npy", npy("|u1", (1, 1, 1, 1, 1, 1, 1, 2), b"\x01\x02"))


# ---- safetensors ----

def safetensors(entries, metadata=None, pad=True):
    """entries: list of (name, dtype, shape, bytes)."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, payload in entries:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensorses():
    write("safetensors", "dtypes.safetensors", safetensors([
        ("f32", "F32", (2,), struct.pack("<2f", 1, -2)),
        ("f16", "F16", (2,), b"\x00\x3c\x00\xc0"),
        ("bf16", "BF16", (1, 2), b"\x80\x3f\x00\x40"),
        ("f64", "F64", (1,), struct.pack("<d", 3.5)),
        ("i8", "I8", (3,), b"\x80\x00\x7f"),
        ("u8", "U8", (2, 1), b"\x00\xff"),
        ("i16", "I16", (1,), struct.pack("<h", -300)),
        ("i32", "I32", (1,), struct.pack("<i", 70000)),
        ("i64", "I64", (1,), struct.pack("<q", -1)),
        ("bool", "BOOL", (2,), b"\x00\x01"),
        ("scalar", "F32", (), struct.pack("<f", 9)),
        ("empty", "F32", (0, 3), b""),
    ], {"format": "pt", "note": "fuzz seed"}))
    write("safetensors", "unpadded.safetensors", safetensors([("a/b", "F32", (1, 1), struct.pack("<f", 1))],
                                                             pad=False))


if __name__ == "__main__":
    images()
    npys()
    safetensorses()
