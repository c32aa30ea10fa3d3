-- The audit trigger appends to a chain nobody else holds, instead of waiting for its own.
--
-- With the chain picked as pg_backend_pid() % 16 (0008_audit_chains.sql), two connections whose
-- process ids fall on the same chain committed one after the other, WAL flush included, however
-- idle the other fifteen chains were: with four workers a program had a one-in-three chance of
-- such a pair, and which one it got changed with every restart (an alerts queue benchmark swung
-- between runs by a fifth). Now a transaction's first audit row takes the connection's home chain
-- when it is free and otherwise the next free one (FOR UPDATE SKIP LOCKED); only when all sixteen
-- are held does it wait, for its home chain. Its later rows use the chain it already holds
-- (remembered for the transaction in astral.audit_chain), so a transaction holds one chain lock
-- at most and waits only while it holds none: no deadlock between appenders.
--
-- Nothing else changes: a chain's rows are still appended one at a time under its row lock, ids
-- come from the sequence under that lock, and `astralctl audit verify` walks each chain as before.

CREATE OR REPLACE FUNCTION astral_audit_chain() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	DECLARE
		head audit_chains%ROWTYPE;
		held smallint := nullif(current_setting('astral.audit_chain', true), '')::smallint;
		home smallint := pg_backend_pid() % 16;
	BEGIN
		IF held IS NOT NULL THEN
			SELECT * INTO head FROM audit_chains WHERE chain = held FOR UPDATE;
		ELSE
			SELECT * INTO head FROM audit_chains ORDER BY (chain - home + 16) % 16 LIMIT 1
				FOR UPDATE SKIP LOCKED;
			IF NOT FOUND THEN
				SELECT * INTO head FROM audit_chains WHERE chain = home FOR UPDATE;
			END IF;
			PERFORM set_config('astral.audit_chain', head.chain::text, true);
		END IF;
		NEW.chain := head.chain;
		NEW.id := nextval('audit_log_id_seq');   -- under the chain's lock: ids follow chain order
		NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
		NEW.prev_hash := head.last_hash;
		NEW.hash := sha256(head.last_hash || convert_to(astral_audit_canonical(NEW), 'UTF8'));
		UPDATE audit_chains SET last_id = NEW.id, last_hash = NEW.hash WHERE chain = head.chain;
		RETURN NEW;
	END
	$$;
