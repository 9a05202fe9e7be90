"""Real directory servers for the tests, in a temp dir, on loopback, stopped afterwards.

    tls(dir)        a throw-away CA and a server certificate for 127.0.0.1
    SambaDC         `samba-tool domain provision` (interfaces = lo, LDAP service only), users,
                    password changes, fine-grained policies; LDAPS on 127.0.0.1:636 (Samba has
                    no port setting for LDAP)
    Slapd           slapd with the ppolicy overlay and MIT Kerberos' LDAP schema (krb5-kdc-ldap),
                    on random ports

Nothing here reads or writes the system's /etc/samba or slapd configuration. Each server runs in
its own process group, ended by its group id.
"""

import datetime
import gzip
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
KERBEROS_SCHEMA = Path("/usr/share/doc/krb5-kdc-ldap/kerberos.schema.gz")
DATA = Path(__file__).with_name("data")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def tls(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, cert.pem, key.pem) for 127.0.0.1, valid a month."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hygiene test CA")])
    span = {"not_valid_before": now - datetime.timedelta(days=1)}
    ca = (
        x509.CertificateBuilder(issuer_name=ca_name, subject_name=ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(span["not_valid_before"])
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
    cert = (
        x509.CertificateBuilder(issuer_name=ca_name)
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(span["not_valid_before"])
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    paths[2].chmod(0o600)
    return paths


def _wait(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        if port_open(port):
            return
        time.sleep(0.2)
    raise RuntimeError(
        f"server did not listen on {port}: {log.read_text(errors='replace')[-2000:]}"
    )


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class SambaDC:
    REALM, DOMAIN, BASE = "HYGIENE.TEST", "HYGIENE", "DC=hygiene,DC=test"
    ADMIN_PASSWORD = "Adm1n-Pass-0001"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.conf = folder / "etc" / "smb.conf"
        self.ca, self.cert, self.key = tls(folder / "tls")
        self.process: subprocess.Popen[bytes] | None = None

    def _options(self) -> list[str]:
        f = self.folder
        pairs = {
            "interfaces": "lo",
            "bind interfaces only": "yes",
            "server services": "ldap",
            "prefork children": "1",
            "tls enabled": "yes",
            "tls keyfile": str(self.key),
            "tls certfile": str(self.cert),
            "tls cafile": str(self.ca),
            "log file": str(f / "log.%m"),
            "pid directory": str(f / "run"),
            "ncalrpc dir": str(f / "run" / "ncalrpc"),
            "winbindd socket directory": str(f / "run" / "winbindd"),
            "ntp signd socket directory": str(f / "run" / "ntp"),
            "unix password sync": "no",
        }
        return [f"--option={key}={value}" for key, value in pairs.items()]

    def provision(self) -> None:
        (self.folder / "run").mkdir(parents=True, exist_ok=True)
        self.tool(
            "domain", "provision", f"--realm={self.REALM}", f"--domain={self.DOMAIN}",
            "--server-role=dc", "--dns-backend=NONE", f"--adminpass={self.ADMIN_PASSWORD}",
            f"--targetdir={self.folder}", "--host-name=dc1", *self._options(), conf=False,
        )  # fmt: skip
        # Tests change a password twice in a row and use short passwords.
        self.tool(
            "domain", "passwordsettings", "set", "--min-pwd-age=0", "--complexity=off",
            "--history-length=0", "--min-pwd-length=4",
        )  # fmt: skip

    def tool(self, *args: str, conf: bool = True) -> str:
        command = ["samba-tool", *args, *(["-s", str(self.conf)] if conf else [])]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"samba-tool {' '.join(args[:3])}: {done.stderr[-1500:]}")
        return done.stdout

    def start(self) -> None:
        log = self.folder / "samba.out"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["samba", "-s", str(self.conf), "-i"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait(636, self.process, log)

    def stop(self) -> None:
        _stop(self.process)

    def add_user(self, name: str, password: str, mail: str | None = None) -> None:
        extra = [f"--mail-address={mail}"] if mail else []
        self.tool("user", "create", name, password, *extra)

    def set_password(self, name: str, password: str) -> None:
        self.tool("user", "setpassword", name, f"--newpassword={password}")


class Slapd:
    BASE = "dc=hygiene,dc=test"
    ROOT = "cn=admin,dc=hygiene,dc=test"
    ROOT_PASSWORD = "slapd-root-0001"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca, self.cert, self.key = tls(folder / "tls")
        self.port, self.plain_port = free_port(), free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _schema(self) -> Path:
        target = self.folder / "kerberos.schema"
        with gzip.open(KERBEROS_SCHEMA, "rb") as packed:
            target.write_bytes(packed.read())
        return target

    def _conf(self) -> Path:
        f = self.folder
        (f / "db").mkdir(parents=True, exist_ok=True)
        schemas = [
            f"/etc/ldap/schema/{n}.schema" for n in ("core", "cosine", "inetorgperson", "nis")
        ]
        schemas += [str(self._schema()), str(DATA / "freeipa-test.schema")]
        lines = [*(f"include {s}" for s in schemas)]
        lines += [
            "modulepath /usr/lib/ldap", "moduleload back_mdb", "moduleload ppolicy",
            f"pidfile {f / 'slapd.pid'}", f"argsfile {f / 'slapd.args'}",
            f"TLSCACertificateFile {self.ca}", f"TLSCertificateFile {self.cert}",
            f"TLSCertificateKeyFile {self.key}",
            "database mdb", f'suffix "{self.BASE}"', f'rootdn "{self.ROOT}"',
            f"rootpw {self.ROOT_PASSWORD}", f"directory {f / 'db'}", "maxsize 104857600",
            "overlay ppolicy", f'ppolicy_default "cn=default,ou=policies,{self.BASE}"',
            # The read-only account reads everything but passwords, and writes nothing.
            "access to attrs=userPassword by self write by anonymous auth by * none",
            "access to * by self read by users read by * none",
        ]  # fmt: skip
        conf = f / "slapd.conf"
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def start(self) -> None:
        conf, log = self._conf(), self.folder / "slapd.out"
        urls = f"ldaps://{HOST}:{self.port}/ ldap://{HOST}:{self.plain_port}/"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["slapd", "-f", str(conf), "-h", urls, "-d", "0"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait(self.port, self.process, log, seconds=30)

    def stop(self) -> None:
        _stop(self.process)


def missing(*programs: str) -> str | None:
    """Why the servers cannot run here, or None."""
    absent = [p for p in programs if shutil.which(p) is None]
    if absent:
        return f"not installed: {', '.join(absent)} (.ci/run installs them from Debian)"
    if os.geteuid() != 0:
        return "the servers need root (samba provisions and binds privileged ports)"
    return None
