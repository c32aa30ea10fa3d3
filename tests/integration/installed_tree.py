"""`make install DESTDIR=<tmp>` of the test build, done once per pytest process and shared by the
tests of what an installation holds (systemd units, man pages). The directory is removed when the
process exits."""

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from conftest import BUILD

# Installation directories of the build, as its Makefile has them.
_PRINT_DIRS = ("print-astral-dirs:\n"
               "\t@echo $(libexecdir) $(sysconfdir) $(mandir) $(systemdsystemunitdir)\n")


class InstalledTree:
    def __init__(self, destdir, libexecdir, sysconfdir, mandir, unitdir):
        self.destdir = Path(destdir)
        self.libexecdir = libexecdir          # as configured, e.g. /usr/lib
        self.sysconfdir = sysconfdir
        self.mandir = mandir
        self.unitdir = unitdir                # "" when configured --without-systemdsystemunitdir

    def path(self, installed):
        """Where the file installed as `installed` (an absolute path) is under DESTDIR."""
        return self.destdir / installed.lstrip("/")


def _make_dirs():
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(BUILD), "-f", "Makefile",
                        "-f", "-", "print-astral-dirs"], input=_PRINT_DIRS, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, f"cannot read the installation directories of {BUILD}:\n{p.stdout}\n{p.stderr}"
    words = p.stdout.strip().splitlines()[-1].split()
    assert len(words) in (3, 4), f"unexpected directories from {BUILD}/Makefile: {p.stdout!r}"
    return words + [""] * (4 - len(words))


@functools.lru_cache(maxsize=None)
def install_tree():
    libexecdir, sysconfdir, mandir, unitdir = _make_dirs()
    destdir = tempfile.mkdtemp(prefix="astral-it-install-")
    atexit.register(shutil.rmtree, destdir, True)
    # The service user runs the installed programs in the systemd tests: it must reach them.
    os.chmod(destdir, 0o755)
    p = subprocess.run(["make", "-C", str(BUILD), "install", f"DESTDIR={destdir}"],
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, (f"make install DESTDIR={destdir} failed in {BUILD} ({p.returncode}):\n"
                               f"{p.stdout[-4000:]}\n{p.stderr[-4000:]}")
    return InstalledTree(destdir, libexecdir, sysconfdir, mandir, unitdir)
