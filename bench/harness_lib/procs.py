"""Starting servers pinned to a CPU, unprivileged, and stopping every one of them."""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

SERVER_CPU = "1"
LOAD_CPU = "0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline_s=20.0, proc=None):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} never opened")


def unprivileged_prefix():
    """Root runs the servers as `nobody`; anyone else runs them as themselves."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def give_to_server_user(path):
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                os.chown(os.path.join(root, name), nobody.pw_uid, nobody.pw_gid)
        os.chown(path, nobody.pw_uid, nobody.pw_gid)


class Procs:
    """Each process runs in its own session (process group) so stopping it stops its children
    too (Varnish's manager and child). Stopped on exit, on failure and on Ctrl-C/SIGTERM."""

    def __init__(self, log_dir):
        self.procs = []
        self.log_dir = log_dir

    def start(self, name, argv, cpu=SERVER_CPU, env=None, cwd=None):
        log = open(os.path.join(self.log_dir, f"{name}.log"), "ab")
        full = ["taskset", "-c", cpu] + unprivileged_prefix() + argv
        p = subprocess.Popen(full, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                             env=env, cwd=cwd)
        log.close()
        p.name = name
        self.procs.append(p)
        return p

    def pids(self, proc):
        """The process and its descendants (same session), for RSS sums."""
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == proc.pid:  # field 6 (session id) after the comm
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
        return out

    def rss_bytes(self, proc):
        total = 0
        for pid in self.pids(proc):
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total

    def cpu_seconds(self, proc):
        """User + system CPU time of the process and its descendants so far."""
        ticks = 0
        for pid in self.pids(proc):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
            except (OSError, IndexError, ValueError):
                pass
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self, proc):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)
        # Children left in the group (Varnish's child) go too.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for p in list(self.procs):
            self.stop(p)


def have(binary):
    return shutil.which(binary) is not None
