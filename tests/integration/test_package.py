"""The Debian package (debian/): it builds from a copy of this tree with dpkg-buildpackage,
lintian finds no error and no unjustified warning, and it holds every part of Astral Core in its
FHS place. The upgrade from the previous release is test_package_upgrade.py."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import package_build

SRC = package_build.SRC
MAINTAINER_SCRIPTS = ("postinst", "prerm", "postrm")


@pytest.fixture(scope="module")
def built():
    try:
        return package_build.build_current()
    except package_build.BuildFailed as e:
        pytest.fail(f"the package did not build: {e}", pytrace=False)


def _makefile_words(variable):
    """The words of `variable = ...` in Makefile.am (continuation lines joined)."""
    text = (SRC / "Makefile.am").read_text().replace("\\\n", " ")
    m = re.search(rf"^{re.escape(variable)}\s*=(.*)$", text, re.M)
    assert m, f"Makefile.am has no {variable}"
    return m.group(1).split()


def _makefile_added_words(variable):
    """The words of every `variable += ...` in Makefile.am (continuation lines joined)."""
    text = (SRC / "Makefile.am").read_text().replace("\\\n", " ")
    lines = re.finditer(rf"^{re.escape(variable)}\s*\+=(.*)$", text, re.M)
    return [w for m in lines for w in m.group(1).split()]


def _expected_paths():
    """(path in the package, what it is) for everything that must be installed."""
    share = "/usr/share/astral-core"
    want = []
    programs = [Path(p).name for p in _makefile_words("astralexec_PROGRAMS")]
    for name in programs:
        want.append((f"/usr/lib/astral/{name}", f"FastCGI program {name}"))
    # Added to astralexec_PROGRAMS after the FastCGI programs: the real-time relay.
    daemons = [Path(p).name for p in _makefile_added_words("astralexec_PROGRAMS")]
    assert "astral-relay" in daemons, f"Makefile.am adds no astral-relay to astralexec_PROGRAMS: {daemons}"
    for name in daemons:
        want.append((f"/usr/lib/astral/{name}", f"daemon {name}"))
    want.append(("/usr/sbin/astralctl", "the admin tool astralctl"))
    for sql in sorted((SRC / "migrations").glob("*.sql")):
        want.append((f"{share}/migrations/{sql.name}", f"migration {sql.name}"))
    htdocs = (SRC / "htdocs.am").read_text().replace("\\\n", " ")
    files = re.findall(r"\bhtdocs/\S+", htdocs)
    assert len(files) > 20, "htdocs.am lists almost no files"
    for f in files:
        want.append((f"{share}/{f}", f"static UI file {f}"))
    want += [
        ("/etc/astral/astral.conf", "the configuration"),
        ("/usr/share/doc/astral-core/astral.conf.example", "the example configuration (uncompressed)"),
        ("/etc/nginx/snippets/astral.conf", "the nginx snippet for an existing server block"),
        ("/etc/nginx/snippets/astral-http.conf", "the nginx file for the http block"),
        (f"{share}/nginx/astral-site.conf", "the complete nginx site example"),
        ("/etc/apache2/conf-available/astral.conf", "the Apache conf-available file"),
        ("/lib/systemd/system/astral.target", "the systemd target"),
        ("/usr/share/man/man8/astralctl.8.gz", "man page astralctl(8)"),
        ("/usr/share/man/man8/astral-fcgi.8.gz", "man page astral-fcgi(8)"),
        ("/usr/share/man/man8/astral-relay.8.gz", "man page astral-relay(8)"),
        ("/usr/share/man/man5/astral.conf.5.gz", "man page astral.conf(5)"),
    ]
    for name in programs + daemons:
        for kind in ("socket", "service"):
            want.append((f"/lib/systemd/system/{name}.{kind}", f"systemd {kind} unit of {name}"))
    return want


def _listing(deb):
    """{path: permissions as `ls -l` writes them} of every entry of the package."""
    p = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True)
    listed = {}
    for line in p.stdout.splitlines():
        perms, name = line.split(None, 5)[0], line.split(None, 5)[5]
        name = name.split(" -> ")[0]
        listed[name[1:].rstrip("/") if name.startswith(".") else name.rstrip("/")] = perms
    return listed


def test_lintian_reports_no_error_and_no_unjustified_warning(built):
    p = subprocess.run(["lintian", "--fail-on", "error,warning", "--info", str(built.changes)],
                       capture_output=True, text=True, timeout=600)
    output = p.stdout + p.stderr
    problems = [line for line in p.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    assert p.returncode != 1, f"lintian could not run (exit 1):\n{output}"
    assert not problems, (
        "lintian reports errors or warnings that no override in debian/ justifies "
        "(fix them, or override with a comment saying why):\n" + "\n".join(problems) +
        f"\n\nfull lintian output:\n{output}")
    assert p.returncode == 0, f"lintian exited with {p.returncode}:\n{output}"


def test_package_holds_every_part_in_its_fhs_place(built):
    listed = _listing(built.deb)
    missing = [f"{path} ({what})" for path, what in _expected_paths() if path not in listed]
    assert not missing, (f"{built.deb.name} lacks {len(missing)} item(s):\n  " + "\n  ".join(missing))


def test_units_run_what_the_package_holds(built):
    """Every service's ExecStartPre=/ExecStart= names, with the Debian paths, a program the package
    holds as an executable file and the configuration it installs; the target wants every socket and
    service, the relay's included."""
    listed = _listing(built.deb)
    tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(built.deb)], capture_output=True, check=True).stdout

    def member(path):
        return subprocess.run(["tar", "-xO", f".{path}"], input=tar, capture_output=True,
                              check=True).stdout.decode()

    services = sorted(p for p in listed if re.fullmatch(r"/lib/systemd/system/astral-[a-z]+\.service", p))
    assert "/lib/systemd/system/astral-relay.service" in services, f"no relay service among {services}"
    problems = []
    for path in services:
        lines = re.findall(r"^(ExecStartPre|ExecStart)=(.*)$", member(path), re.M)
        if len(lines) != 2:
            problems.append(f"{path}: expected one ExecStartPre= and one ExecStart=, found {lines}")
        for key, line in lines:
            words = [w for w in line.split() if w.startswith(("/usr/lib/astral/", "/etc/astral/"))]
            programs = [w for w in words if w.startswith("/usr/lib/astral/")]
            if len(programs) != 1 or "/etc/astral/astral.conf" not in words:
                problems.append(f"{path}: {key}={line} does not run one /usr/lib/astral program with "
                                f"/etc/astral/astral.conf")
            for w in programs:
                perms = listed.get(w)
                if perms is None or not perms.startswith("-") or "x" not in perms:
                    problems.append(f"{path}: {key}= runs {w}, which the package holds as {perms}")
    wanted = " ".join(re.findall(r"^Wants=(.*)$", member("/lib/systemd/system/astral.target"), re.M)).split()
    units = sorted(p.rsplit("/", 1)[1] for p in listed
                   if re.fullmatch(r"/lib/systemd/system/astral-[a-z]+\.(socket|service)", p))
    problems += [f"astral.target does not want {u}" for u in units if u not in wanted]
    assert not problems, f"{built.deb.name}: units and files disagree:\n" + "\n".join(problems)


