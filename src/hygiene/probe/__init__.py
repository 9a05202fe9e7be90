"""hygiene-probe: count the logins saved in this PC's browsers, never read them.

The district directive says "do not save passwords in browsers". This probe runs on an office PC
(plain Python 3.9+, standard library only, so it can be frozen into one .exe) and tells the
service how many logins each browser profile of the current user keeps, so the right official can
be reminded to remove them.

Privacy contract (every module of this package keeps it; the tests check it with canary values):

- **Counts only.** For a Chromium-family browser the probe copies ``Login Data`` to a private
  temporary directory, opens the copy read-only and runs nothing but ``SELECT COUNT(*) FROM
  logins`` (skipping "never save for this site" rows). A SQLite authorizer on the connection
  refuses to read any other column, so a programming mistake fails instead of leaking. The copy
  is deleted before the next profile is looked at. For Firefox it parses ``logins.json``, takes
  ``len(logins)`` and drops the parsed data at once.
- **Nothing from inside the files leaves the probe.** No URL, username, password (encrypted or
  not), form field name or file content is printed, kept, logged or sent. Error reasons are fixed
  texts written here, never an exception message (those can hold paths or bytes of the file).
- **No full paths.** A profile is named by its folder name only ("Default", "Profile 1",
  "abcd1234.default-release").
- **The report holds exactly:** schema version, probe version, hostname, OS, generated_at (UTC)
  and one entry per profile: browser id, profile folder name, saved_logins (int or null), error
  (null, "locked", "corrupt" or "unreadable"), a fixed short reason, and whether a managed browser
  policy disables the password manager (true, false, or null when unknown).
- It is sent only when asked (``--send URL --token TOKEN``), only to that URL, never following a
  redirect (a redirect would carry the token elsewhere).
"""

PROBE_VERSION = "0.1.0"
SCHEMA_VERSION = 1
