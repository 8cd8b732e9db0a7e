-- The shared store of several hosts (docs/design.md §14). Applied by `broker migrate` (and on first
-- use) inside a transaction, under an advisory lock; the runner records it in broker.schema_migrations.

-- The rest of state.json besides the connections (version, and whatever later versions add at the
-- top level, such as agent keys), as one document; one row.
CREATE TABLE broker.state_document (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  home_id text NOT NULL CHECK (home_id ~ '^[a-f0-9]{16}$'),
  document jsonb NOT NULL
);

-- What proves the hosts' key is the store's key: a known text sealed with it, and the scrypt salt
-- a passphrase is stretched with. Never the key.
CREATE TABLE broker.store_key (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  kdf_salt bytea NOT NULL,
  key_check bytea NOT NULL
);

-- One row per connection: the connection's metadata (state.json's entry without name, generation
-- and acknowledgements) and its generation, which every refresh compares and sets.
CREATE TABLE broker.connections (
  name text PRIMARY KEY,
  generation integer NOT NULL DEFAULT 0 CHECK (generation >= 0),
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE broker.acknowledgements (
  conn text NOT NULL REFERENCES broker.connections (name) ON DELETE CASCADE,
  finding text NOT NULL,
  until timestamptz NOT NULL,
  by_operator text NOT NULL,
  PRIMARY KEY (conn, finding)
);

-- One sealed bundle per connection (AES-256-GCM: IV, tag, ciphertext; the connection's name is
-- authenticated with it, so a bundle moved to another row does not open). Kept apart from the
-- connection row: `connect` stores a bundle before the connection exists.
CREATE TABLE broker.token_bundles (
  conn text PRIMARY KEY,
  sealed bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The event log of every host. doc is the line exactly as the writer made it (json, not jsonb:
-- `broker log --match` searches the text, and the reader parses it as it parses a file's line).
CREATE TABLE broker.events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ts timestamptz NOT NULL,
  event text NOT NULL,
  conn text,
  host text,
  doc json NOT NULL
);
-- The doctor's window (--since) and `broker log --conn` read by these, never by a scan.
CREATE INDEX events_by_time ON broker.events (ts, id);
CREATE INDEX events_by_conn_time ON broker.events (conn, ts, id);

-- The database's own home id (§3: secrets are never shared between homes by accident), made once.
INSERT INTO broker.state_document (home_id, document) VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 16), '{"version": 1}');
