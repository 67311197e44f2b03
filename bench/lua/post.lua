-- POSTs a urlencoded form with the session cookie; FORM and COOKIE come from
-- the environment (bench/run fills them, CSRF token included).
wrk.method = "POST"
wrk.body = os.getenv("FORM")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("COOKIE")
