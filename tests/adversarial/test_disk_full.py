"""A full disk: every command ends with one sentence (never a traceback, never "the password
is wrong"), nothing half-written appears, and the database opens again once space is free
(issue 16, items 11 and 18).

``test_commands_on_a_full_small_filesystem`` mounts a small tmpfs in a private mount
namespace (``unshare``); where that is not permitted it is skipped with the reason. The
simulated test always runs: a file-size limit (RLIMIT_FSIZE) makes every write beyond it
fail, as a full disk does.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.store import db as dbmod
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, HAMROH_INSECURE_TEST_KDF="1", HAMROH_PASSWORD=TEST_PASSWORD,
           HAMROH_LANG="en")
DISK_FULL = "Error: " + dbmod.disk_full_message()
ONE_SENTENCE = {DISK_FULL, "Error: " + dbmod.disk_io_message()}


def _limited(size: int):
    def limit():
        import resource
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def _hamroh(*args, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, preexec_fn=preexec, timeout=300)


def test_commands_under_a_file_size_limit_say_so_in_one_sentence(db_path, tmp_path):
    limit = _limited(db_path.stat().st_size // 2)
    target = tmp_path / "copy" / "copy.db"
    target.parent.mkdir()
    for args in (["db", "backup", "--db", str(db_path), "--user", "admin"],
                 ["db", "backup", "--db", str(db_path), "--user", "admin", "--to", str(target)]):
        run = _hamroh(*args, preexec=limit)
        assert "Traceback" not in run.stderr, run.stderr
        assert run.returncode == 2 and run.stderr.strip() in ONE_SENTENCE, (args, run.stderr)
    # nothing half-written under a final name, and the database is as it was
    folder = db_path.parent / "backups"
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == [] \
        if folder.exists() else True
    assert list(target.parent.iterdir()) == []
    keys.forget_all_keys()
    session = security.login(db_path, "admin", TEST_PASSWORD)
    assert dbmod.integrity_problems(session.conn) == []
    session.conn.close()


def test_an_os_level_disk_full_is_one_sentence(db_path, monkeypatch, capsys):
    """ENOSPC from Python's own writes (the key file, a backup copy) is the same sentence."""
    import errno

    from desktop_app.cli import main as hamroh
    from desktop_app.store import files

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(files.shutil, "copyfile", full)
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)
    assert hamroh(["db", "backup", "--db", str(db_path)]) == 2
    assert capsys.readouterr().err.strip() == DISK_FULL


# ---- a real small filesystem ------------------------------------------------------------------
DRIVER = r"""
import json, os, shutil, subprocess, sys
stick, source, out = sys.argv[1], sys.argv[2], sys.argv[3]
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", stick],
                         capture_output=True, text=True)
if mounted.returncode:
    print(json.dumps({"skip": mounted.stderr.strip() or "mount failed"}), file=open(out, "w"))
    sys.exit(0)
db = os.path.join(stick, "hamroh.db")
shutil.copyfile(source, db)
shutil.copyfile(source + ".keys", db + ".keys")
env = dict(os.environ)
def hamroh(*args, **extra):
    run = subprocess.run([sys.executable, "-m", "desktop_app.cli", *args],
                         env=dict(env, **extra), capture_output=True, text=True)
    return {"args": list(args), "rc": run.returncode, "out": run.stdout, "err": run.stderr}
results = []
# fill the disk to the last byte
filler = os.open(os.path.join(stick, "filler"), os.O_WRONLY | os.O_CREAT)
for size in (65536, 1):
    try:
        while True:
            os.write(filler, b"\0" * size)
    except OSError:
        pass
os.close(filler)
free = shutil.disk_usage(stick).free
results.append(hamroh("db", "repair-search", "--db", db, "--user", "admin"))
results.append(hamroh("db", "backup", "--db", db, "--user", "admin"))
results.append(hamroh("user", "passwd", "--db", db, "--user", "admin",
                      NEW_PASSWORD="brand-new-pass-2"))
results.append(hamroh("db", "check", "--db", db, "--user", "admin"))
backups = sorted(os.listdir(os.path.join(stick, "backups"))) \
    if os.path.isdir(os.path.join(stick, "backups")) else []
os.unlink(os.path.join(stick, "filler"))
after = hamroh("db", "check", "--db", db, "--user", "admin")
print(json.dumps({"free": free, "results": results, "backups": backups, "after": after}),
      file=open(out, "w"))
subprocess.run(["umount", stick])
"""


def test_commands_on_a_full_small_filesystem(db_path, tmp_path):
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare command: a small filesystem cannot be mounted here")
    probe = subprocess.run([unshare, "-rm", "true"], capture_output=True, text=True)
    if probe.returncode:
        pytest.skip(f"no private mount namespace here ({probe.stderr.strip()}): "
                    "a small filesystem cannot be mounted")
    stick = tmp_path / "stick"
    stick.mkdir()
    out = tmp_path / "result.json"
    run = subprocess.run([unshare, "-rm", sys.executable, "-c", DRIVER, str(stick),
                          str(db_path), str(out)], cwd=ROOT, env=ENV, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    if "skip" in result:
        pytest.skip(f"a tmpfs cannot be mounted here: {result['skip']}")
    assert result["free"] == 0
    for done in result["results"]:
        assert "Traceback" not in done["err"], done
        assert "password is wrong" not in done["err"], done
        assert done["rc"] == 0 or done["err"].strip() == DISK_FULL, done
    # the write commands could not write: they said so
    assert [d["rc"] for d in result["results"][:3]] == [2, 2, 2]
    assert [b for b in result["backups"] if b.endswith(".db")] == []
    # with space again the database is whole and the old password still works
    assert result["after"]["rc"] == 0, result["after"]
    assert "No problems found" in result["after"]["out"]
