-- 002_login_failures: failed sign-ins per login, shared by every process
-- (throttling must hold when several processes serve behind nginx).
CREATE TABLE login_failures (
  login TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_at INTEGER NOT NULL
) STRICT;
