"""The man pages (man/): mandoc finds no warning in them, `make install` puts them in man8 and man5,
and they describe what the code has: every configuration key `astralctl config check --describe`
prints (with its type, range and default), every command and option of tools/ctl/main.c's table
and every exit status of astralctl, and every program of tools/dev/stack with its options."""

import re
import subprocess

import pytest

from conftest import BUILD, SRC
from installed_tree import install_tree
from test_systemd_units import stack_programs

MAN = SRC / "man"
PAGES = {"astralctl.8": "man8", "astral-fcgi.8": "man8", "astral-relay.8": "man8", "astral.conf.5": "man5"}


def unescape(text):
    """mdoc source as the reader sees its words: \\- is '-', \\& is nothing, \\e is '\\'."""
    return text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")


def entries(page, head):
    """{item line: item text} for the `.It` items of the page's `.Sh`/`.Ss` section named head,
    the item line being the `.It` line without `.It ` (unescaped)."""
    items, current, inside = {}, None, False
    for line in (MAN / page).read_text().splitlines():
        if line.startswith((".Sh ", ".Ss ")):
            inside = unescape(line[4:]).strip() == head
            current = None
            continue
        if not inside:
            continue
        if line.startswith(".It "):
            current = unescape(line[4:]).strip()
            items[current] = ""
        elif line.startswith(".El"):
            current = None
        elif current is not None:
            items[current] += unescape(line) + "\n"
    return items


def section_text(page, head):
    text, inside = [], False
    for line in (MAN / page).read_text().splitlines():
        if line.startswith(".Sh "):
            inside = line[4:].strip() == head
            continue
        if inside:
            text.append(unescape(line))
    return "\n".join(text)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_mandoc_lint_is_clean(page):
    p = subprocess.run(["mandoc", "-Tlint", "-Wwarning", str(MAN / page)], capture_output=True,
                       text=True, timeout=60)
    output = (p.stdout + p.stderr).strip()
    assert p.returncode == 0 and not output, f"mandoc -Tlint -Wwarning man/{page} (exit {p.returncode}):\n{output}"


def test_make_install_puts_the_pages_in_their_sections():
    tree = install_tree()
    for page, section in PAGES.items():
        installed = tree.path(tree.mandir) / section / page
        assert installed.is_file(), f"make install did not put {page} in {tree.mandir}/{section}"
        assert installed.read_bytes() == (MAN / page).read_bytes(), f"{installed} differs from man/{page}"


