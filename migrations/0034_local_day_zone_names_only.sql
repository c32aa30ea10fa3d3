-- astral_local_day() answers only for time zone names, never for abbreviations. `AT TIME ZONE`
-- looks a name up in the timezone_abbreviations set before the zone database, so CET, EET, MET
-- and WET (IANA zones with summer time, and what a browser on TZ=CET reports) were read as the
-- fixed offsets +01, +02, +01 and +00, and any abbreviation (PST, BST, IST) as whatever offset
-- the set gives it: "today" was the wrong day for an hour every summer night. A name that is an
-- abbreviation now gives NULL, which the program answers as 400 naming the field. UTC is kept:
-- the default zone, and its abbreviation and its zone are the same offset.
-- No abbreviation holds a '/', so a region name (Europe/Brussels) skips the look-up of the
-- abbreviations (a view that walks the whole set) and costs what it did.
CREATE OR REPLACE FUNCTION astral_local_day(p_tz text, p_now bigint) RETURNS date
	LANGUAGE plpgsql STABLE
	AS $$
	BEGIN
		IF strpos(p_tz, '/') = 0 AND lower(p_tz) <> 'utc'
		   AND EXISTS (SELECT 1 FROM pg_timezone_abbrevs a WHERE lower(a.abbrev) = lower(p_tz)) THEN
			RETURN NULL;
		END IF;
		RETURN (to_timestamp(p_now) AT TIME ZONE p_tz)::date;
	EXCEPTION WHEN invalid_parameter_value THEN
		RETURN NULL;
	END
	$$;
