#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bring a kernel tree to: pristine base + project overlay - removed + patches.

  overlay.py --project . --pristine build/src --tree build/linux

* Overlay: every file under arch/ include/ virt/ tools/ Documentation/ of
  the project replaces (or adds) the same path in the tree.
* Removed: patches/remove.list names upstream files our code replaces; they
  are deleted from the tree.
* Patches: patches/series lists patch files (patch -p1, no fuzz) applied on
  top; a reject fails loudly and leaves the tree as it was.

The desired content of every managed file (those above, plus those managed
by the previous run, recorded in <tree>/.overlay-manifest) is computed in a
staging directory first; only files whose content differs are written. So
editing one file touches one file, a changed or dropped patch is reverted to
pristine and re-applied correctly, and a file dropped from the overlay goes
back to its pristine content.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

OVERLAY_DIRS = ("arch", "include", "virt", "tools", "Documentation")
MANIFEST = ".overlay-manifest"


def die(msg):
    sys.exit("overlay: " + msg)


def read_list(path):
    """Non-empty, non-comment lines of a list file (missing file: empty)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [ln.strip() for ln in f
                if ln.strip() and not ln.lstrip().startswith("#")]


def overlay_files(project):
    files = {}
    for top in OVERLAY_DIRS:
        for root, dirs, names in os.walk(os.path.join(project, top)):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for n in names:
                full = os.path.join(root, n)
                files[os.path.relpath(full, project)] = full
    return files


def patch_targets(patch):
    """Paths a -p1 patch touches, from its ---/+++ headers."""
    paths = set()
    with open(patch, errors="replace") as f:
        for ln in f:
            if ln.startswith(("--- ", "+++ ")):
                name = ln[4:].split("\t")[0].strip()
                if name != "/dev/null" and "/" in name:
                    paths.add(name.split("/", 1)[1])
    return paths


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def desired_contents(args, overlay, removed, patches, managed):
    """Map path -> bytes (or None: absent) for every managed path."""
    want = {}
    for path in managed:
        if path in removed:
            want[path] = None
        elif path in overlay:
            want[path] = read_bytes(overlay[path])
        else:
            want[path] = read_bytes(os.path.join(args.pristine, path))
    if not patches:
        return want
    with tempfile.TemporaryDirectory(prefix="overlay-") as stage:
        for path, data in want.items():
            if data is not None:
                dst = os.path.join(stage, path)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with open(dst, "wb") as f:
                    f.write(data)
        for patch in patches:
            res = subprocess.run(
                ["patch", "-p1", "-d", stage, "--batch", "--forward",
                 "--fuzz=0", "--no-backup-if-mismatch", "-r", "-",
                 "-i", os.path.abspath(patch)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if res.returncode:
                die(f"{patch} does not apply (tree left unchanged):\n"
                    + res.stdout)
        for path in want:
            want[path] = read_bytes(os.path.join(stage, path))
    return want


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", default=".")
    ap.add_argument("--pristine", required=True)
    ap.add_argument("--tree", required=True)
    args = ap.parse_args()
    for d in (args.pristine, args.tree):
        if not os.path.isfile(os.path.join(d, "Makefile")):
            die(f"{d} is not a kernel tree")

    pdir = os.path.join(args.project, "patches")
    overlay = overlay_files(args.project)
    removed = set(read_list(os.path.join(pdir, "remove.list")))
    patches = [os.path.join(pdir, p)
               for p in read_list(os.path.join(pdir, "series"))]
    for p in patches:
        if not os.path.isfile(p):
            die(f"patches/series names {p}, which does not exist")
    for path in removed:
        if not os.path.exists(os.path.join(args.pristine, path)):
            die(f"patches/remove.list: {path} is not in the base tree")
    touched = set()
    for p in patches:
        touched |= patch_targets(p)

    manifest_path = os.path.join(args.tree, MANIFEST)
    now = set(overlay) | removed | touched
    managed = now | set(read_list(manifest_path))
    want = desired_contents(args, overlay, removed, patches, managed)

    changed = 0
    for path in sorted(want):
        dst = os.path.join(args.tree, path)
        data = want[path]
        if read_bytes(dst) == data:
            continue
        changed += 1
        if data is None:
            os.remove(dst)
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        tmp = dst + ".overlay-tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        src = overlay.get(path)
        shutil.copymode(src if src else tmp, tmp)
        os.replace(tmp, dst)
    with open(manifest_path, "w") as f:
        f.write("# files managed by scripts/overlay.py\n")
        f.write("".join(p + "\n" for p in sorted(now)))
    print(f"overlay: {len(overlay)} overlay files, {len(removed)} removed, "
          f"{len(patches)} patches; {changed} files written")


if __name__ == "__main__":
    main()
