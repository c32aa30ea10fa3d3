"""Builds of the Debian package for the package tests (no tests here).

build_current() builds this source tree's package from a copy of the tree (the tree may hold
uncommitted work; build directories, node_modules, autom4te.cache, .git and the dev stack's
var/ are left out). build_release(commit, version) builds an earlier release from `git archive COMMIT`
with this tree's debian/ directory laid over it and its changelog cut down to that version's
entry, which must exist. Both run `dpkg-buildpackage -us -uc -b` with
DEB_BUILD_OPTIONS="nocheck parallel=2" once per pytest process: every test file asking again gets
the same result (or the same failure). The temporary directories go when the process exits,
unless ASTRAL_KEEP_PACKAGE_BUILD=1.
"""

import atexit
import os
import re
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SRC = Path(os.environ.get("ASTRAL_SRC") or Path(__file__).resolve().parents[2]).resolve()
PACKAGE = "astral-core"
BUILD_OPTIONS = "nocheck parallel=2"
LOG_TAIL_LINES = 40
LOG_LINE_CHARS = 400           # compiler command lines are long: their ends are cut

# Left out of the copy: at the top of the tree, every build*/ directory (build-aux too, which
# autoreconf makes again) and the dev stack's var/; anywhere, these names.
_TOP_EXCLUDED = re.compile(r"^(build.*|var)$")
_EXCLUDED_ANYWHERE = {"node_modules", "autom4te.cache", ".git", "__pycache__", ".pytest_cache"}

_temp_dirs = []
_results = {}


class BuildFailed(Exception):
    """The package did not build; the message ends with the tail of the build log."""


@dataclass
class Built:
    version: str
    directory: Path        # where the .deb, .changes and .buildinfo are
    deb: Path
    changes: Path
    buildinfo: Path
    log: Path


def _remove_temp_dirs():
    if os.environ.get("ASTRAL_KEEP_PACKAGE_BUILD"):
        return
    for d in _temp_dirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_remove_temp_dirs)


def _temp_dir(label):
    d = Path(tempfile.mkdtemp(prefix=f"astral-pkg-{label}-"))
    _temp_dirs.append(d)
    return d


def _ignore_for(root):
    def ignore(directory, names):
        left_out = set()
        top = Path(directory).resolve() == root
        for name in names:
            if name in _EXCLUDED_ANYWHERE or (top and _TOP_EXCLUDED.match(name)):
                left_out.add(name)
                continue
            mode = os.lstat(os.path.join(directory, name)).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                left_out.add(name)          # sockets and pipes of a running stack
        return left_out
    return ignore


def _tail(path, lines=LOG_TAIL_LINES):
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError as e:
        return f"(no build log: {e})"
    return "\n".join(line if len(line) <= LOG_LINE_CHARS else line[:LOG_LINE_CHARS] + " [...]"
                     for line in text[-lines:])


def _dpkg_buildpackage(tree, version, label):
    """Runs dpkg-buildpackage in tree (whose parent receives the files). Returns a Built."""
    log = tree.parent / f"build-{label}.log"
    env = dict(os.environ, DEB_BUILD_OPTIONS=BUILD_OPTIONS, LC_ALL="C.UTF-8")
    env.pop("MAKEFLAGS", None)
    env.pop("MFLAGS", None)
    with open(log, "wb") as out:
        try:
            p = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, stdout=out,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                               timeout=1800)
        except FileNotFoundError:
            raise BuildFailed("dpkg-buildpackage is not installed (package dpkg-dev; "
                              "tools/dev/install-deps installs it)") from None
        except subprocess.TimeoutExpired:
            raise BuildFailed(f"dpkg-buildpackage of {version} ran over 30 minutes in {tree}; "
                              f"last lines of {log}:\n{_tail(log)}") from None
    if p.returncode != 0:
        raise BuildFailed(f"dpkg-buildpackage of {version} failed with exit status {p.returncode} "
                          f"in {tree}; last lines of {log}:\n{_tail(log)}")
    arch = subprocess.run(["dpkg-architecture", "-qDEB_HOST_ARCH"], capture_output=True, text=True,
                          check=True).stdout.strip()
    base = tree.parent / f"{PACKAGE}_{version}_{arch}"
    built = Built(version, tree.parent, Path(f"{base}.deb"), Path(f"{base}.changes"),
                  Path(f"{base}.buildinfo"), log)
    missing = [str(f) for f in (built.deb, built.changes, built.buildinfo) if not f.is_file()]
    if missing:
        raise BuildFailed(f"dpkg-buildpackage of {version} succeeded but did not write "
                          f"{', '.join(missing)}; last lines of {log}:\n{_tail(log)}")
    return built


