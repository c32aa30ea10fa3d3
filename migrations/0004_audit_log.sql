-- Append-only, hash-chained audit log.
--
-- hash = SHA-256(prev_hash || canonical row), prev_hash of the first row = 32 zero bytes.
-- The canonical row is every field below, in this order, each written as
-- "<length in characters>:<text>;" (NULL is written as "-;"):
--   id, occurred_at (microseconds since the Unix epoch), actor_id, actor_role, action,
--   object_type, object_id, subject_id, outcome, request_id, detail.
-- `astralctl audit verify` recomputes it in C (lib/audit.c) and names the first row that differs.

CREATE TABLE audit_log (
	id          bigint PRIMARY KEY,
	occurred_at timestamptz NOT NULL,
	actor_id    uuid,                 -- who acted (NULL: the system or an unauthenticated caller)
	actor_role  text NOT NULL,
	action      text NOT NULL CHECK (action ~ '^[a-z_]{1,64}$'),
	object_type text NOT NULL CHECK (object_type ~ '^[a-z_]{1,64}$'),
	object_id   text,
	subject_id  uuid,                 -- whose data this was (feeds "who accessed my data")
	outcome     text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
	request_id  text,
	detail      text CHECK (char_length(detail) <= 200), -- a reason code, never content
	prev_hash   bytea NOT NULL,
	hash        bytea NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);

-- The head of the chain; its row lock serialises appends so ids follow chain order.
CREATE TABLE audit_chain_head (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	last_id   bigint NOT NULL,
	last_hash bytea NOT NULL
);
INSERT INTO audit_chain_head VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION astral_audit_field(v text) RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT CASE WHEN v IS NULL THEN '-;' ELSE char_length(v)::text || ':' || v || ';' END $$;

CREATE FUNCTION astral_audit_canonical(r audit_log) RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$
	SELECT astral_audit_field(r.id::text)
	    || astral_audit_field(((extract(epoch FROM r.occurred_at) * 1000000)::bigint)::text)
	    || astral_audit_field(r.actor_id::text)
	    || astral_audit_field(r.actor_role)
	    || astral_audit_field(r.action)
	    || astral_audit_field(r.object_type)
	    || astral_audit_field(r.object_id)
	    || astral_audit_field(r.subject_id::text)
	    || astral_audit_field(r.outcome)
	    || astral_audit_field(r.request_id)
	    || astral_audit_field(r.detail)
	$$;

CREATE FUNCTION astral_audit_chain() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	DECLARE
		head audit_chain_head%ROWTYPE;
	BEGIN
		SELECT * INTO head FROM audit_chain_head WHERE singleton FOR UPDATE;
		NEW.id := head.last_id + 1;
		NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
		NEW.prev_hash := head.last_hash;
		NEW.hash := sha256(head.last_hash || convert_to(astral_audit_canonical(NEW), 'UTF8'));
		UPDATE audit_chain_head SET last_id = NEW.id, last_hash = NEW.hash WHERE singleton;
		RETURN NEW;
	END
	$$;

CREATE FUNCTION astral_audit_refuse_change() RETURNS trigger
	LANGUAGE plpgsql
	AS $$
	BEGIN
		RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
	END
	$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION astral_audit_chain();
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION astral_audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION astral_audit_refuse_change();
