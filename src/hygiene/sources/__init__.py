"""Directory sources: evidence read from the directories and mail systems officials sign in to.

    base.py       Observation, the Source protocol, the error tree (SourceError …)
    fake.py       FakeSource, a list of observations (tests, benchmarks)
    config.py     the `[sources]` section: grace days and one `[sources.NAME]` per directory
    ldap.py       Active Directory / Samba AD, OpenLDAP ppolicy, FreeIPA (ldap3, paged search)
    zimbra.py     Zimbra admin SOAP (JSON)          graph.py   Microsoft Graph
    google.py     Google Workspace Directory and Reports APIs
    registry.py   build(name, config) -> Source: the only place adapters are chosen
    models.py     source_entry (the last observation per identity) and source_run (each sync)
    sync.py       one sync: stage the observations, then set-based updates of the inventory
    findings.py   "declared but not seen"          evidence.py  verified/declared per unit

Every adapter binds read-only and never logs its secret.
"""