def changelog_version(changelog):
    first = Path(changelog).read_text().splitlines()[0]
    m = re.match(rf"^{PACKAGE} \(([^)]+)\)", first)
    if not m:
        raise BuildFailed(f"{changelog}: the first line does not read '{PACKAGE} (VERSION) ...': {first!r}")
    return m.group(1)


def _cached(key, make):
    if key not in _results:
        try:
            _results[key] = make()
        except BuildFailed as e:
            _results[key] = e
    result = _results[key]
    if isinstance(result, BuildFailed):
        raise result
    return result


def build_current():
    """This tree's package, built once per process."""
    def make():
        if not (SRC / "debian" / "control").is_file():
            raise BuildFailed(f"{SRC}/debian/control does not exist")
        version = changelog_version(SRC / "debian" / "changelog")
        tree = _temp_dir("current") / f"{PACKAGE}-{version}"
        shutil.copytree(SRC, tree, symlinks=True, ignore=_ignore_for(SRC))
        return _dpkg_buildpackage(tree, version, "current")
    return _cached("current", make)


def history_problem(commit):
    """None when the commit is in this clone, else what is missing (no git, a shallow clone)."""
    if not (SRC / ".git").exists():
        return (f"{SRC} has no .git: the upgrade test builds the previous release from commit "
                f"{commit}, so it needs a clone with history (not a tarball)")
    p = subprocess.run(["git", "-C", str(SRC), "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
                       capture_output=True, text=True)
    if p.returncode == 0:
        return None
    shallow = subprocess.run(["git", "-C", str(SRC), "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True).stdout.strip()
    why = "this is a shallow clone" if shallow == "true" else "the clone does not hold it"
    return (f"commit {commit} is missing from {SRC} ({why}): the upgrade test builds the previous "
            f"release from it. Fetch the whole history: git fetch --unshallow "
            f"(in CI: actions/checkout with fetch-depth: 0)")


def build_release(commit, version):
    """The release at `commit` (changelog version `version`) with this tree's debian/, built once."""
    def make():
        problem = history_problem(commit)
        if problem:
            raise BuildFailed(problem)
        tree = _temp_dir(version) / f"{PACKAGE}-{version}"
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(SRC), "archive", "--format=tar", commit],
                                 capture_output=True)
        if archive.returncode != 0:
            raise BuildFailed(f"git archive {commit} failed: {archive.stderr.decode(errors='replace')}")
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        shutil.rmtree(tree / "debian", ignore_errors=True)
        shutil.copytree(SRC / "debian", tree / "debian", symlinks=True,
                        ignore=shutil.ignore_patterns("build", PACKAGE, ".debhelper", "files",
                                                      "*.substvars", "*.log", "debhelper-build-stamp"))
        changelog = tree / "debian" / "changelog"
        text = changelog.read_text()
        m = re.search(rf"^{PACKAGE} \({re.escape(version)}\) ", text, re.M)
        if not m:
            raise BuildFailed(f"debian/changelog has no entry for {version}: the upgrade test builds "
                              f"{commit} with it as the top entry")
        changelog.write_text(text[m.start():])
        return _dpkg_buildpackage(tree, version, version)
    return _cached(("release", commit), make)