def test_configuration_files_are_conffiles(built):
    control = subprocess.run(["dpkg-deb", "-f", str(built.deb), "Version"], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert control == built.version
    listing = subprocess.run(["dpkg-deb", "--info", str(built.deb), "conffiles"], capture_output=True,
                             text=True)
    conffiles = set(listing.stdout.split())
    want = {"/etc/astral/astral.conf", "/etc/nginx/snippets/astral.conf", "/etc/nginx/snippets/astral-http.conf",
            "/etc/apache2/conf-available/astral.conf"}
    assert want <= conffiles, (f"not conffiles (dpkg would overwrite an admin's edit): "
                               f"{sorted(want - conffiles)}; conffiles: {sorted(conffiles)}")


def test_version_is_the_configure_version(built):
    m = re.search(r"^AC_INIT\(\[astral-core\], \[([^]]+)\]", (SRC / "configure.ac").read_text(), re.M)
    assert m, "configure.ac has no AC_INIT([astral-core], [VERSION], ...)"
    assert built.version == m.group(1), (
        f"debian/changelog's version {built.version} is not configure.ac's {m.group(1)}")


@pytest.mark.parametrize("script", MAINTAINER_SCRIPTS)
def test_maintainer_script_is_posix_sh_and_passes_shellcheck(script):
    path = SRC / "debian" / f"astral-core.{script}"
    first = path.read_text().splitlines()[0]
    assert first == "#!/bin/sh", f"{path}: first line is {first!r}, not #!/bin/sh"
    assert shutil.which("shellcheck"), "shellcheck is not installed (tools/dev/install-deps installs it)"
    p = subprocess.run(["shellcheck", "-s", "sh", str(path)], capture_output=True, text=True)
    assert p.returncode == 0, f"shellcheck -s sh {path}:\n{p.stdout}{p.stderr}"
    p = subprocess.run(["dash", "-n", str(path)], capture_output=True, text=True)
    assert p.returncode == 0, f"dash -n {path}: {p.stderr}"


def test_nginx_site_example_includes_the_installed_snippet(built):
    tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(built.deb)], capture_output=True, check=True).stdout
    site = subprocess.run(["tar", "-xO", "./usr/share/astral-core/nginx/astral-site.conf"], input=tar,
                          capture_output=True)
    assert site.returncode == 0, f"no nginx site example in {built.deb.name}: {site.stderr.decode()}"
    includes = re.findall(r"^\s*include\s+(\S+);", site.stdout.decode(), re.M)
    assert "/etc/nginx/snippets/astral.conf" in includes, (
        f"the site example should include the conffile /etc/nginx/snippets/astral.conf (the one an "
        f"admin edits); it includes {includes}")