def describe():
    """[(section, key, how its default is given, type and range)] from astralctl's own table."""
    p = subprocess.run([str(BUILD / "tools" / "astralctl"), "config", "check", "--describe"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"astralctl config check --describe failed ({p.returncode}):\n{p.stderr}"
    keys, lines = [], p.stdout.splitlines()
    for head, detail in zip(lines[0::2], lines[1::2]):
        m = re.fullmatch(r"(\w+)\.(\w+)  \((.*)\)", head)
        assert m, f"unexpected --describe line: {head!r}"
        kind = detail.strip().split(":", 1)[0]
        keys.append((m.group(1), m.group(2), m.group(3), kind))
    assert len(keys) >= 30 and len(lines) == 2 * len(keys), f"--describe printed:\n{p.stdout}"
    return keys


def test_astral_conf_describes_every_key_with_its_type_and_default():
    page = "astral.conf.5"
    problems, documented = [], set()
    keys = describe()
    for section, key, default, kind in keys:
        items = entries(page, f"[{section}]")
        item = next((i for i in items if i.split()[:2] == ["Cm", key]), None)
        if item is None:
            problems.append(f"{section}.{key}: no `.It Cm {key}` under `.Ss [{section}]`")
            continue
        documented.add((section, key))
        shown = item.split("Pq", 1)[1] if "Pq" in item else ""
        if default == "required":
            wanted = ["required"]
        elif default == "optional":
            wanted = ["optional"]
        elif default.startswith("default: the value of "):
            wanted = [default[len("default: "):]]
        else:
            wanted = ["default " + default[len("default: "):]]
        # "integer 100..600000", "word none|gemini|openai", "secret file, mode 600, 1..65536 bytes"
        type_word = "secret file" if kind.startswith("secret file") else kind.split()[0]
        wanted.append(type_word)
        wanted += re.findall(r"\d+\.\.\d+|[\w-]+(?:\|[\w-]+)+", kind)
        for w in wanted:
            if w not in shown:
                problems.append(f"{section}.{key}: its `.It` line ({item!r}) does not say {w!r} "
                                f"(--describe: {default}; {kind})")
    described = {(s, k) for s, k, _, _ in keys}
    for line in (MAN / page).read_text().splitlines():
        m = re.match(r"\.Ss \[(\w+)\]", line)
        if m:
            section = m.group(1)
        m = re.match(r"\.It Cm (\w+) Pq", line)
        if m and (section, m.group(1)) not in described:
            problems.append(f"astral.conf.5 describes {section}.{m.group(1)}, which --describe does not list")
    assert not problems, "astral.conf(5) and lib/config.c disagree:\n" + "\n".join(problems)


def astralctl_commands():
    """[(command words, options)] from the command table of tools/ctl/main.c."""
    text = (SRC / "tools" / "ctl" / "main.c").read_text()
    table = re.search(r"astralctl_commands\[\] = \{(.*?)\n\};", text, re.S)
    assert table, "tools/ctl/main.c has no astralctl_commands[] table"
    found = []
    for m in re.finditer(r'\{\s*(NULL|"([\w-]+)")\s*,\s*"([\w-]+)"\s*,\s*\w+\s*,((?:\s*"(?:[^"\\]|\\.)*")+)',
                         table.group(1)):
        words = f"{m.group(2)} {m.group(3)}" if m.group(2) else m.group(3)
        found.append((words, sorted(set(re.findall(r"--[a-z][a-z-]*", m.group(4))))))
    assert len(found) == table.group(1).count("astralctl_"), \
        f"could not read every entry of the astralctl_commands table: read {found}"
    return found


def test_astralctl_page_has_every_command_option_and_exit_status():
    page = "astralctl.8"
    items = entries(page, "Commands")
    synopsis = section_text(page, "SYNOPSIS")
    problems = []
    for words, options in astralctl_commands():
        item = next((i for i in items if i == f"Cm {words}" or i.startswith(f"Cm {words} ")), None)
        if f"Cm {words}\n" not in synopsis + "\n":
            problems.append(f"astralctl {words}: not in SYNOPSIS (.Cm {words})")
        if item is None:
            problems.append(f"astralctl {words}: no `.It Cm {words}` under `.Ss Commands`")
            continue
        text = item + "\n" + items[item]
        for opt in options:
            # `.Fl \-dir` is how mdoc writes --dir: Fl adds the first dash.
            if f"Fl {opt[1:]}" not in text:
                problems.append(f"astralctl {words}: option {opt} is not described "
                                f"(no `Fl \\{opt[1:]}` in its entry)")
    header = (SRC / "tools" / "ctl" / "astralctl.h").read_text()
    statuses = re.findall(r"ASTRALCTL_\w+ = (\d+)", header)
    assert statuses, "no exit codes found in tools/ctl/astralctl.h"
    exit_items = entries(page, "EXIT STATUS")
    for status in statuses:
        if status not in exit_items:
            problems.append(f"exit status {status} (tools/ctl/astralctl.h) is not in EXIT STATUS")
    for flag in ("Fl c", "Fl -config", "Fl h", "Fl -help", "Fl V", "Fl -version"):
        if flag not in unescape((MAN / page).read_text()):
            problems.append(f"global option `{flag}` is not described")
    assert not problems, "astralctl(8) and tools/ctl disagree:\n" + "\n".join(problems)


def test_astral_fcgi_page_has_every_program_and_option():
    page = "astral-fcgi.8"
    text = unescape((MAN / page).read_text())
    name_section = section_text(page, "NAME")
    problems = []
    for p in stack_programs():
        if f".Nm astral-{p}" not in name_section:
            problems.append(f"astral-{p} (tools/dev/stack PROGRAMS) is not named in NAME")
        if f"/run/astral/{p}.sock" not in text:
            problems.append(f"astral-{p}: its socket /run/astral/{p}.sock is not in the page")
    usage = re.search(r"usage: astral-%s(.*?)\", name", (SRC / "lib" / "program.c").read_text(), re.S)
    assert usage, "lib/program.c has no usage message"
    for opt in sorted(set(re.findall(r"(?<![\w-])-(-?[a-z]+)", usage.group(1)))):
        if f"Fl {opt}" not in text:
            problems.append(f"option -{opt} of lib/program.c's usage is not described")
    assert not problems, "astral-fcgi(8) disagrees with the code:\n" + "\n".join(problems)
