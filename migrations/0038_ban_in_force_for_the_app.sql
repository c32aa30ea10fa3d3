-- Whether a person has a ban in force is astral_ban_in_force's to say (0031); lib/role_change.c
-- wrote the same predicate out again because the application role may not call the function. It
-- may now, and the function runs with its caller's rights from here on, so that calling it shows
-- the application role what account_bans' policies already show it (a person their own ban, staff
-- every ban) and no ban more. The functions that say "online" (0031) are SECURITY DEFINER: inside
-- them it still runs as the owner and sees every ban, so their answers are those of before.
ALTER FUNCTION astral_ban_in_force(uuid, timestamptz) SECURITY INVOKER;
GRANT EXECUTE ON FUNCTION astral_ban_in_force(uuid, timestamptz) TO astral_app;
