#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Build a harness initramfs with the kernel tree's usr/gen_init_cpio.

  mkinitramfs.py --gen-init-cpio build/linux/usr/gen_init_cpio \\
      --init build/harness/init --list scripts/harness/check.list \\
      --map /bin/kvm=build/selftests/kvm --map /bin=build/harness \\
      [--file /dest=src ...] --out build/initramfs/check.cpio

Every program a list line names (third field) is taken from the directory
its prefix maps to. A program that is missing is left out with a warning:
the harness then reports that test as a failure ("cannot execute"), so a
build that lost a test can never pass.
"""

import argparse
import os
import subprocess
import sys


def programs(list_path):
    """The program of every list line: the first word after the name and
    timeout that is not a VAR=value assignment."""
    with open(list_path) as f:
        for ln in f:
            words = ln.split()
            if len(words) < 3 or words[0].startswith("#"):
                continue
            rest = [w for w in words[2:]
                    if w.startswith("/") or "=" not in w]
            if rest and rest[0].startswith("/"):
                yield rest[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gen-init-cpio", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--list", required=True)
    ap.add_argument("--map", action="append", default=[],
                    help="DEST_DIR=SRC_DIR for programs in the list")
    ap.add_argument("--file", action="append", default=[],
                    help="DEST=SRC, an extra file")
    ap.add_argument("--out", required=True)
    ap.add_argument("--mtime", type=int,
                    help="one mtime (seconds) for every entry, for a"
                    " byte-identical archive (gen_init_cpio -t)")
    args = ap.parse_args()

    maps = sorted((m.split("=", 1) for m in args.map),
                  key=lambda m: -len(m[0]))
    files = {"/init": args.init, "/etc/harness/tests.list": args.list}
    for f in args.file:
        dest, src = f.split("=", 1)
        files[dest] = src
    for prog in programs(args.list):
        for dest_dir, src_dir in maps:
            if prog.startswith(dest_dir + "/"):
                src = os.path.join(src_dir, prog[len(dest_dir) + 1:])
                if os.path.isfile(src):
                    files[prog] = src
                else:
                    print(f"mkinitramfs: warning: {src} missing; "
                          f"{prog} will fail", file=sys.stderr)
                break

    dirs = {"/dev", "/proc", "/sys", "/tmp", "/etc", "/bin"}
    for dest in files:
        d = os.path.dirname(dest)
        while d != "/":
            dirs.add(d)
            d = os.path.dirname(d)
    desc = [f"dir {d} 0755 0 0" for d in sorted(dirs)]
    desc.append("nod /dev/console 0600 0 0 c 5 1")
    for dest, src in sorted(files.items()):
        mode = "0755" if os.access(src, os.X_OK) else "0644"
        desc.append(f"file {dest} {os.path.abspath(src)} {mode} 0 0")

    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out + ".list", "w") as f:
        f.write("\n".join(desc) + "\n")
    with open(args.out, "wb") as out:
        mtime = ["-t", str(args.mtime)] if args.mtime is not None else []
        subprocess.run([args.gen_init_cpio, *mtime, args.out + ".list"],
                       stdout=out, check=True)


if __name__ == "__main__":
    main()
