"""LDAP directories (AD / Samba AD, OpenLDAP ppolicy, FreeIPA) with ldap3, read-only.

One simple bind over LDAPS (Samba refuses simple binds on plain LDAP; so should any directory
that receives a password), then a paged subtree search that names every attribute it needs:
operational and constructed attributes are not returned otherwise. The connection is opened
with `read_only=True`, so ldap3 refuses any write operation before it reaches the wire.
ldap3's own logging stays off; errors are reported by class and result code, never with the
bind secret.
"""

import contextlib
import gc
import ssl
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import ldap3
from ldap3.core import exceptions as ldap_errors

from hygiene.settings import SourceConfig
from hygiene.sources.base import (
    Closing,
    Observation,
    SourceError,
    SourceRefused,
    SourceUnavailable,
)
from hygiene.sources.ldap_kinds import DIALECTS

_DOWN = (
    ldap_errors.LDAPSocketOpenError,
    ldap_errors.LDAPSocketReceiveError,
    ldap_errors.LDAPSocketSendError,
    ldap_errors.LDAPSessionTerminatedByServerError,
    ldap_errors.LDAPResponseTimeoutError,
    ldap_errors.LDAPCommunicationError,
    ldap_errors.LDAPBusyResult,
    ldap_errors.LDAPUnavailableResult,
    ldap_errors.LDAPServerPoolExhaustedError,
)


class LdapSource(Closing):
    def __init__(self, name: str, config: SourceConfig) -> None:
        self.name = name
        self.config = config
        self.dialect = DIALECTS[config.kind]
        self._connection: ldap3.Connection | None = None

    def _server(self) -> ldap3.Server:
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED if self.config.verify_tls else ssl.CERT_NONE,
            ca_certs_file=str(self.config.ca_file) if self.config.ca_file else None,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
        use_ssl = self.config.url.lower().startswith("ldaps://")
        return ldap3.Server(
            self.config.url,
            use_ssl=use_ssl,
            tls=tls,
            get_info=ldap3.NONE,
            connect_timeout=self.config.timeout,
        )

    def connect(self) -> ldap3.Connection:
        if self._connection is not None:
            return self._connection
        connection = ldap3.Connection(
            self._server(),
            user=self.config.bind or None,
            password=self.config.secret() or None,
            read_only=True,
            raise_exceptions=True,
            receive_timeout=int(self.config.timeout),
            auto_referrals=False,
        )
        self._connection = connection
        try:
            connection.bind()
        except ldap_errors.LDAPException as exc:
            self.close()
            _collect_dropped_sockets()
            raise _classified(self.name, exc) from None
        return connection

    def observe(self) -> Iterator[Observation]:
        connection = self.connect()
        try:
            for item in connection.extend.standard.paged_search(
                search_base=self.config.base,
                search_filter=self.dialect.filter,
                search_scope=ldap3.SUBTREE,
                attributes=list(self.dialect.attributes),
                paged_size=self.config.page_size,
                generator=True,
            ):
                if item.get("type") != "searchResEntry":
                    continue
                found = self.dialect.parse(_values(item))
                if found is not None:
                    yield replace(found, dn=item.get("dn") or None)
        except ldap_errors.LDAPException as exc:
            raise _classified(self.name, exc) from None

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(ldap_errors.LDAPException):  # already gone
            connection.unbind()
        # A failed connect can leave ldap3's socket open: close it ourselves.
        sock = getattr(connection, "socket", None)
        if sock is not None:
            sock.close()


def _values(item: dict[str, Any]) -> dict[str, list[Any]]:
    """Attribute values as strings (get_info=NONE: ldap3 knows no schema and parses nothing)."""
    raw = item.get("raw_attributes") or {}
    return {
        name: [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in values]
        for name, values in raw.items()
    }


def _classified(name: str, exc: ldap_errors.LDAPException) -> SourceError:
    """Down (retry later) or refused (an admin must act: credentials, rights, base, or a
    certificate that does not verify, which ldap3 reports as a socket error)."""
    reason = _reason(exc)
    if isinstance(exc, _DOWN) and "CERTIFICATE" not in reason.upper():
        return SourceUnavailable(source=name, reason=reason)
    return SourceRefused(source=name, reason=reason)


def _collect_dropped_sockets() -> None:
    """ldap3 drops the socket of a failed TLS handshake without closing it: collect it now,
    quietly, instead of a ResourceWarning at some later, unrelated moment."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _reason(exc: Exception) -> str:
    """The server's result description, or the socket error: ldap3 puts no password in either
    (the bind request is never part of an exception's text)."""
    description = getattr(exc, "description", None)
    message = getattr(exc, "message", None) or ""
    if description:
        return f"{description}: {message}"[:300] if message else str(description)[:300]
    return f"{type(exc).__name__}: {exc}"[:300]
