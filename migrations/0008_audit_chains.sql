-- Sixteen audit chains instead of one.
--
-- With one chain, every transaction that wrote an audit row held the chain head's row lock from
-- its audit row to the end of its COMMIT, WAL flush included, so all audited writes of the whole
-- product committed one at a time: sending a message reached 1,300 requests/s with its audit
-- row and 1,900 without (bench/run, 2 cores). Each connection now appends to chain
-- `pg_backend_pid() % 16`: rows of one chain are still strictly ordered and linked, and writers on
-- different chains no longer wait for each other's commits.
--
-- A row's hash is unchanged (SHA-256 of the previous hash in its chain and the canonical row, as
-- in 0004_audit_log.sql); ids now come from a sequence, increase in each chain, and may have gaps
-- (a rolled-back insert), so a deleted row shows as a broken link or a short chain, never as a gap.
-- `astralctl audit verify` (lib/audit.c) walks every chain and compares each with its head.

CREATE TABLE audit_chains (
	chain     smallint PRIMARY KEY CHECK (chain BETWEEN 0 AND 15),
	last_id   bigint NOT NULL,   -- the id of the chain's last row (0: none yet)
	last_hash bytea NOT NULL     -- its hash (32 zero bytes: none yet)
);
-- The existing rows are chain 0.
INSERT INTO audit_chains SELECT 0, last_id, last_hash FROM audit_chain_head;
INSERT INTO audit_chains SELECT c, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'
	FROM generate_series(1, 15) AS c;
ALTER TABLE audit_log ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain BETWEEN 0 AND 15);
CREATE SEQUENCE audit_log_id_seq AS bigint OWNED BY audit_log.id;
SELECT setval('audit_log_id_seq', greatest(last_id, 1), last_id > 0) FROM audit_chain_head;

CREATE OR REPLACE FUNCTION astral_audit_chain() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	DECLARE
		head audit_chains%ROWTYPE;
	BEGIN
		SELECT * INTO head FROM audit_chains WHERE chain = pg_backend_pid() % 16 FOR UPDATE;
		NEW.chain := head.chain;
		NEW.id := nextval('audit_log_id_seq');   -- under the chain's lock: ids follow chain order
		NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
		NEW.prev_hash := head.last_hash;
		NEW.hash := sha256(head.last_hash || convert_to(astral_audit_canonical(NEW), 'UTF8'));
		UPDATE audit_chains SET last_id = NEW.id, last_hash = NEW.hash WHERE chain = head.chain;
		RETURN NEW;
	END
	$$;

DROP TABLE audit_chain_head;
