-- The rate-limit store's functions on PostgreSQL (created by Migration).
--
-- nexios_ratelimit_apply is ratelimit.Policy.Apply in PL/pgSQL, the same
-- arithmetic to the nanosecond: int64 where Go uses int64, numeric (exact)
-- where Go multiplies in 128 bits, div() where Go divides them. A
-- differential test checks every field against the MemoryStore.
CREATE FUNCTION nexios_ratelimit_apply(
  alg smallint, lim bigint, w bigint, step bigint, span bigint,
  st_t bigint, st_c bigint, st_p bigint, t bigint, n bigint,
  OUT o_t bigint, OUT o_c bigint, OUT o_p bigint,
  OUT o_allowed boolean, OUT o_remaining bigint, OUT o_reset bigint, OUT o_retry bigint)
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
  start bigint; cnt bigint; fin bigint; prev bigint; curr bigint;
  elapsed bigint; rest bigint; cap numeric; used bigint; est numeric;
  tat bigint; allow_at bigint; m bigint;
BEGIN
  o_c := 0; o_p := 0;
  o_allowed := false; o_remaining := 0; o_reset := 0; o_retry := 0;
  IF alg = 2 THEN -- TokenBucket (GCRA)
    tat := greatest(st_t, t);
    allow_at := tat - span + n * step; -- tat - span first: tat + n*step may pass bigint
    o_t := st_t;
    IF t < allow_at THEN
      o_retry := allow_at - t;
    ELSE
      o_allowed := true;
      tat := allow_at + span;
      o_t := tat;
    END IF;
    o_remaining := (span - (tat - t)) / step; -- truncated toward zero, as in Go
    o_reset := tat - t;
    RETURN;
  END IF;
  m := t % w;
  IF m < 0 THEN m := m + w; END IF;
  start := t - m; -- the epoch-aligned window holding t
  IF alg = 1 THEN -- FixedWindow
    cnt := 0;
    IF st_t = start THEN
      cnt := st_c;
    ELSIF st_t > start THEN -- the clock went back: keep counting the newer window
      start := st_t;
      cnt := st_c;
    END IF;
    fin := start + w;
    IF cnt + n > lim THEN
      o_remaining := lim - cnt;
      o_retry := fin - t;
    ELSE
      cnt := cnt + n;
      o_allowed := true;
      o_remaining := lim - cnt;
    END IF;
    IF cnt > 0 THEN o_reset := fin - t; END IF;
    o_t := start;
    o_c := cnt;
    RETURN;
  END IF;
  -- SlidingWindow
  prev := 0;
  curr := 0;
  IF st_t = start THEN
    prev := st_p;
    curr := st_c;
  ELSIF st_t = start - w THEN
    prev := st_c;
  ELSIF st_t > start THEN
    start := st_t;
    prev := st_p;
    curr := st_c;
  END IF;
  elapsed := least(greatest(t - start, 0), w - 1);
  rest := w - elapsed;
  cap := lim::numeric * w;
  used := curr;
  IF prev::numeric * rest + (curr + n)::numeric * w <= cap THEN
    used := curr + n;
    o_allowed := true;
  ELSIF curr + n <= lim THEN -- still this window (prev > 0 here)
    o_retry := w - div((lim - curr - n)::numeric * w, prev)::bigint - elapsed;
  ELSE -- the next window, where curr becomes the previous count (curr > 0 here)
    o_retry := w - elapsed + w - div((lim - n)::numeric * w, curr)::bigint;
  END IF;
  est := prev::numeric * rest + used::numeric * w;
  IF est <= cap THEN o_remaining := div(cap - est, w)::bigint; END IF;
  IF used > 0 THEN
    o_reset := start + 2 * w - t;
  ELSIF prev > 0 THEN
    o_reset := start + w - t;
  END IF;
  o_t := start;
  o_c := used;
  o_p := prev;
END
$fn$;

-- nexios_ratelimit_take is one Take: it locks the key's row (creating it
-- when missing), applies the policy and writes the new state, or deletes
-- the row once the key is back at full quota. p_now is the caller's time
-- in Unix nanoseconds, or NULL for the server's clock (read after the lock
-- is held, so that one key's Takes see increasing times).
CREATE FUNCTION nexios_ratelimit_take(
  p_key bytea, p_alg smallint, p_limit bigint, p_window bigint, p_step bigint, p_span bigint,
  p_cost bigint, p_now bigint,
  OUT r_allowed boolean, OUT r_remaining bigint, OUT r_reset bigint, OUT r_retry bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_t bigint; v_found boolean; v_alg smallint; v_exp bigint;
  st_t bigint; st_c bigint; st_p bigint;
  n_t bigint; n_c bigint; n_p bigint;
  one_allowed boolean; one_retry bigint;
BEGIN
  LOOP
    SELECT r.alg, r.t, r.c, r.p, r.expires_ns INTO v_alg, st_t, st_c, st_p, v_exp
      FROM nexios_rate_limits r WHERE r.key = p_key FOR UPDATE;
    v_found := FOUND;
    v_t := coalesce(p_now, (extract(epoch from clock_timestamp()) * 1000000)::bigint * 1000);
    IF NOT v_found OR v_exp <= v_t OR v_alg <> p_alg THEN
      st_t := 0; st_c := 0; st_p := 0; -- a fresh key: absent, expired, or another algorithm's
    END IF;
    SELECT a.o_t, a.o_c, a.o_p, a.o_allowed, a.o_remaining, a.o_reset, a.o_retry
      INTO n_t, n_c, n_p, r_allowed, r_remaining, r_reset, r_retry
      FROM nexios_ratelimit_apply(p_alg, p_limit, p_window, p_step, p_span, st_t, st_c, st_p, v_t, p_cost) a;
    IF p_cost = 0 THEN
      -- a read: the state as it is, and whether a request of cost 1 would pass
      SELECT a.o_allowed, a.o_retry INTO one_allowed, one_retry
        FROM nexios_ratelimit_apply(p_alg, p_limit, p_window, p_step, p_span, st_t, st_c, st_p, v_t, 1) a;
      r_allowed := one_allowed;
      r_retry := one_retry;
    END IF;
    IF r_reset <= 0 THEN
      IF v_found THEN DELETE FROM nexios_rate_limits WHERE key = p_key; END IF;
      RETURN;
    END IF;
    IF v_found THEN
      UPDATE nexios_rate_limits SET alg = p_alg, t = n_t, c = n_c, p = n_p, expires_ns = v_t + r_reset
        WHERE key = p_key;
      RETURN;
    END IF;
    INSERT INTO nexios_rate_limits (key, alg, t, c, p, expires_ns)
      VALUES (p_key, p_alg, n_t, n_c, n_p, v_t + r_reset)
      ON CONFLICT (key) DO NOTHING;
    IF FOUND THEN RETURN; END IF;
    -- Another Take created the key meanwhile: start over on its row, locked.
  END LOOP;
END
$fn$;
