-- A budget of sign-in requests per client address, for a web server with no per-address limit of
-- its own (Apache has nothing like nginx's limit_req): `[auth] address_rate` requests a second, up
-- to `address_burst` at once (a token bucket). The programs take from it on every /api/auth/
-- request when address_rate is not 0 (lib/address_budget.c); behind nginx it stays 0 and this
-- table stays empty. The address is kept only as an HMAC under the server key, so the table
-- holds no address in clear, and a row untouched for a day is removed by later takes.
CREATE TABLE auth_address_budget (
	address_key bytea PRIMARY KEY CHECK (octet_length(address_key) = 32),
	tokens double precision NOT NULL,
	at timestamptz NOT NULL
);
CREATE INDEX auth_address_budget_at ON auth_address_budget (at);
ALTER TABLE auth_address_budget ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_address_budget FORCE ROW LEVEL SECURITY;
CREATE POLICY auth_address_budget_owner ON auth_address_budget TO astral_owner USING (true);
-- The application role reaches the table only through the function below.

-- Take one request from the address's budget at p_now: 0 when it may go on, else the seconds
-- until it could (nothing is taken then). A budget starts full (p_burst) and refills at p_rate a
-- second up to p_burst. Every call moves the budget's time to p_now, so a clock set back refills
-- nothing for the step and then goes on as usual (it never freezes the budget until the clock
-- catches up). The commit need not wait for the disk: losing the last takes in a crash only gives
-- those addresses a little more room.
CREATE FUNCTION astral_auth_address_take(p_key bytea, p_now timestamptz, p_rate double precision, p_burst integer)
	RETURNS double precision
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	had double precision;
	since timestamptz;
	have double precision;
BEGIN
	IF p_key IS NULL OR octet_length(p_key) <> 32 OR p_now IS NULL OR p_rate IS NULL OR p_rate <= 0
	   OR p_burst IS NULL OR p_burst < 1 THEN
		RAISE EXCEPTION 'astral_auth_address_take: bad arguments' USING ERRCODE = '22023';
	END IF;
	PERFORM set_config('synchronous_commit', 'off', true);
	DELETE FROM auth_address_budget WHERE address_key IN (
		SELECT b.address_key FROM auth_address_budget b WHERE b.at < p_now - interval '1 day' LIMIT 8);
	SELECT b.tokens, b.at INTO had, since FROM auth_address_budget b WHERE b.address_key = p_key FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO auth_address_budget (address_key, tokens, at) VALUES (p_key, p_burst - 1, p_now)
		ON CONFLICT (address_key) DO NOTHING;
		IF FOUND THEN
			RETURN 0;
		END IF;
		-- Another request of the same address made the row first: take from it.
		SELECT b.tokens, b.at INTO had, since FROM auth_address_budget b WHERE b.address_key = p_key FOR UPDATE;
	END IF;
	have := least(p_burst, had + greatest(0, extract(epoch FROM p_now - since)) * p_rate);
	IF have >= 1 THEN
		UPDATE auth_address_budget SET tokens = have - 1, at = p_now WHERE address_key = p_key;
		RETURN 0;
	END IF;
	UPDATE auth_address_budget SET tokens = have, at = p_now WHERE address_key = p_key;
	RETURN greatest((1 - have) / p_rate, 0.001);
END $$;
REVOKE ALL ON FUNCTION astral_auth_address_take(bytea, timestamptz, double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_auth_address_take(bytea, timestamptz, double precision, integer) TO astral_app;
