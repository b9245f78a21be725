"""Run the shell blocks of README.md and docs/*.md against a fresh demo server, as a newcomer would.

    .venv/bin/python -m tests.docs.run                      # every document
    .venv/bin/python -m tests.docs.run docs/events-api.md   # one (or a few)
    .venv/bin/python -m tests.docs.run --serve /tmp/docs-srv &              # keep a server for a while,
    .venv/bin/python -m tests.docs.run --attach /tmp/docs-srv docs/x.md     # and run documents on it

The server is set up exactly like ``make run`` (migrate, ``coursegate demo``, ``coursegate serve``)
in a throw-away var directory, on a free port. Each document runs in ONE bash process (``set -eu``)
whose working directory looks like a clone after ``make run``: the repository's files, with
``var/`` being the server's var directory (``var/demo-credentials.json``) and ``COURSEGATE_VAR_DIR``
pointing there, so ``.venv/bin/coursegate`` works on the server's database. The documents write
``http://127.0.0.1:8000`` (the port of ``make run``); the runner rewrites ``127.0.0.1:8000`` and
``localhost:8000`` to the server's port in the commands, and back in their output. The notation of
the output blocks is in compare.py and docs/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.docs.blocks import ShellBlock, documents, shell_blocks
from tests.docs.compare import Mismatch, compare

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
DOC_PORT = "8000"  # make run's port, written in the documents
SECOND_DOC_PORT = "8001"  # a document's own second server (another setting), stopped by it
DATABASE = "coursegate.sqlite3"  # make run's database, in the var directory
CREDENTIALS = "demo-credentials.json"
DOC_TIMEOUT = 120  # seconds for one document's bash process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newcomer_env(var_dir: Path, home: Path) -> dict[str, str]:
    """A shell after ``make run``: no venv on PATH, no deployment settings, only the var directory."""
    venv = str(BIN)
    path = ":".join(p for p in os.environ.get("PATH", "/usr/bin:/bin").split(":") if p and p != venv)
    return {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "COURSEGATE_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class DemoServer:
    port: int
    workdir: Path  # a clone-like directory: the cwd of every document
    var_dir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    second_port: int = field(default_factory=free_port)
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.workdir.parent / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def coursegate(self, *args: str, **extra_env: str) -> None:
        done = subprocess.run(
            [str(BIN / "coursegate"), *args],
            cwd=self.workdir,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode:
            raise RuntimeError(f"coursegate {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    @property
    def snapshot_dir(self) -> Path:
        return self.workdir.parent / "demo-snapshot"

    @staticmethod
    def _copy(source: Path, target: Path) -> None:
        """The database (with SQLite's backup API: safe while the server has it open) and the
        demo credentials that go with its client secrets."""
        target.mkdir(exist_ok=True)
        with sqlite3.connect(source / DATABASE) as src, sqlite3.connect(target / DATABASE, timeout=30) as dst:
            src.backup(dst)
        dst.close()
        src.close()
        shutil.copy2(source / CREDENTIALS, target / CREDENTIALS)

    def restore_demo_data(self) -> None:
        """Every document starts from the demo data of `make run`, whatever the one before did."""
        if (self.snapshot_dir / DATABASE).exists():
            self._copy(self.snapshot_dir, self.var_dir)

    def start(self) -> None:
        """``make run``: migrate, load the demo data, serve (2 workers), wait for /health."""
        self.coursegate("migrate", "--no-input", "-v", "0")
        self.coursegate("demo", COURSEGATE_HOST="127.0.0.1", COURSEGATE_PORT=DOC_PORT)
        self._copy(self.var_dir, self.snapshot_dir)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [str(BIN / "coursegate"), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the demo server exited:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the demo server did not answer /health in 60 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def clone_like(base: Path, var_dir: Path) -> Path:
    """A directory holding the repository's top-level entries (symlinks) and ``var`` = the server's."""
    workdir = base / "coursegate"
    workdir.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {"var", ".git", "docs"}:
            (workdir / entry.name).symlink_to(entry)
    (workdir / "var").symlink_to(var_dir)
    (workdir / "docs").mkdir()
    return workdir


def _sync_docs(server: DemoServer) -> None:
    """The clone's docs/: links to the repository's files, but docs/*.sh (sourced by the
    documents) copied with the server's port, like the blocks themselves."""
    docs = server.workdir / "docs"
    if docs.is_symlink():  # never write through to the repository
        docs.unlink()
    docs.mkdir(exist_ok=True)
    for entry in (ROOT / "docs").iterdir():
        copy = server.workdir / "docs" / entry.name
        if copy.is_symlink() or copy.exists():
            copy.unlink()
        if entry.suffix == ".sh":
            copy.write_text(to_server(entry.read_text(), server))
        else:
            copy.symlink_to(entry)


def demo_server(base: Path) -> DemoServer:
    var_dir = base / "var"
    var_dir.mkdir()
    home = base / "home"
    home.mkdir()
    workdir = clone_like(base, var_dir)
    return DemoServer(port=free_port(), workdir=workdir, var_dir=var_dir, env=newcomer_env(var_dir, home))


# One document --------------------------------------------------------------------------------------


@dataclass
class BlockResult:
    block: ShellBlock
    status: str  # passed, failed, skipped (norun), not reached
    detail: str = ""


@dataclass
class DocumentResult:
    document: str
    blocks: list[BlockResult]
    seconds: float

    def count(self, status: str) -> int:
        return sum(result.status == status for result in self.blocks)

    @property
    def ok(self) -> bool:
        return all(result.status in {"passed", "skipped"} for result in self.blocks)

    def summary(self) -> str:
        run = self.count("passed") + self.count("failed")
        return (
            f"{self.document}: {run} block(s) run, {self.count('passed')} passed, {self.count('failed')} failed, "
            f"{self.count('skipped')} norun, {self.count('not reached')} not reached ({self.seconds:.1f} s)"
        )

    def report(self) -> str:
        parts = [self.summary()]
        parts += [result.detail for result in self.blocks if result.status == "failed"]
        return "\n".join(parts)


def _ports(server: DemoServer) -> dict[str, str]:
    return {DOC_PORT: str(server.port), SECOND_DOC_PORT: str(server.second_port)}


def to_server(text: str, server: DemoServer) -> str:
    for written, real in _ports(server).items():
        for host in ("127.0.0.1", "localhost"):
            text = text.replace(f"{host}:{written}", f"{host}:{real}")
        text = text.replace(f"--port {written}", f"--port {real}")
    return text


def from_server(text: str, server: DemoServer) -> str:
    for written, real in _ports(server).items():
        for host in ("127.0.0.1", "localhost"):
            text = text.replace(f"{host}:{real}", f"{host}:{written}")
    return text


def _script(blocks: list[ShellBlock], server: DemoServer, outdir: Path) -> str:
    lines = ["set -eu"]
    for index, block in enumerate(blocks):
        if block.norun is not None:
            continue
        lines += [
            f": > '{outdir}/{index}.started'",
            "{",
            to_server(block.script, server),
            f"}} > '{outdir}/{index}.out' 2> '{outdir}/{index}.err' < /dev/null",
            f": > '{outdir}/{index}.done'",
        ]
    return "\n".join(lines) + "\n"


def _failure(document: str, block: ShellBlock, problem: str, stdout: str, stderr: str) -> str:
    expected = (
        f"--- expected (```{block.output_language} at line {block.output_line}):\n{block.output}"
        if block.output is not None
        else "--- expected: exit status 0 (no output block)"
    )
    return "\n".join(
        [
            f"\n=== {document}, ```sh block at line {block.line}: {problem}",
            f"--- command:\n{block.script}",
            expected,
            f"--- actual stdout:\n{stdout.rstrip()}",
            f"--- stderr:\n{stderr.rstrip()}" if stderr.strip() else "--- stderr: (empty)",
        ]
    )


def run_document(path: Path, server: DemoServer) -> DocumentResult:
    document = str(path.relative_to(ROOT))
    blocks = shell_blocks(path.read_text())
    _sync_docs(server)
    started = time.monotonic()
    server.restore_demo_data()
    outdir = Path(tempfile.mkdtemp(prefix="doc-", dir=server.workdir.parent))
    script = outdir / "document.sh"
    script.write_text(_script(blocks, server, outdir))
    shell_log = outdir / "bash.err"
    with open(shell_log, "w") as err:
        process = subprocess.Popen(
            ["bash", str(script)],
            cwd=server.workdir,
            env=server.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
        try:
            process.wait(timeout=DOC_TIMEOUT)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(process)  # whatever the document left running (a server, a worker)
    shell_error = shell_log.read_text(errors="replace")
    results = []
    for index, block in enumerate(blocks):
        results.append(_block_result(document, index, block, outdir, server, shell_error, timed_out))
    return DocumentResult(document, results, time.monotonic() - started)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def _read(path: Path) -> str:
    """A block's output file; missing when bash could not even parse the block."""
    return path.read_text(errors="replace") if path.exists() else ""


def _block_result(
    document: str, index: int, block: ShellBlock, outdir: Path, server: DemoServer, shell_error: str, timed_out: bool
) -> BlockResult:
    if block.norun is not None:
        if not block.norun:
            return BlockResult(block, "failed", _failure(document, block, "norun without a reason", "", ""))
        return BlockResult(block, "skipped")
    if not (outdir / f"{index}.started").exists():
        return BlockResult(block, "not reached")
    stdout = from_server(_read(outdir / f"{index}.out"), server)
    stderr = from_server(_read(outdir / f"{index}.err"), server)
    if not (outdir / f"{index}.done").exists():
        why = f"timed out after {DOC_TIMEOUT} s" if timed_out else "a command failed (set -e), or bash stopped"
        return BlockResult(block, "failed", _failure(document, block, why, stdout, stderr + shell_error))
    if block.output is not None:
        try:
            compare(block.output_language or "text", block.output, stdout)
        except Mismatch as exc:
            return BlockResult(block, "failed", _failure(document, block, str(exc), stdout, stderr))
    return BlockResult(block, "passed")


def attached_server(base: Path) -> DemoServer:
    """The server that ``--serve DIR`` keeps running in DIR (its port in DIR/port)."""
    return DemoServer(
        port=int((base / "port").read_text()),
        workdir=base / "coursegate",
        var_dir=base / "var",
        env=newcomer_env(base / "var", base / "home"),
    )


def serve_forever(base: Path) -> None:
    base.mkdir(parents=True)
    server = demo_server(base)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.start()
        (base / "port").write_text(str(server.port))
        print(f"serving {server.url} from {base}; run documents with --attach {base}", flush=True)
        while True:
            signal.pause()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("documents", nargs="*", help="README.md or docs/<name>.md (default: all)")
    parser.add_argument("--serve", type=Path, metavar="DIR", help="start a demo server in the new DIR and keep it")
    parser.add_argument("--attach", type=Path, metavar="DIR", help="run against the server of --serve DIR")
    args = parser.parse_args(argv)
    if args.serve:
        serve_forever(args.serve.resolve())
        return 0
    paths = [(ROOT / name).resolve() for name in args.documents] or documents(ROOT)
    base = Path(tempfile.mkdtemp(prefix="coursegate-docs-"))
    server = attached_server(args.attach.resolve()) if args.attach else demo_server(base)
    results = []
    try:
        if not args.attach:
            server.start()
        for path in paths:
            result = run_document(path, server)
            print(result.report(), flush=True)
            results.append(result)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    print("\n" + "\n".join(result.summary() for result in results))
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
